package postgres

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
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
	done := 0
	report := func(n int) {
		done += n
		if progress != nil {
			progress(done, total)
		}
	}
	report(0)
	for _, t := range copyTables {
		if err := copyRows(ctx, src, conn, t, report); err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	for _, table := range identityTables {
		if _, err := conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'),
			COALESCE((SELECT max(id) FROM `+table+`), 0) + 1, false)`); err != nil {
			return nil, fmt.Errorf("copy %s: id sequence: %w", table, err)
		}
	}
	// The planner's statistics of the tables just filled.
	if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
		return nil, fmt.Errorf("copy: analyze: %w", err)
	}
	if err := indexMissing(ctx, s.pool, conn); err != nil {
		return nil, fmt.Errorf("copy: %w", err)
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

// copyRows copies table t, copyChunk rows at a time, each chunk COPied to
// a temporary table and inserted from there in one transaction.
func copyRows(ctx context.Context, src *sql.DB, conn *pgxpool.Conn, t copyTable, report func(int)) error {
	// Into an empty table, the rows are copied straight in; else through a
	// temporary table, so that the rows already there are left alone.
	var empty bool
	if err := conn.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM `+t.name+`)`).Scan(&empty); err != nil {
		return err
	}
	rows, err := src.QueryContext(ctx, t.source)
	if err != nil {
		return fmt.Errorf("read the source: %w", err)
	}
	defer rows.Close()
	flush := func(batch [][]any) error {
		if len(batch) == 0 {
			return nil
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if empty {
				_, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(batch))
				return err
			}
			return stageInsert(ctx, tx, t.name, t.columns, batch, "ON CONFLICT "+t.conflict)
		})
		if err != nil {
			return cause(err)
		}
		report(len(batch))
		return nil
	}
	var batch [][]any
	for rows.Next() {
		raw := make([]any, len(t.kinds))
		ptrs := make([]any, len(raw))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read the source: %w", err)
		}
		row, err := convertRow(t.kinds, raw)
		if err != nil {
			return err
		}
		if batch = append(batch, row); len(batch) == copyChunk {
			if err := flush(batch); err != nil {
				return err
			}
			batch = nil
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the source: %w", err)
	}
	return flush(batch)
}

// stageInsert inserts rows into table through a temporary table of the
// same columns, with the given ON CONFLICT clause.
func stageInsert(ctx context.Context, tx pgx.Tx, table string, columns []string, rows [][]any, conflict string) error {
	stage := "copy_" + table
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS `+stage+` (LIKE `+table+`) ON COMMIT DELETE ROWS`); err != nil {
		return err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{stage}, columns, pgx.CopyFromRows(rows)); err != nil {
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

// indexMissing brings the derived data (see index.go) in step with the
// cards after a copy: the rows of cards no longer newest are removed, and
// those of the newest cards that have none are built, a chunk at a time.
func indexMissing(ctx context.Context, pool *pgxpool.Pool, conn *pgxpool.Conn) error {
	for _, table := range []string{"card_latest", "card_tags", "card_search"} {
		if _, err := conn.Exec(ctx, `DELETE FROM `+table+` d USING cards c
			WHERE c.id = d.card_id AND NOT c.latest`); err != nil {
			return fmt.Errorf("unindex older cards: %w", err)
		}
	}
	// Into an empty full-text table, the GIN index is built once at the
	// end, much faster than entry by entry (Open builds it again if the
	// copy is cut off meanwhile).
	var empty bool
	if err := conn.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM card_search)`).Scan(&empty); err != nil {
		return err
	}
	if empty {
		if _, err := conn.Exec(ctx, `DROP INDEX IF EXISTS card_search_doc, card_search_heading`); err != nil {
			return err
		}
	}
	// The cards are shared among as many connections as there are CPUs,
	// by id: the rows are built here while the server writes others.
	parts := max(2, runtime.GOMAXPROCS(0))
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for part := range parts {
		wg.Go(func() { errs[part] = indexPart(ctx, pool, part, parts) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("index cards: %w", err)
	}
	return ensureSearchIndex(ctx, conn)
}

// indexPart builds the derived data of the newest cards whose id is part
// modulo parts, a chunk at a time, on a connection of its own.
func indexPart(ctx context.Context, pool *pgxpool.Pool, part, parts int) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	for after := int64(0); ; {
		last, err := indexChunk(ctx, conn, after, part, parts)
		if err != nil || last == after {
			return err
		}
		after = last
	}
}

