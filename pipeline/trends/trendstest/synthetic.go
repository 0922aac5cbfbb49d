package trendstest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/veille/veille/schema"
)

// Synthetic makes n cards of rows rows each (spread over the tables), for
// benchmarks: their words are drawn from a vocabulary of 20,000 made-up
// words with a Zipf distribution, as a language's are, and one row in
// four rewords one of n/20 recurring stories, so that clusters form. The
// cards come from 2,000 hosts and are spread over the 365 days before
// now. The same arguments always make the same cards; start numbers the
// first card, so that calls with different starts make different cards.
func Synthetic(start, n, rows int, now time.Time) []Card {
	vocab := syntheticVocabulary()
	rng := rand.New(rand.NewPCG(uint64(start), 42))
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))
	words := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = vocab[zipf.Uint64()]
		}
		return strings.Join(ws, " ")
	}
	stories := max(1, n/20)
	out := make([]Card, n)
	for i := range n {
		id := start + i
		host := fmt.Sprintf("host%04d.example", id%2000)
		c := schema.Card{URL: fmt.Sprintf("https://%s/article-%d", host, id)}
		c.Title = words(6)
		c.Themes, c.Keywords = []string{words(1), words(1)}, []string{words(2), words(1), words(2)}
		c.Summary = words(40)
		for r := range rows {
			name, desc := words(3+rng.IntN(3)), words(10+rng.IntN(8))
			if rng.IntN(4) == 0 {
				s := rng.IntN(stories)
				name = vocab[100+s%19000] + " " + vocab[120+(s*7)%19000] + " " + words(1)
				desc = vocab[140+(s*13)%19000] + " " + vocab[100+s%19000] + " " + words(8)
			}
			rel := rng.IntN(6)
			switch r % 5 {
			case 0:
				c.Signals = append(c.Signals, schema.Signal{Name: name, Description: desc, Relevancy: &rel})
			case 1:
				c.Concerns = append(c.Concerns, schema.Row{Name: name, Description: desc})
			case 2:
				c.Behaviors = append(c.Behaviors, schema.Row{Name: name, Description: desc})
			case 3:
				c.Technologies = append(c.Technologies, schema.Row{Name: name, Description: desc})
			default:
				c.Issues = append(c.Issues, schema.Row{Name: name, Description: desc})
			}
		}
		published := now.Add(-time.Duration(rng.IntN(365*24)) * time.Hour)
		out[i] = Card{Card: c, Published: published}
	}
	return out
}

// syntheticVocabulary is 20,000 made-up words of two to four syllables.
func syntheticVocabulary() []string {
	syllables := []string{"ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "da", "gu", "fe", "bi", "zo",
		"he", "ju", "wa", "xi", "co", "ly", "mar", "ten", "sol", "vin", "dur", "pel", "gra", "tor", "qui", "ban"}
	out := make([]string, 0, 20000)
	for i := 0; len(out) < 20000; i++ {
		var b strings.Builder
		for x := i; ; x /= len(syllables) {
			b.WriteString(syllables[x%len(syllables)])
			if x < len(syllables) {
				break
			}
		}
		if b.Len() >= 4 {
			out = append(out, b.String())
		}
	}
	return out
}
