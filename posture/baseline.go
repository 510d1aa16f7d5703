package posture

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// BaselineVersion is the baseline file format this build reads and writes.
const BaselineVersion = 1

// Baseline accepts findings for a while: each suppression names a
// finding's fingerprint, says why, and expires. An expired suppression
// stops suppressing, and the report says so.
type Baseline struct {
	Path         string
	Suppressions []Suppression
}

// Suppression accepts one finding until Expires (a date, UTC, the whole
// day included).
type Suppression struct {
	Fingerprint string    `yaml:"fingerprint" json:"fingerprint"`
	Control     string    `yaml:"control,omitempty" json:"control,omitempty"`
	Subject     string    `yaml:"subject,omitempty" json:"subject,omitempty"`
	Reason      string    `yaml:"reason" json:"reason"`
	Expires     time.Time `yaml:"-" json:"expires"`
	Line        int       `yaml:"-" json:"-"`
}

type baselineFile struct {
	Version      int `yaml:"version"`
	Suppressions []struct {
		Fingerprint string `yaml:"fingerprint"`
		Control     string `yaml:"control"`
		Subject     string `yaml:"subject"`
		Reason      string `yaml:"reason"`
		Expires     string `yaml:"expires"`
	} `yaml:"suppressions"`
}

var fingerprintForm = regexp.MustCompile(`^[0-9a-f]{32}$`)

// maxBaselineBytes bounds a baseline file.
const maxBaselineBytes = 16 << 20

// LoadBaseline reads and checks a baseline file; errors name its line.
func LoadBaseline(path string) (*Baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w: pass --baseline with a file aam posture --write-baseline wrote", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBaselineBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read baseline %s: %w", path, err)
	}
	if len(data) > maxBaselineBytes {
		return nil, fmt.Errorf("baseline %s is over %d MiB: check that --baseline names a baseline file", path, maxBaselineBytes>>20)
	}
	return ParseBaseline(path, data)
}

// ParseBaseline parses a baseline's text; path only names it in errors.
func ParseBaseline(path string, data []byte) (*Baseline, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("baseline %s: %s: fix the YAML syntax", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) != 1 {
		return nil, fmt.Errorf("baseline %s is empty: write one with aam posture --write-baseline %s", path, path)
	}
	var bf baselineFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&bf); err != nil {
		return nil, fmt.Errorf("baseline %s: %s (a suppression has fingerprint, control, subject, reason and expires)", path, yamlMessage(err))
	}
	if bf.Version != BaselineVersion {
		return nil, fmt.Errorf("baseline %s: version %d: this aam reads version %d (start it with `version: %d`)", path, bf.Version, BaselineVersion, BaselineVersion)
	}
	lines := suppressionLines(doc.Content[0])
	b := &Baseline{Path: path}
	seen := map[string]int{}
	for i, s := range bf.Suppressions {
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("baseline %s line %d: %s", path, line, fmt.Sprintf(format, args...))
		}
		if !fingerprintForm.MatchString(s.Fingerprint) {
			return nil, bad("fingerprint %q: copy a finding's fingerprint (32 hex digits) from aam posture -o json", s.Fingerprint)
		}
		if prev, dup := seen[s.Fingerprint]; dup {
			return nil, bad("fingerprint %s is suppressed twice (first on line %d): keep one", s.Fingerprint, prev)
		}
		seen[s.Fingerprint] = line
		if strings.TrimSpace(s.Reason) == "" {
			return nil, bad("suppression of %s has no reason: say why the finding is accepted", s.Fingerprint)
		}
		if s.Expires == "" {
			return nil, bad("suppression of %s has no expires date: give one (YYYY-MM-DD); a suppression is never forever", s.Fingerprint)
		}
		exp, err := time.Parse(time.DateOnly, s.Expires)
		if err != nil {
			return nil, bad("expires %q: write a date as YYYY-MM-DD", s.Expires)
		}
		b.Suppressions = append(b.Suppressions, Suppression{Fingerprint: s.Fingerprint, Control: s.Control, Subject: s.Subject,
			Reason: strings.TrimSpace(s.Reason), Expires: exp, Line: line})
	}
	return b, nil
}

// suppressionLines are the lines of the suppressions list's items.
func suppressionLines(top *yaml.Node) []int {
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "suppressions" {
			var out []int
			for _, it := range top.Content[i+1].Content {
				out = append(out, it.Line)
			}
			return out
		}
	}
	return nil
}

// expired reports whether s no longer suppresses at now: past the end of
// its expiry day, UTC.
func (s Suppression) expired(now time.Time) bool {
	return !now.UTC().Before(s.Expires.AddDate(0, 0, 1))
}

