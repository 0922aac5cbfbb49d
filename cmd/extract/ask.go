package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/veille/veille/pipeline/ask"
	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/llm/provider"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/web"
)

func (a *app) askCommand() *cobra.Command {
	var (
		dbPath, since, embedModel string
		limit                     int
		asJSON                    bool
		mf                        modelFlags
	)
	c := &cobra.Command{
		Use:   "ask QUESTION",
		Short: "Answer a question from the collection, citing the cards; without a model, list the closest cards and their rows",
		Long: `Answer a question from the stored cards. The cards closest to the question are
retrieved by their words (full-text search) and, when an embeddings model is
configured (as for related), by the similarity of their embeddings too, the
two rankings fused. With a model (chosen as for run), one request asks it to
answer from these cards only and to cite them by id; citations of other cards
are refused (one repair round, then dropped), and the cards' text is given as
data, never as instructions. Without a model, the ranked cards and their
rows that hold the question's words are printed.`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			question := args[0]
			if err := ask.CheckQuestion(question); err != nil {
				return usageError{fmt.Errorf("ask: %w", err)}
			}
			if limit < 1 || limit > 50 {
				return usageError{fmt.Errorf("ask: --limit %d: want 1 to 50", limit)}
			}
			from, err := parseWhen(since, time.Now())
			if err != nil {
				return usageError{fmt.Errorf("ask: --since %q: %w", since, err)}
			}
			if err := mf.check(); err != nil {
				return fmt.Errorf("ask: %w", err)
			}
			st, err := a.openCollection(ctx, dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := checkNotEmpty(ctx, st, "ask"); err != nil {
				return err
			}
			q, err := a.newAsker(ctx, st, mf, embedModel)
			if err != nil {
				return err
			}
			ans, err := q.ask(ctx, question, ask.Options{Since: from, Limit: limit})
			if err != nil {
				return err
			}
			if asJSON {
				return a.writeJSON(askJSON(ans))
			}
			return a.writeAnswer(ans, q.model != nil)
		},
	}
	addDBFlag(c, &dbPath)
	addAnswerModelFlags(c, &mf)
	c.Flags().StringVar(&since, "since", "", "only cards published on or after `DATE` (YYYY-MM-DD, RFC 3339, or a duration back from now: 7d, 12h)")
	c.Flags().IntVar(&limit, "limit", ask.DefaultLimit, "retrieve at most `N` cards (1 to 50)")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object: question, answer, cards (id, url, title, score, cited, rows)")
	c.Flags().StringVar(&embedModel, "embed-model", "", "embeddings `MODEL` (default $"+provider.EnvEmbedModel+")")
	return c
}

// checkNotEmpty says plainly that the collection has no card yet.
func checkNotEmpty(ctx context.Context, st Database, cmd string) error {
	n, err := st.CountCards(ctx, schema.CardFilter{})
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: the collection has no cards yet (extract run, batch or import adds some)", cmd)
	}
	return nil
}

// asker answers questions for ask and serve: the store, the embeddings
// model (nil: words only) and the model (nil: no answer, the ranked
// cards only).
type asker struct {
	st     Database
	emb    llm.Embedder
	model  ask.Model
	stderr io.Writer
}

// newAsker chooses the model and the embeddings model as run and related
// do, telling on stderr how questions will be answered.
func (a *app) newAsker(ctx context.Context, st Database, mf modelFlags, embedModel string) (*asker, error) {
	m, err := a.selectModel(ctx, mf, st)
	if err != nil {
		return nil, err
	}
	emb, _, err := provider.SelectEmbedder(ctx, provider.EmbedConfig{Model: embedModel, Getenv: a.getenv})
	if err != nil {
		return nil, err
	}
	q := &asker{st: st, emb: emb, stderr: a.stderr}
	if am, ok := m.(ask.Model); ok {
		q.model = am
	} else {
		fmt.Fprintln(a.stderr, "extract: ask: no model to answer: the cards closest to the question are listed, best first")
	}
	return q, nil
}

// ask retrieves the cards for question and, with a model, answers it.
func (q *asker) ask(ctx context.Context, question string, opts ask.Options) (ask.Answer, error) {
	opts.Embedder = q.emb
	cards, err := ask.Retrieve(ctx, q.st, question, opts)
	if err != nil {
		return ask.Answer{}, fmt.Errorf("ask: %w", err)
	}
	if q.model == nil {
		return ask.Answer{Question: question, Cards: cards}, nil
	}
	ans, err := ask.Ask(ctx, q.model, question, cards)
	if err != nil {
		return ask.Answer{}, err
	}
	if len(ans.Dropped) > 0 {
		fmt.Fprintf(q.stderr, "extract: ask: citations of cards not retrieved dropped: %s\n", strings.Join(ans.Dropped, ", "))
	}
	if p := ans.Provenance; p.Provider != "" {
		cached := ""
		if p.Cached {
			cached = " (from the response cache)"
		}
		fmt.Fprintf(q.stderr, "model: %s %s, %d request(s)%s; tokens %d in, %d out; estimated cost %.4f USD\n",
			p.Provider, p.Model, p.Requests, cached, p.InputTokens, p.OutputTokens, p.CostUSD)
	}
	return ans, nil
}

