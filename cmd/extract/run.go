package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/veille/veille/export"
	"github.com/veille/veille/pipeline"
	"github.com/veille/veille/pipeline/fetch"
	"github.com/veille/veille/pipeline/ground"
	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/llm/provider"
	"github.com/veille/veille/pipeline/retry"
	"github.com/veille/veille/schema"
)

// modelFlags are the flags that choose and tune the model; extract run and
// extract batch share them.
type modelFlags struct {
	provider       string
	model          string
	sectioned      bool
	noCache        bool
	timeout        time.Duration
	maxAttempts    int
	maxInputTokens int
	// priceIn and priceOut are USD per million tokens; negative: not given.
	priceIn, priceOut float64
}

// addModelFlags registers the model flags on c.
func addModelFlags(c *cobra.Command, f *modelFlags) {
	c.Flags().StringVar(&f.provider, "provider", provider.Auto,
		"model provider: "+strings.Join(provider.Names, ", "))
	c.Flags().StringVar(&f.model, "model", "", "model name (default $"+provider.EnvExtractModel+"; gpt-4o-mini for openai)")
	c.Flags().BoolVar(&f.sectioned, "sectioned", false, "one request per card section (for small local models)")
	c.Flags().BoolVar(&f.noCache, "no-cache", false, "bypass the response cache")
	c.Flags().DurationVar(&f.timeout, "timeout", retry.DefaultPolicy().Timeout, "time limit of one model request")
	c.Flags().IntVar(&f.maxAttempts, "max-attempts", retry.DefaultPolicy().MaxAttempts, "requests tried before giving up on a model call")
	c.Flags().IntVar(&f.maxInputTokens, "max-input-tokens", llm.DefaultMaxInputTokens, "page-text budget of one request; longer texts are split")
	c.Flags().Float64Var(&f.priceIn, "price-in", -1, "price in `USD` per million prompt tokens (default: the provider's list price; 0 for a local or compatible server)")
	c.Flags().Float64Var(&f.priceOut, "price-out", -1, "price in `USD` per million answer tokens (default as --price-in)")
}

// price is the price the flags give, or nil to use the list prices.
func (f modelFlags) price() *llm.Price {
	if f.priceIn < 0 && f.priceOut < 0 {
		return nil
	}
	return &llm.Price{Input: max(f.priceIn, 0), Output: max(f.priceOut, 0)}
}

// check rejects model flag values that make no sense, naming the flag, so
// that a command fails before it opens the store or fetches anything.
func (f modelFlags) check() error {
	switch {
	case !slices.Contains(provider.Names, f.provider):
		return usageError{fmt.Errorf("--provider %q: want one of %s", f.provider, strings.Join(provider.Names, ", "))}
	case f.maxAttempts < 1:
		return usageError{fmt.Errorf("--max-attempts %d: must be at least 1", f.maxAttempts)}
	case f.timeout <= 0:
		return usageError{fmt.Errorf("--timeout %s: must be positive", f.timeout)}
	case f.maxInputTokens < 1:
		return usageError{fmt.Errorf("--max-input-tokens %d: must be positive", f.maxInputTokens)}
	case math.IsNaN(f.priceIn) || math.IsInf(f.priceIn, 0) || f.priceIn > 1e6 || (f.priceIn < 0 && f.priceIn != -1):
		return usageError{fmt.Errorf("--price-in %v: want a price in USD per million tokens", f.priceIn)}
	case math.IsNaN(f.priceOut) || math.IsInf(f.priceOut, 0) || f.priceOut > 1e6 || (f.priceOut < 0 && f.priceOut != -1):
		return usageError{fmt.Errorf("--price-out %v: want a price in USD per million tokens", f.priceOut)}
	}
	return nil
}

