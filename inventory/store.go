package inventory

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is the SQLite inventory. One process writes through a Scan; any
// number of readers see the last finished state of every scope.
type Store struct {
	db       *sql.DB
	path     string
	readOnly bool
	// log counts the SQL statements run on db; see Statements.
	log *statementLog
}

// migration is one embedded schema step; version N is file 000N_*.sql.
type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its version number", e.Name())
		}
		body, err := migrationFS.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must run 1, 2, 3... without gaps", m.name)
		}
	}
	return ms, nil
}

// SchemaVersion is the schema version this build of aam writes.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

func dsn(p string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Set("mode", "ro")
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		// A scope's finishing transaction touches many pages: keep them in
		// memory (64 MiB) rather than spilling to the WAL mid-transaction.
		q.Add("_pragma", "cache_size(-65536)")
		q.Add("_pragma", "temp_store(FILE)")
	}
	return "file:" + (&url.URL{Path: p}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and migrates it to
// the current schema. A database written by a newer aam is refused.
func Open(ctx context.Context, p string) (*Store, error) {
	return open(ctx, p, SchemaVersion())
}

// open migrates to target; tests use it to build databases of earlier versions.
func open(ctx context.Context, p string, target int) (*Store, error) {
	log := new(statementLog)
	db, err := openDB(dsn(p, false), log)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", p, err)
	}
	// A running scan holds one connection of its own (its staging tables
	// live there); readers share the rest. SQLite serialises the writers.
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: p, log: log}
	if err := s.migrate(ctx, target); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenReadOnly opens an existing database for reading only: every write,
// from any statement, is refused by SQLite itself.
func OpenReadOnly(ctx context.Context, p string) (*Store, error) {
	if _, err := os.Stat(p); err != nil {
		return nil, fmt.Errorf("database %s not found: run `aam scan` first or pass --db", p)
	}
	log := new(statementLog)
	db, err := openDB(dsn(p, true), log)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", p, err)
	}
	s := &Store{db: db, path: p, readOnly: true, log: log}
	v, err := s.version(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("read database %s: %w (is it an aam database?)", p, err)
	}
	if err := checkVersion(p, v); err != nil {
		db.Close()
		return nil, err
	}
	if v < SchemaVersion() {
		db.Close()
		return nil, fmt.Errorf("database %s has schema version %d, older than this aam's %d: run `aam scan` once to migrate it", p, v, SchemaVersion())
	}
	return s, nil
}

func checkVersion(p string, v int) error {
	if v > SchemaVersion() {
		return fmt.Errorf("database %s has schema version %d, newer than this aam supports (%d): upgrade aam, or pass --db with another file", p, v, SchemaVersion())
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path is the file the store lives in.
func (s *Store) Path() string { return s.path }

func (s *Store) version(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_version'`).Scan(&n)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		var tables int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&tables); err != nil {
			return 0, err
		}
		if tables > 0 {
			return 0, errors.New("it has tables but no schema_version table")
		}
		return 0, nil
	}
	var v int
	if err := s.db.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
		return 0, err
	}
	return v, nil
}

func (s *Store) migrate(ctx context.Context, target int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	v, err := s.version(ctx)
	if err != nil {
		return fmt.Errorf("read database %s: %w: pass --db with an aam database or a new file", s.path, err)
	}
	if err := checkVersion(s.path, v); err != nil {
		return err
	}
	for _, m := range ms[v:target] {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		stmts := []string{m.sql}
		if m.version == 1 {
			stmts = append(stmts, `CREATE TABLE schema_version (version INTEGER NOT NULL)`, `INSERT INTO schema_version VALUES (1)`)
		} else {
			stmts = append(stmts, fmt.Sprintf(`UPDATE schema_version SET version = %d`, m.version))
		}
		for _, st := range stmts {
			if _, err := tx.ExecContext(ctx, st); err != nil {
				tx.Rollback()
				return fmt.Errorf("migrate database %s to version %d (%s): %w", s.path, m.version, m.name, err)
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate database %s to version %d: %w", s.path, m.version, err)
		}
	}
	return nil
}
