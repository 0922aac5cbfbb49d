package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/veille/veille/eval"
	"github.com/veille/veille/export"
	"github.com/veille/veille/pipeline"
	"github.com/veille/veille/pipeline/fetch"
	"github.com/veille/veille/schema"
)

// evalOptions are the flags of `extract eval`.
type evalOptions struct {
	gold               []string
	pred               []string
	jsonFile, htmlFile string
	baseline           string
	minScore           float64
	run                bool
	models             modelFlags
	fetch              fetchFlags
	history            bool
	limit              int
	db                 string
}

func (a *app) evalCommand() *cobra.Command {
	var o evalOptions
	c := &cobra.Command{
		Use:   "eval --gold PATH [--pred DIR | --run]",
		Short: "Score predicted cards against gold cards",
		Long: `Score predicted cards against gold cards.

Gold cards are markdown card files (any gold layout) at PATH, a file or a
directory searched recursively; --gold may be repeated. Predictions are the
card files (markdown or JSON) in --pred DIR or, by default, the latest card
of each gold card's document in the store. Gold and prediction are paired by
the canonical URL of their External link, then by file name; a gold card
without a prediction scores 0. With --run, the gold cards without a stored
card get one from the pipeline (model flags as for extract run): from the
page in the store, else from a page file beside the gold card (article.txt
or page.html, with page.json), else by fetching the URL; so eval runs
offline on ../shared/gold/pairs.

Prints one row per card and one column per section; the metrics are defined
in README.md ("## Eval"). Every run is stored; --history lists them.
Exits 1 when a card file could not be read, a report could not be written,
or the overall score is below --min-score; 2 on a usage error.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			if o.history {
				if o.limit < 0 {
					return usageError{fmt.Errorf("eval: --limit %d: cannot be negative (0 lists all runs)", o.limit)}
				}
				return a.evalHistory(c.Context(), o)
			}
			return a.runEval(c.Context(), o)
		},
	}
	f := c.Flags()
	f.StringArrayVar(&o.gold, "gold", nil, "gold card file or directory `PATH`, searched recursively (repeatable)")
	f.StringArrayVar(&o.pred, "pred", nil, "directory or file `DIR` of predicted cards, markdown or JSON, repeatable (default: latest cards in the store)")
	f.StringVar(&o.jsonFile, "json", "", "write the full report as JSON to `FILE`")
	f.StringVar(&o.htmlFile, "html", "", "write a self-contained HTML report to `FILE`")
	f.StringVar(&o.baseline, "baseline", "", "compare with an earlier JSON report `PREV.json` and mark the deltas")
	f.Float64Var(&o.minScore, "min-score", 0, "exit 1 when the overall score is below `X` (0–1)")
	f.BoolVar(&o.run, "run", false, "make the missing predictions with the pipeline (see extract run) before scoring")
	f.BoolVar(&o.history, "history", false, "list the stored eval runs, newest first, and exit")
	f.IntVar(&o.limit, "limit", 20, "with --history: how many runs to list (0: all)")
	addDBFlag(c, &o.db)
	addModelFlags(c, &o.models)
	addFetchFlags(c, &o.fetch)
	return c
}

func (o evalOptions) check() error {
	switch {
	case len(o.gold) == 0:
		return usageError{errors.New("eval: --gold is required (a gold card file or directory)")}
	case o.run && len(o.pred) > 0:
		return usageError{errors.New("eval: --pred and --run exclude each other (--run scores the store's cards)")}
	case !(o.minScore >= 0 && o.minScore <= 1): // NaN fails too
		return usageError{fmt.Errorf("eval: --min-score %v: want a number between 0 and 1", o.minScore)}
	}
	if err := o.models.check(); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if err := o.fetch.check(); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	for _, path := range []string{o.jsonFile, o.htmlFile} {
		if err := checkOutputFile(path); err != nil {
			return fmt.Errorf("eval: %w", err)
		}
	}
	return nil
}

// checkOutputFile fails when a report could not be written at path (its
// directory missing or read-only, or path a directory), so that eval fails before it
// scores and stores anything. An empty path is no report.
func checkOutputFile(path string) error {
	if path == "" {
		return nil
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return fmt.Errorf("report %s: is a directory", path)
	}
	dir := filepath.Dir(path)
	if err := export.CheckWritableDir(dir); err != nil {
		return fmt.Errorf("report %s: directory %s: %w", path, dir, err)
	}
	return nil
}

// runEval loads, pairs and scores the cards, writes the reports, stores
// the run, and fails when a card could not be read or the score is too low.
func (a *app) runEval(ctx context.Context, o evalOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	gold, err := eval.LoadGoldSet(o.gold)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	var before *eval.Report
	if o.baseline != "" {
		if before, err = eval.ReadReport(o.baseline); err != nil {
			return fmt.Errorf("eval: --baseline: %w", err)
		}
	}
	st, err := a.openStore(ctx, o.db)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer st.Close()

	preds, err := eval.LoadPredictionSet(ctx, st, o.pred, gold.Cards)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if o.run {
		if preds, err = a.makeMissingCards(ctx, st, o, gold.Cards, preds); err != nil {
			return fmt.Errorf("eval --run: %w", err)
		}
	}
	report, err := eval.Score(ctx, gold, preds)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if before != nil {
		report.Baseline = eval.CompareReports(before, &report, o.baseline)
	}

	if err := eval.WriteTable(a.stdout, &report); err != nil {
		return err
	}
	if err := writeReportFiles(&report, o, a.stderr); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	id, err := eval.SaveRun(ctx, st, &report)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	fmt.Fprintf(a.stderr, "eval run %d stored in %s\n", id, st.Path())

	if n := report.Counts.Errors; n > 0 {
		return fmt.Errorf("eval: card files that could not be read: %d (listed above); the other cards were scored", n)
	}
	if report.Overall < o.minScore {
		return fmt.Errorf("eval: overall score %.3f is below --min-score %.3f", report.Overall, o.minScore)
	}
	return nil
}

// makeMissingCards adds to preds the cards eval.Maker makes with the
// pipeline for the gold cards without prediction. The model is chosen (and
// its notice printed) only when a card is missing.
func (a *app) makeMissingCards(ctx context.Context, st Database, o evalOptions, gold []eval.LoadedCard, preds eval.CardSet) (
	eval.CardSet, error) {
	preds.Source = "run"
	todo := eval.Missing(gold, preds.Cards)
	if len(todo) == 0 {
		return preds, nil
	}
	fetcher, err := o.fetch.newFetcher()
	if err != nil {
		return eval.CardSet{}, err
	}
	runner, err := a.newRunner(ctx, st, o.models, fetcher, runnerConfig{})
	if err != nil {
		return eval.CardSet{}, err
	}
	maker := &eval.Maker{Documents: st, ReadPage: readPageFile, MakeCard: pipelineCardMaker(runner)}
	made, errs, err := maker.MakeCards(ctx, todo)
	if err != nil {
		return eval.CardSet{}, err
	}
	preds.Cards, preds.Errors = append(preds.Cards, made...), append(preds.Errors, errs...)
	fmt.Fprintf(a.stderr, "eval --run: made %d of %d missing cards\n", len(made), len(todo))
	return preds, nil
}

// pipelineCardMaker makes eval's missing cards with runner.
func pipelineCardMaker(runner *pipeline.Runner) eval.CardMaker {
	return func(ctx context.Context, url string) (eval.MadeCard, error) {
		out, err := runner.Run(ctx, url)
		if err != nil {
			return eval.MadeCard{}, err
		}
		p := out.Provenance
		return eval.MadeCard{DocumentID: out.Document.ID, Version: out.Version, Card: out.Card,
			Provider: p.Provider, Model: p.Model, PromptName: p.PromptName, PromptVersion: p.PromptVersion}, nil
	}
}

// readPageFile reads a page file beside a gold card as the document of url.
func readPageFile(path, url string) (schema.Document, error) {
	page, err := fetch.ReadFile(path, fetch.DefaultMaxBodyBytes)
	if err != nil {
		return schema.Document{}, err
	}
	page.URL, page.FinalURL = url, url
	doc, err := pipeline.DocumentFromPage(page)
	if err != nil {
		return schema.Document{}, fmt.Errorf("page %s: %w", path, err)
	}
	return doc, nil
}

// writeReportFiles writes the JSON and HTML reports asked for, saying
// where on stderr.
func writeReportFiles(r *eval.Report, o evalOptions, stderr io.Writer) error {
	outputs := []struct {
		kind, path string
		write      func(*bytes.Buffer) error
	}{
		{"JSON", o.jsonFile, func(b *bytes.Buffer) error { return eval.WriteJSON(b, r) }},
		{"HTML", o.htmlFile, func(b *bytes.Buffer) error { return eval.WriteHTML(b, r) }},
	}
	for _, out := range outputs {
		if out.path == "" {
			continue
		}
		var b bytes.Buffer
		if err := out.write(&b); err != nil {
			return err
		}
		if err := export.WriteFileAtomic(out.path, func(w io.Writer) error {
			_, err := w.Write(b.Bytes())
			return err
		}); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "eval: %s report written to %s\n", out.kind, out.path)
	}
	return nil
}

// evalHistory lists the stored eval runs, newest first.
func (a *app) evalHistory(ctx context.Context, o evalOptions) error {
	st, err := a.openCollection(ctx, o.db)
	if err != nil {
		return fmt.Errorf("eval --history: %w", err)
	}
	defer st.Close()
	runs, err := st.EvalRuns(ctx, o.limit)
	if err != nil {
		return fmt.Errorf("eval --history: %w", err)
	}
	if len(runs) == 0 {
		_, err := fmt.Fprintf(a.stdout, "no eval runs stored in %s\n", st.Path())
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\twhen (UTC)\toverall\tcards\tmissing\terrors\tpredictions\tprovider/model/prompt\tgold")
	for _, r := range runs {
		made := strings.Trim(strings.Join([]string{r.Provider, r.Model, r.Prompt}, "/"), "/")
		if made == "" {
			made = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%.3f\t%d\t%d\t%d\t%s\t%s\t%s\n", r.ID, r.CreatedAt.UTC().Format("2006-01-02 15:04"),
			r.Overall, r.Cards, r.Missing, r.Errors, r.Predictions, made, r.Gold)
	}
	return tw.Flush()
}
