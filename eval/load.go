package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
)

// LoadedCard is a card read from a file (or from the store).
type LoadedCard struct {
	// ID is the file name without extension, or the directory name for a
	// file named card.* (the gold pairs/<id>/card.md layout).
	ID   string
	File string
	Card *schema.Card
	// Provenance says how a predicted card was made, when known.
	Provenance Provenance
}

// LoadGold reads the gold cards at path: one markdown card file, or every
// card file under a directory, searched recursively (see isCardFile).
// Files that do not parse are returned as errors; the others are loaded.
// An unreadable path is an error of its own.
func LoadGold(path string) ([]LoadedCard, []FileError, error) {
	return loadCards(path, "gold")
}

// LoadPredictions reads the predicted cards at path (a file or a
// directory), in markdown or JSON.
func LoadPredictions(path string) ([]LoadedCard, []FileError, error) {
	return loadCards(path, "pred")
}

func loadCards(path, role string) ([]LoadedCard, []FileError, error) {
	files, err := cardFiles(path)
	if err != nil {
		return nil, nil, err
	}
	var cards []LoadedCard
	var errs []FileError
	for _, f := range files {
		c, err := ReadCardFile(f)
		if err != nil {
			errs = append(errs, fileError(f, role, err))
			continue
		}
		cards = append(cards, c)
	}
	return cards, errs, nil
}

// cardFiles lists the card files at path, sorted: path itself when it is a
// file, else the card files under it.
func cardFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read cards: %w", err)
	}
	if !info.IsDir() {
		return []string{path}, nil // ReadCardFile refuses what is not a regular file
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// A link, a device or a pipe named like a card is listed, for
		// ReadCardFile to report it on its line; other entries are not cards.
		if !d.IsDir() && isCardFile(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read cards in %s: %w", path, err)
	}
	slices.Sort(files)
	return files, nil
}

// isCardFile decides which files of a directory are cards: *.md and
// *.markdown files, *.json files other than page.json (the page metadata of
// a gold pair), and *.txt files whose first line is a card's title line
// ("# __…", as the seed card), not page texts such as article.txt.
func isCardFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".md", ".markdown":
		return true
	case ".json":
		return filepath.Base(path) != "page.json"
	case ".txt":
		return startsWithTitle(path)
	}
	return false
}

func startsWithTitle(path string) bool {
	if info, err := os.Stat(path); err != nil || !info.Mode().IsRegular() {
		return true // let ReadCardFile report it
	}
	f, err := os.Open(path)
	if err != nil {
		return true // let ReadCardFile report it
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := f.Read(head)
	return string(head[:n]) == "# __"
}

// MaxCardFileSize caps a card file: the largest gold cards are a few KB.
const MaxCardFileSize = 1 << 20

// ReadCardFile reads one card file (see DecodeCard). A file that is not a
// regular file (a device or a pipe, or a link to one: reading it could
// block or never end) or is larger than [MaxCardFileSize] is an error.
func ReadCardFile(path string) (LoadedCard, error) {
	info, err := os.Stat(path) // a link is read when it leads to a regular file
	if err != nil {
		return LoadedCard{}, err
	}
	if !info.Mode().IsRegular() {
		return LoadedCard{}, fmt.Errorf("not a regular file (%s), skipped", info.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return LoadedCard{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxCardFileSize+1))
	if err != nil {
		return LoadedCard{}, err
	}
	if len(data) > MaxCardFileSize {
		return LoadedCard{}, fmt.Errorf("larger than %d bytes: not a card", MaxCardFileSize)
	}
	return DecodeCard(path, data)
}

// DecodeCard decodes the card file named name: JSON when the name ends in
// .json (a [schema.Card], optionally with a "provenance" object, decoded by
// [schema.CardDecoder] with unknown fields allowed), else
// markdown in any gold layout. Errors are *markdown.ParseError with a line
// when the position is known.
func DecodeCard(name string, data []byte) (LoadedCard, error) {
	lc := LoadedCard{ID: cardID(name), File: name}
	if !strings.EqualFold(filepath.Ext(name), ".json") {
		c, err := markdown.Parse(string(data))
		if err != nil {
			return LoadedCard{}, err
		}
		lc.Card = &c
		return lc, nil
	}
	card, err := cardFileDecoder.Decode(data)
	if err != nil {
		return LoadedCard{}, jsonError(err)
	}
	lc.Card = &card
	var extra struct {
		Provenance *Provenance `json:"provenance"`
	}
	if err := json.Unmarshal(data, &extra); err != nil {
		return LoadedCard{}, provenanceError(data, err)
	}
	if extra.Provenance != nil {
		lc.Provenance = *extra.Provenance
	}
	return lc, nil
}

// cardFileDecoder decodes the JSON card files: they may carry more than the
// card, such as its "provenance", or the "id" and "version" of a card
// exported as JSON.
var cardFileDecoder = schema.CardDecoder{AllowUnknownFields: true}

// jsonError turns a card decoding error into a *markdown.ParseError at the
// line of the fault.
func jsonError(err error) error {
	var de *schema.DecodeError
	if errors.As(err, &de) {
		return &markdown.ParseError{Line: de.Line, Msg: "JSON: " + de.Msg}
	}
	return fmt.Errorf("JSON: %w", err)
}

// provenanceError turns an error decoding a card file's provenance into a
// *markdown.ParseError at the line of the fault.
func provenanceError(data []byte, err error) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		line := 1 + bytes.Count(data[:min(int(typ.Offset), len(data))], []byte("\n"))
		return &markdown.ParseError{Line: line,
			Msg: fmt.Sprintf("JSON field %q: want %s, got a JSON %s", typ.Field, typ.Type, typ.Value)}
	}
	return fmt.Errorf("JSON: %w", err)
}

