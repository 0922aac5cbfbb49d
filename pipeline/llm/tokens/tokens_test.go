package tokens

import "testing"

// TestCountMatchesO200k checks counts against tiktoken's o200k_base, as
// OpenAI's tokenizer gives them for the same strings.
func TestCountMatchesO200k(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"hello world", 2},
		{"<|endoftext|>", 7}, // a special token's text is read as text
	}
	for _, tt := range tests {
		if got := c.Count(tt.text); got != tt.want {
			t.Errorf("Count(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
	long := c.Count("Les pompes à chaleur se vendent mieux que les chaudières à gaz.")
	if long < 10 || long > 20 {
		t.Errorf("a French sentence of 12 words counts %d tokens", long)
	}
}
