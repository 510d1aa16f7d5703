//go:build unix

package inventory

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// scanLock is an exclusive lock on PATH.lock, held while a scan writes: two
// scans of one database would each overwrite the other's state. The kernel
// releases it when the process dies, so a killed scan never blocks the next.
type scanLock struct{ f *os.File }

func lockScan(dbPath string) (*scanLock, error) {
	f, err := os.OpenFile(dbPath+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s for the scan: %w", dbPath, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another aam scan is writing %s: wait for it to finish, or pass --db with another file", dbPath)
		}
		return nil, fmt.Errorf("lock %s for the scan: %w", dbPath, err)
	}
	return &scanLock{f: f}, nil
}

func (l *scanLock) release() {
	if l == nil {
		return
	}
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}
