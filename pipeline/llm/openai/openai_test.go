package openai

import "testing"

func TestListPriced(t *testing.T) {
	tests := []struct {
		cfg  Config
		want bool
	}{
		{Config{}, true},
		{Config{BaseURL: "https://api.openai.com/v1"}, true},
		{Config{BaseURL: "https://myres.openai.azure.com", Azure: true}, true},
		{Config{BaseURL: GeminiBaseURL}, true},
		{Config{BaseURL: "http://localhost:11434/v1"}, false},
		{Config{BaseURL: "https://llm.internal.example/v1"}, false},
	}
	for _, tt := range tests {
		if got := listPriced(tt.cfg); got != tt.want {
			t.Errorf("listPriced(%+v) = %v, want %v", tt.cfg, got, tt.want)
		}
	}
}
