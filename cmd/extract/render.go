package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
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
			card, err := schema.DecodeCard(b)
			if err != nil {
				return fmt.Errorf("render %s: %w", args[0], err)
			}
			_, err = io.WriteString(a.stdout, markdown.Render(card))
			return err
		},
	}
}
