package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Reserve takes n tokens from the shared token bucket key, which refills
// at perSecond tokens a second and holds at most burst, and returns how
// long the caller must wait before using them: zero when the bucket held
// them, else the time the bucket takes to pay the debt. The bucket is one
// row, updated under its row lock with the server's clock, so every
// process of the database draws from the same bucket. A new bucket starts
// full.
func (s *Store) Reserve(ctx context.Context, key string, n int, perSecond float64, burst int) (time.Duration, error) {
	if perSecond <= 0 || math.IsInf(perSecond, 0) || math.IsNaN(perSecond) || burst < 1 {
		return 0, fmt.Errorf("rate limit %s: want a positive rate and burst", key)
	}
	if n < 0 {
		return 0, errors.New("rate limit " + key + ": negative reservation")
	}
	var tokens float64
	err := s.pool.QueryRow(ctx, `INSERT INTO rate_buckets AS b (key, tokens, updated_at)
		VALUES ($1, $3::float8 - $2, clock_timestamp())
		ON CONFLICT (key) DO UPDATE SET
			tokens = LEAST($3::float8, b.tokens + extract(epoch FROM clock_timestamp() - b.updated_at) * $4) - $2,
			updated_at = clock_timestamp()
		RETURNING tokens`, key, float64(n), float64(burst), perSecond).Scan(&tokens)
	if err != nil {
		return 0, fmt.Errorf("rate limit %s: %w", key, cause(err))
	}
	if tokens >= 0 {
		return 0, nil
	}
	return time.Duration(-tokens / perSecond * float64(time.Second)), nil
}
