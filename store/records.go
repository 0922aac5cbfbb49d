package store

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/veille/veille/schema"
)

// This file holds what every backend checks and encodes the same way.

// CheckDocument refuses documents that would make a half-useful row: no
// canonical URL, an ID that is not its canonical URL's, no text.
func CheckDocument(doc schema.Document) error {
	switch {
	case doc.CanonicalURL == "":
		return errors.New("no canonical URL")
	case doc.ID != schema.DocumentID(doc.CanonicalURL):
		return fmt.Errorf("ID %q is not the ID of its canonical URL", doc.ID)
	case doc.Text == "":
		return errors.New("no extracted text")
	}
	return nil
}

// CheckEmbedding refuses vectors no similarity can be computed with: no
// model, no component, or one that is NaN or infinite.
func CheckEmbedding(e schema.Embedding) error {
	if e.Model == "" {
		return errors.New("no model")
	}
	if len(e.Vector) == 0 {
		return errors.New("empty vector")
	}
	for i, x := range e.Vector {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("component %d is %v", i, x)
		}
	}
	return nil
}

// Gzip compresses a document's body as the backends keep it.
func Gzip(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Gunzip reads a body written by [Gzip].
func Gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(zr)
}

// Migration is one numbered SQL file of a backend's migrations,
// NNNN_name.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads the migrations in directory dir of fsys (a
// backend's embedded files), ordered by version; two files of one version
// are an error.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a version number", e.Name())
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share a version", ms[i-1].Name, ms[i].Name)
		}
	}
	return ms, nil
}

// SpansToStore are the span rows a backend writes for card c: none when
// they are derived from the card (see [schema.DerivedSpans]).
func SpansToStore(c schema.NewCard) []schema.Span {
	if c.Decoded != nil && schema.DerivedSpans(c.Spans, c.Decoded.Answer) {
		return nil
	}
	return c.Spans
}

// DerivedSpans are the spans of a card stored without span rows: the
// [schema.UngroundedSpans] of its JSON when it counts rows (rowsTotal),
// else none.
func DerivedSpans(cardJSON string, rowsTotal int) ([]schema.Span, error) {
	if rowsTotal == 0 {
		return nil, nil
	}
	card, err := schema.StoredCard{NewCard: schema.NewCard{CardJSON: cardJSON}}.Card()
	if err != nil {
		return nil, err
	}
	return schema.UngroundedSpans(card.Answer), nil
}
