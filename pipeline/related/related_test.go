package related

import (
	"flag"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/veille/veille/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func readCard(t testing.TB, path string) schema.Card {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := schema.DecodeCard(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

func TestCardText(t *testing.T) {
	got := CardText(readCard(t, "testdata/card.json"))
	const golden = "testdata/card.txt"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("CardText:\n%s\nwant (%s):\n%s", got, golden, want)
	}
}

func TestCardTextBounded(t *testing.T) {
	tests := []struct {
		name string
		card schema.Card
	}{
		{"long summary", schema.Card{Answer: schema.Answer{Title: "T", Summary: strings.Repeat("é", 10000)}}},
		{"many rows", schema.Card{Answer: schema.Answer{Title: "T", Concerns: func() []schema.Row {
			rows := make([]schema.Row, 2000)
			for i := range rows {
				rows[i] = schema.Row{Name: "東京", Description: "a concern\nover two lines"}
			}
			return rows
		}()}}},
		{"empty", schema.Card{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CardText(tt.card)
			if len(got) > MaxTextChars || !utf8.ValidString(got) {
				t.Errorf("CardText: %d bytes, valid UTF-8 %v; want at most %d", len(got), utf8.ValidString(got), MaxTextChars)
			}
			if tt.name == "many rows" && (!strings.HasPrefix(got, "T\n東京: a concern over two lines\n") || len(got) < MaxTextChars-100) {
				t.Errorf("CardText = %.80q...", got)
			}
		})
	}
}
