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
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
	err := unknownCommandFirst(root, args)
	if err == nil {
		err = root.ExecuteContext(ctx)
	}
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
	// The streams are set before any subcommand is made: cobra's completion
	// commands keep the output stream the root has when they are made.
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(flagError)
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
		a.listCommand(),
		a.showCommand(),
		a.searchCommand(),
		a.serveCommand(),
		a.importCommand(),
		a.relatedCommand(),
		a.askCommand(),
		a.digestCommand(),
		a.trendsCommand(),
		a.migrateCommand(),
	)
	rejectUnknownTopics(root)
	return root
}

// rejectUnknownTopics makes `extract help NOSUCH` and `extract completion
// NOSUCH` usage errors, like an unknown command: cobra alone prints help
// and exits 0.
func rejectUnknownTopics(root *cobra.Command) {
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(c *cobra.Command, args []string) error {
			target, _, err := root.Find(args)
			if err != nil || (target == root && len(args) > 0) {
				return unknownCommand(root, args)
			}
			// As cobra's own help command does, so that the usage lists
			// the --help and --version flags.
			target.InitDefaultHelpFlag()
			target.InitDefaultVersionFlag()
			return target.Help()
		},
	})
	root.InitDefaultCompletionCmd()
	if completion, _, err := root.Find([]string{"completion"}); err == nil && completion != root {
		completion.Args = unknownCommand
		completion.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
	}
}

// exactArgs is cobra.ExactArgs with a usage error (exit status 2).
func exactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(c, args); err != nil {
			return usageError{fmt.Errorf("%s%w", commandPrefix(c), err)}
		}
		return nil
	}
}

// minArgs is cobra.MinimumNArgs with a usage error (exit status 2).
func minArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := cobra.MinimumNArgs(n)(c, args); err != nil {
			return usageError{fmt.Errorf("%s%w", commandPrefix(c), err)}
		}
		return nil
	}
}

// commandPrefix is "NAME: " for a subcommand, to start its error messages
// (main already prints "extract: "), and "" for the root.
func commandPrefix(c *cobra.Command) string {
	if !c.HasParent() {
		return ""
	}
	return strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ") + ": "
}

// flagError turns a flag parsing error into a usage error (exit status 2)
// that names the flag, the value and what the flag wants, without the Go
// parser's wording (strconv.ParseFloat: parsing "x": invalid syntax).
func flagError(c *cobra.Command, err error) error {
	var invalid *pflag.InvalidValueError
	if errors.As(err, &invalid) {
		f := invalid.GetFlag()
		err = fmt.Errorf("--%s %q: want %s", f.Name, invalid.GetValue(), flagValueKind(f.Value.Type()))
	}
	return usageError{fmt.Errorf("%s%w (see '%s --help')", commandPrefix(c), err, c.CommandPath())}
}

// flagValueKind says in words what a flag of the given pflag type takes.
func flagValueKind(typ string) string {
	switch typ {
	case "int", "int64":
		return "a whole number"
	case "float64":
		return "a number"
	case "duration":
		return "a duration such as 30s, 2m or 1h30m"
	case "bool":
		return "true or false"
	}
	return "a " + typ
}

// unknownCommand rejects arguments that name no subcommand of the root,
// suggesting close names as cobra does.
// unknownCommandFirst reports an unknown command before its flags: cobra
// would parse `extract lst --db x` as the root's flags and say "unknown
// flag: --db" instead of naming the mistyped command.
func unknownCommandFirst(root *cobra.Command, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return nil
	}
	root.InitDefaultHelpCmd() // cobra adds `help` only when it executes
	if c, _, err := root.Find(args); err == nil && c != root {
		return nil
	}
	return unknownCommand(root, args[:1])
}

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
// Its errors give the cause only (the caller names the input), and an empty
// input is an error.
func (a *app) readInput(path string) ([]byte, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = io.ReadAll(a.stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, unwrapPath(err)
	}
	if len(b) == 0 {
		return nil, errors.New("empty input")
	}
	return b, nil
}

// writeJSON prints v as indented JSON, without escaping &, < and > (URLs
// stay readable).
func (a *app) writeJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
