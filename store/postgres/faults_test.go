package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/postgres/pgtest"
)

// faultCard is a card of doc with n spans.
func faultCard(doc schema.Document, n int) schema.NewCard {
	c := schema.NewCard{DocumentID: doc.ID, URL: doc.URL, CardJSON: `{"title":"coupure","keywords":["réseau"]}`,
		Markdown: "# coupure", RawJSON: "{}", Provenance: schema.Provenance{Provider: "openai", Model: "m"}}
	for i := range n {
		c.Spans = append(c.Spans, schema.Span{Section: "signals", Row: i, Name: "s", Evidence: "e", Start: i, End: i + 1,
			Method: schema.GroundExact, Score: 1})
	}
	return c
}

// TestCutConnectionLeavesNoHalfCard cuts the store's connections to the
// server again and again (pg_terminate_backend) while cards are saved:
// every card is complete (its spans, its run, its listing and search rows)
// or absent, and every SaveCard that reported success left its card.
func TestCutConnectionLeavesNoHalfCard(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const docs, spans = 60, 40
	var all []schema.Document
	for i := range docs {
		u := fmt.Sprintf("https://cut.example/%d", i)
		doc := schema.Document{CanonicalURL: u, ID: schema.DocumentID(u), URL: u, FinalURL: u, Status: 200,
			ContentType: "text/html", FetchedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Text: "texte du réseau"}
		if err := s.SaveDocument(ctx, doc); err != nil {
			t.Fatal(err)
		}
		all = append(all, doc)
	}
	killer, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close(ctx)
	stop := make(chan struct{})
	cuts := 0
	var killed sync.WaitGroup
	killed.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			var n int
			if err := killer.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()
				AND state = 'idle in transaction'`).Scan(&n); err == nil {
				cuts += n
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	saved := make([]bool, docs)
	var work sync.WaitGroup
	for i, doc := range all {
		work.Go(func() {
			_, _, err := s.SaveCard(ctx, faultCard(doc, spans), schema.ModelRun{Input: doc.URL, DocumentID: doc.ID,
				Provider: "openai", Model: "m", Started: doc.FetchedAt, Finished: doc.FetchedAt})
			saved[i] = err == nil
		})
	}
	work.Wait()
	close(stop)
	killed.Wait()

	failed := 0
	for i, doc := range all {
		c, err := s.LatestCard(ctx, doc.ID)
		switch {
		case err != nil && saved[i]:
			t.Errorf("%s: saved, but no card: %v", doc.URL, err)
		case err != nil:
			failed++
			continue
		}
		got, err := s.CardSpans(ctx, c.ID)
		if err != nil || len(got) != spans {
			t.Errorf("%s: card %d has %d of its %d spans (%v)", doc.URL, c.ID, len(got), spans, err)
		}
		if runs, err := s.ModelRuns(ctx, doc.URL); err != nil || len(runs) != 1 {
			t.Errorf("%s: %d runs (%v), want 1", doc.URL, len(runs), err)
		}
	}
	n, err := s.CountCards(ctx, schema.CardFilter{})
	if err != nil || n != docs-failed {
		t.Errorf("%d cards listed (%v), want the %d saved", n, err, docs-failed)
	}
	hits, err := s.SearchCards(ctx, "reseaux", schema.CardFilter{Limit: 1000})
	if err != nil || len(hits) != docs-failed {
		t.Errorf("%d cards found (%v), want the %d saved", len(hits), err, docs-failed)
	}
	t.Logf("%d connections cut; %d of %d cards saved", cuts, docs-failed, docs)
}