// selectModel builds the model the flags name, printing the offline
// fallback notice on stderr.
func (a *app) selectModel(ctx context.Context, f modelFlags, st Database) (llm.Model, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	retry := retry.DefaultPolicy()
	retry.MaxAttempts, retry.Timeout = f.maxAttempts, f.timeout
	opts := llm.ChatOptions{Retry: retry, Sectioned: f.sectioned, MaxInputTokens: f.maxInputTokens, Price: f.price(),
		Logger: slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if !f.noCache && st != nil {
		opts.Cache = st
	}
	m, notice, err := provider.Select(ctx, provider.Config{Provider: f.provider, Model: f.model,
		Getenv: a.getenv, Chat: opts})
	if err != nil {
		return nil, err
	}
	if notice != "" {
		fmt.Fprintln(a.stderr, "extract: "+notice)
	}
	return m, nil
}

// groundingFlags are what run and batch require of a card's evidence.
type groundingFlags struct {
	strict      bool    // --strict-grounding
	minGrounded float64 // --min-grounded
}

func addGroundingFlags(c *cobra.Command, g *groundingFlags) {
	c.Flags().BoolVar(&g.strict, "strict-grounding", false, "drop rows whose evidence is not found in the page text")
	c.Flags().Float64Var(&g.minGrounded, "min-grounded", 0,
		"refuse a card unless this `SHARE` of its rows (0 to 1) quote the page: the card is not stored and fails with cause \"ungrounded\"")
}

// check rejects a share that is not between 0 and 1.
func (g groundingFlags) check() error {
	if !(g.minGrounded >= 0 && g.minGrounded <= 1) { // NaN too
		return usageError{fmt.Errorf("--min-grounded %v: want a share from 0 to 1", g.minGrounded)}
	}
	return nil
}

// runnerConfig is what a card-making command sets beyond its model flags.
type runnerConfig struct {
	lang      string // --lang
	refresh   bool   // --refresh
	grounding groundingFlags
	limits    llm.Limits // batch: model slots and rate limits (zero: none)
}

// newRunner builds the card pipeline of run, batch and eval --run: the
// model chosen by the model flags (behind rc.limits), fetched pages and
// cards kept in st.
func (a *app) newRunner(ctx context.Context, st Database, mf modelFlags, fetcher *fetch.Fetcher, rc runnerConfig) (
	*pipeline.Runner, error) {
	m, err := a.selectModel(ctx, mf, st)
	if err != nil {
		return nil, err
	}
	if rc.limits != (llm.Limits{}) {
		m = llm.NewLimitedModel(m, rc.limits)
	}
	return &pipeline.Runner{Loader: &pipeline.Loader{Store: st, Fetcher: fetcher}, Model: m, Store: st,
		OutputLang: rc.lang, StrictGrounding: rc.grounding.strict, MinGrounded: rc.grounding.minGrounded,
		Refresh: rc.refresh}, nil
}

func (a *app) runCommand() *cobra.Command {
	var (
		mf              modelFlags
		ff              fetchFlags
		dbPath, outDir  string
		lang            string
		asJSON, refresh bool
		gf              groundingFlags
	)
	c := &cobra.Command{
		Use:   "run URL|FILE...",
		Short: "Make the signal card of each page: fetch, ask the model, validate, ground, store, print",
		Long: `Make the signal card of each page: fetch it (or read it from the store), ask
the model, validate and ground its answer, store the card with its provenance,
and print it in the gold markdown layout (or as JSON with --json).

The model is chosen by --provider (default auto: OpenAI when OPENAI_API_KEY is
set, else an Ollama server at OLLAMA_HOST, else the offline baseline). A tally
of grounded rows goes to stderr; stdout carries only the cards.`,
		Args: minArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			for _, check := range []func() error{mf.check, ff.check, gf.check} {
				if err := check(); err != nil {
					return fmt.Errorf("run: %w", err)
				}
			}
			if outDir != "" {
				if err := os.MkdirAll(outDir, 0o755); err != nil {
					return fmt.Errorf("run: -o %s: %w", outDir, unwrapPath(err))
				}
				if err := export.CheckWritableDir(outDir); err != nil {
					return fmt.Errorf("run: -o %s: %w", outDir, err)
				}
			}
			fetcher, err := ff.newFetcher()
			if err != nil {
				return err
			}
			st, err := a.openStore(ctx, dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			r, err := a.newRunner(ctx, st, mf, fetcher, runnerConfig{lang: lang, grounding: gf, refresh: refresh})
			if err != nil {
				return err
			}
			return a.runInputs(ctx, r, args, outDir, asJSON)
		},
	}
	addDBFlag(c, &dbPath)
	addModelFlags(c, &mf)
	addFetchFlags(c, &ff)
	c.Flags().StringVar(&lang, "lang", "", "write the card in this language (default: the page's)")
	c.Flags().StringVarP(&outDir, "output", "o", "", "also write each card to `DIR`/<id>.md")
	c.Flags().BoolVar(&asJSON, "json", false, "print each card as one JSON object a line, with provenance and grounding")
	c.Flags().BoolVar(&refresh, "refresh", false, "fetch URLs again even when the store has them")
	addGroundingFlags(c, &gf)
	return c
}

// runOutput is one card as printed by --json.
type runOutput struct {
	ID         string            `json:"id"`
	Version    int               `json:"version"`
	Card       any               `json:"card"`
	Provenance schema.Provenance `json:"provenance"`
	Grounding  []schema.Span     `json:"grounding"`
	Published  time.Time         `json:"published"`
	// FoundIn lists the list files, digests and feeds that brought the
	// document, with their tags (show only).
	FoundIn []schema.Mention `json:"found_in,omitempty"`
}

// runInputs runs every input, printing each card as it is made; it goes on
// after a failure and reports how many failed.
func (a *app) runInputs(ctx context.Context, r *pipeline.Runner, inputs []string, outDir string, asJSON bool) error {
	var tally ground.Tally
	failed := 0
	for i, input := range inputs {
		out, err := r.Run(ctx, input)
		if err != nil && len(inputs) == 1 {
			return err // the one line main prints says it all
		}
		if err != nil && ctx.Err() != nil {
			// Interrupted: the other inputs would only fail the same way.
			return fmt.Errorf("run: interrupted at %s; %d of %d inputs done", input, i-failed, len(inputs))
		}
		if err != nil {
			fmt.Fprintln(a.stderr, "extract: "+err.Error())
			failed++
			continue
		}
		tally = tally.Add(out.Tally)
		if err := a.printCard(out, i, asJSON); err != nil {
			return err
		}
		if outDir != "" {
			path := filepath.Join(outDir, out.Document.ID+".md")
			if err := export.WriteFileAtomic(path, func(w io.Writer) error {
				_, err := io.WriteString(w, out.Markdown)
				return err
			}); err != nil {
				return err
			}
		}
	}
	if len(inputs) > failed {
		dropped := ""
		if r.StrictGrounding {
			dropped = fmt.Sprintf(" (%d dropped)", tally.Ungrounded)
		}
		fmt.Fprintf(a.stderr, "grounding: %d rows, %d grounded, %d ungrounded%s\n", tally.Rows, tally.Grounded, tally.Ungrounded, dropped)
	}
	if failed > 0 {
		return fmt.Errorf("run: %d of %d inputs failed", failed, len(inputs))
	}
	return nil
}

func (a *app) printCard(out pipeline.Outcome, i int, asJSON bool) error {
	if asJSON {
		b, err := json.Marshal(runOutput{ID: out.Document.ID, Version: out.Version, Card: out.Card,
			Provenance: out.Provenance, Grounding: out.Spans, Published: out.Document.Published()})
		if err != nil {
			return fmt.Errorf("encode card: %w", err)
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", b)
		return err
	}
	if i > 0 {
		fmt.Fprintln(a.stdout)
	}
	_, err := fmt.Fprintln(a.stdout, out.Markdown)
	return err
}
