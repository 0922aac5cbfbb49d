package pipeline

import (
	"context"
	"errors"
	"math"
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{"0", 0},
		{"-1", 0},
		{"10000000000", math.MaxInt64}, // would overflow a Duration
		{"99999999999999999999", 0},    // not a 64-bit number
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.header, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tt.header, got, tt.want)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	f.Add("120")
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT")
	f.Fuzz(func(t *testing.T, h string) {
		if d := parseRetryAfter(h, time.Now()); d < 0 {
			t.Fatalf("parseRetryAfter(%q) = %s, negative", h, d)
		}
	})
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"429", &statusError{status: 429, err: errors.New("x")}, true},
		{"503", &statusError{status: 503, err: errors.New("x")}, true},
		{"400", &statusError{status: 400, err: errors.New("x")}, false},
		{"401", &statusError{status: 401, err: errors.New("x")}, false},
		{"timeout", &statusError{err: context.DeadlineExceeded}, true},
		{"network", &statusError{err: errTransport}, true},
		{"refusal", ErrRefused, false},
	}
	for _, tt := range tests {
		if got := retryable(tt.err); got != tt.want {
			t.Errorf("%s: retryable = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDelayIsBoundedAndHonoursRetryAfter(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for n := 1; n < 10; n++ {
		if d := p.delay(n, 0); d <= 0 || d > time.Second {
			t.Errorf("delay(%d) = %s, want in (0, 1s]", n, d)
		}
	}
	if d := p.delay(1, 7*time.Second); d != 7*time.Second {
		t.Errorf("delay with Retry-After 7s = %s", d)
	}
}

func TestExtractJSON(t *testing.T) {
	tests := map[string]string{
		"{\"a\":1}":                        "{\"a\":1}",
		"```json\n{\"a\":1}\n```":          "{\"a\":1}",
		"Here is the card: {\"a\":{}} Bye": "{\"a\":{}}",
		"no json":                          "no json",
	}
	for in, want := range tests {
		if got := extractJSON(in); got != want {
			t.Errorf("extractJSON(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzExtractJSON(f *testing.F) {
	f.Add("```json\n{\"a\":1}\n```")
	f.Add("}{")
	f.Fuzz(func(t *testing.T, s string) {
		got := extractJSON(s)
		if len(got) > len(s) {
			t.Fatalf("extractJSON grew its input")
		}
	})
}
