// Package importer reads signal cards from files for `extract import`:
// markdown cards in either layout ([markdown.Parse]) and JSON cards
// ([schema.CardDecoder]), as printed by `extract parse`, `extract run
// --json` or `extract export`. It hands each card, with its canonical URL,
// document ID, date and [schema.ProviderImported] provenance, to a [Store].
package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
)

// MaxFileSize caps the size of one markdown card file, and
// MaxJSONFileSize that of a JSON file, which may hold a whole exported
// collection; a larger file is a [FileError].
const (
	MaxFileSize     = 4 << 20
	MaxJSONFileSize = 512 << 20
)

// Store receives the imported cards. The SQLite store implements it; saving
// the same card twice must not make a new version.
type Store interface {
	// ImportCards saves each card as the newest version of its document's
	// card, unless that version holds the same card already, all in one
	// transaction. It returns, for each card, the stored card's ID and
	// version, and whether a version was added.
	ImportCards(ctx context.Context, cs []schema.NewCard) ([]schema.ImportResult, error)
}

// IndexDeferrer is a [Store] that can stop keeping up to date the indexes
// that only speed up reading, during a large import, and build them once
// at the end: much faster than entry by entry (the SQLite store).
type IndexDeferrer interface {
	// CountCards counts the cards that f keeps (all of them here).
	CountCards(ctx context.Context, f schema.CardFilter) (int, error)
	// DeferIndexes drops the indexes until BuildIndexes; the store builds
	// them when opened again if the import is cut off.
	DeferIndexes(ctx context.Context) error
	BuildIndexes(ctx context.Context) error
}

// batchSize is how many cards [Import] hands to the store at once; as many
// are read meanwhile. The larger a batch, the fewer times a page written
// by several is written again at commit: 4,000 cards commit in a quarter
// less time than four batches of 1,000, for about 100 MB more memory.
const batchSize = 4000

// Summary is what [Import] did.
type Summary struct {
	// Files counts the card files read, failed ones included.
	Files int
	// New counts the cards of documents that had none, Changed the cards
	// saved as a new version of a document's card, Unchanged the cards
	// the store held already.
	New, Changed, Unchanged int
	// Failures lists the files, or the cards in them, that could not be
	// read, in the order met.
	Failures []FileError
}

// count adds what storing one card did.
func (s *Summary) count(r schema.ImportResult) {
	switch {
	case !r.Changed:
		s.Unchanged++
	case r.Version <= 1:
		s.New++
	default:
		s.Changed++
	}
}

// Cards counts the cards handed to the store.
func (s Summary) Cards() int { return s.New + s.Changed + s.Unchanged }

// FileError is a card file, or a card in it, that could not be read.
type FileError struct {
	Path string
	// Line is the 1-based line at fault, 0 when not known.
	Line int
	Err  error
}

func (e *FileError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %v", e.Path, e.Err)
	}
	msg := e.Err.Error()
	var pe *markdown.ParseError
	if errors.As(e.Err, &pe) && pe.Line == e.Line {
		msg = pe.Msg // not "line N: " twice
	}
	return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, msg)
}

func (e *FileError) Unwrap() error { return e.Err }

// IsCardFile reports whether name has the extension of a card file: .md,
// .markdown or .txt for markdown, .json or .jsonl for JSON.
func IsCardFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown", ".txt", ".json", ".jsonl":
		return true
	}
	return false
}

// isHidden reports whether a file or folder name is hidden (a dot file).
func isHidden(name string) bool { return len(name) > 1 && name[0] == '.' && name != ".." }

// Import reads the card files at paths — files, or folders walked
// recursively, skipping hidden entries, files that are no card file (see
// [IsCardFile]) and anything that is not a regular file — and saves every
// card in st. A file that cannot be read or parsed is listed in the
// summary's Failures and the others are still imported. The error is
// non-nil only when the import stopped: st failed or ctx was cancelled.
//
// Files are read and parsed in a goroutine while st saves the cards
// already parsed, in path order.
//
// A large import into an [IndexDeferrer] defers its indexes: once Import
// has saved a batch of cards and is about to save another, if it will then
// have brought at least as many cards as the store held before it. It
// builds them at the end, even when the import stopped (the store builds
// them when opened again if that fails).
func Import(ctx context.Context, st Store, paths []string) (sum Summary, err error) {
	d, ok := st.(IndexDeferrer)
	if !ok {
		return importCards(ctx, st, paths, nil)
	}
	before, err := d.CountCards(ctx, schema.CardFilter{})
	if err != nil {
		return sum, fmt.Errorf("import: %w", err)
	}
	saved, deferred := 0, false // saved: the cards handed to st so far
	sum, err = importCards(ctx, st, paths, func(n int) error {
		large := saved >= batchSize && saved+n >= before
		saved += n
		if deferred || !large {
			return nil
		}
		deferred = true
		return d.DeferIndexes(ctx)
	})
	if deferred {
		if berr := d.BuildIndexes(context.WithoutCancel(ctx)); berr != nil {
			err = errors.Join(err, fmt.Errorf("import: %w", berr))
		}
	}
	return sum, err
}

