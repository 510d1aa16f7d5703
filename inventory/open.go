package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// The SQLite result codes aam explains (primary codes: the low byte).
const (
	sqliteBusy     = 5
	sqliteReadOnly = 8
	sqliteFull     = 13
	sqliteCantOpen = 14
	sqliteNotADB   = 26
)

// sqliteCode is the primary result code of an SQLite error, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// ErrDiskFull is a write refused because the disk (or the database's page
// limit) is full. What was committed before it is kept.
var ErrDiskFull = errors.New("the disk is full")

// IsDiskFull reports whether err is SQLite's "database or disk is full".
func IsDiskFull(err error) bool {
	return errors.Is(err, ErrDiskFull) || sqliteCode(err) == sqliteFull
}

// explainSQLite wraps an SQLite error that says the disk is full so that
// IsDiskFull finds it whatever wraps it later.
func explainSQLite(err error) error {
	if err != nil && sqliteCode(err) == sqliteFull && !errors.Is(err, ErrDiskFull) {
		return fmt.Errorf("%w (%v)", ErrDiskFull, err)
	}
	return err
}

// ErrNotInventory is a file that is not an aam inventory: aam refuses it
// and leaves it as it was.
var ErrNotInventory = errors.New("not an aam inventory")

// notInventory is an ErrNotInventory with its own message.
type notInventory string

func (e notInventory) Error() string        { return string(e) }
func (e notInventory) Is(target error) bool { return target == ErrNotInventory }

// Options tune how a database is opened for writing.
type Options struct {
	// MaxPages caps the database at this many pages (of 4 KiB); a write
	// past it fails as a full disk would. 0: no cap.
	MaxPages int
}

// dsn is the connection string of p. Its pragmas only set up each
// connection: none changes the file, so a file that turns out not to be
// an aam database is left as it was. The journal mode, which is written to
// the file, is set by open once the file is known to be aam's.
func dsn(p string, o Options) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// A scope's finishing transaction touches many pages: keep them in
	// memory (64 MiB) rather than spilling to the WAL mid-transaction.
	q.Add("_pragma", "cache_size(-65536)")
	q.Add("_pragma", "temp_store(FILE)")
	if o.MaxPages > 0 {
		q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", o.MaxPages))
	}
	return "file:" + (&url.URL{Path: p}).EscapedPath() + "?" + q.Encode()
}

// readDSN is the connection string of a reader: read-only, and, when
// immutable, without the WAL's shared-memory file (which a reader that
// cannot write the directory could not create).
func readDSN(p string, immutable bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "query_only(1)")
	q.Set("mode", "ro")
	if immutable {
		q.Set("immutable", "1")
	}
	return "file:" + (&url.URL{Path: p}).EscapedPath() + "?" + q.Encode()
}

// checkPath refuses a path that cannot be a database file: a directory, or
// a file in a directory that does not exist.
func checkPath(p string) error {
	if p == "" {
		return errors.New("no database path: pass --db with a file path")
	}
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return fmt.Errorf("database path %s is a directory: pass --db with a file path, such as %s", p, filepath.Join(p, "aam.db"))
	}
	dir := filepath.Dir(p)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the directory of database %s, %s, does not exist: create it (mkdir -p %s) or pass --db with a path in an existing directory", p, dir, dir)
	case err != nil:
		return fmt.Errorf("database %s: %w", p, err)
	case !fi.IsDir():
		return fmt.Errorf("database %s: %s is not a directory: pass --db with a path in a directory", p, dir)
	}
	return nil
}

// Open opens (creating if needed) the database at path and migrates it to
// the current schema, for a writer that does not scan (a writer that scans
// takes the scan lock first: OpenForScan). A new file is created 0600, and
// SQLite gives its WAL and shared-memory files the same mode. A file that
// is not an aam database, or was written by a newer aam, is refused before
// anything in it changes.
func Open(ctx context.Context, p string) (*Store, error) {
	return open(ctx, p, SchemaVersion(), Options{})
}

// OpenForScan takes the scan lock of path (only one scan writes a database
// at a time), then opens it as Open does; the lock is held until Close. A
// scan refused by the lock has not opened, migrated or written the file.
func OpenForScan(ctx context.Context, p string, o Options) (*Store, error) {
	if err := checkPath(p); err != nil {
		return nil, err
	}
	lock, err := lockScan(p)
	if err != nil {
		return nil, err
	}
	s, err := open(ctx, p, SchemaVersion(), o)
	if err != nil {
		lock.release()
		if errors.Is(err, ErrNotInventory) {
			// Leave nothing of ours beside a file that is not ours.
			lock.remove()
		}
		return nil, err
	}
	s.lock = lock
	return s, nil
}

