package prompts

import (
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	p, err := Load(Card)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "card" || p.Version != "v1" || len(p.Hash) != 64 {
		t.Errorf("prompt = %s %s %s", p.Name, p.Version, p.Hash)
	}
	for _, block := range []string{"system", "user", "repair", "merge"} {
		if p.tmpl.Lookup(block) == nil {
			t.Errorf("block %q missing", block)
		}
	}
	if _, err := Load("nosuch-v9"); err == nil || !strings.Contains(err.Error(), "nosuch-v9") {
		t.Errorf("error = %v, want one naming the prompt", err)
	}
}

// TestLoadCollectionPrompts checks the prompts of ask and digest have the
// blocks a JSON query renders.
func TestLoadCollectionPrompts(t *testing.T) {
	for _, id := range []string{Ask, Digest} {
		p, err := Load(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, block := range []string{"system", "user", "repair"} {
			if p.tmpl.Lookup(block) == nil {
				t.Errorf("%s: block %q missing", id, block)
			}
		}
	}
}
