package llm

import (
	"errors"
	"testing"
)

func TestRedactor(t *testing.T) {
	r := NewRedactor("sk-0123456789abc", "", "short", "  AIzaSyD-key-value  ")
	tests := []struct{ in, want string }{
		{"401: Incorrect API key provided: sk-0123456789abc.", "401: Incorrect API key provided: [redacted]."},
		{"key=AIzaSyD-key-value&x=sk-0123456789abc", "key=[redacted]&x=[redacted]"},
		{"a short word stays", "a short word stays"},
		{"nothing secret", "nothing secret"},
	}
	for _, tt := range tests {
		if got := r.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	inner := &StatusError{Status: 401, Err: errors.New("bad key sk-0123456789abc")}
	err := r.Error(inner)
	var se *StatusError
	if err.Error() != "bad key [redacted]" || !errors.As(err, &se) || se.Status != 401 {
		t.Errorf("Error = %v (as StatusError: %v)", err, se)
	}
	if r.Error(nil) != nil {
		t.Error("Error(nil) is not nil")
	}
	if clean := errors.New("fine"); r.Error(clean) != clean {
		t.Error("an error without secrets is not returned as is")
	}
}