// open migrates to target; tests use it to build databases of earlier versions.
func open(ctx context.Context, p string, target int, o Options) (*Store, error) {
	if err := checkPath(p); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		f.Close()
	case errors.Is(err, fs.ErrExist):
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("cannot create database %s: %w: pass --db with a path in a directory you can write", p, err)
	default:
		return nil, fmt.Errorf("create database %s: %w", p, err)
	}
	log := new(statementLog)
	db, err := openDB(dsn(p, o), log)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", p, err)
	}
	// A running scan holds one connection of its own (its staging tables
	// live there); readers share the rest. SQLite serialises the writers.
	db.SetMaxOpenConns(4)
	s := &Store{db: db, path: p, log: log}
	// Read before anything is written: a foreign file stays as it was.
	v, err := s.version(ctx)
	if err == nil {
		err = checkVersion(p, v)
	} else {
		err = s.notOurs(err)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := useWAL(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: set WAL mode: %w", p, explainSQLite(err))
	}
	if err := s.migrate(ctx, target); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// useWAL puts the database in WAL mode, once: the mode is kept in the file.
// Switching needs the database to itself, and SQLite answers busy at once
// rather than waiting while another process opening the same new file holds
// it, so the switch is retried for up to the busy timeout.
func useWAL(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		var mode string
		err := db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
		if err == nil && strings.EqualFold(mode, "wal") {
			return nil
		}
		if err == nil {
			err = db.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode)
		}
		if err == nil || sqliteCode(err) != sqliteBusy || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// notOurs says why the database could not be read as an aam inventory.
func (s *Store) notOurs(err error) error {
	switch {
	case errors.Is(err, errForeign):
		return notInventory(fmt.Sprintf("%s is an SQLite database but not an aam inventory (%v): aam leaves it as it is; pass --db with an aam database or a new file", s.path, err))
	case sqliteCode(err) == sqliteNotADB:
		return notInventory(fmt.Sprintf("%s is not an aam database (not an SQLite file at all): aam leaves it as it is; pass --db with an aam database or a new file", s.path))
	case sqliteCode(err) == sqliteCantOpen || sqliteCode(err) == sqliteReadOnly:
		return fmt.Errorf("cannot open database %s: %v: check that you may read the file and, while a scan is writing it, write its directory", s.path, err)
	}
	return fmt.Errorf("read database %s: %w", s.path, explainSQLite(err))
}

// OpenReadOnly opens an existing database for reading only: every write,
// from any statement, is refused by SQLite itself, and the file is never
// changed (its journal mode included).
//
// A reader needs to read the file. It needs to write the file's directory
// only while a scan is writing the database (or one died and left its WAL
// behind): a finished scan leaves one file, and then the database is opened
// immutable, which creates nothing beside it. While a scan writes, a
// reader reads through the WAL and its shared-memory file, seeing each
// scope the scan has committed.
func OpenReadOnly(ctx context.Context, p string) (*Store, error) {
	return OpenReadOnlyWith(ctx, p, ReadOptions{})
}

// ReadOptions tune a read-only store for a reader that reads much of it.
type ReadOptions struct {
	// MapBytes maps up to this many bytes of the database file into
	// memory (SQLite's mmap_size) instead of reading its pages with a
	// system call each: posture reads most of a large inventory's pages.
	// The pages mapped are the operating system's file cache, not the
	// process's heap. 0 reads as OpenReadOnly does. aam never shrinks a
	// database file (it does not VACUUM), which a mapping must not see.
	MapBytes int64
}

// OpenReadOnlyWith is OpenReadOnly with options.
func OpenReadOnlyWith(ctx context.Context, p string, o ReadOptions) (*Store, error) {
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("database %s not found: run `aam scan` first or pass --db", p)
	case err != nil:
		return nil, fmt.Errorf("database %s: %w", p, err)
	case fi.IsDir():
		return nil, fmt.Errorf("database path %s is a directory: pass --db with the database file, such as %s", p, filepath.Join(p, "aam.db"))
	}
	// No WAL holding anything and no scan writing: the file is the whole
	// database, and it is read as it stands, with nothing created beside
	// it. Otherwise committed data may be in the WAL, read through the
	// shared-memory file.
	immutable := !walLeft(p) && scanLockFree(p)
	if !immutable && !sharedMemoryUsable(p) {
		return nil, fmt.Errorf("cannot read database %s: a scan is writing it or died before it finished (its -wal file is there), and reading it then needs to write its directory %s: read it where you may write, or after the next scan finishes", p, filepath.Dir(p))
	}
	log := new(statementLog)
	dsn := readDSN(p, immutable)
	if o.MapBytes > 0 {
		dsn += "&" + url.Values{"_pragma": {fmt.Sprintf("mmap_size(%d)", o.MapBytes)}}.Encode()
	}
	db, err := openDB(dsn, log)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", p, err)
	}
	s := &Store{db: db, path: p, readOnly: true, log: log}
	v, err := s.version(ctx)
	if err != nil {
		db.Close()
		return nil, s.notOurs(err)
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

// sharedMemoryUsable reports whether a reader may use the WAL's
// shared-memory file: it exists and is writable, or the directory is
// writable so SQLite can create it.
func sharedMemoryUsable(p string) bool {
	if f, err := os.OpenFile(p+"-shm", os.O_RDWR, 0); err == nil {
		f.Close()
		return true
	}
	if _, err := os.Stat(p + "-shm"); err == nil {
		return false // there, but not ours to write
	}
	return dirWritable(filepath.Dir(p))
}

// walLeft reports whether p has a WAL file holding anything: committed
// data there may not be in the database file yet.
func walLeft(p string) bool {
	fi, err := os.Stat(p + "-wal")
	return err == nil && fi.Size() > 0
}
