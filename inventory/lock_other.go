//go:build !unix

package inventory

// scanLock is a no-op where flock is not available.
type scanLock struct{}

func lockScan(string) (*scanLock, error) { return &scanLock{}, nil }

func (l *scanLock) release() {}
