package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// DecodeError is JSON input that is not exactly one card. Its message names
// the field at fault and the JSON types involved when the shape is wrong.
type DecodeError struct {
	// Offset is the byte offset of the fault in the input, -1 when it is
	// not known (an unknown field).
	Offset int64
	// Line is the 1-based line of Offset, 0 when Offset is not known.
	Line int
	// Msg says what is wrong, without the "not a JSON card: " prefix.
	Msg string
}

func (e *DecodeError) Error() string { return "not a JSON card: " + e.Msg }

// CardDecoder decodes a card from JSON. Its zero value is strict: see
// [DecodeCard].
type CardDecoder struct {
	// AllowUnknownFields ignores object members that are no field of a
	// [Card] instead of rejecting them. Card files that carry more than
	// the card need it: the "provenance" of an eval prediction file, the
	// "id", "version" and "created_at" of a card exported as JSON.
	AllowUnknownFields bool
}

// DecodeCard decodes exactly one JSON card: a JSON object with no unknown
// field (see [CardDecoder.AllowUnknownFields]) and nothing after it.
// Anything else, such as null, an array or truncated JSON, is a
// *[DecodeError].
func DecodeCard(data []byte) (Card, error) {
	return CardDecoder{}.Decode(data)
}

// Decode decodes exactly one JSON card, as [DecodeCard] does, with the
// decoder's options.
func (d CardDecoder) Decode(data []byte) (Card, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	start := int64(len(data) - len(trimmed))
	switch {
	case len(trimmed) == 0:
		return Card{}, newDecodeError(data, start, "empty input")
	case trimmed[0] != '{':
		return Card{}, newDecodeError(data, start, "want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if !d.AllowUnknownFields {
		dec.DisallowUnknownFields()
	}
	var card Card
	if err := dec.Decode(&card); err != nil {
		return Card{}, decodeError(data, err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		return Card{}, newDecodeError(data, end, "data after the card")
	}
	return card, nil
}

// decodeError turns an error of [json.Decoder.Decode] into a *DecodeError.
func decodeError(data []byte, err error) *DecodeError {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		// A Card embeds Answer, whose Go name is no JSON field.
		field := strings.TrimPrefix(typeErr.Field, "Answer.")
		return newDecodeError(data, typeErr.Offset, fmt.Sprintf("field %q: want %s, got a %s (byte %d)",
			field, jsonKind(typeErr.Type.Kind()), typeErr.Value, typeErr.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return newDecodeError(data, int64(len(data)), "the JSON ends too early")
	case errors.As(err, &syntaxErr):
		return newDecodeError(data, syntaxErr.Offset, syntaxErr.Error())
	}
	// An unknown field: encoding/json does not say where it is.
	return &DecodeError{Offset: -1, Msg: strings.TrimPrefix(err.Error(), "json: ")}
}

// newDecodeError is a *DecodeError at offset in data.
func newDecodeError(data []byte, offset int64, msg string) *DecodeError {
	offset = min(max(offset, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	return &DecodeError{Offset: offset, Line: line, Msg: msg}
}

// jsonKind names in JSON terms the value a Go kind decodes from.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	}
	return "a " + k.String()
}

// Card decodes the stored card's JSON, ignoring members that are no field
// of a [Card] (a card stored by a later version of veille may carry more).
// The error names the card's document.
func (c StoredCard) Card() (Card, error) {
	card, err := CardDecoder{AllowUnknownFields: true}.Decode([]byte(c.CardJSON))
	if err != nil {
		return Card{}, fmt.Errorf("card %s: %w", c.DocumentID, err)
	}
	return card, nil
}
