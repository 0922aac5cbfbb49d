package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/veille/veille/export"
	"github.com/veille/veille/pipeline/digest"
	"github.com/veille/veille/pipeline/trends"
)

func (a *app) digestCommand() *cobra.Command {
	var (
		dbPath, since, title, format, out string
		topics, notable                   int
		mf                                modelFlags
	)
	c := &cobra.Command{
		Use:   "digest",
		Short: "Write the digest of a period: the topics that recur across cards, each with a synthesis, then notable cards",
		Long: `Write the digest an analyst sends, in markdown or HTML: the topics that recur
across the period's cards — the clusters of rows that extract trends ranks,
carried by two sources or more, the most widely carried first — then the
notable cards that belong to none.

With a model (chosen as for run), one request per topic asks for a title, a
synthesis and implications from the topic's cards only, citing them by id;
a citation of another card gets one repair round, then the claim is dropped.
Answers are kept in the response cache, and the cost is shown on stderr.
Without a model, each topic shows its label, its most relevant rows and its
cards. --since 365d --title "2025 review" makes the yearly review.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			now := time.Now()
			from, err := parseWhen(since, now)
			if err != nil {
				return usageError{fmt.Errorf("digest: --since %q: %w", since, err)}
			}
			if !from.Before(now) {
				return usageError{fmt.Errorf("digest: --since %q: the period starts in the future", since)}
			}
			if format != "md" && format != "html" {
				return usageError{fmt.Errorf("digest: --format %q: want md or html", format)}
			}
			if topics < 1 || topics > 50 || notable < 0 || notable > 100 {
				return usageError{fmt.Errorf("digest: --topics %d, --notable %d: want 1 to 50 topics and 0 to 100 notable cards", topics, notable)}
			}
			if err := mf.check(); err != nil {
				return fmt.Errorf("digest: %w", err)
			}
			st, err := a.openCollection(ctx, dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := checkNotEmpty(ctx, st, "digest"); err != nil {
				return err
			}
			cards, err := digest.Load(ctx, st, from, time.Time{})
			if err != nil {
				return fmt.Errorf("digest: %w", err)
			}
			if len(cards) == 0 {
				return fmt.Errorf("digest: no card published since %s", from.Format(time.DateOnly))
			}
			groups, err := a.digestTopics(ctx, st, from, now, topics)
			if err != nil {
				return fmt.Errorf("digest: %w", err)
			}
			in := digest.Input{Title: title, Since: from, Until: now, Cards: len(cards), Topics: groups,
				Notable: digest.Notable(cards, groups, notable)}
			m, err := a.selectModel(ctx, mf, st)
			if err != nil {
				return err
			}
			d := digest.Extractive(in)
			if dm, ok := m.(digest.Model); ok {
				if d, err = digest.Synthesize(ctx, dm, in); err != nil {
					return err
				}
				for _, drop := range d.Dropped {
					fmt.Fprintf(a.stderr, "extract: digest: claim citing a card outside its topic dropped: %s\n", drop)
				}
				fmt.Fprintln(a.stderr, "digest: "+d.MadeBy())
			} else {
				fmt.Fprintln(a.stderr, "extract: digest: no model: an extractive digest (each topic's rows and cards)")
			}
			write := d.Markdown
			if format == "html" {
				write = d.HTML
			}
			if out == "" || out == "-" {
				return write(a.stdout)
			}
			if err := export.WriteFileAtomic(out, func(w io.Writer) error { return write(w) }); err != nil {
				return fmt.Errorf("digest: -o %s: %w", out, err)
			}
			return nil
		},
	}
	addDBFlag(c, &dbPath)
	addAnswerModelFlags(c, &mf)
	c.Flags().StringVar(&since, "since", "7d", "the period starts on `DATE` (YYYY-MM-DD, RFC 3339, or a duration back from now: 7d, 365d)")
	c.Flags().StringVar(&title, "title", "Digest", "the digest's `TITLE`")
	c.Flags().StringVar(&format, "format", "md", "md or html")
	c.Flags().StringVarP(&out, "output", "o", "", "write to `FILE` instead of stdout (written whole or not at all)")
	c.Flags().IntVar(&topics, "topics", 5, "at most `N` topics")
	c.Flags().IntVar(&notable, "notable", 5, "at most `N` notable cards")
	return c
}

// digestTopics clusters the collection's new rows as extract trends does
// (by embeddings when an embeddings model is configured, else by words),
// and returns the period's top clusters carried by two sources or more.
func (a *app) digestTopics(ctx context.Context, st Database, from, until time.Time, n int) ([]digest.Topic, error) {
	res, kept, err := a.clusterNewRows(ctx, st)
	if err != nil {
		return nil, err
	}
	a.sayClustered(st, res, kept)
	window := min(7*24*time.Hour, until.Sub(from))
	rep, err := trends.Report(ctx, st, res.Space, trends.Query{Since: from, Until: until, Window: window, MinSources: 2, Limit: n})
	if err != nil {
		return nil, err
	}
	return digest.Topics(rep.Trends), nil
}
