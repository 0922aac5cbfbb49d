package importer

import (
	"bytes"
	"fmt"
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

// FuzzDecodeJSONLines checks that decoding an object straight from its
// line gives the cards, lines and error that the stream decoder alone
// gives.
func FuzzDecodeJSONLines(f *testing.F) {
	f.Add([]byte("{\"url\":\"https://a.example/\"}\n\n  {\"url\":\"b\",\n\"title\":\"T\"}{\"url\":\"c\"}\r\n{\"url\":\"d\"} x"))
	f.Add([]byte("{\"card\":{\"url\":\"b\"},\"published\":\"2026-01-02\"}\n{\"url\":\"x\",\"title\":5}\n"))
	f.Add([]byte("\ufeff\n{\"url\":\"a\",\"published\":\"soon\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		type decoded struct {
			line      int
			card      schema.Card
			published time.Time
		}
		read := func(byLine bool) ([]decoded, string) {
			var out []decoded
			err := decodeJSONCardsLines(data, byLine, func(line int, c schema.Card, p time.Time) error {
				out = append(out, decoded{line, c, p})
				return nil
			})
			if err != nil {
				return out, fmt.Sprintf("line %d: %v", lineOf(err), err)
			}
			return out, ""
		}
		got, gotErr := read(true)
		want, wantErr := read(false)
		if gotErr != wantErr || !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\nby line %+v %s\nstream  %+v %s", data, got, gotErr, want, wantErr)
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
