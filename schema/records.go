package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"time"
)

// This file holds the records veille stores: cards with their provenance
// and grounding, model runs, batch runs and eval runs. Every storage backend
// (see package store) reads and writes these types.

// ErrNotFound is the error a store returns, wrapped with context, when the
// record asked for does not exist. Test for it with errors.Is:
//
//	if errors.Is(err, schema.ErrNotFound) { ... }
var ErrNotFound = errors.New("not found")

// ContentHash is the hex SHA-256 of a document body ([Document].ContentHash).
func ContentHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// Provenance records how a card was made. It is stored with every card.
type Provenance struct {
	// Provider names the backend: "openai", "anthropic", "googleai",
	// "ollama" or "offline".
	Provider string `json:"provider"`
	// Model is the model name as sent to the provider.
	Model string `json:"model"`
	// PromptName, PromptVersion and PromptHash identify the prompt template
	// (see package prompts); PromptHash is the hex SHA-256 of its text.
	PromptName    string `json:"prompt_name"`
	PromptVersion string `json:"prompt_version"`
	PromptHash    string `json:"prompt_hash"`
	// InputTokens and OutputTokens are summed over every request made for
	// the card, as the provider reported them (estimated when it did not).
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
	// Requests counts the model requests sent (retries included); 0 when the
	// answer came from the response cache or the offline baseline.
	Requests int `json:"requests"`
	// Latency is the wall time spent in model calls.
	Latency time.Duration `json:"latency_ns"`
	// CostUSD is the estimated price of the requests (0 when unknown).
	CostUSD float64 `json:"cost_usd"`
	// Cached is true when the answer came from the response cache.
	Cached bool `json:"cached,omitempty"`
}

// Attempt is one request sent to a model, successful or not. Failed
// attempts are stored with the run so errors can be inspected later.
type Attempt struct {
	// Status is the HTTP status when one was received, else 0.
	Status int `json:"status,omitempty"`
	// FinishReason is the provider's reason for stopping ("stop",
	// "length", ...), when a response was received.
	FinishReason string `json:"finish_reason,omitempty"`
	// Err describes what went wrong; empty for a usable response.
	Err string `json:"error,omitempty"`
	// Latency is how long the request took.
	Latency time.Duration `json:"latency_ns"`
}

// Grounding methods of a [Span], from the most to the least exact.
const (
	GroundExact      = "exact"      // the evidence occurs verbatim
	GroundNormalised = "normalised" // it occurs once case, whitespace, quotes and dashes are normalised
	GroundFuzzy      = "fuzzy"      // most of its words occur together in one window of the text
	GroundNone       = "none"       // not found: the row is ungrounded
)

