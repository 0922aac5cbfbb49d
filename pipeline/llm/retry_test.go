package llm

import (
	"context"
	"errors"
	"testing"
)

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"429", &StatusError{Status: 429, Err: errors.New("x")}, true},
		{"503", &StatusError{Status: 503, Err: errors.New("x")}, true},
		{"400", &StatusError{Status: 400, Err: errors.New("x")}, false},
		{"401", &StatusError{Status: 401, Err: errors.New("x")}, false},
		{"timeout", &StatusError{Err: context.DeadlineExceeded}, true},
		{"network", &StatusError{Err: ErrTransport}, true},
		{"refusal", ErrRefused, false},
	}
	for _, tt := range tests {
		if got := Retryable(tt.err); got != tt.want {
			t.Errorf("%s: retryable = %v, want %v", tt.name, got, tt.want)
		}
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
