package pipeline

import (
	"context"

	"github.com/veille/veille/schema"
)

// DocumentStore keeps fetched documents by canonical URL. The backends of
// package store implement it.
type DocumentStore interface {
	// GetDocument returns the document of a canonical URL, or an error
	// wrapping schema.ErrNotFound.
	GetDocument(ctx context.Context, canonicalURL string) (schema.Document, error)
	SaveDocument(ctx context.Context, doc schema.Document) error
}

// CardStore keeps cards with the model runs that made them, failed runs
// included. The backends of package store implement it.
type CardStore interface {
	// SaveCard stores c as its document's next card version, with its
	// spans and run, in one transaction.
	SaveCard(ctx context.Context, c schema.NewCard, run schema.ModelRun) (id int64, version int, err error)
	SaveFailedRun(ctx context.Context, run schema.ModelRun) error
}