// Suppressed is a finding a baseline accepts, with its suppression.
type Suppressed struct {
	Finding     Finding     `json:"finding"`
	Suppression Suppression `json:"suppression"`
}

// Triage is an evaluation's findings after a baseline.
type Triage struct {
	// Active are the findings that count: not suppressed, or suppressed
	// by an expired entry.
	Active     []Finding    `json:"-"`
	Suppressed []Suppressed `json:"suppressed"`
	// Expired are suppressions past their date whose finding is still
	// there: they no longer suppress it.
	Expired []Suppressed `json:"expired_suppressions"`
	// Unmatched are suppressions whose finding is gone: fixed, or the
	// item removed. They can be dropped from the baseline.
	Unmatched []Suppression `json:"unmatched_suppressions"`
}

// Apply sorts findings into those a baseline suppresses and those that
// count. A nil baseline suppresses nothing.
func (b *Baseline) Apply(findings []Finding, now time.Time) Triage {
	t := Triage{Active: []Finding{}, Suppressed: []Suppressed{}, Expired: []Suppressed{}, Unmatched: []Suppression{}}
	if b == nil {
		t.Active = append(t.Active, findings...)
		return t
	}
	by := map[string]Suppression{}
	for _, s := range b.Suppressions {
		by[s.Fingerprint] = s
	}
	matched := map[string]bool{}
	for _, f := range findings {
		s, ok := by[f.Fingerprint]
		if ok && f.Status == StatusUnknown {
			// A baseline accepts what was judged; an item that could not be
			// judged counts (--allow-unknown is what lets it pass), and the
			// suppression waits for it to be judged again.
			matched[f.Fingerprint] = true
			ok = false
		}
		if !ok {
			t.Active = append(t.Active, f)
			continue
		}
		matched[f.Fingerprint] = true
		if s.expired(now) {
			t.Expired = append(t.Expired, Suppressed{Finding: f, Suppression: s})
			t.Active = append(t.Active, f)
			continue
		}
		t.Suppressed = append(t.Suppressed, Suppressed{Finding: f, Suppression: s})
	}
	for _, s := range b.Suppressions {
		if !matched[s.Fingerprint] {
			t.Unmatched = append(t.Unmatched, s)
		}
	}
	return t
}

// DefaultSuppressionDays is how long a suppression --write-baseline writes
// lasts.
const DefaultSuppressionDays = 90

// WriteBaseline writes a baseline that suppresses every judged finding
// (not the items that could not be evaluated), each for
// DefaultSuppressionDays from now, with a reason to be replaced by the real
// one. Findings of prev (a baseline being rewritten) keep their reason and
// date.
func WriteBaseline(w io.Writer, findings []Finding, prev *Baseline, now time.Time) error {
	type entry struct {
		Fingerprint string `yaml:"fingerprint"`
		Control     string `yaml:"control"`
		Subject     string `yaml:"subject"`
		Reason      string `yaml:"reason"`
		Expires     string `yaml:"expires"`
	}
	kept := map[string]Suppression{}
	if prev != nil {
		for _, s := range prev.Suppressions {
			kept[s.Fingerprint] = s
		}
	}
	out := struct {
		Version      int     `yaml:"version"`
		Suppressions []entry `yaml:"suppressions"`
	}{Version: BaselineVersion, Suppressions: []entry{}}
	seen := map[string]bool{}
	for _, f := range findings {
		if seen[f.Fingerprint] || f.Status == StatusUnknown {
			continue
		}
		seen[f.Fingerprint] = true
		e := entry{Fingerprint: f.Fingerprint, Control: f.ControlID, Subject: f.SubjectID,
			Reason:  "accepted when the baseline was written; replace with why",
			Expires: now.UTC().AddDate(0, 0, DefaultSuppressionDays).Format(time.DateOnly)}
		if s, ok := kept[f.Fingerprint]; ok {
			e.Reason, e.Expires = s.Reason, s.Expires.Format(time.DateOnly)
		}
		out.Suppressions = append(out.Suppressions, e)
	}
	sort.SliceStable(out.Suppressions, func(i, j int) bool {
		a, b := out.Suppressions[i], out.Suppressions[j]
		if a.Control != b.Control {
			return a.Control < b.Control
		}
		return a.Subject < b.Subject
	})
	fmt.Fprintf(w, "# aam posture baseline: each suppression accepts one finding until its\n# expiry date. Replace each reason with why the finding is accepted.\n")
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return err
	}
	return enc.Close()
}
