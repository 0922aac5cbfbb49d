package postgres

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/veille/veille/store/cardindex"
)

// This file copies a SQLite store (package sqlite's schema) into this one:
// `extract migrate`.

// copyChunk is how many rows are written per COPY and transaction.
const copyChunk = 2000

// copyTable is how one table of the SQLite store is copied: the query
// reading it from SQLite, the kinds of its columns (see convert), the
// target's columns in the same order, and what a row already copied does.
type copyTable struct {
	name     string
	source   string
	kinds    string
	columns  []string
	conflict string
}

// copyTables are the tables copied, in an order their references allow.
// The derived tables (listing, tags, full-text rows) are rebuilt, not
// copied.
var copyTables = []copyTable{
	{"documents", `SELECT canonical_url, id, url, final_url, status, content_type, fetched_at, content_hash,
		body_gzip, text, metadata, method FROM documents ORDER BY rowid`, "ttttitTtbtjt",
		[]string{"canonical_url", "id", "url", "final_url", "status", "content_type", "fetched_at", "content_hash",
			"body_gzip", "text", "metadata", "method"}, "DO NOTHING"},
	{"cards", `SELECT id, document_id, version, url, card_json, markdown, raw_json, provider, model,
		prompt_name, prompt_version, prompt_hash, input_tokens, output_tokens, requests, latency_ms, cost_usd,
		cached, rows_total, rows_grounded, created_at, published, latest FROM cards ORDER BY id`,
		"ititttttttttiiiifBiiTPB",
		[]string{"id", "document_id", "version", "url", "card_json", "markdown", "raw_json", "provider", "model",
			"prompt_name", "prompt_version", "prompt_hash", "input_tokens", "output_tokens", "requests", "latency_ms",
			"cost_usd", "cached", "rows_total", "rows_grounded", "created_at", "published", "latest"},
		"(id) DO UPDATE SET latest = excluded.latest"},
	{"card_spans", `SELECT card_id, rowid, section, row_index, name, evidence, start_char, end_char, method, score
		FROM card_spans ORDER BY rowid`, "iitittiitf",
		[]string{"card_id", "n", "section", "row_index", "name", "evidence", "start_char", "end_char", "method", "score"},
		"DO NOTHING"},
	{"model_runs", `SELECT id, input, document_id, provider, model, prompt_hash, card_id, error, started_at,
		finished_at FROM model_runs ORDER BY id`, "itstttItTT",
		[]string{"id", "input", "document_id", "provider", "model", "prompt_hash", "card_id", "error", "started_at",
			"finished_at"}, "DO NOTHING"},
	{"model_attempts", `SELECT run_id, n, status, finish_reason, error, latency_ms FROM model_attempts ORDER BY rowid`,
		"iiitti", []string{"run_id", "n", "status", "finish_reason", "error", "latency_ms"}, "DO NOTHING"},
	{"response_cache", `SELECT provider, model, prompt_hash, text_hash, response, created_at FROM response_cache
		ORDER BY rowid`, "tttttT",
		[]string{"provider", "model", "prompt_hash", "text_hash", "response", "created_at"}, "DO NOTHING"},
	{"eval_runs", `SELECT id, created_at, gold, predictions, provider, model, prompt, cards, missing, errors,
		overall, report_json FROM eval_runs ORDER BY id`, "iTtttttiiift",
		[]string{"id", "created_at", "gold", "predictions", "provider", "model", "prompt", "cards", "missing",
			"errors", "overall", "report_json"}, "DO NOTHING"},
	{"eval_sections", `SELECT run_id, rowid, section, score, cards FROM eval_sections ORDER BY rowid`, "iitFi",
		[]string{"run_id", "n", "section", "score", "cards"}, "DO NOTHING"},
	{"eval_cards", `SELECT run_id, card, gold_file, pred_file, overall FROM eval_cards ORDER BY rowid`, "itttf",
		[]string{"run_id", "card", "gold_file", "pred_file", "overall"}, "DO NOTHING"},
	{"batch_runs", `SELECT id, started_at, finished_at, status, stop_reason, inputs, queued, skipped, done, failed,
		failed_by_cause, input_tokens, output_tokens, cost_usd, elapsed_ms, remaining FROM batch_runs ORDER BY id`,
		"iTNtttiiiitiifii",
		[]string{"id", "started_at", "finished_at", "status", "stop_reason", "inputs", "queued", "skipped", "done",
			"failed", "failed_by_cause", "input_tokens", "output_tokens", "cost_usd", "elapsed_ms", "remaining"},
		"DO NOTHING"},
	{"batch_attempts", `SELECT id, run_id, job_id, attempt, url, started_at, finished_at, outcome, cause, error,
		input_tokens, output_tokens, cost_usd FROM batch_attempts ORDER BY id`, "iiiitTNtttiif",
		[]string{"id", "run_id", "job_id", "attempt", "url", "started_at", "finished_at", "outcome", "cause", "error",
			"input_tokens", "output_tokens", "cost_usd"}, "DO NOTHING"},
	{"batch_feed_items", `SELECT feed_url, item_url, first_seen FROM batch_feed_items`, "ttT",
		[]string{"feed_url", "item_url", "first_seen"}, "DO NOTHING"},
	{"card_embeddings", `SELECT card_id, model, dim, vector, created_at FROM card_embeddings ORDER BY rowid`, "itiVT",
		[]string{"card_id", "model", "dim", "vector", "created_at"}, "DO NOTHING"},
	{"document_mentions", `SELECT url, kind, source, label, first_seen FROM document_mentions ORDER BY rowid`,
		"ttttT", []string{"url", "kind", "source", "label", "first_seen"}, "DO NOTHING"},
	{"document_tags", `SELECT url, source, tag, pos FROM document_tags ORDER BY rowid`, "ttti",
		[]string{"url", "source", "tag", "pos"}, "DO NOTHING"},
	{"row_clusters", `SELECT r.space, r.card_id, r.section, r.row_index, r.cluster_id,
		coalesce(k.card_json ->> ('$.' || r.section || '[' || r.row_index || '].name'), ''),
		coalesce(k.card_json ->> ('$.' || r.section || '[' || r.row_index || '].description'), ''), r.relevancy, r.terms
		FROM row_clusters r JOIN cards k ON k.id = r.card_id ORDER BY r.space, r.card_id, r.section, r.row_index`, "tititttIt",
		[]string{"space", "card_id", "section", "row_index", "cluster_id", "name", "description", "relevancy", "terms"},
		"DO NOTHING"},
	{"row_embeddings", `SELECT card_id, section, row_index, model, dim, vector, created_at FROM row_embeddings
		ORDER BY model, card_id, section, row_index`, "ititiVT",
		[]string{"card_id", "section", "row_index", "model", "dim", "vector", "created_at"}, "DO NOTHING"},
}

