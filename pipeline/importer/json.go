package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/veille/veille/schema"
)

// cardDecoder decodes cards that come with other members: the "id",
// "version" and "created_at" of an exported card, the "published" date.
var cardDecoder = schema.CardDecoder{AllowUnknownFields: true}

// wrapper holds the members of a JSON card object that are not the card's:
// the card itself under "card" (`extract run --json`) and its date.
type wrapper struct {
	Card      json.RawMessage `json:"card"`
	Published json.RawMessage `json:"published"`
}

// decodeJSONCards decodes the cards of a JSON file: one card object, an
// array of them, or a stream of them (JSON lines). A card object is a
// [schema.Card], or an object holding one under "card" (the output of
// `extract run --json`, with "provenance" beside it). Its "published"
// member, if any, is its date. fn gets each card with the 1-based line its
// object starts on; decoding stops at the first error, fn's or its own.
func decodeJSONCards(data []byte, fn func(line int, card schema.Card, published time.Time) error) error {
	return decodeJSONCardsLines(data, true, fn)
}

// decodeJSONCardsLines is decodeJSONCards; with byLine, an object alone on
// its line, as in JSON lines, is decoded straight from the line, in one
// pass over it instead of three.
func decodeJSONCardsLines(data []byte, byLine bool, fn func(line int, card schema.Card, published time.Time) error) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return &schema.DecodeError{Offset: 0, Line: 1, Msg: "empty input"}
	}
	base := len(data) - len(trimmed)
	if trimmed[0] == '[' {
		return decodeJSONArray(data, base, fn)
	}
	line := 1 + bytes.Count(data[:base], []byte("\n"))
	for pos := base; ; {
		start := len(data) - len(bytes.TrimLeft(data[pos:], " \t\r\n"))
		line += bytes.Count(data[pos:start], []byte("\n"))
		if start == len(data) {
			return nil
		}
		end := len(data)
		if i := bytes.IndexByte(data[start:], '\n'); i >= 0 {
			end = start + i
		}
		if byLine {
			if card, published, ok := decodeFlat(data[start:end]); ok {
				if err := fn(line, card, published); err != nil {
					return err
				}
				pos = end
				continue
			}
		}
		// Anything else — an object over several lines, or two on a line,
		// or one that does not decode — is read by the stream decoder,
		// whose errors say what is wrong, where.
		dec := json.NewDecoder(bytes.NewReader(data[start:]))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return streamError(data, start, err)
		}
		if err := decodeObject(raw, line, fn); err != nil {
			return err
		}
		pos = start + int(dec.InputOffset())
		line += bytes.Count(data[start:pos], []byte("\n"))
	}
}

// decodeJSONArray decodes the cards of an array starting at data[base].
func decodeJSONArray(data []byte, base int, fn func(line int, card schema.Card, published time.Time) error) error {
	dec := json.NewDecoder(bytes.NewReader(data[base:]))
	if _, err := dec.Token(); err != nil { // the '['
		return streamError(data, base, err)
	}
	// line is counted on from the previous object's start, not from the
	// file's start: counting from the start made a large file quadratic.
	line, counted := 1, 0
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return streamError(data, base, err)
		}
		// The object starts at its first byte, after any separator.
		end := base + int(dec.InputOffset())
		start := end - len(raw)
		line += bytes.Count(data[counted:start], []byte("\n"))
		counted = start
		if err := decodeObject(raw, line, fn); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the ']'
		return streamError(data, base, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return decodeErrorAt(data, base+int(dec.InputOffset()), "data after the array of cards")
	}
	return nil
}

// decodeObject decodes the card object raw, which starts on line, and
// hands it to fn; its error names the line.
func decodeObject(raw json.RawMessage, line int, fn func(line int, card schema.Card, published time.Time) error) error {
	card, published, err := decodeCardObject(raw)
	if err != nil {
		var de *schema.DecodeError
		if !errors.As(err, &de) {
			return &lineError{line: line, err: err}
		}
		if de.Line > 0 {
			de.Line += line - 1
		} else {
			de.Line = line
		}
		return err
	}
	return fn(line, card, published)
}