// askCard is one card as ask --json prints it.
type askCard struct {
	ID    string    `json:"id"`
	URL   string    `json:"url"`
	Title string    `json:"title"`
	Score float64   `json:"score"`
	Cited bool      `json:"cited"`
	Rows  []ask.Row `json:"rows"`
}

// askOutput is what ask --json prints.
type askOutput struct {
	Question string    `json:"question"`
	Answer   string    `json:"answer"`
	Cards    []askCard `json:"cards"`
}

func askJSON(a ask.Answer) askOutput {
	out := askOutput{Question: a.Question, Answer: a.Text, Cards: []askCard{}}
	for _, c := range a.Cards {
		rows := c.Rows
		if rows == nil {
			rows = []ask.Row{}
		}
		out.Cards = append(out.Cards, askCard{ID: c.ID, URL: c.URL, Title: c.Title, Score: c.Score, Cited: c.Cited, Rows: rows})
	}
	return out
}

// writeAnswer prints the answer, then the cards: those cited, then the
// others retrieved, each with its best rows.
func (a *app) writeAnswer(ans ask.Answer, withModel bool) error {
	var b strings.Builder
	if len(ans.Cards) == 0 {
		fmt.Fprintf(a.stderr, "ask: no card matches %q\n", clipRunes(terminalSafe(ans.Question), 80))
	}
	if withModel {
		fmt.Fprintf(&b, "%s\n", terminalText(ans.Text))
	}
	for _, cited := range []bool{true, false} {
		var list []ask.Card
		for _, c := range ans.Cards {
			if c.Cited == cited {
				list = append(list, c)
			}
		}
		if len(list) == 0 {
			continue
		}
		if withModel {
			heading := "\nCited cards:\n"
			if !cited {
				heading = "\nOther cards retrieved:\n"
			}
			b.WriteString(heading)
		}
		for _, c := range list {
			fmt.Fprintf(&b, "%.4f  %s  %s  %s\n        %s\n", c.Score, c.Published.Format("2006-01-02"),
				clipRunes(terminalSafe(c.Title), 70), c.ID, terminalSafe(c.URL))
			for _, r := range c.Rows {
				fmt.Fprintf(&b, "        %s: %s — %s\n", r.Table, terminalSafe(r.Name), clipRunes(terminalSafe(r.Description), 120))
			}
		}
	}
	_, err := io.WriteString(a.stdout, b.String())
	return err
}

// terminalText is a model's text for the terminal: its line breaks kept,
// control characters dropped.
func terminalText(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = terminalSafe(l)
	}
	return strings.Join(lines, "\n")
}

// webAsker answers the questions of the /ask page of serve.
type webAsker struct{ q *asker }

func (w webAsker) Ask(ctx context.Context, question string) (web.Answer, error) {
	if err := ask.CheckQuestion(question); err != nil {
		return web.Answer{}, fmt.Errorf("%w: %v", web.ErrBadQuestion, err)
	}
	ans, err := w.q.ask(ctx, question, ask.Options{})
	if err != nil {
		return web.Answer{}, err
	}
	out := web.Answer{Text: ans.Text}
	if p := ans.Provenance; p.Provider != "" {
		out.Model = p.Provider + " " + p.Model
	}
	for _, c := range ans.Cards {
		wc := web.AnswerCard{ID: c.ID, URL: c.URL, Title: c.Title, Published: c.Published, Score: c.Score, Cited: c.Cited}
		for _, r := range c.Rows {
			wc.Rows = append(wc.Rows, web.AnswerRow{Table: r.Table, Name: r.Name, Description: r.Description})
		}
		out.Cards = append(out.Cards, wc)
	}
	return out, nil
}

// addAnswerModelFlags registers the model flags of run that matter to the
// commands whose requests are not cards (ask, digest, serve): all but
// --sectioned and --max-input-tokens, which keep their defaults.
func addAnswerModelFlags(c *cobra.Command, f *modelFlags) {
	all := &cobra.Command{}
	addModelFlags(all, f)
	all.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Name != "sectioned" && fl.Name != "max-input-tokens" {
			c.Flags().AddFlag(fl)
		}
	})
}