// identityTables are the tables whose id sequence follows the copied ids.
var identityTables = []string{"cards", "model_runs", "eval_runs", "batch_runs", "batch_attempts"}

// CopyCount is how many rows of one table the source and this store hold
// after a copy.
type CopyCount struct {
	Table          string
	Source, Target int
}

// CopySQLite copies every record of the SQLite store src (the database of
// package sqlite) into this store: documents, cards with their versions
// and spans, model runs, the response cache, eval runs, batch runs,
// embeddings, the documents' mentions and tags, and the clusters and
// embeddings of the cards' rows, keeping their ids; then it builds the
// listing and the full-text index of the cards. Records already copied are left as they
// are, so copying again copies only what is new. progress, when not nil,
// is called with the rows copied so far and the rows to copy. The counts
// of both stores are compared at the end: a table of this store holding
// other rows than the source's is an error, as is one missing rows.
func (s *Store) CopySQLite(ctx context.Context, src *sql.DB, progress func(done, total int)) ([]CopyCount, error) {
	counts := make([]CopyCount, len(copyTables))
	total := 0
	for _, t := range copyTables {
		if len(t.kinds) != len(t.columns) {
			return nil, fmt.Errorf("copy %s: %d column kinds for %d columns", t.name, len(t.kinds), len(t.columns))
		}
	}
	for i, t := range copyTables {
		counts[i].Table = t.name
		if err := src.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name).Scan(&counts[i].Source); err != nil {
			return nil, fmt.Errorf("copy %s: count the source: %w", t.name, err)
		}
		total += counts[i].Source
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", cause(err))
	}
	defer conn.Release()
	// The derived data of the newest cards is built from the source and
	// written on connections of its own while the base tables are copied
	// (see indexSource); a failure of either stops the other.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	empty, err := emptyTables(ctx, conn, derivedTables)
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	// Into an empty table, the indexes and constraints are built once the
	// rows are in (see deferIndexes).
	for _, table := range derivedTables {
		if empty[table] {
			if err := deferIndexes(ctx, conn, table); err != nil {
				return nil, fmt.Errorf("copy: index cards: %w", err)
			}
		}
	}
	cards := newCopyMark()
	indexed := make(chan error, 1)
	go func() {
		err := indexSource(ctx, src, s.pool, cards, empty)
		if err != nil {
			cancel()
		}
		indexed <- err
	}()
	done := 0
	report := func(n int) {
		done += n
		if progress != nil {
			progress(done, total)
		}
	}
	report(0)
	err = copyBase(ctx, src, conn, cards, !slices.Contains(slices.Collect(maps.Values(empty)), false), report)
	if err == nil {
		// The indexes of the base tables copied into empty ones.
		names := make([]string, len(copyTables))
		for i, t := range copyTables {
			names[i] = t.name
		}
		err = buildIndexes(ctx, s.pool, 2, names)
		if err == nil {
			err = analyze(ctx, s.pool, names)
		}
	}
	if err != nil {
		cancel()
	}
	if ierr := <-indexed; err == nil && ierr != nil {
		err = fmt.Errorf("index cards: %w", ierr)
	}
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	for _, table := range identityTables {
		if _, err := conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'),
			COALESCE((SELECT max(id) FROM `+table+`), 0) + 1, false)`); err != nil {
			return nil, fmt.Errorf("copy %s: id sequence: %w", table, err)
		}
	}
	var mismatch []string
	for i := range counts {
		c := &counts[i]
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+c.Table).Scan(&c.Target); err != nil {
			return nil, fmt.Errorf("copy %s: count: %w", c.Table, err)
		}
		if c.Target != c.Source {
			mismatch = append(mismatch, fmt.Sprintf("%s: %d in the source, %d here", c.Table, c.Source, c.Target))
		}
	}
	if len(mismatch) > 0 {
		return counts, fmt.Errorf("copy: counts differ (was the target not empty?): %s", strings.Join(mismatch, "; "))
	}
	return counts, nil
}

// copyBase copies the base tables (copyTables) on conn, marking the cards
// committed in cards as they are. When fresh (the derived tables were
// empty), the derived rows of a card may be written as soon as it is
// committed; else they are written once all the cards are, after the
// derived rows of the cards no longer newest are removed.
func copyBase(ctx context.Context, src *sql.DB, conn *pgxpool.Conn, cards *copyMark, fresh bool, report func(int)) (err error) {
	defer func() { cards.finish(err) }()
	for _, t := range copyTables {
		var committed func(int64)
		if t.name == "cards" && fresh {
			committed = cards.set
		}
		if err := copyRows(ctx, src, conn, t, report, committed); err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
		if t.name != "cards" {
			continue
		}
		if !fresh {
			if err := unindexOlder(ctx, conn); err != nil {
				return err
			}
		}
		cards.finish(nil)
	}
	return nil
}

// unindexOlder removes the derived rows of the cards no longer newest.
func unindexOlder(ctx context.Context, conn *pgxpool.Conn) error {
	for _, table := range derivedTables {
		if _, err := conn.Exec(ctx, `DELETE FROM `+table+` d USING cards c
			WHERE c.id = d.card_id AND NOT c.latest`); err != nil {
			return fmt.Errorf("unindex older cards: %w", err)
		}
	}
	return nil
}

// emptyTables says which of tables hold no rows.
func emptyTables(ctx context.Context, conn *pgxpool.Conn, tables []string) (map[string]bool, error) {
	empty := map[string]bool{}
	for _, table := range tables {
		var e bool
		if err := conn.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+table+`)`).Scan(&e); err != nil {
			return nil, fmt.Errorf("%s: %w", table, err)
		}
		empty[table] = e
	}
	return empty, nil
}

// copyMark is how far the copy of the cards went: the cards up to an id
// are committed, or all of them are, or the copy failed.
type copyMark struct {
	mu      sync.Mutex
	id      int64
	done    bool
	err     error         // why the copy stopped, when done
	changed chan struct{} // closed, and replaced, when id or done change
}

func newCopyMark() *copyMark { return &copyMark{changed: make(chan struct{})} }

// set marks the cards up to id committed.
func (m *copyMark) set(id int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.id = id
	close(m.changed)
	m.changed = make(chan struct{})
}

// finish marks all the cards committed, or, with an error, the copy
// stopped.
func (m *copyMark) finish(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.done {
		m.done, m.err = true, err
		close(m.changed)
	}
}

// wait waits until the cards up to id are committed, or all are; it
// fails when the copy stopped before.
func (m *copyMark) wait(ctx context.Context, id int64) error {
	for {
		m.mu.Lock()
		committed, stopped, changed := m.id >= id || m.done && m.err == nil, m.err != nil, m.changed
		m.mu.Unlock()
		switch {
		case committed:
			return ctx.Err()
		case stopped:
			return errors.New("the copy of the cards stopped")
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// copyRows copies table t, copyChunk rows at a time in a transaction
// each, the rows streamed from the source to the server as they are read.
// committed, when not nil, is called with the first column (the id) of
// the last row of each chunk committed.
func copyRows(ctx context.Context, src *sql.DB, conn *pgxpool.Conn, t copyTable, report func(int), committed func(int64)) error {
	// Into an empty table, the rows are copied straight in, its indexes
	// and constraints built once they all are (see deferIndexes); else
	// through a temporary table, so that the rows already there are left
	// alone.
	var empty bool
	if err := conn.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+t.name+`)`).Scan(&empty); err != nil {
		return err
	}
	if empty {
		if err := deferIndexes(ctx, conn, t.name); err != nil {
			return fmt.Errorf("defer indexes: %w", err)
		}
	}
	rows, err := src.QueryContext(ctx, t.source)
	if err != nil {
		return fmt.Errorf("read the source: %w", err)
	}
	defer rows.Close()
	chunk := newSourceChunk(rows, t.kinds)
	for chunk.more() {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			return writeRows(ctx, tx, t.name, t.columns, chunk, empty, "ON CONFLICT "+t.conflict)
		})
		if chunk.err != nil {
			return chunk.err
		}
		if err != nil {
			return cause(err)
		}
		report(chunk.n)
		if committed != nil {
			committed(chunk.last)
		}
	}
	return chunk.err
}

// sourceChunk is a [pgx.CopyFromSource] of the rows of a source query, up
// to copyChunk of them at a time, converted by kinds (see convertRow).
type sourceChunk struct {
	rows      *sql.Rows
	kinds     string
	raw, ptrs []any
	row       []any
	n         int   // rows given of this chunk
	last      int64 // the first column of the last row read, when an integer
	done      bool  // the query has no more rows
	err       error // reading or converting a row
}

// newSourceChunk reads rows, of columns of kinds, a chunk at a time.
func newSourceChunk(rows *sql.Rows, kinds string) *sourceChunk {
	c := &sourceChunk{rows: rows, kinds: kinds, raw: make([]any, len(kinds)), ptrs: make([]any, len(kinds))}
	for i := range c.raw {
		c.ptrs[i] = &c.raw[i]
	}
	return c
}

// more starts the next chunk, and says whether rows may be left.
func (c *sourceChunk) more() bool {
	c.n = 0
	return !c.done && c.err == nil
}

// Next reads the next row of the chunk.
func (c *sourceChunk) Next() bool {
	if c.n == copyChunk || c.done || c.err != nil {
		return false
	}
	if !c.rows.Next() {
		c.done = true
		if err := c.rows.Err(); err != nil {
			c.err = fmt.Errorf("read the source: %w", err)
		}
		return false
	}
	if err := c.rows.Scan(c.ptrs...); err != nil {
		c.err = fmt.Errorf("read the source: %w", err)
		return false
	}
	c.last, _ = c.raw[0].(int64)
	c.row, c.err = convertRow(c.kinds, c.raw)
	if c.err != nil {
		return false
	}
	c.n++
	return true
}

// Values is the row read.
func (c *sourceChunk) Values() ([]any, error) { return c.row, nil }

// Err is the error reading or converting a row.
func (c *sourceChunk) Err() error { return c.err }

// writeRows writes rows into table: COPied straight in when straight (the
// table was empty when the copy began), else through a temporary table
// (see stageInsert), so that the rows already there are left alone.
func writeRows(ctx context.Context, tx pgx.Tx, table string, columns []string, rows pgx.CopyFromSource, straight bool, conflict string) error {
	if straight {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, rows)
		return err
	}
	return stageInsert(ctx, tx, table, columns, rows, conflict)
}

// stageInsert inserts rows into table through a temporary table of the
// same columns, with the given ON CONFLICT clause.
func stageInsert(ctx context.Context, tx pgx.Tx, table string, columns []string, rows pgx.CopyFromSource, conflict string) error {
	stage := "copy_" + table
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS `+stage+` (LIKE `+table+`) ON COMMIT DELETE ROWS`); err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{stage}, columns, rows); err != nil {
		return err
	}
	cols := strings.Join(columns, ", ")
	_, err := tx.Exec(ctx, `INSERT INTO `+table+` (`+cols+`) SELECT `+cols+` FROM `+stage+` `+conflict)
	return err
}