// fileError turns a read or parse error into a FileError with its line.
func fileError(file, role string, err error) FileError {
	fe := FileError{File: file, Role: role, Message: err.Error()}
	var pe *markdown.ParseError
	if errors.As(err, &pe) {
		fe.Line, fe.Message = pe.Line, pe.Msg
	}
	return fe
}

// cardID names a card after its file: the base name without extension, or
// the parent directory's name for card.md, card.json.
func cardID(path string) string {
	base := filepath.Base(path)
	id := strings.TrimSuffix(base, filepath.Ext(base))
	if id == "card" {
		if dir := filepath.Base(filepath.Dir(path)); dir != "." && dir != string(filepath.Separator) {
			return dir
		}
	}
	return id
}

// PairCards pairs each gold card with a prediction: first the prediction
// whose External link has the same canonical URL (schema.CanonicalURL),
// else the one with the same ID (file name). A gold card without a
// prediction is paired with nil; unpaired counts the predictions left over.
// Pair IDs are the gold IDs, made unique by the gold file's path when two
// gold files share a name.
func PairCards(gold, preds []LoadedCard) (pairs []Pair, unpaired int) {
	byURL := map[string]int{}
	byID := map[string]int{}
	for i, p := range preds {
		if key := urlKey(p.Card.URL); key != "" {
			if _, dup := byURL[key]; !dup {
				byURL[key] = i
			}
		}
		if _, dup := byID[p.ID]; !dup {
			byID[p.ID] = i
		}
	}
	used := make([]bool, len(preds))
	idCount := map[string]int{}
	for _, g := range gold {
		idCount[g.ID]++
	}
	for _, g := range gold {
		pair := Pair{ID: g.ID, GoldFile: g.File, Gold: g.Card}
		if idCount[g.ID] > 1 {
			pair.ID = filepath.ToSlash(g.File)
		}
		j, ok := byURL[urlKey(g.Card.URL)]
		if !ok {
			j, ok = byID[g.ID]
		}
		if ok {
			used[j] = true
			pair.Pred, pair.PredFile = preds[j].Card, preds[j].File
		}
		pairs = append(pairs, pair)
	}
	for _, u := range used {
		if !u {
			unpaired++
		}
	}
	return pairs, unpaired
}

// urlKey is the canonical form of a card's URL, or "" when it has none.
func urlKey(raw string) string {
	if strings.TrimSpace(raw) == "" {
		return ""
	}
	c, err := schema.CanonicalURL(raw)
	if err != nil {
		return strings.TrimSpace(raw)
	}
	return c
}

// MergeProvenance joins the distinct providers, models and prompts of the
// given cards, each list sorted and joined by ", ".
func MergeProvenance(cards []LoadedCard) Provenance {
	var providers, models, prompts []string
	for _, c := range cards {
		providers = appendDistinct(providers, c.Provenance.Provider)
		models = appendDistinct(models, c.Provenance.Model)
		prompts = appendDistinct(prompts, c.Provenance.Prompt)
	}
	return Provenance{
		Provider: strings.Join(providers, ", "),
		Model:    strings.Join(models, ", "),
		Prompt:   strings.Join(prompts, ", "),
	}
}

func appendDistinct(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	list = append(list, s)
	slices.Sort(list)
	return list
}