// importCards is Import; beforeBatch, when not nil, is called before each
// batch of n cards is handed to st.
func importCards(ctx context.Context, st Store, paths []string, beforeBatch func(n int) error) (Summary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan fileResult, batchSize)
	go func() {
		defer close(results)
		walk(ctx, paths, func(r fileResult) bool {
			select {
			case results <- r:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	var sum Summary
	var batch []fileResult
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if beforeBatch != nil {
			if err := beforeBatch(len(batch)); err != nil {
				return fmt.Errorf("import %s: %w", batch[0].path, err)
			}
		}
		cards := make([]schema.NewCard, len(batch))
		for i, r := range batch {
			cards[i] = r.card
		}
		results, err := st.ImportCards(ctx, cards)
		if err != nil {
			return fmt.Errorf("import %s to %s: %w", batch[0].path, batch[len(batch)-1].path, err)
		}
		for _, r := range results {
			sum.count(r)
		}
		batch = batch[:0]
		return nil
	}
	for r := range results {
		switch {
		case r.file:
			sum.Files++
		case r.err != nil:
			sum.Failures = append(sum.Failures, *r.err)
		default:
			batch = append(batch, r)
		}
		if len(batch) == batchSize {
			if err := flush(); err != nil {
				return sum, err
			}
		}
	}
	if err := flush(); err != nil {
		return sum, err
	}
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("import: %w", err)
	}
	return sum, nil
}

// fileResult is one card read, one failure, or the mark of a file read
// (file), which comes before the file's cards and failure.
type fileResult struct {
	path string
	file bool
	card schema.NewCard
	err  *FileError
}

// walk reads every card file under paths and calls emit for each card or
// failure until emit returns false.
func walk(ctx context.Context, paths []string, emit func(fileResult) bool) {
	readOne := func(path string) bool {
		if !emit(fileResult{path: path, file: true}) {
			return false
		}
		// With a failure, the cards read before it are emitted first.
		err := readFile(path, func(c schema.NewCard) bool { return emit(fileResult{path: path, card: c}) })
		if errors.Is(err, errStopped) {
			return false
		}
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				fe = &FileError{Path: path, Err: err}
			}
			return emit(fileResult{path: path, err: fe})
		}
		return true
	}
	for _, root := range paths {
		if ctx.Err() != nil {
			return
		}
		info, err := os.Stat(root)
		if err != nil {
			if !emit(fileResult{path: root, err: &FileError{Path: root, Err: unwrapPath(err)}}) {
				return
			}
			continue
		}
		if !info.IsDir() {
			// A file named on the command line is read whatever its
			// extension; ReadFile rejects non-regular files.
			if !readOne(root) {
				return
			}
			continue
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				if !emit(fileResult{path: path, err: &FileError{Path: path, Err: unwrapPath(err)}}) {
					return fs.SkipAll
				}
				return nil
			}
			if path != root && isHidden(d.Name()) {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() || !IsCardFile(d.Name()) || !regular(path, d) {
				return nil
			}
			if !readOne(path) {
				return fs.SkipAll
			}
			return nil
		})
		if err != nil {
			return
		}
	}
}

