package retry

import (
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
		if got := ParseAfter(tt.header, now); got != tt.want {
			t.Errorf("ParseAfter(%q) = %s, want %s", tt.header, got, tt.want)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	f.Add("120")
	f.Add("Wed, 21 Oct 2015 07:28:00 GMT")
	f.Fuzz(func(t *testing.T, h string) {
		if d := ParseAfter(h, time.Now()); d < 0 {
			t.Fatalf("ParseAfter(%q) = %s, negative", h, d)
		}
	})
}

func TestDelayIsBoundedAndHonoursRetryAfter(t *testing.T) {
	p := Policy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for n := 1; n < 10; n++ {
		if d := p.Delay(n, 0); d <= 0 || d > time.Second {
			t.Errorf("delay(%d) = %s, want in (0, 1s]", n, d)
		}
	}
	if d := p.Delay(1, 7*time.Second); d != 7*time.Second {
		t.Errorf("delay with Retry-After 7s = %s", d)
	}
}
