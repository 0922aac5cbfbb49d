package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/batch"
)

func TestTiming(t *testing.T) {
	tests := []struct {
		elapsed         time.Duration
		finished, total int
		want            string
	}{
		{0, 0, 6, "elapsed 0s"},
		{2 * time.Second, 2, 6, "elapsed 2s"}, // too few to say the time left
		{3 * time.Second, 3, 6, "elapsed 3s, about 3s left"},
		{10 * time.Second, 6, 6, "elapsed 10s"},
	}
	for _, tt := range tests {
		if got := timing(tt.elapsed, tt.finished, tt.total); got != tt.want {
			t.Errorf("timing(%s, %d, %d) = %q, want %q", tt.elapsed, tt.finished, tt.total, got, tt.want)
		}
	}
}

// TestBarPrintsLogLinesAboveItself checks that a log line erases the bar,
// stands on a line of its own, and that the bar is drawn again after it and
// left at 100% when done.
func TestBarPrintsLogLinesAboveItself(t *testing.T) {
	var out bytes.Buffer
	clock := time.Date(2026, 12, 1, 2, 30, 0, 0, time.UTC)
	p := newBarProgress(&out)
	p.now = func() time.Time { return clock }
	p.Start(4)
	clock = clock.Add(3 * time.Second)
	p.Update(batch.Tally{Done: 3})
	out.Reset()
	if _, err := p.Write([]byte("level=WARN msg=\"job failed\"\n")); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	i := strings.Index(s, "level=WARN")
	if i < 1 || s[i-1] != '\r' || !strings.Contains(s[i:], "job failed\"\n") || !strings.Contains(s[i:], "3/4") {
		t.Errorf("log line not on a line of its own with the bar redrawn after it: %q", s)
	}
	if !strings.Contains(s[i:], "elapsed 3s, about 1s left") {
		t.Errorf("bar lacks labelled times: %q", s)
	}
	out.Reset()
	p.Update(batch.Tally{Done: 4})
	p.Close()
	if !strings.Contains(out.String(), "4/4") || !strings.HasSuffix(out.String(), "\n") {
		t.Errorf("the finished bar is not left at 100%%: %q", out.String())
	}
}

// TestLogLineAfterTheBarFinished checks that a line logged once the bar is
// full goes below it, leaving the full bar in place.
func TestLogLineAfterTheBarFinished(t *testing.T) {
	var out bytes.Buffer
	p := newBarProgress(&out)
	p.Start(2)
	p.Update(batch.Tally{Done: 1, Failed: 1})
	p.Write([]byte("level=WARN msg=\"job failed\"\n"))
	p.Close()
	s := out.String()
	bar, log := strings.LastIndex(s, "2/2"), strings.Index(s, "level=WARN")
	if bar < 0 || log < bar || !strings.Contains(s[bar:log], "\n") || strings.Count(s[log:], "\n") != 1 {
		t.Errorf("the full bar is not left above the log line: %q", s)
	}
}
