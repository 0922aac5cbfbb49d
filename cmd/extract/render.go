package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/spf13/cobra"
	"github.com/veille/veille/schema"
)

func (a *app) renderCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "render CARD.json",
		Short: "Write a JSON card as markdown",
		Long: `Read a card as JSON (as printed by extract parse; - reads standard input)
and write it as markdown in the layout of the current gold cards, with no
final newline: extract parse X.md | extract render - reproduces X.md byte
for byte.`,
		Example: "  extract parse card.md | extract render -",
		Args:    exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			b, err := a.readInput(args[0])
			if err != nil {
				return fmt.Errorf("render %s: %w", args[0], err)
			}
			card, err := decodeCard(b)
			if err != nil {
				return fmt.Errorf("render %s: %w", args[0], err)
			}
			_, err = io.WriteString(a.stdout, schema.Render(card))
			return err
		},
	}
}

// decodeCard reads exactly one JSON card with no unknown fields.
func decodeCard(b []byte) (schema.Card, error) {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] != '{' {
		return schema.Card{}, errors.New("not a JSON card: want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var card schema.Card
	var typeErr *json.UnmarshalTypeError
	err := dec.Decode(&card)
	if errors.As(err, &typeErr) {
		// The card embeds schema.Answer, whose Go name is no JSON field.
		field := strings.TrimPrefix(typeErr.Field, "Answer.")
		return schema.Card{}, fmt.Errorf("not a JSON card: field %q: want %s, got a %s (byte %d)",
			field, jsonKind(typeErr.Type.Kind()), typeErr.Value, typeErr.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return schema.Card{}, errors.New("not a JSON card: the JSON ends too early")
	}
	if err != nil {
		return schema.Card{}, fmt.Errorf("not a JSON card: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return schema.Card{}, fmt.Errorf("not a JSON card: data after the card")
	}
	return card, nil
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
