package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

// FuzzDecodeJSONCards checks that the JSON card reader never panics and
// that the lines it reports lie within the input.
func FuzzDecodeJSONCards(f *testing.F) {
	for _, glob := range []string{"testdata/*/*.json", "testdata/*/*.jsonl", "testdata/*/*/*.jsonl"} {
		files, _ := filepath.Glob(glob)
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"url":"https://a.example/"}] x`))
	f.Add([]byte(`{"card":null,"url":"https://a.example/"}{"card":{"url":"b"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := 1 + bytes.Count(data, []byte("\n"))
		err := decodeJSONCards(data, func(line int, _ schema.Card, _ time.Time) error {
			if line < 1 || line > lines {
				t.Errorf("card at line %d of %d", line, lines)
			}
			return nil
		})
		if l := lineOf(err); l < 0 || l > lines {
			t.Errorf("error at line %d of %d: %v", l, lines, err)
		}
	})
}

// FuzzDecodeCardObject checks that a card object decoded in one pass is
// the card, and date, that the longer way reads.
func FuzzDecodeCardObject(f *testing.F) {
	f.Add([]byte(`{"url":"https://a.example/","title":"T","keywords":["k"],"published":"2026-01-02"}`))
	f.Add([]byte(`{"card":null,"url":"https://a.example/","Published":"2026-01-02T03:04:05Z","signals":[{"relevancy":3}]}`))
	f.Add([]byte(`{"card":{"url":"b"},"provenance":{}}`))
	f.Add([]byte(`{"url":"x","title":5}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		card, published, err := decodeCardObject(raw)
		wantCard, wantPublished, wantErr := decodeAnyCardObject(raw)
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("%s: error %v, want %v", raw, err, wantErr)
		}
		if !reflect.DeepEqual(card, wantCard) || !published.Equal(wantPublished) {
			t.Errorf("%s: decoded %+v %v, want %+v %v", raw, card, published, wantCard, wantPublished)
		}
	})
}
