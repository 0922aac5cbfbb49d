package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// runExtract runs one extract command line in-process with the given
// standard input and returns its output and exit status.
func runExtract(t testing.TB, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
		getenv: func(string) string { return "" },
	}
	code = a.run(context.Background(), args)
	return out.String(), errOut.String(), code
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
		stdout string // what stdout must contain
	}{
		{"help", []string{"--help"}, exitOK, "", ""},
		{"no arguments prints help", nil, exitOK, "", ""},
		{"version", []string{"version"}, exitOK, "", ""},
		{"unknown command", []string{"nosuch"}, exitUsage, `unknown command "nosuch"`, ""},
		{"misspelt command", []string{"versoin"}, exitUsage, `did you mean "version"?`, ""},
		{"unknown flag", []string{"version", "--bogus"}, exitUsage, "unknown flag", ""},
		{"too many arguments", []string{"version", "x"}, exitUsage, "accepts 0 arg", ""},
		{"missing argument", []string{"parse"}, exitUsage, "accepts 1 arg", ""},
		{"failure", []string{"parse", "testdata/does-not-exist.md"}, exitFailure, "parse testdata/does-not-exist.md: ", ""},
		{"help on a command", []string{"help", "run"}, exitOK, "", ""},
		{"help on an unknown command", []string{"help", "nosuch"}, exitUsage, `unknown command "nosuch" for "extract"`, ""},
		{"help on a misspelt command", []string{"help", "rnu"}, exitUsage, `did you mean "run"?`, ""},
		{"completion for a shell", []string{"completion", "bash"}, exitOK, "", "# bash completion V2 for extract"},
		{"completion for an unknown shell", []string{"completion", "tcsh"}, exitUsage, `unknown command "tcsh" for "extract completion"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runExtract(t, "", tt.args...)
			if !strings.Contains(stdout, tt.stdout) {
				t.Errorf("extract %v: stdout %.80q…, want it to contain %q", tt.args, stdout, tt.stdout)
			}
			if code != tt.code {
				t.Errorf("extract %v: exit %d, want %d (stderr %q)", tt.args, code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("extract %v: stderr %q, want it to contain %q", tt.args, stderr, tt.stderr)
			}
			if tt.code != exitOK && strings.Count(strings.TrimSuffix(stderr, "\n"), "\n") != 0 {
				t.Errorf("extract %v: stderr has more than one line: %q", tt.args, stderr)
			}
		})
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		getenv: func(string) string { return "" }}
	root := a.rootCommand()
	for _, c := range root.Commands() {
		if c.Hidden {
			continue
		}
		stdout, stderr, code := runExtract(t, "", c.Name(), "--help")
		if code != exitOK || !strings.Contains(stdout, "Usage:") {
			t.Errorf("extract %s --help: exit %d, stdout %q, stderr %q", c.Name(), code, stdout, stderr)
		}
	}
}

// TestUnknownCommandBeforeItsFlags checks that a mistyped command with
// flags is named as such, not reported as an unknown flag of extract.
func TestUnknownCommandBeforeItsFlags(t *testing.T) {
	for _, args := range [][]string{{"lst", "--db", "x"}, {"nosuch", "-o", "-"}} {
		_, stderr, code := runExtract(t, "", args...)
		if code != exitUsage || !strings.Contains(stderr, `unknown command "`+args[0]+`"`) {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
	if _, stderr, code := runExtract(t, "", "lst", "--db", "x"); !strings.Contains(stderr, `did you mean "list"?`) {
		t.Errorf("no suggestion: exit %d, %q", code, stderr)
	}
}
