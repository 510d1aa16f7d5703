//go:build !unix

package inventory

// scanLock is a no-op where flock is not available.
type scanLock struct{}

func lockScan(string) (*scanLock, error) { return &scanLock{}, nil }

func (l *scanLock) release() {}

func (l *scanLock) remove() {}

// scanLockFree cannot tell without flock: assume a scan may be writing.
func scanLockFree(string) bool { return false }

// dirWritable cannot tell cheaply here: assume the directory is writable,
// and let SQLite say otherwise.
func dirWritable(string) bool { return true }
