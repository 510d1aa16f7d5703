package inventory

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// QueryResult is the result of a read-only SQL query.
type QueryResult struct {
	Columns []string
	Rows    [][]any
}

// refusedKeywords may not appear in a user query outside strings and quoted names.
var refusedKeywords = map[string]string{
	"ATTACH": "attaching another database", "DETACH": "detaching a database", "PRAGMA": "PRAGMA statements",
	"INSERT": "writes", "UPDATE": "writes", "DELETE": "writes", "REPLACE": "writes", "UPSERT": "writes",
	"CREATE": "schema changes", "DROP": "schema changes", "ALTER": "schema changes",
	"VACUUM": "VACUUM", "REINDEX": "REINDEX", "ANALYZE": "ANALYZE",
	"BEGIN": "transactions", "COMMIT": "transactions", "ROLLBACK": "transactions", "SAVEPOINT": "transactions", "RELEASE": "transactions",
}

// statementStart are keywords that may be followed by "(" and still start
// or shape a statement: WITH (...), VALUES (...), SELECT (...).
var statementStart = map[string]bool{"SELECT": true, "VALUES": true, "WITH": true, "EXPLAIN": true, "INSERT": true, "AS": true}

// CheckReadOnlySQL refuses anything but a single read-only statement
// (SELECT, WITH ... SELECT, VALUES or EXPLAIN). The store also opens the
// database read-only, so this is the first of two locks, and the one that
// gives a clear message.
func CheckReadOnlySQL(q string) error {
	toks, err := sqlTokens(q)
	if err != nil {
		return err
	}
	if len(toks) == 0 {
		return errors.New("empty query: pass one SELECT statement, e.g. aam query \"SELECT kind, count(*) FROM nodes GROUP BY kind\"")
	}
	for i, t := range toks {
		if t == ";" {
			if i != len(toks)-1 {
				return errors.New("multiple statements refused: pass one SELECT statement at a time")
			}
			continue
		}
		if what, ok := refusedKeywords[t]; ok {
			return fmt.Errorf("%s refused: aam query runs read-only SELECT statements; change the inventory with aam scan", what)
		}
	}
	switch toks[0] {
	case "SELECT", "WITH", "VALUES", "EXPLAIN":
		return nil
	}
	return fmt.Errorf("statement starting with %q refused: aam query runs one read-only SELECT statement", toks[0])
}

// sqlTokens returns the upper-cased bare words and semicolons of q, skipping
// comments, string literals and quoted identifiers.
func sqlTokens(q string) ([]string, error) {
	var toks []string
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				return toks, nil
			}
			i += j + 1
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			if j < 0 {
				return nil, errors.New("unterminated /* comment in query")
			}
			i += j + 4
		case c == '\'' || c == '"' || c == '`' || c == '[':
			end := c
			if c == '[' {
				end = ']'
			}
			j := i + 1
			for {
				k := strings.IndexByte(q[j:], end)
				if k < 0 {
					return nil, fmt.Errorf("unterminated %c in query", c)
				}
				j += k + 1
				// A doubled quote is an escaped quote inside the literal.
				if end != ']' && j < len(q) && q[j] == end {
					j++
					continue
				}
				break
			}
			i = j
		case c == ';':
			toks = append(toks, ";")
			i++
		case isWordByte(c):
			j := i
			for j < len(q) && isWordByte(q[j]) {
				j++
			}
			word := strings.ToUpper(q[i:j])
			// A word followed by "(" is a function call (replace(), ...),
			// never a statement keyword.
			k := j
			for k < len(q) && (q[k] == ' ' || q[k] == '\t' || q[k] == '\n' || q[k] == '\r') {
				k++
			}
			if k < len(q) && q[k] == '(' && !statementStart[word] {
				word += "("
			}
			toks = append(toks, word)
			i = j
		default:
			i++
		}
	}
	return toks, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// maxQueryRows bounds what one query returns, so a careless query cannot
// exhaust memory.
const maxQueryRows = 100000

// Query runs one read-only SQL statement. It is meant for a store opened
// with OpenReadOnly.
func (s *Store) Query(ctx context.Context, q string) (*QueryResult, error) {
	if err := CheckReadOnlySQL(q); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("query failed: %w (the tables are nodes, edges, scans, scopes, scan_scopes, scan_errors; the views current_nodes and current_edges hold the current graph)", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	res := &QueryResult{Columns: cols}
	for rows.Next() {
		if len(res.Rows) == maxQueryRows {
			return nil, fmt.Errorf("query returns more than %d rows: add a LIMIT", maxQueryRows)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		res.Rows = append(res.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query failed: %w", err)
	}
	return res, nil
}
