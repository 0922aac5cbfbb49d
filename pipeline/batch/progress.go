package batch

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Progress shows how a batch is going, e.g. as a bar on a terminal. Without
// one, a batch logs a progress line every Config.ProgressEvery.
type Progress interface {
	// Start begins the display for total documents.
	Start(total int)
	// Update reports the tally so far; calls arrive in order.
	Update(t Tally)
	// Close ends the display.
	Close()
}

// startProgress starts p, or a logger of one line every interval when p is
// nil.
func startProgress(ctx context.Context, p Progress, total int, logger *slog.Logger, interval time.Duration) Progress {
	if p == nil {
		p = newLogProgress(ctx, total, logger, interval)
	}
	p.Start(total)
	return p
}

// logProgress logs the latest tally every interval, when it changed.
type logProgress struct {
	latest chan Tally
	done   chan struct{}
}

func newLogProgress(ctx context.Context, total int, logger *slog.Logger, interval time.Duration) *logProgress {
	p := &logProgress{latest: make(chan Tally, 1), done: make(chan struct{})}
	go p.loop(ctx, total, logger, interval)
	return p
}

// Start does nothing: the loop started with the progress.
func (p *logProgress) Start(int) {}

// Update keeps the newest tally for the next line.
func (p *logProgress) Update(t Tally) {
	select { // keep only the newest tally
	case <-p.latest:
	default:
	}
	p.latest <- t
}

// Close stops the lines.
func (p *logProgress) Close() { close(p.done) }

func (p *logProgress) loop(ctx context.Context, total int, logger *slog.Logger, interval time.Duration) {
	start := time.Now()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var last, current Tally
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.done:
			return
		case current = <-p.latest:
			continue
		case <-tick.C:
		}
		if current == last {
			continue
		}
		last = current
		finished := current.Done + current.Skipped + current.Failed
		rate := float64(finished) / time.Since(start).Seconds()
		attrs := []any{"done", current.Done, "skipped", current.Skipped, "failed", current.Failed,
			"total", total, "rate_per_s", fmt.Sprintf("%.2f", rate)}
		if rate > 0 && total > finished {
			attrs = append(attrs, "eta", time.Duration(float64(total-finished)/rate*float64(time.Second)).Round(time.Second).String())
		}
		logger.Info("batch progress", attrs...)
	}
}
