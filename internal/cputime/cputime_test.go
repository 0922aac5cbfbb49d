package cputime

import (
	"runtime"
	"testing"
)

// spin burns CPU on the calling thread until its clock moves, or for a
// few seconds at most.
func spin(clock func() int64) {
	start := clock()
	x := 0
	for range 10_000 {
		if clock() != start {
			break
		}
		for i := range 1_000_000 {
			x += i
		}
	}
	_ = x
}

func TestClocksMove(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("thread CPU time is only read on Linux")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, c := range []struct {
		name  string
		clock func() int64
	}{
		{"Process", func() int64 { return int64(Process()) }},
		{"Thread", func() int64 { return int64(Thread()) }},
	} {
		before := c.clock()
		spin(c.clock)
		if after := c.clock(); after <= before {
			t.Errorf("%s: %d after spinning, %d before", c.name, after, before)
		}
	}
}
