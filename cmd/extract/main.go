// Command extract turns web pages into signal cards: it fetches a page,
// extracts its text, asks a model (or the offline baseline) to fill the
// card, stores everything in SQLite and scores cards against gold cards.
//
// This file only wires the packages together; each subcommand lives in its
// own file.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks an error in how the command was called (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// app carries what every subcommand shares: its output streams and the
// process environment. Nothing here is global, so tests run commands in
// parallel.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	a := &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	code := a.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit status.
func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(a.stderr, "extract: "+err.Error())
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailure
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "extract",
		Short:         "Turn web pages into signal cards for foresight and tech watch",
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       version,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%s: %w (see '%s --help')", c.CommandPath(), err, c.CommandPath())}
	})
	// Without arguments, extract prints its help; an unknown command is a
	// usage error (cobra alone would exit 1).
	root.Args = unknownCommand
	root.SuggestionsMinimumDistance = 2
	root.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
	root.AddCommand(
		a.versionCommand(),
		a.textCommand(),
		a.linksCommand(),
		a.runCommand(),
		a.schemaCommand(),
		a.parseCommand(),
		a.renderCommand(),
		a.evalCommand(),
		a.batchCommand(),
		a.exportCommand(),
	)
	return root
}

// exactArgs is cobra.ExactArgs with a usage error (exit status 2).
func exactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(c, args); err != nil {
			return usageError{fmt.Errorf("%s: %w", c.CommandPath(), err)}
		}
		return nil
	}
}

// minArgs is cobra.MinimumNArgs with a usage error (exit status 2).
func minArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := cobra.MinimumNArgs(n)(c, args); err != nil {
			return usageError{fmt.Errorf("%s: %w", c.CommandPath(), err)}
		}
		return nil
	}
}

// unknownCommand rejects arguments that name no subcommand of the root,
// suggesting close names as cobra does.
func unknownCommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if suggestions := c.SuggestionsFor(args[0]); len(suggestions) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", suggestions[0])
	}
	return usageError{fmt.Errorf("%s (see '%s --help')", msg, c.CommandPath())}
}

// readInput reads the file at path, or standard input when path is "-".
func (a *app) readInput(path string) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(a.stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return b, nil
	}
	return os.ReadFile(path)
}

// writeJSON prints v as indented JSON, without escaping &, < and > (URLs
// stay readable).
func (a *app) writeJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