// regular reports whether a folder entry is a regular file or a symbolic
// link to one; links to folders are not followed.
func regular(path string, d fs.DirEntry) bool {
	if d.Type().IsRegular() {
		return true
	}
	if d.Type()&fs.ModeSymlink == 0 {
		return false
	}
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// ReadFile reads the cards of one file: one markdown card, or JSON cards
// (one object, an array of them, or a stream of objects such as JSON
// lines), by the file's extension (.json and .jsonl are JSON, anything else
// markdown). The cards read before a fault are returned with a
// *[FileError].
func ReadFile(path string) ([]schema.NewCard, error) {
	var out []schema.NewCard
	err := readFile(path, func(c schema.NewCard) bool {
		out = append(out, c)
		return true
	})
	return out, err
}

// errStopped is readFile's error when its caller stopped it.
var errStopped = errors.New("stopped")

// readFile is ReadFile handing each card to each as soon as it is read,
// until each returns false (then the error is errStopped): the cards of a
// large JSON file are saved while the next ones are decoded.
func readFile(path string, each func(schema.NewCard) bool) error {
	ext := strings.ToLower(filepath.Ext(path))
	limit := int64(MaxFileSize)
	if ext == ".json" || ext == ".jsonl" {
		limit = MaxJSONFileSize
	}
	b, mtime, err := readCapped(path, limit)
	if err != nil {
		return &FileError{Path: path, Err: err}
	}
	base := filepath.Base(path)
	switch ext {
	case ".json", ".jsonl":
		err := decodeJSONCards(b, func(line int, card schema.Card, published time.Time) error {
			if published.IsZero() {
				published = mtime
			}
			c, err := newCard(card, base, published)
			if err != nil {
				return &FileError{Path: path, Line: line, Err: err}
			}
			if !each(c) {
				return errStopped
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopped) {
			var fe *FileError
			if !errors.As(err, &fe) {
				err = &FileError{Path: path, Line: lineOf(err), Err: err}
			}
		}
		return err
	}
	card, err := markdown.Parse(string(b))
	if err != nil {
		return &FileError{Path: path, Line: lineOf(err), Err: err}
	}
	c, err := newCard(card, base, mtime)
	if err != nil {
		return &FileError{Path: path, Line: linkLine(b), Err: err}
	}
	if !each(c) {
		return errStopped
	}
	return nil
}

// linkLine is the line of a markdown card's external link, else 1 (the
// title line).
func linkLine(md []byte) int {
	i := bytes.Index(md, []byte("__[External link]("))
	if i < 0 {
		return 1
	}
	return 1 + bytes.Count(md[:i], []byte("\n"))
}

// lineOf is the line a parse or decode error names, 0 if none.
func lineOf(err error) int {
	var pe *markdown.ParseError
	var de *schema.DecodeError
	var le *lineError
	switch {
	case errors.As(err, &le):
		return le.line
	case errors.As(err, &pe):
		return pe.Line
	case errors.As(err, &de):
		return de.Line
	}
	return 0
}

// readCapped reads a regular file of at most limit bytes and returns its
// modification time.
func readCapped(path string, limit int64) ([]byte, time.Time, error) {
	// Stat before opening: opening a named pipe would wait for a writer.
	info, err := os.Stat(path)
	if err != nil {
		return nil, time.Time{}, unwrapPath(err)
	}
	if !info.Mode().IsRegular() {
		return nil, time.Time{}, fmt.Errorf("not a regular file but %s", kindOf(info.Mode()))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, time.Time{}, unwrapPath(err)
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, time.Time{}, unwrapPath(err)
	}
	if !info.Mode().IsRegular() { // replaced since
		return nil, time.Time{}, fmt.Errorf("not a regular file but %s", kindOf(info.Mode()))
	}
	if info.Size() > limit {
		return nil, time.Time{}, fmt.Errorf("file too large: %d bytes, the limit is %d", info.Size(), limit)
	}
	// One allocation of the file's size: io.ReadAll's growing buffer held
	// twice a large file at its peak.
	var buf bytes.Buffer
	buf.Grow(int(info.Size()) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, time.Time{}, unwrapPath(err)
	}
	b := buf.Bytes()
	if int64(len(b)) > limit {
		return nil, time.Time{}, fmt.Errorf("file too large: over %d bytes", limit)
	}
	return b, info.ModTime().UTC(), nil
}

// unwrapPath drops the *fs.PathError around err: the caller names the path.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// newCard is the NewCard to import for card, read from a file named base.
func newCard(card schema.Card, base string, published time.Time) (schema.NewCard, error) {
	if strings.TrimSpace(card.URL) == "" {
		return schema.NewCard{}, errors.New("card has no URL (its external link)")
	}
	canonical, err := schema.CanonicalURL(card.URL)
	if err != nil {
		return schema.NewCard{}, fmt.Errorf("card URL: %w", err)
	}
	cardJSON, err := encodeCard(card)
	if err != nil {
		return schema.NewCard{}, fmt.Errorf("encode card: %w", err)
	}
	return schema.NewCard{
		DocumentID: schema.DocumentID(canonical),
		URL:        canonical,
		CardJSON:   cardJSON,
		RawJSON:    "{}",
		Provenance: schema.Provenance{Provider: schema.ProviderImported, Model: base},
		Spans:      schema.UngroundedSpans(card.Answer),
		Published:  published,
		Decoded:    &card,
	}, nil
}

// kindOf names the kind of a file that is not a regular one.
func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file (" + m.Type().String() + ")"
}
