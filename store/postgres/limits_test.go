package postgres_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/postgres/pgtest"
)

// TestReserveSharedAcrossStores draws from one bucket through two stores
// (two pools, as two processes would): the times the reservations allow
// are spaced by the rate, whichever store made them, however fast the
// machine.
func TestReserveSharedAcrossStores(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	var stores []*postgres.Store
	for range 2 {
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	const rate, per = 20.0, 15 // 20 a second, 15 reservations per store
	var mu sync.Mutex
	var allowed []time.Time
	var wg sync.WaitGroup
	for _, s := range stores {
		wg.Go(func() {
			for range per {
				wait, err := s.Reserve(ctx, "host:example.com", 1, rate, 1)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				allowed = append(allowed, time.Now().Add(wait))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(allowed, func(a, b time.Time) int { return a.Compare(b) })
	const slack = 10 * time.Millisecond // the round trip between the server's clock and ours
	for i := 1; i < len(allowed); i++ {
		if gap := allowed[i].Sub(allowed[i-1]); gap < time.Second/rate-slack {
			t.Errorf("reservations %d and %d allowed %v apart, want at least %v", i-1, i, gap, time.Second/rate)
		}
	}
	if _, err := stores[0].Reserve(ctx, "k", 1, 0, 1); err == nil {
		t.Error("a zero rate was accepted")
	}
}
