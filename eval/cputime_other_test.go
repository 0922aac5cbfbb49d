//go:build !unix

package eval

import "time"

// processCPUTime is not measured outside Unix.
func processCPUTime() time.Duration { return 0 }
