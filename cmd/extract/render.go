package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

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
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var card schema.Card
	if err := dec.Decode(&card); err != nil {
		return schema.Card{}, fmt.Errorf("not a JSON card: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return schema.Card{}, fmt.Errorf("not a JSON card: data after the card")
	}
	return card, nil
}
