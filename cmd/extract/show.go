package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
)

func (a *app) showCommand() *cobra.Command {
	var (
		dbPath         string
		asJSON, source bool
	)
	c := &cobra.Command{
		Use:   "show ID|URL",
		Short: "Print a stored card as run printed it, without making a new one; --source shows the page with each row's evidence marked",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			st, err := a.openCollection(ctx, dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			card, err := storedCard(ctx, st, args[0])
			if err != nil {
				return err
			}
			if !source && !asJSON {
				_, err = fmt.Fprintln(a.stdout, markdown.Stored(card))
				return err
			}
			spans, err := st.CardSpans(ctx, card.ID)
			if err != nil {
				return fmt.Errorf("show %s: %w", args[0], err)
			}
			doc, err := st.GetDocumentByID(ctx, card.DocumentID)
			if err != nil {
				return fmt.Errorf("show %s: %w", args[0], err)
			}
			if source {
				return writeMarkedSource(a.stdout, doc.Text, spans)
			}
			mentions, err := st.Mentions(ctx, doc.CanonicalURL)
			if err != nil {
				return fmt.Errorf("show %s: %w", args[0], err)
			}
			return writeStoredJSON(a.stdout, card, spans, mentions)
		},
	}
	addDBFlag(c, &dbPath)
	c.Flags().BoolVar(&asJSON, "json", false, "print the card as run --json does (card, provenance, grounding, published), and where it was found (found_in)")
	c.Flags().BoolVar(&source, "source", false, "print the page text with each row's evidence between numbered marks")
	return c
}

// storedCard finds the newest card of a document ID or of a URL: the
// page's address, or the card's External link.
func storedCard(ctx context.Context, st Database, idOrURL string) (schema.StoredCard, error) {
	if isDocumentID(idOrURL) {
		card, err := st.LatestCard(ctx, idOrURL)
		return card, notFoundLine(idOrURL, err)
	}
	canonical, err := schema.CanonicalURL(idOrURL)
	if err != nil {
		return schema.StoredCard{}, fmt.Errorf("%s: neither a card ID nor a URL (%w)", idOrURL, err)
	}
	card, err := st.LatestCard(ctx, schema.DocumentID(canonical))
	for _, u := range []string{idOrURL, canonical} {
		if !errors.Is(err, schema.ErrNotFound) {
			break
		}
		card, err = st.LatestCardByURL(ctx, u)
	}
	return card, notFoundLine(idOrURL, err)
}

// notFoundLine turns a not-found error into the line the user reads.
func notFoundLine(what string, err error) error {
	if errors.Is(err, schema.ErrNotFound) {
		return fmt.Errorf("%s: no card in this database", what)
	}
	return err
}

// isDocumentID reports whether s looks like a document ID: 32 hex digits.
func isDocumentID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// writeStoredJSON prints a stored card as `run --json` prints a new one.
func writeStoredJSON(w io.Writer, c schema.StoredCard, spans []schema.Span, foundIn []schema.Mention) error {
	b, err := json.Marshal(runOutput{ID: c.DocumentID, Version: c.Version, Card: json.RawMessage(c.CardJSON),
		Provenance: c.Provenance, Grounding: spans, Published: c.Published, FoundIn: foundIn})
	if err != nil {
		return fmt.Errorf("encode card: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// writeMarkedSource prints text with each grounded row's evidence between
// "[N>" and "<N]", then a legend of the marks.
func writeMarkedSource(w io.Writer, text string, spans []schema.Span) error {
	type mark struct {
		at    int
		label string
	}
	var marks []mark
	var legend strings.Builder
	runes := []rune(text)
	n := 0
	for _, s := range spans {
		if !s.Grounded() || s.Start < 0 || s.End > len(runes) || s.Start >= s.End {
			continue
		}
		n++
		marks = append(marks, mark{s.Start, fmt.Sprintf("[%d>", n)}, mark{s.End, fmt.Sprintf("<%d]", n)})
		fmt.Fprintf(&legend, "[%d] %s #%d: %s (%s)\n", n, s.Section, s.Row+1, terminalSafe(s.Name), s.Method)
	}
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].at < marks[j].at })
	var b strings.Builder
	prev := 0
	for _, m := range marks {
		b.WriteString(string(runes[prev:m.at]))
		b.WriteString(m.label)
		prev = m.at
	}
	b.WriteString(string(runes[prev:]))
	b.WriteString("\n\n")
	b.WriteString(legend.String())
	_, err := io.WriteString(w, b.String())
	return err
}
