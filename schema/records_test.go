package schema

import (
	"encoding/json"
	"testing"
	"time"
)

func TestSpanGrounded(t *testing.T) {
	tests := []struct {
		method string
		want   bool
	}{
		{GroundExact, true},
		{GroundNormalised, true},
		{GroundFuzzy, true},
		{GroundNone, false},
	}
	for _, tt := range tests {
		if got := (Span{Method: tt.method}).Grounded(); got != tt.want {
			t.Errorf("Span{Method: %q}.Grounded() = %v, want %v", tt.method, got, tt.want)
		}
	}
}

func TestContentHash(t *testing.T) {
	// sha256sum of the empty input and of "abc".
	tests := map[string]string{
		"":    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"abc": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	}
	for body, want := range tests {
		if got := ContentHash([]byte(body)); got != want {
			t.Errorf("ContentHash(%q) = %s, want %s", body, got, want)
		}
	}
}

// TestRecordsJSON pins the JSON names of the records that cards, run files
// and reports written by earlier versions use.
func TestRecordsJSON(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"provenance", Provenance{Provider: "openai", Model: "m", PromptName: "card", PromptVersion: "v1",
			PromptHash: "h", InputTokens: 1, OutputTokens: 2, Requests: 3, Latency: time.Second, CostUSD: 0.5},
			`{"provider":"openai","model":"m","prompt_name":"card","prompt_version":"v1","prompt_hash":"h",` +
				`"input_tokens":1,"output_tokens":2,"requests":3,"latency_ns":1000000000,"cost_usd":0.5}`},
		{"cached provenance", Provenance{Cached: true},
			`{"provider":"","model":"","prompt_name":"","prompt_version":"","prompt_hash":"",` +
				`"input_tokens":0,"output_tokens":0,"requests":0,"latency_ns":0,"cost_usd":0,"cached":true}`},
		{"attempt", Attempt{Status: 429, FinishReason: "stop", Err: "slow down", Latency: 2},
			`{"status":429,"finish_reason":"stop","error":"slow down","latency_ns":2}`},
		{"empty attempt", Attempt{}, `{"latency_ns":0}`},
		{"span", Span{Section: "signals", Row: 1, Name: "n", Evidence: "e", Start: -1, End: -1, Method: GroundNone},
			`{"section":"signals","row":1,"name":"n","evidence":"e","start":-1,"end":-1,"method":"none","score":0}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.v)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if string(got) != tt.want {
			t.Errorf("%s: json.Marshal =\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}
