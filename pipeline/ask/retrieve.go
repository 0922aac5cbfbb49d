// Package ask answers a question over the collection of cards: it
// retrieves the cards closest to the question — full-text search, fused
// with the cosine similarity of embeddings when an embeddings model is
// configured — and, with a model, asks it to answer from those cards only,
// citing them by id. Without a model the ranked cards and their best rows
// are the answer.
package ask

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/veille/veille/pipeline/ground"
	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/related"
	"github.com/veille/veille/schema"
)

// MaxQuestionBytes bounds a question: longer ones are refused.
const MaxQuestionBytes = 2000

// DefaultLimit is how many cards are retrieved when [Options].Limit is 0.
const DefaultLimit = 8

// rrfK is the constant of reciprocal rank fusion: a card at rank r of a
// list scores 1/(rrfK+r). 60 is the value of the method's authors.
const rrfK = 60

// maxTerms bounds the words of a question searched for.
const maxTerms = 12

// Store is what [Retrieve] reads: the full-text search, the newest cards,
// and their embeddings (it saves the embeddings it makes). The SQLite
// store implements it.
type Store interface {
	related.EmbeddingStore
	// SearchCards finds the newest cards holding every word of query.
	SearchCards(ctx context.Context, query string, f schema.CardFilter) ([]schema.SearchHit, error)
	// LatestCard returns the newest card of a document.
	LatestCard(ctx context.Context, documentID string) (schema.StoredCard, error)
	// LatestCards returns the newest card of every document, made since
	// since.
	LatestCards(ctx context.Context, since time.Time) ([]schema.StoredCard, error)
	// Embeddings returns the embeddings by model of the newest cards.
	Embeddings(ctx context.Context, model string) ([]schema.Embedding, error)
}

// Options tune [Retrieve].
type Options struct {
	// Since keeps the cards published on or after it (all when zero).
	Since time.Time
	// Limit is how many cards are kept; 0 means [DefaultLimit].
	Limit int
	// Embedder, when not nil, ranks the cards by the cosine similarity of
	// their embeddings to the question's too; each card is embedded once,
	// its vector kept in the store.
	Embedder llm.Embedder
}

// Card is a retrieved card, best first.
type Card struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Published time.Time `json:"-"`
	// Score is the card's fused rank, higher is better: the sum over the
	// rankings that hold it (words, embeddings) of 1/(60+rank).
	Score float64 `json:"score"`
	// Cited is set when the model's answer cites the card.
	Cited bool `json:"cited"`
	// Rows are the card's rows that hold words of the question, the most
	// first (at most [bestRows]).
	Rows []Row `json:"rows,omitempty"`
	// card is the card itself, for the prompt.
	card schema.Card
}