// convertRow turns a row of SQLite values into the values of the target's
// columns, by kind: t text, s nullable text, j JSON text, i integer, I
// nullable integer, f real, F nullable real, B integer as boolean, b blob,
// T timestamp (RFC 3339 text), N nullable timestamp, P the published date
// (RFC 3339 text, possibly empty), V little-endian float32 vector.
func convertRow(kinds string, raw []any) ([]any, error) {
	out := make([]any, len(raw))
	for i, k := range kinds {
		v := raw[i]
		switch k {
		case 't', 'j':
			out[i] = asText(v)
		case 's':
			if v != nil {
				out[i] = asText(v)
			}
		case 'i', 'I':
			out[i] = v // int64, or nil
		case 'f', 'F':
			if n, ok := v.(int64); ok {
				v = float64(n)
			}
			out[i] = v
		case 'B':
			n, _ := v.(int64)
			out[i] = n != 0
		case 'b':
			if v == nil {
				v = []byte{}
			}
			out[i] = v
		case 'T', 'P', 'N':
			text := asText(v)
			if text == "" && (k == 'N' || v == nil) {
				out[i] = nil
				continue
			}
			t, err := time.Parse(time.RFC3339Nano, text)
			if err != nil && k != 'P' {
				return nil, fmt.Errorf("timestamp %q: %w", text, err)
			}
			out[i] = t.UTC()
		case 'V':
			b, _ := v.([]byte)
			if len(b)%4 != 0 {
				return nil, fmt.Errorf("vector of %d bytes", len(b))
			}
			vec := make([]float32, len(b)/4)
			for j := range vec {
				vec[j] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
			}
			out[i] = vec
		default:
			return nil, fmt.Errorf("unknown column kind %q", k)
		}
	}
	return out, nil
}

