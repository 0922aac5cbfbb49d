package ask_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/pipeline/ask"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/sqlite"
)

// BenchmarkRetrieve measures the retrieval of one question by words over
// a collection of VEILLE_BENCH_CARDS cards (default 5,000) of random words
// from a 5,000-word vocabulary, each with a summary and 15 rows.
func BenchmarkRetrieve(b *testing.B) {
	n := 5000
	if v, err := strconv.Atoi(os.Getenv("VEILLE_BENCH_CARDS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	vocab := make([]string, 5000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%dx", i)
	}
	text := func(words int) string {
		ws := make([]string, words)
		for i := range ws {
			ws[i] = vocab[int(rng.ExpFloat64()*500)%len(vocab)]
		}
		return strings.Join(ws, " ")
	}
	var cards []schema.NewCard
	for i := range n {
		c := schema.Card{URL: fmt.Sprintf("https://h%d.example/%d", i%300, i), Answer: schema.Answer{Title: text(10), Summary: text(80)}}
		for range 15 {
			c.Concerns = append(c.Concerns, schema.Row{Name: text(4), Description: text(20)})
		}
		js, _ := json.Marshal(c)
		canon, _ := schema.CanonicalURL(c.URL)
		cards = append(cards, schema.NewCard{DocumentID: schema.DocumentID(canon), URL: c.URL, CardJSON: string(js),
			Provenance: schema.Provenance{Provider: "imported"}, Published: time.Now().AddDate(0, 0, -i%365)})
	}
	if _, err := st.ImportCards(ctx, cards); err != nil {
		b.Fatal(err)
	}
	question := "What about " + text(6) + "?"
	b.ResetTimer()
	for b.Loop() {
		if _, err := ask.Retrieve(ctx, st, question, ask.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
