package batch

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/schollz/progressbar/v3"
)

// batchProgress shows how a batch is going: a bar on a terminal, periodic
// log lines otherwise.
type batchProgress interface {
	// update reports the tally so far.
	update(t BatchTally)
	// close ends the display.
	close()
}

// newBatchProgress returns a bar drawn on bar when it is not nil (a
// terminal), else a logger of one line every interval.
func newBatchProgress(ctx context.Context, bar io.Writer, total int, logger *slog.Logger, interval time.Duration) batchProgress {
	if bar != nil {
		return &barProgress{bar: progressbar.NewOptions(total,
			progressbar.OptionSetWriter(bar),
			progressbar.OptionSetDescription("batch"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("docs"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
		)}
	}
	return newLogProgress(ctx, total, logger, interval)
}

// barProgress is the terminal bar: done/failed in the description, rate and
// ETA drawn by the bar.
type barProgress struct{ bar *progressbar.ProgressBar }

func (p *barProgress) update(t BatchTally) {
	// Describe draws at once; Set then redraws with the new count.
	p.bar.Describe(fmt.Sprintf("done %d, skipped %d, failed %d", t.Done, t.Skipped, t.Failed))
	_ = p.bar.Set(t.Done + t.Skipped + t.Failed)
}

func (p *barProgress) close() { _ = p.bar.Finish() }

// logProgress logs the latest tally every interval, when it changed.
type logProgress struct {
	latest chan BatchTally
	done   chan struct{}
}

func newLogProgress(ctx context.Context, total int, logger *slog.Logger, interval time.Duration) *logProgress {
	p := &logProgress{latest: make(chan BatchTally, 1), done: make(chan struct{})}
	go p.loop(ctx, total, logger, interval)
	return p
}

func (p *logProgress) update(t BatchTally) {
	select { // keep only the newest tally
	case <-p.latest:
	default:
	}
	p.latest <- t
}

func (p *logProgress) close() { close(p.done) }

func (p *logProgress) loop(ctx context.Context, total int, logger *slog.Logger, interval time.Duration) {
	start := time.Now()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var last, current BatchTally
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
