// Package export writes stored cards in the formats of extract export:
// markdown files, a JSON array, JSON lines, or a CSV of every table's rows.
package export

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
)

// Format is an export format.
type Format string

// The export formats.
const (
	// Markdown is the gold layout: one <id>.md file per card, or the cards
	// one after the other, a blank line between them.
	Markdown Format = "md"
	// JSON is one JSON array of [Card] values.
	JSON Format = "json"
	// JSONLines is one [Card] a line.
	JSONLines Format = "jsonl"
	// RowsCSV is one line per row of every table of every card (weak
	// signals, concerns, behaviors, technologies, issues), with its card's
	// ID, title, URL, date, provider, category, type, keywords, themes and
	// grounded share.
	RowsCSV Format = "csv"
)

// Formats returns the export formats, in the order the help lists them.
func Formats() []Format { return []Format{Markdown, JSON, JSONLines, RowsCSV} }

// FileName is the name of the one file a format other than [Markdown]
// writes in a directory.
func (f Format) FileName() string {
	switch f {
	case JSON:
		return "cards.json"
	case JSONLines:
		return "cards.jsonl"
	case RowsCSV:
		return "rows.csv"
	}
	return ""
}

// Card is a card as written by the [JSON] and [JSONLines] formats: its ID
// (the document's, the gold file name), version, creation time, date,
// provenance and grounding, then the card's own fields. `extract import`
// reads it back, date included.
type Card struct {
	ID         string            `json:"id"`
	Version    int               `json:"version"`
	CreatedAt  time.Time         `json:"created_at"`
	Published  time.Time         `json:"published"`
	Provenance schema.Provenance `json:"provenance"`
	Grounding  Grounding         `json:"grounding"`
	schema.Card
}

// Grounding is how many of a card's rows quote their page.
type Grounding struct {
	Rows     int `json:"rows"`
	Grounded int `json:"grounded"`
	// Share is Grounded/Rows, 0 for a card without rows.
	Share float64 `json:"share"`
}

// Write writes cards to w in format, as one stream.
func Write(w io.Writer, cards []schema.StoredCard, format Format) error {
	cards = newestFirst(cards)
	switch format {
	case Markdown:
		return writeMarkdown(w, cards)
	case RowsCSV:
		return writeRowsCSV(w, cards)
	case JSON, JSONLines:
		return writeJSON(w, cards, format)
	}
	return fmt.Errorf("export format %q: want one of md, json, jsonl, csv", format)
}

// WriteDir writes cards in format to files in dir, which it creates if
// needed: one <id>.md file per card for [Markdown], else the one file
// named by [Format.FileName]. Each file is written by [WriteFileAtomic].
func WriteDir(dir string, cards []schema.StoredCard, format Format) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if format == Markdown {
		return writeMarkdownFiles(dir, cards)
	}
	if format.FileName() == "" {
		return fmt.Errorf("export format %q: want one of md, json, jsonl, csv", format)
	}
	return WriteFileAtomic(filepath.Join(dir, format.FileName()), func(w io.Writer) error {
		return Write(w, cards, format)
	})
}

// writeMarkdown writes the cards one after the other, a blank line between
// them, and a newline after the last.
func writeMarkdown(w io.Writer, cards []schema.StoredCard) error {
	for i, c := range cards {
		sep := "\n\n"
		if i == len(cards)-1 {
			sep = "\n"
		}
		if _, err := io.WriteString(w, markdown.Stored(c)+sep); err != nil {
			return err
		}
	}
	return nil
}

// writeMarkdownFiles writes one <id>.md file per card in dir.
func writeMarkdownFiles(dir string, cards []schema.StoredCard) error {
	for _, c := range cards {
		path := filepath.Join(dir, c.DocumentID+".md")
		if err := WriteFileAtomic(path, func(w io.Writer) error {
			_, err := io.WriteString(w, markdown.Stored(c))
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// writeJSON writes the cards as one indented JSON array or as JSON lines.
func writeJSON(w io.Writer, cards []schema.StoredCard, format Format) error {
	exported, err := exportedCards(cards)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	if format == JSON {
		enc.SetIndent("", "  ")
		return enc.Encode(exported)
	}
	for _, e := range exported {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}

// storedCardDecoder decodes the cards of the store, which may have been
// stored by a version of the card with other fields.
var storedCardDecoder = schema.CardDecoder{AllowUnknownFields: true}

// exportedCards decodes the stored cards.
func exportedCards(cards []schema.StoredCard) ([]Card, error) {
	out := make([]Card, 0, len(cards))
	for _, c := range cards {
		card, err := storedCardDecoder.Decode([]byte(c.CardJSON))
		if err != nil {
			return nil, fmt.Errorf("card %s: %w", c.DocumentID, err)
		}
		g := Grounding{Rows: c.RowsTotal, Grounded: c.RowsGrounded}
		if g.Rows > 0 {
			g.Share = float64(g.Grounded) / float64(g.Rows)
		}
		out = append(out, Card{ID: c.DocumentID, Version: c.Version, CreatedAt: c.CreatedAt, Published: c.Published,
			Provenance: c.Provenance, Grounding: g, Card: card})
	}
	return out, nil
}

// newestFirst is cards ordered by date, the newest first (ties by ID), as
// `extract list` lists them.
func newestFirst(cards []schema.StoredCard) []schema.StoredCard {
	out := slices.Clone(cards)
	slices.SortStableFunc(out, func(a, b schema.StoredCard) int {
		return cmp.Or(b.Published.Compare(a.Published), cmp.Compare(a.DocumentID, b.DocumentID))
	})
	return out
}
