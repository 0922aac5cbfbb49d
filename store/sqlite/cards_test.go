package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"
)

func testCard(docID string) NewCard {
	return NewCard{DocumentID: docID, URL: "https://example.com/a", CardJSON: `{"title":"t"}`, Markdown: "# __t__",
		RawJSON: `{"title":"t"}`, Provider: "openai", Model: "gpt-4o-mini", PromptName: "card", PromptVersion: "v1",
		PromptHash: "abc", InputTokens: 1200, OutputTokens: 400, Requests: 1, Latency: 1500 * time.Millisecond,
		CostUSD: 0.0004,
		Spans: []CardSpan{
			{Section: "signals", Row: 0, Name: "s", Evidence: "Première", Start: 0, End: 8, Method: "exact", Score: 1},
			{Section: "issues", Row: 0, Name: "i", Evidence: "absent", Start: -1, End: -1, Method: "none"},
		}}
}

func TestSaveCardMakesVersions(t *testing.T) {
	ctx := context.Background()
	s := openBatchTestStore(t)
	doc := testDocument("https://example.com/a", "Première version.")
	if err := s.SaveDocument(ctx, doc); err != nil {
		t.Fatal(err)
	}
	run := ModelRun{Input: doc.URL, DocumentID: doc.ID, Provider: "openai", Model: "gpt-4o-mini",
		Started: time.Now(), Finished: time.Now(), Attempts: []ModelAttempt{{Status: 429, Err: "slow down"}, {Status: 200, FinishReason: "stop"}}}
	for want := 1; want <= 2; want++ {
		id, version, err := s.SaveCard(ctx, testCard(doc.ID), run)
		if err != nil {
			t.Fatal(err)
		}
		if version != want || id == 0 {
			t.Errorf("save %d: id %d version %d", want, id, version)
		}
	}
	cards, err := s.CardVersions(ctx, doc.ID)
	if err != nil || len(cards) != 2 {
		t.Fatalf("versions = %v, %v", cards, err)
	}
	latest, err := s.LatestCard(ctx, doc.ID)
	if err != nil || latest.Version != 2 || latest.RowsTotal != 2 || latest.RowsGrounded != 1 ||
		latest.Latency != 1500*time.Millisecond || latest.PromptHash != "abc" || latest.CostUSD != 0.0004 {
		t.Errorf("latest = %+v, %v", latest, err)
	}
	spans, err := s.CardSpans(ctx, latest.ID)
	if err != nil || len(spans) != 2 || spans[0].End != 8 || spans[1].Start != -1 {
		t.Errorf("spans = %+v, %v", spans, err)
	}
	runs, err := s.ModelRuns(ctx, doc.URL)
	if err != nil || len(runs) != 2 || len(runs[0].Attempts) != 2 || runs[0].Attempts[0].Status != 429 {
		t.Errorf("runs = %+v, %v", runs, err)
	}
}

func TestSaveCardIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s := openBatchTestStore(t)
	doc := testDocument("https://example.com/a", "x")
	if err := s.SaveDocument(ctx, doc); err != nil {
		t.Fatal(err)
	}
	c := testCard(doc.ID)
	c.Spans = append(c.Spans, c.Spans[0]) // duplicate primary key: the insert fails
	if _, _, err := s.SaveCard(ctx, c, ModelRun{Input: "in"}); err == nil {
		t.Fatal("want an error")
	}
	if _, err := s.LatestCard(ctx, doc.ID); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("a card was left behind: %v", err)
	}
	if runs, _ := s.ModelRuns(ctx, "in"); len(runs) != 0 {
		t.Errorf("a run was left behind")
	}
	// A card for an unknown document is refused.
	if _, _, err := s.SaveCard(ctx, testCard("nosuch"), ModelRun{Input: "in"}); err == nil {
		t.Error("card of an unknown document saved")
	}
}

func TestFailedRunAndResponseCache(t *testing.T) {
	ctx := context.Background()
	s := openBatchTestStore(t)
	if err := s.SaveFailedRun(ctx, ModelRun{Input: "page.html", Err: "500 x3", Attempts: []ModelAttempt{{Status: 500}, {Status: 500}, {Status: 500}}}); err != nil {
		t.Fatal(err)
	}
	runs, err := s.ModelRuns(ctx, "page.html")
	if err != nil || len(runs) != 1 || runs[0].Err != "500 x3" || len(runs[0].Attempts) != 3 || runs[0].DocumentID != "" {
		t.Errorf("runs = %+v, %v", runs, err)
	}
	key := CacheKey{Provider: "openai", Model: "m", PromptHash: "p", TextHash: "t"}
	if _, ok, err := s.CachedResponse(ctx, key); ok || err != nil {
		t.Fatalf("empty cache answered: %v %v", ok, err)
	}
	if err := s.CacheResponse(ctx, key, `{"a":1}`); err != nil {
		t.Fatal(err)
	}
	if err := s.CacheResponse(ctx, key, `{"a":2}`); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.CachedResponse(ctx, key)
	if !ok || err != nil || got != `{"a":2}` {
		t.Errorf("cached = %q %v %v", got, ok, err)
	}
	other := key
	other.Model = "m2"
	if _, ok, _ := s.CachedResponse(ctx, other); ok {
		t.Error("another model's request hit the cache")
	}
}
