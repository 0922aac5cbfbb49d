//go:build unix

package importer

import (
	"syscall"
	"time"
)

// processCPU is the user+system CPU time the test process has used so
// far, all threads included: a benchmark figure that other processes on a
// shared machine do not inflate.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
