package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/veille/veille/pipeline/llm/provider"
	"github.com/veille/veille/pipeline/related"
)

func (a *app) relatedCommand() *cobra.Command {
	var (
		dbPath, embedModel string
		limit              int
		asJSON             bool
	)
	c := &cobra.Command{
		Use:   "related ID|URL",
		Short: "List the cards closest to a card: by embeddings when a model is configured, else by their words",
		Long: `List the stored cards closest to one card, best first, never the card itself.

With an embeddings model — OPENAI_API_KEY (text-embedding-3-small unless
--embed-model or EXTRACT_EMBED_MODEL names another), or an Ollama server with
--embed-model or EXTRACT_EMBED_MODEL set (e.g. nomic-embed-text) — cards are
ranked by the cosine similarity of their embeddings; each card is embedded
once, and its vector kept in the store. Without one, they are ranked by
their words (BM25 over the full-text index), which works offline.`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			if limit < 1 || limit > 1000 {
				return usageError{fmt.Errorf("related: --limit %d: want 1 to 1000", limit)}
			}
			st, err := a.openCollection(ctx, dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			card, err := storedCard(ctx, st, args[0])
			if err != nil {
				return err
			}
			emb, notice, err := provider.SelectEmbedder(ctx, provider.EmbedConfig{Model: embedModel, Getenv: a.getenv})
			if err != nil {
				return fmt.Errorf("related: %w", err)
			}
			if notice != "" {
				fmt.Fprintln(a.stderr, "extract: "+notice)
			}
			hits, err := related.Find(ctx, st, emb, card, limit)
			if err != nil {
				return fmt.Errorf("related %s: %w", args[0], err)
			}
			if asJSON {
				return writeJSONLines(a.stdout, hits)
			}
			return writeRelated(a.stdout, hits)
		},
	}
	addDBFlag(c, &dbPath)
	c.Flags().IntVar(&limit, "limit", 10, "at most `N` cards")
	c.Flags().BoolVar(&asJSON, "json", false, "print one JSON object a line: id, url, title, published, score")
	c.Flags().StringVar(&embedModel, "embed-model", "", "embeddings `MODEL` (default $"+provider.EnvEmbedModel+")")
	return c
}

// writeRelated writes one line a card: score, date, title, ID.
func writeRelated(w io.Writer, hits []related.Hit) error {
	var b strings.Builder
	for _, h := range hits {
		fmt.Fprintf(&b, "%8.3g  %s  %-60s  %s\n", h.Score, h.Published.Format("2006-01-02"),
			clipRunes(terminalSafe(h.Title), 60), h.ID)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
