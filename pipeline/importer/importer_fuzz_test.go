package importer

import (
	"bytes"
	"os"
	"path/filepath"
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