// Row is one row of a card's tables.
type Row struct {
	Table       string `json:"table"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// bestRows is how many rows a card shows.
const bestRows = 3

// CheckQuestion rejects a question that is empty or longer than
// [MaxQuestionBytes], or not UTF-8.
func CheckQuestion(q string) error {
	switch {
	case strings.TrimSpace(q) == "":
		return fmt.Errorf("empty question")
	case len(q) > MaxQuestionBytes:
		return fmt.Errorf("question of %d bytes: at most %d", len(q), MaxQuestionBytes)
	case !utf8.ValidString(q):
		return fmt.Errorf("question is not UTF-8 text")
	}
	return nil
}

// Retrieve returns the cards closest to question, best first: the
// full-text search of each of its words (the scores of a card summed, as
// BM25 sums them over a query's words), fused by reciprocal rank with the
// cosine ranking of embeddings when opts.Embedder is set. A question none
// of whose words occur returns no card without an embedder.
func Retrieve(ctx context.Context, st Store, question string, opts Options) ([]Card, error) {
	if err := CheckQuestion(question); err != nil {
		return nil, err
	}
	limit := cmp.Or(opts.Limit, DefaultLimit)
	terms := Terms(question)
	lexical, info, err := byWords(ctx, st, terms, opts.Since, max(limit*4, 32))
	if err != nil {
		return nil, err
	}
	lists := [][]string{lexical}
	if opts.Embedder != nil {
		semantic, more, err := byEmbeddings(ctx, st, opts.Embedder, question, opts.Since, max(limit*3, 20))
		if err != nil {
			return nil, err
		}
		for id, c := range more {
			if _, ok := info[id]; !ok {
				info[id] = c
			}
		}
		lists = append(lists, semantic)
	}
	fused := fuse(lists...)
	if len(fused) > limit {
		fused = fused[:limit]
	}
	out := make([]Card, 0, len(fused))
	for _, f := range fused {
		c := info[f.id]
		c.Score = f.score
		stored, err := st.LatestCard(ctx, c.ID)
		if err != nil {
			return nil, fmt.Errorf("card %s: %w", c.ID, err)
		}
		card, err := stored.Card()
		if err != nil {
			return nil, err
		}
		c.card = card
		c.Title = cmp.Or(c.Title, card.Title)
		c.Rows = matchingRows(card, terms, bestRows)
		out = append(out, c)
	}
	return out, nil
}

// byWords ranks the cards by the words of the question: each word is
// searched on its own and a card's scores summed.
func byWords(ctx context.Context, st Store, terms []string, since time.Time, depth int) ([]string, map[string]Card, error) {
	score := map[string]float64{}
	info := map[string]Card{}
	for _, t := range terms {
		hits, err := st.SearchCards(ctx, t, schema.CardFilter{Since: since, Limit: depth})
		if err != nil {
			return nil, nil, err
		}
		for _, h := range hits {
			score[h.ID] += h.Score
			if _, ok := info[h.ID]; !ok {
				info[h.ID] = Card{ID: h.ID, URL: h.URL, Title: h.Title, Published: h.Published}
			}
		}
	}
	ids := make([]string, 0, len(score))
	for id := range score {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(cmp.Compare(score[b], score[a]), strings.Compare(a, b))
	})
	return ids, info, nil
}

// byEmbeddings ranks the cards published since since by the cosine of
// their embeddings to the question's, after embedding the cards that have
// none.
func byEmbeddings(ctx context.Context, st Store, emb llm.Embedder, question string, since time.Time, depth int) ([]string, map[string]Card, error) {
	cards, err := st.LatestCards(ctx, time.Time{})
	if err != nil {
		return nil, nil, err
	}
	cards = slices.DeleteFunc(cards, func(c schema.StoredCard) bool { return c.Published.Before(since) })
	if len(cards) == 0 {
		return nil, map[string]Card{}, nil
	}
	if _, err := related.EnsureEmbeddings(ctx, emb, st, cards); err != nil {
		return nil, nil, err
	}
	embs, err := st.Embeddings(ctx, emb.Model())
	if err != nil {
		return nil, nil, err
	}
	byCard := make(map[int64]schema.StoredCard, len(cards))
	for _, c := range cards {
		byCard[c.ID] = c
	}
	embs = slices.DeleteFunc(embs, func(e schema.Embedding) bool { _, ok := byCard[e.CardID]; return !ok })
	vecs, err := emb.Embed(ctx, []string{question})
	if err != nil {
		return nil, nil, fmt.Errorf("embed the question: %w", err)
	}
	if err := llm.CheckEmbeddings(1, vecs); err != nil {
		return nil, nil, fmt.Errorf("embed the question: %s: %w", emb.Model(), err)
	}
	var ids []string
	info := map[string]Card{}
	for _, s := range related.Rank(vecs[0], embs, 0, depth) {
		c := byCard[s.CardID]
		ids = append(ids, c.DocumentID)
		info[c.DocumentID] = Card{ID: c.DocumentID, URL: c.URL, Published: c.Published}
	}
	return ids, info, nil
}

// fused is a card's reciprocal-rank-fusion score.
type fused struct {
	id    string
	score float64
}

// fuse merges rankings by reciprocal rank fusion: a card scores the sum
// over the lists that hold it of 1/(60+rank), rank from 1. Ties keep the
// order of the first list, then the card ids.
func fuse(lists ...[]string) []fused {
	score := map[string]float64{}
	first := map[string]int{}
	n := 0
	for _, l := range lists {
		for r, id := range l {
			score[id] += 1 / float64(rrfK+r+1)
			if _, ok := first[id]; !ok {
				first[id] = n
				n++
			}
		}
	}
	out := make([]fused, 0, len(score))
	for id, s := range score {
		out = append(out, fused{id, s})
	}
	slices.SortFunc(out, func(a, b fused) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(first[a.id], first[b.id]))
	})
	return out
}

// Terms returns the words of a question worth searching: its words (lower
// case), without those of one letter, the question and function words, and
// repeats, at most 12.
func Terms(question string) []string {
	var out []string
	for _, w := range ground.Words(question) {
		if utf8.RuneCountInString(w) < 2 || stopWords[w] || slices.Contains(out, w) {
			continue
		}
		out = append(out, w)
		if len(out) == maxTerms {
			break
		}
	}
	return out
}

// stopWords are the words of a question that say nothing of its subject,
// in English and French.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an as at be by do if in is it me my no of on or so to up us we
		au ce de du en et il je la le ne on se sa ses ni ou un y
		about all also and any are been but can could did does for from had has
		have how into its more most not now our should than that the their them there these they this those
		was were what when where which who whom whose why will with would you your tell show give list find
		know recent recently latest new news trend trends signal signals happening going
		avec aux ces cette comment dans des est les leur leurs mais nous ont par pas plus pour pourquoi quand
		que quel quelle quelles quels qui quoi sont sur une vous`) {
		m[w] = true
	}
	return m
}()

// matchingRows returns up to n rows of c that hold words of terms, those
// holding the most first, then in card order.
func matchingRows(c schema.Card, terms []string, n int) []Row {
	type scored struct {
		row   Row
		score int
	}
	var rows []scored
	add := func(table, name, desc string) {
		if s := overlap(terms, ground.Words(name+" "+desc)); s > 0 {
			rows = append(rows, scored{Row{table, name, desc}, s})
		}
	}
	for _, s := range c.Signals {
		add("signals", s.Name, s.Description)
	}
	for _, t := range c.RowTables() {
		for _, r := range *t.Rows {
			add(t.Key, r.Name, r.Description)
		}
	}
	slices.SortStableFunc(rows, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	out := make([]Row, 0, min(n, len(rows)))
	for _, r := range rows[:min(n, len(rows))] {
		out = append(out, r.row)
	}
	return out
}

// overlap counts the terms found among words, a plural matching its
// singular.
func overlap(terms, words []string) int {
	n := 0
	for _, t := range terms {
		for _, w := range words {
			if sameWord(t, w) {
				n++
				break
			}
		}
	}
	return n
}

// sameWord reports whether a and b are one word, one perhaps the plural
// of the other.
func sameWord(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return a == b || len(a) >= 3 && (b == a+"s" || b == a+"es")
}
