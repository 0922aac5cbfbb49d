package cputime

import (
	"syscall"
	"time"
)

// Thread is the user and system CPU time the calling thread has used (pin
// the goroutine with runtime.LockOSThread); 0 when it cannot be read.
func Thread() time.Duration { return usage(syscall.RUSAGE_THREAD) }
