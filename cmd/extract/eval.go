package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/veille/veille/eval"
	"github.com/veille/veille/pipeline"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/store"
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
	if err := checkWritableDir(dir); err != nil {
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
	var gold []eval.LoadedCard
	var errs []eval.FileError
	for _, path := range o.gold {
		cards, cardErrs, err := eval.LoadGold(path)
		if err != nil {
			return fmt.Errorf("eval: gold: %w", err)
		}
		gold, errs = append(gold, cards...), append(errs, cardErrs...)
	}
	if len(gold)+len(errs) == 0 {
		return fmt.Errorf("eval: no gold card file in %s", strings.Join(o.gold, ", "))
	}
	var before *eval.Report
	if o.baseline != "" {
		var err error
		if before, err = eval.ReadReport(o.baseline); err != nil {
			return fmt.Errorf("eval: --baseline: %w", err)
		}
	}
	st, err := a.openStore(ctx, o.db)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer st.Close()

	preds, predErrs, source, err := loadPredictions(ctx, st, o.pred, gold)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	errs = append(errs, predErrs...)
	if o.run {
		made, runErrs, err := a.runMissing(ctx, st, o.models, o.fetch, gold, preds)
		if err != nil {
			return fmt.Errorf("eval --run: %w", err)
		}
		preds, errs, source = append(preds, made...), append(errs, runErrs...), "run"
	}
	pairs, unpaired := eval.PairCards(gold, preds)
	report := eval.Evaluate(pairs, errs, unpaired)
	report.Gold, report.Predictions = strings.Join(o.gold, ", "), source
	report.Provenance = eval.MergeProvenance(preds)
	if before != nil {
		report.Baseline = eval.CompareReports(before, &report, o.baseline)
	}

	if err := eval.WriteTable(a.stdout, &report); err != nil {
		return err
	}
	if err := writeReportFiles(&report, o); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	id, err := saveEvalRun(ctx, st, &report)
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

// loadPredictions reads the predicted cards from paths, or, when there are
// none, the latest stored card of each gold card's document. source says
// where they came from, for the report.
func loadPredictions(ctx context.Context, st *store.Store, paths []string, gold []eval.LoadedCard) (
	preds []eval.LoadedCard, errs []eval.FileError, source string, err error) {
	if len(paths) > 0 {
		for _, path := range paths {
			cards, cardErrs, err := eval.LoadPredictions(path)
			if err != nil {
				return nil, nil, "", fmt.Errorf("predictions: %w", err)
			}
			preds, errs = append(preds, cards...), append(errs, cardErrs...)
		}
		return preds, errs, strings.Join(paths, ", "), nil
	}
	for _, g := range gold {
		canonical, err := schema.CanonicalURL(g.Card.URL)
		if err != nil {
			continue // no document can match: the gold card scores as missing
		}
		docID := schema.DocumentID(canonical)
		sc, err := st.LatestCard(ctx, docID)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, nil, "", err
		}
		file := fmt.Sprintf("store:%s@v%d", docID, sc.Version)
		var card schema.Card
		if err := json.Unmarshal([]byte(sc.CardJSON), &card); err != nil {
			errs = append(errs, eval.FileError{File: file, Role: "pred", Message: "stored card JSON: " + err.Error()})
			continue
		}
		preds = append(preds, eval.LoadedCard{ID: g.ID, File: file, Card: &card, Provenance: eval.Provenance{
			Provider: sc.Provider, Model: sc.Model, Prompt: promptLabel(sc.PromptName, sc.PromptVersion)}})
	}
	return preds, errs, "store", nil
}

// runMissing makes, with the pipeline, the cards of the gold cards that have
// no prediction yet. A card that cannot be made is an error of its gold
// file; the others are still made.
func (a *app) runMissing(ctx context.Context, st *store.Store, mf modelFlags, ff fetchFlags, gold, preds []eval.LoadedCard) (
	[]eval.LoadedCard, []eval.FileError, error) {
	have := make(map[string]bool, len(preds))
	for _, p := range preds {
		have[p.ID] = true
	}
	var todo []eval.LoadedCard
	for _, g := range gold {
		if !have[g.ID] {
			todo = append(todo, g)
		}
	}
	if len(todo) == 0 {
		return nil, nil, nil
	}
	fetcher, err := ff.newFetcher()
	if err != nil {
		return nil, nil, err
	}
	m, err := a.selectModel(ctx, mf, st)
	if err != nil {
		return nil, nil, err
	}
	runner := &pipeline.Runner{Loader: &pipeline.Loader{Store: st, Fetcher: fetcher}, Model: m, Store: st}
	var made []eval.LoadedCard
	var errs []eval.FileError
	for _, g := range todo {
		out, err := runGold(ctx, runner, st, g)
		if err != nil && ctx.Err() != nil {
			// Interrupted: the other cards would only fail the same way,
			// and a report of them would score the interruption.
			return nil, nil, fmt.Errorf("interrupted at %s; %d of %d missing cards made and stored, nothing scored",
				g.File, len(made), len(todo))
		}
		if err != nil {
			errs = append(errs, eval.FileError{File: g.File, Role: "run", Message: err.Error()})
			continue
		}
		p := out.Provenance
		made = append(made, eval.LoadedCard{ID: g.ID, File: fmt.Sprintf("store:%s@v%d", out.Document.ID, out.Version),
			Card: &out.Card, Provenance: eval.Provenance{Provider: p.Provider, Model: p.Model,
				Prompt: promptLabel(p.PromptName, p.PromptVersion)}})
	}
	fmt.Fprintf(a.stderr, "eval --run: made %d of %d missing cards\n", len(made), len(todo))
	return made, errs, nil
}

