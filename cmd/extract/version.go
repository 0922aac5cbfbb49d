package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print extract's version",
		Args:  exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			_, err := fmt.Fprintf(a.stdout, "extract %s\n", version)
			return err
		},
	}
}
