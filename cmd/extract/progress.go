package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/veille/veille/pipeline/batch"
)

// barProgress draws a batch's progress as a bar on a terminal: done,
// skipped and failed, elapsed time and ETA in its description. It is also
// the writer of the batch's log lines, which it prints above the bar: it
// erases the bar, writes the line, and draws the bar again.
type barProgress struct {
	w     io.Writer
	now   func() time.Time
	mu    sync.Mutex // serialises the bar's drawing and the log lines
	bar   *progressbar.ProgressBar
	start time.Time
	total int
	// below is set once the finished bar's line is ended: what follows
	// goes below it.
	below bool
}

var (
	_ batch.Progress = (*barProgress)(nil)
	_ io.Writer      = (*barProgress)(nil)
)

// newBarProgress returns a bar drawn on w (a terminal).
func newBarProgress(w io.Writer) *barProgress {
	return &barProgress{w: w, now: time.Now}
}

// Start draws an empty bar for total documents.
func (p *barProgress) Start(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start, p.total = p.now(), total
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("batch: starting"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionSetPredictTime(false),
	)
	_ = p.bar.RenderBlank()
}

// Update redraws the bar with the tally.
func (p *barProgress) Update(t batch.Tally) {
	p.mu.Lock()
	defer p.mu.Unlock()
	finished := t.Done + t.Skipped + t.Failed
	p.bar.Describe(fmt.Sprintf("done %d, skipped %d, failed %d; %s", t.Done, t.Skipped, t.Failed,
		timing(p.now().Sub(p.start), finished, p.total)))
	_ = p.bar.Set(finished)
}

// timing says the elapsed time and, once the rate means something (three
// documents finished), the time left.
func timing(elapsed time.Duration, finished, total int) string {
	s := "elapsed " + elapsed.Round(time.Second).String()
	if finished < 3 || finished >= total {
		return s
	}
	left := time.Duration(float64(elapsed) / float64(finished) * float64(total-finished))
	return s + ", about " + left.Round(time.Second).String() + " left"
}

// Close leaves the finished bar on its line.
func (p *barProgress) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.bar.Finish()
	p.endBarLine()
}

// endBarLine ends the finished bar's line, once.
func (p *barProgress) endBarLine() {
	if !p.below {
		fmt.Fprintln(p.w)
		p.below = true
	}
}

// Write prints a log line above the bar while it runs, below it once it is
// finished (a finished bar is not drawn again).
func (p *barProgress) Write(line []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.bar == nil:
		return p.w.Write(line)
	case p.bar.IsFinished():
		p.endBarLine()
		return p.w.Write(line)
	}
	_ = p.bar.Clear()
	n, err := p.w.Write(line)
	_ = p.bar.RenderBlank()
	return n, err
}