// asText is a SQLite text value, which the driver may give as bytes.
func asText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// derivedTables are the tables of the data derived from the newest cards.
var derivedTables = []string{"card_latest", "card_tags", "card_search"}

// newestSource reads the newest cards of the SQLite store with their
// documents' text, in the order of their ids; newestKinds are the kinds
// of its columns (see convertRow).
const (
	newestSource = `SELECT c.id, c.document_id, c.version, c.url, c.card_json, c.published, c.provider, c.model,
		c.rows_total, c.rows_grounded, coalesce(d.text, '')
		FROM cards c LEFT JOIN documents d ON d.id = c.document_id WHERE c.latest ORDER BY c.id`
	newestKinds = "itittPttiit"
)

// indexSource writes the derived data (see index.go) of the newest cards
// of the source src, read from it copyChunk at a time: on as many
// connections as there are CPUs, each building a chunk's rows while the
// server writes another's, each chunk once its cards are committed (see
// cards). Then it builds the indexes deferIndexes dropped. Rows already
// there are left; the tables empty held no rows when the copy began.
func indexSource(ctx context.Context, src *sql.DB, pool *pgxpool.Pool, cards *copyMark, empty map[string]bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parts := max(2, runtime.GOMAXPROCS(0))
	chunks := make(chan [][]any, parts)
	errs := make([]error, parts+1)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(chunks)
		if errs[parts] = readNewest(ctx, src, chunks); errs[parts] != nil {
			cancel()
		}
	})
	for part := range parts {
		wg.Go(func() {
			if errs[part] = writeDerived(ctx, pool, chunks, cards, empty); errs[part] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := buildIndexes(ctx, pool, parts, derivedTables); err != nil {
		return err
	}
	return analyze(ctx, pool, derivedTables)
}

// analyze gathers the planner's statistics of tables, the indexed
// expressions included.
func analyze(ctx context.Context, pool *pgxpool.Pool, tables []string) error {
	if _, err := pool.Exec(ctx, `ANALYZE `+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("analyze: %w", cause(err))
	}
	return nil
}

// readNewest sends the rows of newestSource, converted, to chunks,
// copyChunk at a time.
func readNewest(ctx context.Context, src *sql.DB, chunks chan<- [][]any) error {
	rows, err := src.QueryContext(ctx, newestSource)
	if err != nil {
		return fmt.Errorf("read the source: %w", err)
	}
	defer rows.Close()
	chunk := newSourceChunk(rows, newestKinds)
	for chunk.more() {
		var batch [][]any
		for chunk.Next() {
			batch = append(batch, chunk.row)
		}
		if chunk.err != nil {
			return chunk.err
		}
		if len(batch) == 0 {
			break
		}
		select {
		case chunks <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return chunk.err
}

// writeDerived builds the derived rows of the chunks of newest cards it
// receives and writes them, on a connection of its own, each chunk in a
// transaction once its cards are committed.
func writeDerived(ctx context.Context, pool *pgxpool.Pool, chunks <-chan [][]any, cards *copyMark, empty map[string]bool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return cause(err)
	}
	defer conn.Release()
	for chunk := range chunks {
		var d derivedRows
		for _, row := range chunk {
			d.add(row)
		}
		if err := cards.wait(ctx, d.last); err != nil {
			return err
		}
		if err := d.write(ctx, conn, empty); err != nil {
			return cause(err)
		}
	}
	return nil
}

// derivedRows are the rows of the derived tables of some cards.
type derivedRows struct {
	latest, tags, search [][]any
	last                 int64 // the largest card id
}

// add adds the derived rows of a card, a row of newestSource.
func (d *derivedRows) add(row []any) {
	id, docID, version, url := row[0].(int64), row[1].(string), row[2].(int64), row[3].(string)
	published, provider, model := row[5].(time.Time), row[6].(string), row[7].(string)
	c := cardindex.Decode(row[4].(string))
	d.latest = append(d.latest, []any{id, docID, version, url, c.Title, published, isoWeek(published),
		cardindex.Host(url), c.Category, c.Type, provider, model, c.OriginURL(), row[8], row[9]})
	kinds, values := tagRows(c)
	seen := map[[2]string]bool{}
	for i := range kinds {
		if key := [2]string{kinds[i], values[i]}; !seen[key] {
			seen[key] = true
			d.tags = append(d.tags, []any{id, kinds[i], values[i], c.Category})
		}
	}
	doc, head := searchVector(c, row[10].(string))
	d.search = append(d.search, []any{id, doc, head})
	d.last = max(d.last, id)
}

// write writes the rows in a transaction (leaving those already there);
// the tables empty held no rows when the copy began.
func (d *derivedRows) write(ctx context.Context, conn *pgxpool.Conn, empty map[string]bool) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, w := range []struct {
			table   string
			columns []string
			rows    [][]any
		}{
			{"card_latest", []string{"card_id", "document_id", "version", "url", "title", "published", "week",
				"host", "category", "type", "provider", "model", "origin_url", "rows_total", "rows_grounded"}, d.latest},
			{"card_tags", []string{"card_id", "kind", "value", "category"}, d.tags},
			{"card_search", []string{"card_id", "doc", "head"}, d.search},
		} {
			if err := writeRows(ctx, tx, w.table, w.columns, pgx.CopyFromRows(w.rows), empty[w.table],
				"ON CONFLICT DO NOTHING"); err != nil {
				return err
			}
		}
		return nil
	})
}

