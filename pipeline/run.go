package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/veille/veille/pipeline/batch"
	"github.com/veille/veille/pipeline/fetch"
	"github.com/veille/veille/pipeline/ground"
	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
)

// DocumentLoader resolves an input (URL or file) to a document with its
// text; *Loader implements it.
type DocumentLoader interface {
	Load(ctx context.Context, input string, refresh bool) (schema.Document, error)
}

// Runner is the main job: input → document → model → validated, grounded
// card → stored. One Runner serves many inputs and may be used from
// several goroutines.
type Runner struct {
	Loader DocumentLoader
	Model  llm.Model
	// Store keeps cards and runs; nil stores nothing.
	Store CardStore
	// OutputLang is the card's language; empty means the source's.
	OutputLang string
	// StrictGrounding drops the rows whose evidence is not in the text.
	StrictGrounding bool
	// MinGrounded is the share of a card's rows (0 to 1) whose evidence
	// must be found in the text: a card under it is not stored, and the
	// run fails with a *ground.UngroundedError. 0 accepts every card.
	MinGrounded float64
	// Refresh fetches URLs again even when the store has them.
	Refresh bool
}

// Outcome is one card made by a Runner.
type Outcome struct {
	Document schema.Document
	Card     schema.Card
	// Markdown is the card in the gold layout (no final newline).
	Markdown   string
	Provenance schema.Provenance
	// Spans locate each row's evidence in Document.Text (rune offsets);
	// with StrictGrounding only the grounded rows remain.
	Spans []schema.Span
	// Tally counts rows before any were dropped.
	Tally ground.Tally
	// CardID and Version identify the stored card (0 without a store).
	CardID  int64
	Version int
}

// Run makes, stores and returns the card of one input. A failure after the
// document was loaded is recorded as a failed run, with the model attempts,
// and no card is stored.
func (r *Runner) Run(ctx context.Context, input string) (Outcome, error) {
	return r.RunFrom(ctx, input, nil)
}

// RunFrom is Run for a source found on another page (a newsletter issue):
// origin, when not nil, is recorded on the card and in its title line.
func (r *Runner) RunFrom(ctx context.Context, input string, origin *schema.Link) (Outcome, error) {
	started := time.Now()
	doc, err := r.Loader.Load(ctx, input, r.Refresh)
	if err != nil {
		return Outcome{}, err
	}
	if strings.TrimSpace(doc.Text) == "" {
		return Outcome{}, fmt.Errorf("%s: the page has no text to read", input)
	}
	res, err := r.Model.Card(ctx, inputOf(doc, r.OutputLang))
	if err != nil {
		err = fmt.Errorf("card of %s: %w", input, err)
		return Outcome{}, errors.Join(err, r.saveFailure(ctx, input, doc, started, err))
	}
	out := r.outcome(doc, res)
	if share := out.Tally.Share(); out.Tally.Rows > 0 && share < r.MinGrounded {
		err := fmt.Errorf("card of %s: %w", input, &ground.UngroundedError{Tally: out.Tally, Min: r.MinGrounded})
		return Outcome{}, errors.Join(err, r.saveFailure(ctx, input, doc, started, err))
	}
	if origin != nil {
		out.Card.Origin = origin
		out.Markdown = markdown.Render(out.Card)
	}
	if r.Store == nil {
		return out, nil
	}
	rec, err := newCardRecord(out, res)
	if err != nil {
		return Outcome{}, err
	}
	out.CardID, out.Version, err = r.Store.SaveCard(ctx, rec, r.modelRun(input, doc, started, res.Attempts, nil))
	if err != nil {
		return Outcome{}, err
	}
	return out, nil
}

// inputOf is what the model reads of doc.
func inputOf(doc schema.Document, outputLang string) llm.Input {
	return llm.Input{URL: doc.SourceURL(), Title: doc.Metadata.Title, Text: doc.Text, Lang: doc.Metadata.Lang,
		OutputLang: outputLang, Metadata: doc.Metadata}
}

// outcome grounds the answer and renders the card.
func (r *Runner) outcome(doc schema.Document, res llm.Result) Outcome {
	answer := res.Answer
	spans := ground.Locate(doc.Text, answer)
	tally := ground.TallyOf(spans)
	if r.StrictGrounding {
		spans = ground.DropUngrounded(&answer, spans)
	}
	card := schema.Card{URL: doc.SourceURL(), Answer: answer}
	return Outcome{Document: doc, Card: card, Markdown: markdown.Render(card), Provenance: res.Provenance,
		Spans: spans, Tally: tally}
}

func newCardRecord(out Outcome, res llm.Result) (schema.NewCard, error) {
	cardJSON, err := json.Marshal(out.Card)
	if err != nil {
		return schema.NewCard{}, fmt.Errorf("encode card: %w", err)
	}
	return schema.NewCard{DocumentID: out.Document.ID, URL: out.Card.URL, CardJSON: string(cardJSON),
		Markdown: out.Markdown, RawJSON: string(res.Raw), Provenance: res.Provenance, Spans: out.Spans,
		Published: out.Document.Published()}, nil
}

func (r *Runner) modelRun(input string, doc schema.Document, started time.Time, attempts []schema.Attempt, err error) schema.ModelRun {
	run := schema.ModelRun{Input: input, DocumentID: doc.ID, Provider: r.Model.Provider(), Model: r.Model.Model(),
		PromptHash: llm.PromptHashOf(r.Model), Started: started, Finished: time.Now()}
	if err != nil {
		run.Err = err.Error()
	}
	run.Attempts = attempts
	return run
}

// saveFailure records a failed model call with its attempts.
func (r *Runner) saveFailure(ctx context.Context, input string, doc schema.Document, started time.Time, err error) error {
	if r.Store == nil {
		return nil
	}
	// The run is recorded even when ctx was cancelled.
	ctx = context.WithoutCancel(ctx)
	return r.Store.SaveFailedRun(ctx, r.modelRun(input, doc, started, llm.AttemptsOf(err), err))
}

// MakeCard makes and stores the card of one queued batch job: the digest
// that linked the page, if any, is recorded as the card's origin, and a
// refresh job fetches the page again. It is a [batch.CardMaker].
func (r *Runner) MakeCard(ctx context.Context, job batch.Job) (batch.Made, error) {
	runner := r
	if job.Refresh && !r.Refresh {
		refreshing := *r
		refreshing.Refresh = true
		runner = &refreshing
	}
	if job.PublicOnly {
		ctx = fetch.PublicOnlyContext(ctx)
	}
	out, err := runner.RunFrom(ctx, job.URL, job.Origin)
	return batch.Made{Provenance: out.Provenance, Rows: out.Tally.Rows, Grounded: out.Tally.Grounded}, err
}
