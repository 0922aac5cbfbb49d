package llm

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/retry"
)

func TestCheckEmbeddings(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	tests := []struct {
		n    int
		vecs [][]float32
		want string
	}{
		{2, [][]float32{{1, 2}, {3, 4}}, ""},
		{0, nil, ""},
		{1, [][]float32{{1}, {2}}, "2 vectors for 1 inputs"},
		{1, [][]float32{{}}, "vector 0 is empty"},
		{2, [][]float32{{1, nan}, {3, 4}}, "vector 0 has NaN at 1"},
		{2, [][]float32{{1, 2}, {inf, 4}}, "vector 1 has +Inf at 0"},
		{2, [][]float32{{1, 2}, {3}}, "vector 1 has dimension 1, vector 0 2"},
	}
	for _, tt := range tests {
		err := CheckEmbeddings(tt.n, tt.vecs)
		if (tt.want == "") != (err == nil) || (err != nil && (!strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrBadEmbeddings))) {
			t.Errorf("CheckEmbeddings(%d, %v) = %v, want %q", tt.n, tt.vecs, err, tt.want)
		}
	}
}

func TestEmbedBatches(t *testing.T) {
	fast := retry.Policy{MaxAttempts: 3, Timeout: time.Second, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond,
		MaxRetryAfter: time.Second}
	texts := []string{"a", "bb", "ccc", "dddd", "eeeee"}
	tests := []struct {
		name      string
		send      func(call int, texts []string) ([][]float32, error)
		wantCalls int
		wantErr   string
	}{
		{name: "three batches", wantCalls: 3},
		{name: "a transient failure", wantCalls: 4, send: func(call int, _ []string) ([][]float32, error) {
			if call == 2 {
				return nil, &StatusError{Status: 503, Err: errors.New("busy")}
			}
			return nil, nil
		}},
		{name: "a permanent failure", wantCalls: 1, wantErr: "m: texts 1-2 of 5: 1 attempt(s): bad key",
			send: func(int, []string) ([][]float32, error) {
				return nil, &StatusError{Status: 401, Err: errors.New("bad key")}
			}},
		{name: "Retry-After too long", wantCalls: 1, wantErr: "m: texts 1-2 of 5: server asks to retry after 1h0m0s: slow down",
			send: func(int, []string) ([][]float32, error) {
				return nil, &StatusError{Status: 429, RetryAfter: time.Hour, Err: errors.New("slow down")}
			}},
		{name: "dimension changes between batches", wantCalls: 2,
			wantErr: "m: texts 3-4 of 5: bad embeddings answer: dimension 3, earlier 2",
			send: func(call int, texts []string) ([][]float32, error) {
				if call == 2 {
					return [][]float32{{1, 2, 3}, {1, 2, 3}}, nil
				}
				return nil, nil
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			send := func(_ context.Context, batch []string) ([][]float32, error) {
				calls++
				if tt.send != nil {
					if vecs, err := tt.send(calls, batch); vecs != nil || err != nil {
						return vecs, err
					}
				}
				out := make([][]float32, len(batch))
				for i, s := range batch {
					out[i] = []float32{float32(len(s)), 1}
				}
				return out, nil
			}
			vecs, err := EmbedBatches(context.Background(), "m", texts, EmbedOptions{BatchSize: 2, Retry: fast}, send)
			if calls != tt.wantCalls {
				t.Errorf("%d requests, want %d", calls, tt.wantCalls)
			}
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range vecs {
				if v[0] != float32(i+1) {
					t.Errorf("vector %d = %v", i, v)
				}
			}
			if len(vecs) != len(texts) {
				t.Errorf("%d vectors for %d texts", len(vecs), len(texts))
			}
		})
	}
}