// searchIndexes are the GIN indexes of card_search by name, and the
// statements creating them (migrations 0005 and 0008).
var searchIndexes = []struct{ name, ddl string }{
	{"card_search_doc", `CREATE INDEX IF NOT EXISTS card_search_doc ON card_search USING gin (doc)`},
	{"card_search_heading", `CREATE INDEX IF NOT EXISTS card_search_heading ON card_search
		USING gin (ts_filter(head, '{a,b}'))`},
}

// ensureSearchIndex creates the GIN indexes of card_search when a copy cut
// off left them dropped, with more memory than the default for the build.
func ensureSearchIndex(ctx context.Context, conn interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}) error {
	for _, index := range searchIndexes {
		// Looked up first: CREATE INDEX IF NOT EXISTS would wait for the
		// writes in progress.
		var missing bool
		if err := conn.QueryRow(ctx, `SELECT to_regclass($1) IS NULL`, index.name).Scan(&missing); err != nil {
			return fmt.Errorf("search index %s: %w", index.name, err)
		}
		if !missing {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, index.ddl)
			return err
		})
		if err != nil {
			return fmt.Errorf("search index %s: %w", index.name, err)
		}
	}
	return nil
}

// indexChunk builds the derived data of up to copyChunk newest cards with
// ids above after, and part modulo parts (leaving the rows already there), and returns the last id built (after
// when none was left).
func indexChunk(ctx context.Context, conn *pgxpool.Conn, after int64, part, parts int) (int64, error) {
	rows, err := conn.Query(ctx, `SELECT c.id, c.document_id, c.version, c.url, c.card_json, c.published,
			c.provider, c.model, c.rows_total, c.rows_grounded, d.text
		FROM cards c JOIN documents d ON d.id = c.document_id
		WHERE c.latest AND c.id > $1 AND c.id % $3 = $4 ORDER BY c.id LIMIT $2`, after, copyChunk, parts, part)
	if err != nil {
		return after, err
	}
	var latest, tags, search [][]any
	last := after
	for rows.Next() {
		var (
			id                                   int64
			docID, url, js, provider, model, txt string
			version, total, grounded             int
			published                            time.Time
		)
		if err := rows.Scan(&id, &docID, &version, &url, &js, &published, &provider, &model, &total, &grounded,
			&txt); err != nil {
			rows.Close()
			return after, err
		}
		c := cardindex.Decode(js)
		latest = append(latest, []any{id, docID, version, url, c.Title, published, isoWeek(published),
			cardindex.Host(url), c.Category, c.Type, provider, model, c.OriginURL(), total, grounded})
		kinds, values := tagRows(c)
		seen := map[[2]string]bool{}
		for i := range kinds {
			if key := [2]string{kinds[i], values[i]}; !seen[key] {
				seen[key] = true
				tags = append(tags, []any{id, kinds[i], values[i], c.Category})
			}
		}
		doc, head := searchVector(c, txt)
		search = append(search, []any{id, doc, head})
		last = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return after, err
	}
	if last == after {
		return after, nil
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := stageInsert(ctx, tx, "card_latest", []string{"card_id", "document_id", "version",
			"url", "title", "published", "week", "host", "category", "type", "provider", "model", "origin_url",
			"rows_total", "rows_grounded"}, latest, "ON CONFLICT DO NOTHING"); err != nil {
			return err
		}
		if err := stageInsert(ctx, tx, "card_tags", []string{"card_id", "kind", "value", "category"}, tags,
			"ON CONFLICT DO NOTHING"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS copy_search (card_id bigint, doc text, head text)
			ON COMMIT DELETE ROWS`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"copy_search"}, []string{"card_id", "doc", "head"},
			pgx.CopyFromRows(search)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO card_search (card_id, doc, head) SELECT card_id, doc::tsvector, head::tsvector FROM copy_search
			ON CONFLICT DO NOTHING`)
		return err
	})
	if err != nil {
		return after, cause(err)
	}
	return last, nil
}
