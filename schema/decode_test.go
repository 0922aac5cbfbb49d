package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeCardErrors(t *testing.T) {
	tests := []struct {
		name, data string
		msg        string // the whole error message
		line       int
	}{
		{"empty", "", "not a JSON card: empty input", 1},
		{"only spaces", " \n\t ", "not a JSON card: empty input", 2},
		{"not JSON", "hello", "not a JSON card: want a JSON object", 1},
		{"null", "null", "not a JSON card: want a JSON object", 1},
		{"array", `[{"url": "u"}]`, "not a JSON card: want a JSON object", 1},
		{"string", "\n\"card\"", "not a JSON card: want a JSON object", 2},
		{"truncated", `{"url": "u", "keywords": [`, "not a JSON card: the JSON ends too early", 1},
		{"syntax", "{\n\"url\": \"u\",,\n}", "not a JSON card: invalid character ',' looking for beginning of object key string", 2},
		{"unknown field", `{"url": "u", "colour": "red"}`, `not a JSON card: unknown field "colour"`, 0},
		{"trailing data", "{\"url\": \"u\"}\n{}", "not a JSON card: data after the card", 1},
		{"trailing garbage", `{"url": "u"} xyz`, "not a JSON card: data after the card", 1},
		{"string for a string", `{"url": 3}`, `not a JSON card: field "url": want a string, got a number (byte 9)`, 1},
		{"string for an array", "{\n\"keywords\": \"a\"\n}", `not a JSON card: field "keywords": want an array, got a string (byte 17)`, 2},
		{"number for a whole number", `{"signals": [{"relevancy": 2.5}]}`, `not a JSON card: field "signals.relevancy": want a whole number, got a number 2.5 (byte 30)`, 1},
		{"object for an object", `{"origin": []}`, `not a JSON card: field "origin": want an object, got a array (byte 12)`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeCard([]byte(tt.data))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DecodeError", err)
			}
			if err.Error() != tt.msg || de.Line != tt.line {
				t.Errorf("err = %q at line %d, want %q at line %d", err, de.Line, tt.msg, tt.line)
			}
		})
	}
}

func TestCardDecoderAllowUnknownFields(t *testing.T) {
	data := []byte(`{"id": "abc", "version": 2, "url": "https://x.org", "title": "T", "provenance": {"model": "m"}}`)
	if _, err := DecodeCard(data); err == nil {
		t.Fatal("strict decoding accepted unknown fields")
	}
	card, err := CardDecoder{AllowUnknownFields: true}.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if card.URL != "https://x.org" || card.Title != "T" {
		t.Errorf("card = %+v", card)
	}
	// Leniency is about fields only: the rest stays strict.
	for _, bad := range []string{"null", `{"url": "u"} {}`, `{"title": 1}`} {
		if _, err := (CardDecoder{AllowUnknownFields: true}).Decode([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestDecodeCardRoundTrip(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("markdown", "testdata", "render", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no testdata cards: %v", err)
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		card, err := DecodeCard(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var want Card
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(card, want) {
			t.Errorf("%s: DecodeCard differs from json.Unmarshal", path)
		}
	}
}

func FuzzDecodeCard(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("markdown", "testdata", "render", "*.json"))
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "null", "[]", "{}", `{"url": 3}`, `{"url": "u"} {}`, `{"colour": 1}`,
		`{"signals": [{"name": "n", "relevancy": 4}], "origin": {"label": "l", "url": "u"}}`, "{\n\"keywords\": [\"a\",\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		card, err := DecodeCard(data)
		lenient, lenientErr := CardDecoder{AllowUnknownFields: true}.Decode(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v (%T), want a *DecodeError", err, err)
			}
			lines := bytes.Count(data, []byte("\n")) + 1
			if (de.Offset < 0) != (de.Line == 0) || de.Line > lines || de.Offset > int64(len(data)) {
				t.Fatalf("offset %d, line %d outside the input's %d bytes, %d lines: %v", de.Offset, de.Line, len(data), lines, err)
			}
			return
		}
		if lenientErr != nil || !reflect.DeepEqual(card, lenient) {
			t.Fatalf("strict decoding accepted what lenient decoding did not: %v", lenientErr)
		}
		// What decodes encodes, and decodes again to the same card.
		again, err := json.Marshal(card)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeCard(again)
		if err != nil {
			t.Fatalf("re-encoded card does not decode: %v\n%s", err, again)
		}
		if !reflect.DeepEqual(card, back) {
			t.Fatalf("round trip changed the card:\n%+v\n%+v", card, back)
		}
	})
}

func TestStoredCardCard(t *testing.T) {
	ok := StoredCard{DocumentID: "d1", NewCard: NewCard{CardJSON: `{"url":"https://a.example/","title":"T","id":"d1","version":2}`}}
	if c, err := ok.Card(); err != nil || c.Title != "T" {
		t.Errorf("Card() = %+v, %v; want the title, unknown members ignored", c, err)
	}
	bad := StoredCard{DocumentID: "d2", NewCard: NewCard{CardJSON: `{"title":`}}
	if _, err := bad.Card(); err == nil || !strings.Contains(err.Error(), "card d2") {
		t.Errorf("Card() of truncated JSON: err = %v, want one naming card d2", err)
	}
}