// deferIndexes drops the indexes of table that no constraint needs, and
// its constraints that no other table's foreign key needs (its foreign
// keys, and its primary key and unique constraints unless referenced),
// recording the statements creating them again in meta rows
// (index:TABLE:NAME) in the same transaction, for buildIndexes: rows
// copied into an empty table are indexed and checked at once, much faster
// than row by row (Open builds them if a copy is cut off meanwhile).
func deferIndexes(ctx context.Context, conn *pgxpool.Conn, table string) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// record runs a query recording statements for table, and returns
		// the names of what they create.
		record := func(query string) ([]string, error) {
			rows, err := tx.Query(ctx, query, table)
			if err != nil {
				return nil, err
			}
			return pgx.CollectRows(rows, pgx.RowTo[string])
		}
		indexes, err := record(`INSERT INTO meta (key, value)
			SELECT 'index:' || $1 || ':' || c.relname, pg_get_indexdef(i.indexrelid)
			FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
			WHERE i.indrelid = $1::regclass
				AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value
			RETURNING split_part(key, ':', 3)`)
		if err != nil {
			return err
		}
		constraints, err := record(`INSERT INTO meta (key, value)
			SELECT 'index:' || $1 || ':' || k.conname,
				'ALTER TABLE ' || k.conrelid::regclass || ' ADD CONSTRAINT ' || quote_ident(k.conname) || ' '
					|| pg_get_constraintdef(k.oid)
			FROM pg_constraint k
			WHERE k.conrelid = $1::regclass AND (k.contype = 'f' OR k.contype IN ('p', 'u') AND NOT EXISTS (
				SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = k.conindid))
			ON CONFLICT (key) DO UPDATE SET value = excluded.value
			RETURNING split_part(key, ':', 3)`)
		if err != nil {
			return err
		}
		var drops []string
		for _, name := range constraints {
			drops = append(drops, "DROP CONSTRAINT "+pgx.Identifier{name}.Sanitize())
		}
		if len(drops) > 0 {
			if _, err := tx.Exec(ctx, `ALTER TABLE `+pgx.Identifier{table}.Sanitize()+` `+strings.Join(drops, ", ")); err != nil {
				return err
			}
		}
		if len(indexes) == 0 {
			return nil
		}
		for i, name := range indexes {
			indexes[i] = pgx.Identifier{name}.Sanitize()
		}
		_, err = tx.Exec(ctx, `DROP INDEX `+strings.Join(indexes, ", "))
		return err
	})
}

