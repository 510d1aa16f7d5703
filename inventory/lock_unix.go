//go:build unix

package inventory

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// scanLock is an exclusive lock on PATH.lock, held while a scan writes: two
// scans of one database would each overwrite the other's state. The kernel
// releases it when the process dies, so a killed scan never blocks the next.
type scanLock struct {
	f    *os.File
	path string
	// created is set when this lock made PATH.lock.
	created bool
}

func lockScan(dbPath string) (*scanLock, error) {
	created := false
	f, err := os.OpenFile(dbPath+".lock", os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		f, err = os.OpenFile(dbPath+".lock", os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
		created = err == nil
		if errors.Is(err, fs.ErrExist) {
			f, err = os.OpenFile(dbPath+".lock", os.O_RDWR, 0)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s for the scan: %w: pass --db with a path in a directory you can write", dbPath, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another aam scan is writing %s: wait for it to finish, or pass --db with another file", dbPath)
		}
		return nil, fmt.Errorf("lock %s for the scan: %w", dbPath, err)
	}
	return &scanLock{f: f, path: dbPath + ".lock", created: created}, nil
}

func (l *scanLock) release() {
	if l == nil || l.f == nil {
		return
	}
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
}

// remove deletes the lock file if this lock created it: after a refusal,
// aam leaves nothing beside a file that is not its own.
func (l *scanLock) remove() {
	if l != nil && l.created {
		os.Remove(l.path)
	}
}

// scanLockFree reports whether no scan holds the lock of dbPath. A reader
// that cannot open the lock file (there is none, or it may not) finds it
// free only when there is none.
func scanLockFree(dbPath string) bool {
	f, err := os.Open(dbPath + ".lock")
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return false
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return true
}

// dirWritable reports whether this process may create files in dir.
func dirWritable(dir string) bool {
	const wOK = 2
	return syscall.Access(dir, wOK) == nil
}
