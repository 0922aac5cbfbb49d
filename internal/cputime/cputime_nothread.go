//go:build !linux

package cputime

import "time"

// Thread is only measured on Linux: elsewhere it is always 0.
func Thread() time.Duration { return 0 }
