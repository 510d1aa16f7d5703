package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
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
		case c == ':' && i+1 < len(q) && isWordByte(q[i+1]) && q[i+1] != '$':
			// A named parameter, kept as written: ":max_age_days".
			j := i + 1
			for j < len(q) && isWordByte(q[j]) {
				j++
			}
			toks = append(toks, q[i:j])
			i = j
		case c == '?' || c == '@':
			toks = append(toks, string(c))
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

// NamedParams lists the :name parameters of q in the order they first
// appear, outside string literals, quoted names and comments; a positional
// (?), @ or $ parameter is refused: parameters are named :like_this.
func NamedParams(q string) ([]string, error) {
	toks, err := sqlTokens(q)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range toks {
		switch {
		case t == "?" || t == "@" || strings.HasPrefix(t, "$"):
			return nil, fmt.Errorf("parameter %q: name parameters :like_this", t)
		case strings.HasPrefix(t, ":"):
			if n := t[1:]; !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// The limits Query applies; aam query's --max-rows and --max-bytes default
// to them.
const (
	DefaultMaxQueryRows  = 100000
	DefaultMaxQueryBytes = 16 << 20
)

// QueryLimits bound what one query may return, so that a careless query
// cannot exhaust memory: Rows rows, and Bytes bytes of cell data (a text or
// blob cell counts its length, any other cell 8). No single value the
// query computes, even one it does not return, may be longer than Bytes.
type QueryLimits struct {
	Rows  int
	Bytes int64
}

// A LimitError says a query went over one of its QueryLimits: Rows when it
// returned more rows, Bytes when its cells, or one value it computed, came
// to more bytes (Value tells which).
type LimitError struct {
	Rows  int
	Bytes int64
	Value bool
}

func (e *LimitError) Error() string {
	switch {
	case e.Rows > 0:
		return fmt.Sprintf("result exceeds %d rows: add LIMIT or a WHERE clause", e.Rows)
	case e.Value:
		return fmt.Sprintf("a value the query computes exceeds %s: select a part of it with substr or json_extract", formatBytes(e.Bytes))
	}
	return fmt.Sprintf("result exceeds %s of cell data: select fewer or shorter columns, or add LIMIT or a WHERE clause", formatBytes(e.Bytes))
}

// formatBytes writes n in MiB or KiB when it is a whole number of them.
func formatBytes(n int64) string {
	switch {
	case n > 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n > 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Query runs one read-only SQL statement within the default limits. It is
// meant for a store opened with OpenReadOnly.
func (s *Store) Query(ctx context.Context, q string) (*QueryResult, error) {
	return s.QueryLimited(ctx, q, QueryLimits{Rows: DefaultMaxQueryRows, Bytes: DefaultMaxQueryBytes})
}

// QueryLimited runs one read-only SQL statement and reads its result
// within lim. The statement stops when ctx ends, even while it computes a
// row after the first; the error then wraps ctx.Err(). A result over lim is
// a *LimitError.
func (s *Store) QueryLimited(ctx context.Context, q string, lim QueryLimits) (*QueryResult, error) {
	if err := CheckReadOnlySQL(q); err != nil {
		return nil, err
	}
	if lim.Rows < 1 || lim.Bytes < 1 {
		return nil, fmt.Errorf("query limits of %d rows and %d bytes: both must be at least 1", lim.Rows, lim.Bytes)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, queryFailed(ctx, err)
	}
	defer conn.Close()
	// SQLite refuses to build a longer value than this, so a single huge
	// cell (zeroblob(1e9)) fails before it is made, let alone copied.
	restore, err := limitValueLength(conn, lim.Bytes)
	if err != nil {
		return nil, err
	}
	defer restore()
	stop, err := interruptOnDone(ctx, conn)
	if err != nil {
		return nil, err
	}
	res, err := readQuery(ctx, conn, q, lim)
	stop()
	if err != nil {
		return nil, queryFailed(ctx, err)
	}
	return res, nil
}

// queryFailed says why a query failed: its context's end when it ended
// (the driver reports an interrupted statement in its own words), its
// limit, or SQLite's message with the names of the tables.
func queryFailed(ctx context.Context, err error) error {
	var le *LimitError
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("query stopped: %w", ctx.Err())
	case errors.As(err, &le):
		return err
	}
	return fmt.Errorf("query failed: %w (the tables are nodes, edges, scans, scopes, scan_scopes, scan_errors; the views current_nodes and current_edges hold the current graph)", err)
}

// readQuery runs q on conn and reads its rows within lim.
func readQuery(ctx context.Context, conn *sql.Conn, q string, lim QueryLimits) (*QueryResult, error) {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, tooBig(err, lim)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	res := &QueryResult{Columns: cols}
	var size int64
	for rows.Next() {
		if len(res.Rows) == lim.Rows {
			return nil, &LimitError{Rows: lim.Rows}
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
			switch v := v.(type) {
			case []byte:
				vals[i] = string(v)
				size += int64(len(v))
			case string:
				size += int64(len(v))
			case nil:
			default:
				size += 8
			}
		}
		if size > lim.Bytes {
			return nil, &LimitError{Bytes: lim.Bytes}
		}
		res.Rows = append(res.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, tooBig(err, lim)
	}
	return res, nil
}

// tooBig is err, or a *LimitError when SQLite refused to build a value
// longer than lim.Bytes.
func tooBig(err error, lim QueryLimits) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_TOOBIG {
		return &LimitError{Bytes: lim.Bytes, Value: true}
	}
	return err
}
