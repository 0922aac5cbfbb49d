package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

var cardTests = []test{
	{"Versions", testCardVersions},
	{"Spans", testCardSpans},
	{"LatestCardNotFound", testLatestCardNotFound},
	{"SaveCardIsAllOrNothing", testSaveCardIsAllOrNothing},
	{"LatestCardsSince", testLatestCardsSince},
	{"ModelRuns", testModelRuns},
	{"FailedRun", testFailedRun},
	{"ResponseCache", testResponseCache},
}

// card returns a card of document docID with one grounded and one
// ungrounded span.
func card(docID string) schema.NewCard {
	return schema.NewCard{DocumentID: docID, URL: "https://example.com/a", CardJSON: `{"title":"t"}`,
		Markdown: "# __t__", RawJSON: `{"title":"t"}`,
		Provenance: schema.Provenance{Provider: "openai", Model: "gpt-4o-mini", PromptName: "card",
			PromptVersion: "v1", PromptHash: "abc", InputTokens: 1200, OutputTokens: 400, Requests: 1,
			Latency: 1500 * time.Millisecond, CostUSD: 0.0004, Cached: true},
		Spans: []schema.Span{
			{Section: "signals", Row: 0, Name: "s", Evidence: "Première", Start: 0, End: 8,
				Method: schema.GroundExact, Score: 1},
			{Section: "signals", Row: 1, Name: "f", Evidence: "versoin", Start: 9, End: 16,
				Method: schema.GroundFuzzy, Score: 0.8},
			{Section: "issues", Row: 0, Name: "i", Evidence: "absent", Start: -1, End: -1,
				Method: schema.GroundNone},
		}}
}

// run returns a successful model run for doc with two attempts.
func run(doc schema.Document) schema.ModelRun {
	start := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	return schema.ModelRun{Input: doc.URL, DocumentID: doc.ID, Provider: "openai", Model: "gpt-4o-mini",
		PromptHash: "abc", Started: start, Finished: start.Add(2 * time.Second),
		Attempts: []schema.Attempt{{Status: 429, Err: "slow down", Latency: 300 * time.Millisecond},
			{Status: 200, FinishReason: "stop", Latency: 1200 * time.Millisecond}}}
}

// saveCard stores c with run, failing the test on error.
func saveCard(t *testing.T, s Backend, c schema.NewCard, r schema.ModelRun) (int64, int) {
	t.Helper()
	id, version, err := s.SaveCard(t.Context(), c, r)
	if err != nil {
		t.Fatal(err)
	}
	return id, version
}

