package inventory

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
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
	// lock is the scan lock, held from OpenForScan to Close.
	lock *scanLock
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

func checkVersion(p string, v int) error {
	if v > SchemaVersion() {
		return fmt.Errorf("database %s has schema version %d, newer than this aam supports (%d): upgrade aam, or pass --db with another file", p, v, SchemaVersion())
	}
	return nil
}

// Close closes the database and releases the scan lock, if held.
func (s *Store) Close() error {
	err := s.db.Close()
	s.lock.release()
	return err
}

// Path is the file the store lives in.
func (s *Store) Path() string { return s.path }

func (s *Store) version(ctx context.Context) (int, error) { return schemaVersion(ctx, s.db) }

// errForeign is a database with tables that is not an aam inventory.
var errForeign = errors.New("it has tables but no schema_version table")

// schemaVersion reads the schema version: 0 for an empty database,
// errForeign for one with tables of its own.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	// One statement reads both counts from one snapshot: another process
	// migrating a new file between two reads would make it look foreign.
	var n, tables int
	err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_version'), (SELECT count(*) FROM sqlite_master)`).Scan(&n, &tables)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		if tables > 0 {
			return 0, errForeign
		}
		return 0, nil
	}
	var v int
	if err := q.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
		return 0, err
	}
	return v, nil
}

// migrate brings the schema to version target in one transaction that
// takes SQLite's write lock first and reads the version under it, so two
// processes opening one new file do not both create the tables.
func (s *Store) migrate(ctx context.Context, target int) (err error) {
	ms, err := migrations()
	if err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return fmt.Errorf("migrate database %s: %w", s.path, explainSQLite(err))
	}
	defer func() {
		if err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		}
	}()
	v, err := schemaVersion(ctx, conn)
	if err != nil {
		return s.notOurs(err)
	}
	if err := checkVersion(s.path, v); err != nil {
		return err
	}
	if v >= target {
		_, err = conn.ExecContext(ctx, `COMMIT`)
		return err
	}
	for _, m := range ms[v:target] {
		stmts := []string{m.sql}
		if m.version == 1 {
			stmts = append(stmts, `CREATE TABLE schema_version (version INTEGER NOT NULL)`, `INSERT INTO schema_version VALUES (1)`)
		} else {
			stmts = append(stmts, fmt.Sprintf(`UPDATE schema_version SET version = %d`, m.version))
		}
		for _, st := range stmts {
			if _, err := conn.ExecContext(ctx, st); err != nil {
				return fmt.Errorf("migrate database %s to version %d (%s): %w", s.path, m.version, m.name, explainSQLite(err))
			}
		}
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return fmt.Errorf("migrate database %s to version %d: %w", s.path, target, explainSQLite(err))
	}
	return nil
}
