// Package storetest is the contract every storage backend of package store
// passes: [Run] runs the same behavioural tests against any [Backend]. A
// backend's own tests call it with a function that opens an empty store:
//
//	func TestBackend(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Backend {
//			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "veille.db"))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The tests use times with whole seconds and latencies with whole
// milliseconds, the precision every backend keeps.
package storetest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

// Backend is what a storage backend offers. A record that does not exist is
// reported with an error wrapping [schema.ErrNotFound].
type Backend interface {
	// Documents.
	SaveDocument(ctx context.Context, doc schema.Document) error
	GetDocument(ctx context.Context, canonicalURL string) (schema.Document, error)
	GetDocumentByID(ctx context.Context, id string) (schema.Document, error)
	DocumentCount(ctx context.Context) (int, error)

	// Cards, model runs and the response cache.
	SaveCard(ctx context.Context, c schema.NewCard, run schema.ModelRun) (id int64, version int, err error)
	SaveFailedRun(ctx context.Context, run schema.ModelRun) error
	LatestCard(ctx context.Context, documentID string) (schema.StoredCard, error)
	LatestCards(ctx context.Context, since time.Time) ([]schema.StoredCard, error)
	CardVersions(ctx context.Context, documentID string) ([]schema.StoredCard, error)
	CardSpans(ctx context.Context, cardID int64) ([]schema.Span, error)
	ModelRuns(ctx context.Context, input string) ([]schema.ModelRun, error)
	CachedResponse(ctx context.Context, key schema.CacheKey) (string, bool, error)
	CacheResponse(ctx context.Context, key schema.CacheKey, response string) error

	// The collection: the newest card of each document, listed, faceted,
	// searched and related; imported cards; embeddings.
	ListCards(ctx context.Context, f schema.CardFilter) ([]schema.CardSummary, error)
	CountCards(ctx context.Context, f schema.CardFilter) (int, error)
	Facets(ctx context.Context, f schema.CardFilter, facet string, limit int) ([]schema.FacetCount, error)
	SearchCards(ctx context.Context, query string, f schema.CardFilter) ([]schema.SearchHit, error)
	RelatedByText(ctx context.Context, documentID string, limit int) ([]schema.SearchHit, error)
	ImportCard(ctx context.Context, c schema.NewCard) (id int64, version int, changed bool, err error)
	SaveEmbedding(ctx context.Context, e schema.Embedding) error
	Embeddings(ctx context.Context, model string) ([]schema.Embedding, error)
	EmbeddingOf(ctx context.Context, cardID int64, model string) (schema.Embedding, error)

	// Clusters of rows across cards (trends), the cards' tags by date, and
	// the rows' embeddings.
	Rows(ctx context.Context, space string, unclustered bool) ([]schema.TrendRow, error)
	ClusteredRows(ctx context.Context, space string, f schema.RowFilter) ([]schema.TrendRow, error)
	TopClusters(ctx context.Context, space string, q schema.ClusterQuery) ([]schema.ClusterStat, int, error)
	ClusterIndex(ctx context.Context, space string) ([]schema.TrendRow, error)
	SaveClusters(ctx context.Context, space string, rows []schema.TrendRow, replace bool) error
	CardTags(ctx context.Context, since, until time.Time) ([]schema.CardTag, error)
	RowEmbeddings(ctx context.Context, model string) ([]schema.RowEmbedding, error)
	SaveRowEmbeddings(ctx context.Context, es []schema.RowEmbedding) error

	// Batch runs, their job attempts and the feed items seen.
	PrepareBatchRun(ctx context.Context, inputs []string, startedAt time.Time, feedItems map[string][]string,
		enqueue func(ctx context.Context, tx *sql.Tx, runID int64) (int, error)) (runID int64, queued int, err error)
	FinishBatchRun(ctx context.Context, run schema.BatchRun) error
	InterruptBatchRuns(ctx context.Context, now time.Time) (int, error)
	BatchRuns(ctx context.Context, n int) ([]schema.BatchRun, error)
	StartJobAttempt(ctx context.Context, a schema.JobAttempt) (int64, error)
	FinishJobAttempt(ctx context.Context, a schema.JobAttempt) error
	RunAttempts(ctx context.Context, runID int64) ([]schema.JobAttempt, error)
	PermanentFailure(ctx context.Context, url string) (cause string, failed bool, err error)
	UnseenFeedItems(ctx context.Context, feedURL string, itemURLs []string) ([]string, error)
	SaveMentions(ctx context.Context, ms []schema.Mention, now time.Time) error
	Mentions(ctx context.Context, canonicalURL string) ([]schema.Mention, error)

	// Eval runs.
	SaveEvalRun(ctx context.Context, r schema.EvalRun) (int64, error)
	EvalRuns(ctx context.Context, limit int) ([]schema.EvalRun, error)
	EvalRunReport(ctx context.Context, id int64) (string, error)
}

// Run runs the conformance tests, each as a subtest on a new, empty store
// that open returns; open registers the store's cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) Backend) {
	t.Helper()
	groups := []struct {
		name  string
		tests []test
	}{
		{"Documents", documentTests},
		{"Cards", cardTests},
		{"Collection", collectionTests},
		{"Clusters", clusterTests},
		{"Batch", batchTests},
		{"Evals", evalTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tt := range g.tests {
				t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
			}
		})
	}
}

// test is one conformance test, run on an empty store.
type test struct {
	name string
	run  func(t *testing.T, s Backend)
}