// flatCard is a card object that is not wrapped, decoded in one pass: the
// card with its date and, to tell a wrapped object, its "card" member.
type flatCard struct {
	schema.Card
	Wrapped   json.RawMessage `json:"card"`
	Published json.RawMessage `json:"published"`
}

// decodeCardObject decodes one card object, wrapped or not, and its date.
func decodeCardObject(raw json.RawMessage) (schema.Card, time.Time, error) {
	// The common case, a flat object that decodes, is decoded once; any
	// other goes the longer way, which says what is wrong.
	if card, published, ok := decodeFlat(raw); ok {
		return card, published, nil
	}
	return decodeAnyCardObject(raw)
}

// decodeFlat decodes raw in one pass when it is exactly one flat card
// object (not wrapped) that decodes, with a valid date; ok is false for
// anything else.
func decodeFlat(raw []byte) (card schema.Card, published time.Time, ok bool) {
	var flat flatCard
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &flat) != nil ||
		len(flat.Wrapped) != 0 && !bytes.Equal(flat.Wrapped, []byte("null")) {
		return schema.Card{}, time.Time{}, false
	}
	published, err := parsePublished(flat.Published)
	if err != nil {
		return schema.Card{}, time.Time{}, false
	}
	return flat.Card, published, true
}

// decodeAnyCardObject is decodeCardObject for any object, wrapped or not,
// that may not decode: its error says what is wrong, where.
func decodeAnyCardObject(raw json.RawMessage) (schema.Card, time.Time, error) {
	var w wrapper
	if len(raw) == 0 || raw[0] != '{' {
		return schema.Card{}, time.Time{}, &schema.DecodeError{Offset: 0, Line: 1, Msg: "want a JSON object"}
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return schema.Card{}, time.Time{}, &schema.DecodeError{Offset: 0, Line: 1, Msg: err.Error()}
	}
	cardRaw := []byte(raw)
	offsetLines := 0
	if len(w.Card) > 0 && !bytes.Equal(w.Card, []byte("null")) {
		cardRaw = w.Card
		// Lines inside the wrapped card count from the wrapper's start.
		if i := bytes.Index(raw, w.Card); i >= 0 {
			offsetLines = bytes.Count(raw[:i], []byte("\n"))
		}
	}
	card, err := cardDecoder.Decode(cardRaw)
	if err != nil {
		var de *schema.DecodeError
		if errors.As(err, &de) && de.Line > 0 {
			de.Line += offsetLines
		}
		return schema.Card{}, time.Time{}, err
	}
	published, err := parsePublished(w.Published)
	if err != nil {
		return schema.Card{}, time.Time{}, err
	}
	return card, published, nil
}

// parsePublished reads a "published" member: an RFC 3339 date-time or a
// YYYY-MM-DD date (midnight UTC); zero when absent or null.
func parsePublished(raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return time.Time{}, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, fmt.Errorf("field \"published\": want a string, got %s", raw)
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("field \"published\" %q: want an RFC 3339 date-time or a YYYY-MM-DD date", s)
}

// streamError turns an error of the stream decoder, at offsets relative to
// data[base:], into a *schema.DecodeError with the line in data.
func streamError(data []byte, base int, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return decodeErrorAt(data, base+int(se.Offset), se.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return decodeErrorAt(data, len(data), "the JSON ends too early")
	}
	return &schema.DecodeError{Offset: -1, Msg: err.Error()}
}

// decodeErrorAt is a *schema.DecodeError at a byte offset of data.
func decodeErrorAt(data []byte, offset int, msg string) error {
	offset = min(max(offset, 0), len(data))
	return &schema.DecodeError{Offset: int64(offset), Line: 1 + bytes.Count(data[:offset], []byte("\n")), Msg: msg}
}

// encodeCard is card as JSON, as the run pipeline stores it.
func encodeCard(card schema.Card) (string, error) {
	b, err := json.Marshal(card)
	return string(b), err
}

// lineError is an error about the JSON object that starts at a line.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return e.err.Error() }
func (e *lineError) Unwrap() error { return e.err }
