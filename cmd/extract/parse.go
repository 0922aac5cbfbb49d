package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/veille/veille/schema/markdown"
)

func (a *app) parseCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "parse CARD.md",
		Short: "Read a markdown card and print it as JSON",
		Long: `Read a signal card in markdown (the current layout, or the older one with
the summary first and a four-column signals table) and print it as JSON on
standard output. CARD.md may be - for standard input. Malformed cards are
rejected with the line at fault.`,
		Example: "  extract parse card.md | extract render -",
		Args:    exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			b, err := a.readInput(args[0])
			if err != nil {
				return fmt.Errorf("parse %s: %w", args[0], err)
			}
			card, err := markdown.Parse(string(b))
			if err != nil {
				return fmt.Errorf("parse %s: %w", args[0], err)
			}
			return a.writeJSON(card)
		},
	}
}
