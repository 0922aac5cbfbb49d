package postgres

import (
	"context"
	"errors"
	"testing"
)

// TestCopyMark checks that the derived rows of a chunk wait for its cards,
// and are refused when the copy of the cards stopped before them.
func TestCopyMark(t *testing.T) {
	ctx := t.Context()
	m := newCopyMark()
	m.set(10)
	if err := m.wait(ctx, 10); err != nil {
		t.Errorf("wait(10) after set(10) = %v, want nil", err)
	}
	waited := make(chan error, 1)
	go func() { waited <- m.wait(ctx, 20) }()
	m.set(15)
	select {
	case err := <-waited:
		t.Fatalf("wait(20) after set(15) returned %v; want it waiting", err)
	default:
	}
	m.finish(errors.New("cut off"))
	if err := <-waited; err == nil {
		t.Errorf("wait(20) after the copy stopped at 15 = nil, want an error")
	}
	if err := m.wait(ctx, 12); err != nil {
		t.Errorf("wait(12) after the copy stopped at 15 = %v, want nil", err)
	}

	done := newCopyMark()
	done.finish(nil)
	if err := done.wait(ctx, 1<<40); err != nil {
		t.Errorf("wait after all the cards were copied = %v, want nil", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := newCopyMark().wait(canceled, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("wait with a canceled context = %v, want context.Canceled", err)
	}
}
