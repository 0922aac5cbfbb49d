package langchain

import "testing"

func TestNormaliseStopReason(t *testing.T) {
	tests := map[string]string{
		"end_turn": "stop", "": "stop", "FinishReasonStop": "stop", "stop_sequence": "stop",
		"max_tokens": "length", "FinishReasonMaxTokens": "length", "length": "length",
		"refusal": "refusal", "FinishReasonSafety": "refusal", "FinishReasonRecitation": "refusal",
	}
	for in, want := range tests {
		if got := normaliseStopReason(in); got != want {
			t.Errorf("normaliseStopReason(%q) = %q, want %q", in, got, want)
		}
	}
}