// runGold makes and stores the card of a gold card's page: the page in the
// store if it is there, else the page file beside the gold card, else the
// page fetched from its URL.
func runGold(ctx context.Context, runner *pipeline.Runner, st *store.Store, g eval.LoadedCard) (pipeline.Outcome, error) {
	canonical, err := schema.CanonicalURL(g.Card.URL)
	if err != nil {
		return pipeline.Outcome{}, fmt.Errorf("gold card URL: %w", err)
	}
	_, err = st.GetDocument(ctx, canonical)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := storePageBeside(ctx, st, g.File, g.Card.URL, canonical); err != nil {
			return pipeline.Outcome{}, err
		}
	case err != nil:
		return pipeline.Outcome{}, err
	}
	return runner.Run(ctx, g.Card.URL)
}

// pageFiles are the page files a gold card may have beside it (the layout
// of ../shared/gold/pairs/<id>/), in order of preference.
func pageFiles() []string { return []string{"article.txt", "page.html"} }

// storePageBeside stores, under the gold card's URL, the page file beside
// the gold card, with the title and language of page.json; it does nothing
// when there is no page file.
func storePageBeside(ctx context.Context, st *store.Store, goldFile, rawURL, canonical string) error {
	dir := filepath.Dir(goldFile)
	for _, name := range pageFiles() {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		page, err := pipeline.ReadFile(path, pipeline.DefaultMaxBodyBytes)
		if err != nil {
			return err
		}
		page.URL, page.FinalURL = rawURL, rawURL
		doc, err := pipeline.DocumentFromPage(page)
		if err != nil {
			return fmt.Errorf("page %s: %w", path, err)
		}
		doc.CanonicalURL, doc.ID = canonical, schema.DocumentID(canonical)
		if err := readPageJSON(filepath.Join(dir, "page.json"), &doc.Metadata); err != nil {
			return err
		}
		return st.SaveDocument(ctx, doc)
	}
	return nil
}

// readPageJSON fills the title and language of md from a gold pair's
// page.json, when there is one.
func readPageJSON(path string, md *schema.Metadata) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var pj struct {
		Title string `json:"title"`
		Lang  string `json:"lang"`
	}
	if err := json.Unmarshal(data, &pj); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if pj.Title != "" {
		md.Title = pj.Title
	}
	if pj.Lang != "" {
		md.Lang = pj.Lang
	}
	return nil
}

func promptLabel(name, version string) string {
	if version == "" {
		return name
	}
	return name + "@" + version
}

// writeReportFiles writes the JSON and HTML reports asked for.
func writeReportFiles(r *eval.Report, o evalOptions) error {
	outputs := []struct {
		path  string
		write func(*bytes.Buffer) error
	}{
		{o.jsonFile, func(b *bytes.Buffer) error { return eval.WriteJSON(b, r) }},
		{o.htmlFile, func(b *bytes.Buffer) error { return eval.WriteHTML(b, r) }},
	}
	for _, out := range outputs {
		if out.path == "" {
			continue
		}
		var b bytes.Buffer
		if err := out.write(&b); err != nil {
			return err
		}
		if err := writeFileAtomic(out.path, func(w io.Writer) error {
			_, err := w.Write(b.Bytes())
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// saveEvalRun stores the run with its section and card scores.
func saveEvalRun(ctx context.Context, st *store.Store, r *eval.Report) (int64, error) {
	var js bytes.Buffer
	if err := eval.WriteJSON(&js, r); err != nil {
		return 0, err
	}
	run := store.EvalRun{
		Gold: r.Gold, Predictions: r.Predictions,
		Provider: r.Provenance.Provider, Model: r.Provenance.Model, Prompt: r.Provenance.Prompt,
		Cards: r.Counts.Scored, Missing: r.Counts.Missing, Errors: r.Counts.Errors,
		Overall: r.Overall, ReportJSON: js.String(),
	}
	for _, s := range r.Sections {
		sec := store.EvalSection{Section: s.Section, Cards: s.Cards}
		if !s.NA {
			score := s.Score
			sec.Score = &score
		}
		run.Sections = append(run.Sections, sec)
	}
	for _, c := range r.Cards {
		run.CardScores = append(run.CardScores, store.EvalCard{Card: c.ID, GoldFile: c.GoldFile, PredFile: c.PredFile, Overall: c.Overall})
	}
	return st.SaveEvalRun(ctx, run)
}

// evalHistory lists the stored eval runs, newest first.
func (a *app) evalHistory(ctx context.Context, o evalOptions) error {
	st, err := a.openExistingStore(ctx, o.db)
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
