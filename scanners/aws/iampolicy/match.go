package iampolicy

import "strings"

// maxCompareRunes bounds the patterns Covers and the internal overlap test
// compare symbolically (quadratic time in the two lengths). Real action names
// and ARNs are far shorter; past the bound the answer is the conservative one.
const maxCompareRunes = 1024

// Match reports whether action matches the IAM wildcard pattern: '*' matches
// any run of characters, including none, and '?' exactly one. Letters compare
// case-insensitively, as IAM compares action names.
func Match(pattern, action string) bool {
	return globMatch(fold(pattern), fold(action))
}

// Covers reports whether every action that allowPattern can match is also
// matched by denyPattern, so that a Deny of denyPattern removes all of an
// Allow of allowPattern. Comparison is case-insensitive, as for Match.
//
// "iam:*" covers "iam:Get*" and "iam:PassRole"; "*" covers everything;
// "s3:Get*" does not cover "s3:*".
//
// Covers is sound: it reports true only when the inclusion holds. It compares
// the patterns symbolically (a '*' of the deny pattern may absorb any part of
// the allow pattern, a '?' one character or '?'), after rewriting each run of
// wildcards to a canonical form ("*?" and "?*" both become "?*"). A few exotic
// pairs of patterns that are equivalent in another way, and patterns longer
// than 1,024 characters (unless denyPattern is "*"), get false.
func Covers(denyPattern, allowPattern string) bool {
	return covers(fold(denyPattern), fold(allowPattern))
}

// fold lower-cases s for case-insensitive comparison.
func fold(s string) []rune { return []rune(strings.ToLower(s)) }

// globMatch matches name against a '*'/'?' pattern, backtracking only to the
// last star: linear space, and time proportional to the product of the
// lengths at worst.
func globMatch(pattern, name []rune) bool {
	px, nx := 0, 0
	starPx, starNx := -1, 0
	for px < len(pattern) || nx < len(name) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				starPx, starNx = px, nx+1
				px++
				continue
			case '?':
				if nx < len(name) {
					px++
					nx++
					continue
				}
			default:
				if nx < len(name) && name[nx] == c {
					px++
					nx++
					continue
				}
			}
		}
		// Mismatch: let the last star absorb one more character, if any is left.
		if starPx >= 0 && starNx <= len(name) {
			px, nx = starPx+1, starNx
			starNx++
			continue
		}
		return false
	}
	return true
}

// canonical rewrites every run of wildcards that holds a '*' as its '?'s
// followed by a single '*'. The language matched does not change.
func canonical(p []rune) []rune {
	out := make([]rune, 0, len(p))
	for i := 0; i < len(p); {
		if p[i] != '*' && p[i] != '?' {
			out = append(out, p[i])
			i++
			continue
		}
		star := false
		for ; i < len(p) && (p[i] == '*' || p[i] == '?'); i++ {
			if p[i] == '*' {
				star = true
			} else {
				out = append(out, '?')
			}
		}
		if star {
			out = append(out, '*')
		}
	}
	return out
}

func allStars(p []rune) bool {
	for _, r := range p {
		if r != '*' {
			return false
		}
	}
	return len(p) > 0
}

// covers reports whether L(allow) ⊆ L(deny) (see Covers), on already folded
// or deliberately case-sensitive runes.
func covers(deny, allow []rune) bool {
	if allStars(deny) {
		return true
	}
	if len(deny) > maxCompareRunes || len(allow) > maxCompareRunes {
		return false
	}
	d, a := canonical(deny), canonical(allow)
	// next[j] holds whether d[i+1:] covers a[j:]; cur[j] the same for d[i:].
	next := make([]bool, len(a)+1)
	cur := make([]bool, len(a)+1)
	next[len(a)] = true // empty covers empty
	for i := len(d) - 1; i >= 0; i-- {
		for j := len(a); j >= 0; j-- {
			switch d[i] {
			case '*':
				cur[j] = next[j] || (j < len(a) && cur[j+1])
			case '?':
				cur[j] = j < len(a) && a[j] != '*' && next[j+1]
			default:
				cur[j] = j < len(a) && a[j] == d[i] && next[j+1]
			}
		}
		next, cur = cur, next
	}
	return next[0]
}

// overlaps reports whether some string is matched by both patterns. Past
// maxCompareRunes it answers true, the conservative answer for its callers.
func overlaps(a, b []rune) bool {
	if len(a) > maxCompareRunes || len(b) > maxCompareRunes {
		return true
	}
	// next[j]: a[i+1:] and b[j:] share a string; cur[j]: a[i:] and b[j:].
	next := make([]bool, len(b)+1)
	cur := make([]bool, len(b)+1)
	// Row i == len(a): b[j:] must be able to match the empty string.
	next[len(b)] = true
	for j := len(b) - 1; j >= 0; j-- {
		next[j] = b[j] == '*' && next[j+1]
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b); j >= 0; j-- {
			switch {
			case a[i] == '*':
				// The star matches nothing, or absorbs what b[j] produces.
				cur[j] = next[j] || (j < len(b) && cur[j+1])
			case j == len(b):
				cur[j] = false
			case b[j] == '*':
				cur[j] = cur[j+1] || next[j]
			default:
				cur[j] = (a[i] == '?' || b[j] == '?' || a[i] == b[j]) && next[j+1]
			}
		}
		next, cur = cur, next
	}
	return next[0]
}

// actionOverlaps reports whether two action patterns can match a common
// action, case-insensitively.
func actionOverlaps(a, b string) bool { return overlaps(fold(a), fold(b)) }
