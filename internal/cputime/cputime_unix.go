//go:build unix

package cputime

import (
	"syscall"
	"time"
)

// Process is the user and system CPU time the process has used, on every
// thread; 0 when it cannot be read.
func Process() time.Duration { return usage(syscall.RUSAGE_SELF) }

// usage is the user and system time of who, a getrusage(2) target.
func usage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
