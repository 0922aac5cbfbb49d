//go:build !unix

package importer

import "time"

// processCPU is not measured outside Unix.
func processCPU() time.Duration { return 0 }