// Span locates one row's evidence in the source text. Start and End are
// offsets in characters (Unicode code points, not bytes) into the text the
// card was made from, End exclusive; both are -1 when the row is ungrounded.
type Span struct {
	// Section is the table: "signals", "concerns", "behaviors",
	// "technologies" or "issues".
	Section string `json:"section"`
	// Row is the row's index in its table.
	Row      int    `json:"row"`
	Name     string `json:"name"`
	Evidence string `json:"evidence"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
	// Method is one of the Ground* constants, such as [GroundExact].
	Method string `json:"method"`
	// Score is 1 for exact and normalised matches, the share of matched
	// words for fuzzy ones, 0 when ungrounded.
	Score float64 `json:"score"`
}

// UngroundedSpans is one ungrounded span per row of a, in table order:
// the spans of a card imported without its page text, whose evidence is
// not located, but whose rows are counted.
func UngroundedSpans(a Answer) []Span {
	n := len(a.Signals)
	tables := a.RowTables()
	for _, t := range tables {
		n += len(*t.Rows)
	}
	if n == 0 {
		return nil
	}
	spans := make([]Span, 0, n)
	add := func(section string, i int, name, evidence string) {
		spans = append(spans, Span{Section: section, Row: i, Name: name, Evidence: evidence,
			Start: -1, End: -1, Method: GroundNone})
	}
	for i, s := range a.Signals {
		add("signals", i, s.Name, s.Evidence)
	}
	for _, t := range tables {
		for i, r := range *t.Rows {
			add(t.Key, i, r.Name, r.Evidence)
		}
	}
	return spans
}

// DerivedSpans reports whether spans are exactly the [UngroundedSpans] of a:
// no row was looked for in a page, as for an imported card. A store keeps
// no rows for such spans, and makes them again from the card when they
// are read (see [UngroundedSpans]): they would hold nothing the card does
// not, and were a fifth of the writing of an import.
func DerivedSpans(spans []Span, a Answer) bool {
	return len(spans) > 0 && slices.Equal(spans, UngroundedSpans(a))
}

// Grounded reports whether the span was found in the text, that is whether
// its Method is not [GroundNone].
func (s Span) Grounded() bool { return s.Method != GroundNone }

// NewCard is a card to save, with its provenance and grounding.
type NewCard struct {
	// DocumentID is the [Document].ID the card was made from; URL its
	// source page.
	DocumentID string
	URL        string
	// CardJSON is the [Card] as JSON; Markdown its gold layout; RawJSON the
	// model's answer as received. An imported card has no Markdown: its
	// gold layout is its card's, rendered when it is shown (see
	// markdown.Stored); storing it doubled the size of a collection.
	CardJSON, Markdown, RawJSON string
	Provenance
	// Spans locates every row's evidence, in table order.
	Spans []Span
	// Published is the card's date: the page's publication date when the
	// page declares one, else when it was first fetched; for an imported
	// card, its "published" field, else the file's modification time.
	Published time.Time
	// Decoded, when not nil, is the card CardJSON encodes, which the
	// caller had at hand (an import): a store may index it instead of
	// decoding CardJSON again. CardJSON is what is stored.
	Decoded *Card
}

// StoredCard is a saved card version. Its embedded [NewCard] has no Spans:
// a store returns them separately.
type StoredCard struct {
	ID         int64
	DocumentID string
	// Version is 1 for a document's first card, then 2, 3, ...
	Version int
	NewCard
	// RowsTotal counts the card's spans, RowsGrounded the grounded ones.
	RowsTotal, RowsGrounded int
	CreatedAt               time.Time
}

// ModelRun is one attempt to make a card for an input, successful or not.
type ModelRun struct {
	Input      string
	DocumentID string // empty when the input could not be loaded
	Provider   string
	Model      string
	PromptHash string
	Err        string // empty on success
	Started    time.Time
	Finished   time.Time
	Attempts   []Attempt
}

// CacheKey identifies a model response in the response cache.
type CacheKey struct {
	Provider, Model, PromptHash string
	// TextHash is the hex SHA-256 of everything else the request sent.
	TextHash string
}

// Batch run statuses ([BatchRun].Status).
const (
	BatchRunning     = "running"
	BatchCompleted   = "completed"
	BatchStopped     = "stopped"
	BatchInterrupted = "interrupted"
)

// Job attempt outcomes ([JobAttempt].Outcome).
const (
	AttemptDone        = "done"
	AttemptSkipped     = "skipped"
	AttemptRetry       = "retry"
	AttemptFailed      = "failed"  // permanent failure, not retried
	AttemptGaveUp      = "gave up" // transient failure, out of attempts
	AttemptInterrupted = "interrupted"
)

// BatchRun is one `extract batch` invocation and its summary.
type BatchRun struct {
	ID         int64
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	// Status is one of the Batch* constants, such as [BatchRunning].
	Status     string
	StopReason string
	Inputs     []string
	// Queued counts the jobs this run inserted; Skipped the documents that
	// had a card already; Done the cards made; Failed the jobs given up.
	Queued, Skipped, Done, Failed int
	FailedByCause                 map[string]int
	InputTokens, OutputTokens     int
	CostUSD                       float64
	Elapsed                       time.Duration
	// Remaining counts the jobs left in the queue when the run ended.
	Remaining int
}

// JobAttempt is one try at one batch job.
type JobAttempt struct {
	ID         int64
	RunID      int64
	JobID      int64
	Attempt    int
	URL        string
	StartedAt  time.Time
	FinishedAt time.Time // zero while in flight
	// Outcome is one of the Attempt* constants, such as [AttemptDone];
	// empty while in flight.
	Outcome string
	Cause   string
	Error   string

	InputTokens, OutputTokens int
	CostUSD                   float64
}

// EvalRun is one stored `extract eval` run.
type EvalRun struct {
	ID        int64
	CreatedAt time.Time
	// Gold and Predictions say what was compared.
	Gold, Predictions       string
	Provider, Model, Prompt string
	Cards, Missing, Errors  int
	Overall                 float64
	Sections                []EvalSection
	CardScores              []EvalCard
	// ReportJSON is the full JSON report of the run.
	ReportJSON string
}

// EvalSection is a run's score for one section; Score is nil when no card
// had the section.
type EvalSection struct {
	Section string
	Score   *float64
	Cards   int
}

// EvalCard is a run's overall score for one card.
type EvalCard struct {
	Card, GoldFile, PredFile string
	Overall                  float64
}