// buildIndexes creates the indexes and constraints deferIndexes dropped
// of tables (all when nil), those of the largest tables first, and of a
// table its constraints first, on up to parts connections at once, with
// more memory than the default for each build.
func buildIndexes(ctx context.Context, pool *pgxpool.Pool, parts int, tables []string) error {
	rows, err := pool.Query(ctx, `SELECT key, value FROM meta
		WHERE key LIKE 'index:%' AND ($1::text[] IS NULL OR split_part(key, ':', 2) = ANY ($1))
		ORDER BY pg_table_size(to_regclass(split_part(key, ':', 2))) DESC NULLS LAST,
			value LIKE 'ALTER TABLE %' DESC, value LIKE '% FOREIGN KEY %', key`, tables)
	if err != nil {
		return fmt.Errorf("build indexes: %w", err)
	}
	type index struct{ key, ddl string }
	indexes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (index, error) {
		var x index
		return x, row.Scan(&x.key, &x.ddl)
	})
	if err != nil {
		return fmt.Errorf("build indexes: %w", err)
	}
	if len(indexes) == 0 {
		return nil
	}
	next := make(chan index, len(indexes))
	for _, x := range indexes {
		next <- x
	}
	close(next)
	errs := make([]error, min(parts, len(indexes)))
	var wg sync.WaitGroup
	for part := range errs {
		wg.Go(func() {
			for x := range next {
				if errs[part] = buildIndex(ctx, pool, x.key, x.ddl); errs[part] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// buildIndex runs ddl, the statement creating an index, and removes its
// meta row key.
func buildIndex(ctx context.Context, pool *pgxpool.Pool, key, ddl string) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
			return err
		}
		// Made by another process meanwhile, it is left.
		made := false
		if strings.HasPrefix(ddl, "ALTER TABLE ") {
			_, table, _ := strings.Cut(key, ":")
			table, name, _ := strings.Cut(table, ":")
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_constraint
				WHERE conrelid = to_regclass($1) AND conname = $2)`, table, name).Scan(&made); err != nil {
				return err
			}
		} else {
			ddl = strings.Replace(ddl, " INDEX ", " INDEX IF NOT EXISTS ", 1)
		}
		if !made {
			if _, err := tx.Exec(ctx, ddl); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `DELETE FROM meta WHERE key = $1`, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("build index %s: %w", strings.TrimPrefix(key, "index:"), cause(err))
	}
	return nil
}
