package main

import (
	"github.com/spf13/cobra"
	"github.com/veille/veille/schema"
)

func (a *app) schemaCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of a model's answer",
		Long: `Print the JSON Schema a model's answer must follow (schema/card.schema.json,
generated from the Go types): the card without its URLs. It follows the
rules of OpenAI Structured Outputs in strict mode, and its descriptions are
the instructions the model reads.`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, args []string) error {
			_, err := a.stdout.Write(schema.AnswerSchema())
			return err
		},
	}
}