func testCardVersions(t *testing.T, s Backend) {
	ctx := t.Context()
	doc := saveDocument(t, s, "https://example.com/a", "Première version.")
	var ids []int64
	for want := 1; want <= 3; want++ {
		c := card(doc.ID)
		c.Model = fmt.Sprintf("model-%d", want)
		id, version := saveCard(t, s, c, run(doc))
		if version != want || id == 0 {
			t.Errorf("save %d: id %d version %d", want, id, version)
		}
		ids = append(ids, id)
	}
	cards, err := s.CardVersions(ctx, doc.ID)
	if err != nil || len(cards) != 3 {
		t.Fatalf("CardVersions = %d cards, %v; want 3", len(cards), err)
	}
	for i, c := range cards {
		if c.Version != i+1 || c.ID != ids[i] || c.Model != fmt.Sprintf("model-%d", i+1) {
			t.Errorf("version #%d = id %d version %d model %s", i, c.ID, c.Version, c.Model)
		}
	}
	latest, err := s.LatestCard(ctx, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := card(doc.ID)
	want.Model, want.Spans = "model-3", nil
	want.Published = doc.FetchedAt // no date given: the document's fetch time
	if latest.ID != ids[2] || latest.Version != 3 || latest.DocumentID != doc.ID || latest.NewCard.DocumentID != doc.ID ||
		!reflect.DeepEqual(latest.NewCard, want) || latest.CreatedAt.IsZero() {
		t.Errorf("LatestCard =\n%+v\nwant version 3 of\n%+v", latest, want)
	}
	if latest.RowsTotal != 3 || latest.RowsGrounded != 2 {
		t.Errorf("rows = %d total, %d grounded; want 3, 2", latest.RowsTotal, latest.RowsGrounded)
	}
}

func testCardSpans(t *testing.T, s Backend) {
	doc := saveDocument(t, s, "https://example.com/a", "Première version.")
	c := card(doc.ID)
	id, _ := saveCard(t, s, c, run(doc))
	spans, err := s.CardSpans(t.Context(), id)
	if err != nil || !reflect.DeepEqual(spans, c.Spans) {
		t.Errorf("CardSpans = %+v, %v\nwant %+v", spans, err, c.Spans)
	}
	if spans, err := s.CardSpans(t.Context(), id+1000); err != nil || len(spans) != 0 {
		t.Errorf("CardSpans of a missing card = %+v, %v; want none", spans, err)
	}
}

func testLatestCardNotFound(t *testing.T, s Backend) {
	doc := saveDocument(t, s, "https://example.com/a", "a")
	if _, err := s.LatestCard(t.Context(), doc.ID); !errors.Is(err, schema.ErrNotFound) {
		t.Errorf("LatestCard of a document without cards: err = %v, want schema.ErrNotFound", err)
	}
}

func testSaveCardIsAllOrNothing(t *testing.T, s Backend) {
	ctx := t.Context()
	doc := saveDocument(t, s, "https://example.com/a", "x")
	c := card(doc.ID)
	c.Spans = append(c.Spans, c.Spans[0]) // two spans for one row
	r := run(doc)
	if _, _, err := s.SaveCard(ctx, c, r); err == nil {
		t.Fatal("SaveCard with two spans for one row: no error")
	}
	if _, err := s.LatestCard(ctx, doc.ID); !errors.Is(err, schema.ErrNotFound) {
		t.Errorf("a card was left behind: %v", err)
	}
	if runs, err := s.ModelRuns(ctx, r.Input); err != nil || len(runs) != 0 {
		t.Errorf("ModelRuns = %d runs, %v; want none left behind", len(runs), err)
	}
	if _, _, err := s.SaveCard(ctx, card(schema.DocumentID("https://example.com/nosuch")), r); err == nil {
		t.Error("card of an unknown document saved")
	}
}

func testLatestCardsSince(t *testing.T, s Backend) {
	ctx := t.Context()
	before := time.Now().Add(-time.Minute)
	b := saveDocument(t, s, "https://example.com/b", "b")
	a := saveDocument(t, s, "https://example.com/a", "a")
	saveDocument(t, s, "https://example.com/c", "no card")
	saveCard(t, s, card(b.ID), run(b))
	saveCard(t, s, card(a.ID), run(a))
	latestA, _ := saveCard(t, s, card(a.ID), run(a))
	tests := []struct {
		name  string
		since time.Time
		want  int // cards
	}{
		{"zero", time.Time{}, 2},
		{"before", before, 2},
		{"after", time.Now().Add(time.Minute), 0},
	}
	for _, tt := range tests {
		cards, err := s.LatestCards(ctx, tt.since)
		if err != nil || len(cards) != tt.want {
			t.Errorf("%s: LatestCards = %d cards, %v; want %d", tt.name, len(cards), err, tt.want)
			continue
		}
		if tt.want == 0 {
			continue
		}
		wantFirst, wantSecond := a.ID, b.ID
		if wantSecond < wantFirst {
			wantFirst, wantSecond = wantSecond, wantFirst
		}
		if cards[0].DocumentID != wantFirst || cards[1].DocumentID != wantSecond {
			t.Errorf("%s: documents %s, %s; want them by ID", tt.name, cards[0].DocumentID, cards[1].DocumentID)
		}
		for _, c := range cards {
			if c.DocumentID == a.ID && (c.ID != latestA || c.Version != 2) {
				t.Errorf("%s: card of a = id %d version %d, want id %d version 2", tt.name, c.ID, c.Version, latestA)
			}
		}
	}
}

func testModelRuns(t *testing.T, s Backend) {
	doc := saveDocument(t, s, "https://example.com/a", "a")
	want := []schema.ModelRun{run(doc), run(doc)}
	want[1].Model = "second"
	for _, r := range want {
		saveCard(t, s, card(doc.ID), r)
	}
	saveCard(t, s, card(doc.ID), schema.ModelRun{Input: "another input", DocumentID: doc.ID})
	runs, err := s.ModelRuns(t.Context(), doc.URL)
	if err != nil || !reflect.DeepEqual(runs, want) {
		t.Errorf("ModelRuns = %+v, %v\nwant %+v", runs, err, want)
	}
}

func testFailedRun(t *testing.T, s Backend) {
	start := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	want := schema.ModelRun{Input: "page.html", Provider: "openai", Model: "m", Err: "500 x3",
		Started: start, Finished: start.Add(time.Second),
		Attempts: []schema.Attempt{{Status: 500}, {Status: 500}, {Status: 500, Err: "boom"}}}
	if err := s.SaveFailedRun(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	runs, err := s.ModelRuns(t.Context(), "page.html")
	if err != nil || len(runs) != 1 || !reflect.DeepEqual(runs[0], want) {
		t.Errorf("ModelRuns = %+v, %v\nwant [%+v]", runs, err, want)
	}
}

func testResponseCache(t *testing.T, s Backend) {
	ctx := t.Context()
	key := schema.CacheKey{Provider: "openai", Model: "m", PromptHash: "p", TextHash: "t"}
	if got, ok, err := s.CachedResponse(ctx, key); ok || err != nil || got != "" {
		t.Fatalf("empty cache answered %q, %v, %v", got, ok, err)
	}
	for _, resp := range []string{`{"a":1}`, `{"a":2}`} {
		if err := s.CacheResponse(ctx, key, resp); err != nil {
			t.Fatal(err)
		}
	}
	if got, ok, err := s.CachedResponse(ctx, key); !ok || err != nil || got != `{"a":2}` {
		t.Errorf("CachedResponse = %q, %v, %v; want the last response", got, ok, err)
	}
	for _, other := range []schema.CacheKey{
		{Provider: "other", Model: "m", PromptHash: "p", TextHash: "t"},
		{Provider: "openai", Model: "m2", PromptHash: "p", TextHash: "t"},
		{Provider: "openai", Model: "m", PromptHash: "p2", TextHash: "t"},
		{Provider: "openai", Model: "m", PromptHash: "p", TextHash: "t2"},
	} {
		if _, ok, err := s.CachedResponse(ctx, other); ok || err != nil {
			t.Errorf("%+v hit the cache of %+v (err %v)", other, key, err)
		}
	}
}
