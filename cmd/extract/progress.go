package main

import (
	"fmt"
	"io"

	"github.com/schollz/progressbar/v3"
	"github.com/veille/veille/pipeline/batch"
)

// barProgress draws a batch's progress as a bar on a terminal: done,
// skipped and failed in the description, rate and ETA drawn by the bar.
type barProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

var _ batch.Progress = (*barProgress)(nil)

// Start draws an empty bar for total documents.
func (p *barProgress) Start(total int) {
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("batch"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("docs"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	)
}

// Update redraws the bar with the tally.
func (p *barProgress) Update(t batch.Tally) {
	// Describe draws at once; Set then redraws with the new count.
	p.bar.Describe(fmt.Sprintf("done %d, skipped %d, failed %d", t.Done, t.Skipped, t.Failed))
	_ = p.bar.Set(t.Done + t.Skipped + t.Failed)
}

// Close erases the bar.
func (p *barProgress) Close() { _ = p.bar.Finish() }
