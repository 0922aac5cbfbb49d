package trends

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/schema"
)

// Reader reads the clusters of rows, for a [Report].
type Reader interface {
	// ClusteredRows returns the rows of newest cards that have a cluster in
	// space and that f selects, with their card's fields and Terms.
	ClusteredRows(ctx context.Context, space string, f schema.RowFilter) ([]schema.TrendRow, error)
	// TopClusters returns the clusters of space over the rows q selects,
	// with their figures, ranked by sources, growth, mean relevancy, rows,
	// then cluster id, leaving out those with fewer than q.MinSources
	// hosts: the first q.Limit of them (all when 0), and how many there are.
	TopClusters(ctx context.Context, space string, q schema.ClusterQuery) ([]schema.ClusterStat, int, error)
	// CardTags returns the themes and keywords of the newest cards
	// published in [since, until).
	CardTags(ctx context.Context, since, until time.Time) ([]schema.CardTag, error)
}

// Store keeps the clusters of rows. The SQLite store implements it.
type Store interface {
	Reader
	// Rows returns the rows of the newest card of each document; with
	// unclustered, only the rows of the cards that have none clustered in
	// space.
	Rows(ctx context.Context, space string, unclustered bool) ([]schema.TrendRow, error)
	// ClusterIndex returns the rows of newest cards that have a cluster in
	// space, with their key, Cluster and Terms only.
	ClusterIndex(ctx context.Context, space string) ([]schema.TrendRow, error)
	// SaveClusters records the cluster of each row in space, in one
	// transaction; with replace, every earlier cluster of space is
	// forgotten first.
	SaveClusters(ctx context.Context, space string, rows []schema.TrendRow, replace bool) error
}

// EmbeddingStore keeps the rows' embeddings, for the embeddings space.
type EmbeddingStore interface {
	// RowEmbeddings returns the vectors model made for the rows of the
	// newest cards.
	RowEmbeddings(ctx context.Context, model string) ([]schema.RowEmbedding, error)
	// SaveRowEmbeddings saves es, replacing a row's vector by the same
	// model, in one transaction.
	SaveRowEmbeddings(ctx context.Context, es []schema.RowEmbedding) error
}

// LexicalSpace names the clusters of the lexical space; the number is the
// version of its rules (terms, weights, threshold): a new one starts a new
// clustering.
const LexicalSpace = "lexical/1"

// Space names the clustering made with emb, or the lexical one when emb is
// nil.
func Space(emb llm.Embedder) string {
	if emb == nil {
		return LexicalSpace
	}
	return "embeddings/" + emb.Model()
}

// Default similarity thresholds: a row joins the cluster of its most
// similar earlier row from this cosine similarity on.
const (
	LexicalThreshold    = 0.3
	EmbeddingsThreshold = 0.7
)

// Options tune [Update].
type Options struct {
	// Embedder, when not nil, clusters by embeddings (it must also be given
	// an [EmbeddingStore]); nil clusters lexically.
	Embedder llm.Embedder
	// Threshold is the similarity from which a row joins a cluster; 0
	// means [LexicalThreshold] or [EmbeddingsThreshold].
	Threshold float64
	// Rebuild clusters every row again instead of the new ones only.
	Rebuild bool
}

// Result says what [Update] did.
type Result struct {
	// Space is the clustering updated (see [Space]).
	Space string
	// Clustered counts the rows given a cluster; Clusters the clusters they
	// started.
	Clustered, Clusters int
	// Embedded counts the rows embedded (their vectors were not cached).
	Embedded int
}

// Update gives a cluster to every row of the newest cards that has none in
// the space of opts, or to every row with opts.Rebuild, and saves them.
// Rows already clustered keep their cluster: a new row joins the cluster
// of its most similar row, old or new. With an embedder, st must also be an
// [EmbeddingStore]; the rows without a vector are embedded and their
// vectors saved first.
func Update(ctx context.Context, st Store, opts Options) (Result, error) {
	space := Space(opts.Embedder)
	res := Result{Space: space}
	var old []schema.TrendRow
	if !opts.Rebuild {
		var err error
		if old, err = st.ClusterIndex(ctx, space); err != nil {
			return res, fmt.Errorf("clustered rows: %w", err)
		}
	}
	pending, err := st.Rows(ctx, space, !opts.Rebuild)
	if err != nil {
		return res, fmt.Errorf("rows to cluster: %w", err)
	}
	if len(pending) == 0 {
		return res, nil
	}
	sortRows(old)
	sortRows(pending)
	rows := append(old, pending...)
	var next int64 = 1
	for _, r := range old {
		next = max(next, r.Cluster+1)
	}
	var idx index
	threshold := opts.Threshold
	if opts.Embedder == nil {
		var words termCache
		var buf []byte
		for i := range rows {
			if i >= len(old) || rows[i].Terms == "" {
				rows[i].Terms, buf = words.rowTerms(rows[i], buf)
			}
		}
		idx = newLexical(rows, len(old))
		threshold = cmp.Or(threshold, LexicalThreshold)
	} else {
		es, ok := st.(EmbeddingStore)
		if !ok {
			return res, fmt.Errorf("cluster by embeddings: the store keeps no row embeddings")
		}
		vecs, made, err := rowVectors(ctx, opts.Embedder, es, rows)
		if err != nil {
			return res, err
		}
		res.Embedded = made
		idx = newDense(vecs)
		threshold = cmp.Or(threshold, EmbeddingsThreshold)
	}
	end := assign(rows, len(old), idx, threshold, next)
	if err := st.SaveClusters(ctx, space, rows[len(old):], opts.Rebuild); err != nil {
		return res, fmt.Errorf("save clusters: %w", err)
	}
	res.Clustered, res.Clusters = len(pending), int(end-next)
	return res, nil
}

// sectionRank orders the tables as a card does.
func sectionRank(s string) int {
	switch s {
	case "signals":
		return 0
	case "concerns":
		return 1
	case "behaviors":
		return 2
	case "technologies":
		return 3
	case "issues":
		return 4
	}
	return 5
}

// sortRows orders rows as they are clustered: by card id, table name,
// row (the order of the store's keys, so that rows read in that order
// need no sorting).
func sortRows(rows []schema.TrendRow) {
	byKey := func(a, b schema.TrendRow) int {
		return cmp.Or(cmp.Compare(a.CardID, b.CardID), cmp.Compare(a.Section, b.Section), cmp.Compare(a.Index, b.Index))
	}
	byCard := func(a, b schema.TrendRow) int { return cmp.Compare(a.CardID, b.CardID) }
	if !slices.IsSortedFunc(rows, byCard) {
		slices.SortFunc(rows, byKey)
		return
	}
	// The cards in order (as stores read them): each card's rows sorted.
	for start := 0; start < len(rows); {
		end := start + 1
		for end < len(rows) && rows[end].CardID == rows[start].CardID {
			end++
		}
		if card := rows[start:end]; !slices.IsSortedFunc(card, byKey) {
			slices.SortFunc(card, byKey)
		}
		start = end
	}
}

// EmbedBatch is how many rows go to the embedder, and are saved, at a
// time.
const EmbedBatch = 256

// RowText is the text embedded for a row: its name, a colon, its
// description.
func RowText(r schema.TrendRow) string {
	if r.Description == "" {
		return r.Name
	}
	return r.Name + ": " + r.Description
}

// rowVectors returns the embedding of each row, reading the cached ones
// and embedding the others (saving their vectors), and how many it made.
func rowVectors(ctx context.Context, emb llm.Embedder, es EmbeddingStore, rows []schema.TrendRow) ([][]float32, int, error) {
	model := emb.Model()
	cached, err := es.RowEmbeddings(ctx, model)
	if err != nil {
		return nil, 0, fmt.Errorf("row embeddings of %s: %w", model, err)
	}
	byKey := make(map[schema.RowKey][]float32, len(cached))
	for _, e := range cached {
		byKey[e.RowKey] = e.Vector
	}
	vecs := make([][]float32, len(rows))
	var missing []int
	for i, r := range rows {
		if v, ok := byKey[r.Key()]; ok {
			vecs[i] = v
		} else {
			missing = append(missing, i)
		}
	}
	for start := 0; start < len(missing); start += EmbedBatch {
		batch := missing[start:min(start+EmbedBatch, len(missing))]
		texts := make([]string, len(batch))
		for k, i := range batch {
			texts[k] = RowText(rows[i])
		}
		got, err := emb.Embed(ctx, texts)
		if err == nil {
			err = llm.CheckEmbeddings(len(batch), got)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("embed rows %d to %d of %d: %w", start+1, start+len(batch), len(missing), err)
		}
		save := make([]schema.RowEmbedding, len(batch))
		for k, i := range batch {
			vecs[i] = got[k]
			save[k] = schema.RowEmbedding{RowKey: rows[i].Key(), Model: model, Vector: got[k]}
		}
		if err := es.SaveRowEmbeddings(ctx, save); err != nil {
			return nil, 0, fmt.Errorf("save row embeddings: %w", err)
		}
	}
	dim := 0
	for i, v := range vecs {
		if dim == 0 {
			dim = len(v)
		}
		if len(v) != dim {
			return nil, 0, fmt.Errorf("row embeddings of %s: dimension %d for card %d %s[%d], %d for the others: the model changed; its vectors must be made again",
				model, len(v), rows[i].CardID, rows[i].Section, rows[i].Index, dim)
		}
	}
	return vecs, len(missing), nil
}
