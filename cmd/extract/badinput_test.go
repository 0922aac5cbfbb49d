package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// badInputDir makes a directory of awkward inputs: a page, an empty file,
// malformed JSON cards, a subdirectory, a read-only directory and a
// read-only database file.
func badInputDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"page.html":   "<html><body><p>Heat pumps spread in cities as gas boilers are banned.</p></body></html>",
		"empty.txt":   "",
		"typed.json":  `{"title": 5}`,
		"null.json":   "null",
		"cut.json":    `{"title": "A`,
		"readonly.db": "",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, sub := range []string{"adir", "readonly"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, mode := range map[string]os.FileMode{"readonly": 0o555, "readonly.db": 0o444} {
		if err := os.Chmod(filepath.Join(dir, name), mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestBadInputFailsCleanly runs commands on bad input and checks the
// standards: the exit status, one line on stderr naming the input and the
// cause without Go-internal wording, nothing on stdout, and nothing left
// behind (no database created, no output written).
func TestBadInputFailsCleanly(t *testing.T) {
	dir := badInputDir(t)
	at := func(name string) string { return filepath.Join(dir, name) }
	fresh := at("fresh.db") // must never be created
	tests := []struct {
		name     string
		args     []string
		code     int
		want     string
		notExist []string // paths that must not exist afterwards
		asRoot   bool     // false: skipped as root, whom permissions do not stop
	}{
		{"invalid number", []string{"eval", "--gold", at("page.html"), "--min-score", "abc", "--db", fresh},
			exitUsage, `extract: eval: --min-score "abc": want a number (see 'extract eval --help')`, []string{fresh}, true},
		{"invalid duration", []string{"text", "--fetch-timeout", "soon", at("page.html"), "--db", fresh},
			exitUsage, `extract: text: --fetch-timeout "soon": want a duration such as 30s`, []string{fresh}, true},
		{"invalid whole number", []string{"batch", "--concurrency", "many", "--db", fresh},
			exitUsage, `extract: batch: --concurrency "many": want a whole number`, []string{fresh}, true},
		{"NaN score", []string{"eval", "--gold", at("page.html"), "--min-score", "NaN", "--db", fresh},
			exitUsage, "extract: eval: --min-score NaN: want a number between 0 and 1", []string{fresh}, true},
		{"NaN budget", []string{"batch", "--max-cost", "NaN", "--db", fresh},
			exitUsage, "extract: batch: --max-cost NaN: want a finite number", []string{fresh}, true},
		{"infinite host rate", []string{"batch", "--host-rps", "Inf", "--db", fresh},
			exitUsage, "extract: batch: --host-rps +Inf: want a finite number", []string{fresh}, true},
		{"negative rate", []string{"batch", "--rpm", "-1", "--db", fresh},
			exitUsage, "extract: batch: --rpm -1: want a finite number, 0 or more", []string{fresh}, true},
		{"concurrency beyond the queue", []string{"batch", "--concurrency", "100000000", "--db", fresh},
			exitUsage, "extract: batch: --concurrency 100000000: want 1 to 5000", []string{fresh}, true},
		{"unknown flag names the command once", []string{"parse", "--bogus", at("page.html")},
			exitUsage, "extract: parse: unknown flag: --bogus (see 'extract parse --help')", nil, true},
		{"unknown flag of the root", []string{"--bogus"},
			exitUsage, "extract: unknown flag: --bogus (see 'extract --help')", nil, true},
		{"too many arguments", []string{"parse", "a", "b"},
			exitUsage, "extract: parse: accepts 1 arg(s), received 2", nil, true},
		{"missing card file", []string{"parse", at("nope.md")},
			exitFailure, "parse " + at("nope.md") + ": no such file or directory", nil, true},
		{"card is a directory", []string{"parse", at("adir")},
			exitFailure, "parse " + at("adir") + ": is a directory", nil, true},
		{"empty card file", []string{"render", at("empty.txt")},
			exitFailure, "render " + at("empty.txt") + ": empty input", nil, true},
		{"card field of the wrong type", []string{"render", at("typed.json")},
			exitFailure, "render " + at("typed.json") + `: not a JSON card: field "title": want a string, got a number`, nil, true},
		{"JSON null card", []string{"render", at("null.json")},
			exitFailure, "render " + at("null.json") + ": not a JSON card: want a JSON object", nil, true},
		{"truncated JSON card", []string{"render", at("cut.json")},
			exitFailure, "render " + at("cut.json") + ": not a JSON card: the JSON ends too early", nil, true},
		{"unknown provider", []string{"run", "--provider", "gpt", at("page.html"), "--db", fresh},
			exitUsage, `extract: run: --provider "gpt": want one of auto, openai`, []string{fresh}, true},
		{"unknown provider in batch", []string{"batch", "--provider", "gpt", "--db", fresh},
			exitUsage, `extract: batch: --provider "gpt": want one of`, []string{fresh}, true},
		{"unknown provider in eval", []string{"eval", "--gold", at("page.html"), "--provider", "gpt", "--db", fresh},
			exitUsage, `extract: eval: --provider "gpt": want one of`, []string{fresh}, true},
		{"zero model timeout", []string{"run", "--timeout", "0s", at("page.html"), "--db", fresh},
			exitUsage, "extract: run: --timeout 0s: must be positive", []string{fresh}, true},
		{"negative fetch timeout", []string{"links", "--connect-timeout", "-1s", at("page.html"), "--db", fresh},
			exitUsage, "extract: links: --connect-timeout -1s: must be positive", []string{fresh}, true},
		{"zero batch fetch timeout", []string{"batch", "--fetch-timeout", "0s", at("page.html"), "--db", fresh},
			exitUsage, "extract: batch: --fetch-timeout 0s: must be positive", []string{fresh}, true},
		{"input is a directory", []string{"text", at("adir"), "--db", at("text.db")},
			exitFailure, "input " + at("adir") + ": is a directory", nil, true},
		{"database is a directory", []string{"text", at("page.html"), "--db", at("adir")},
			exitFailure, "database " + at("adir") + ": is a directory", nil, true},
		{"read-only database", []string{"text", at("page.html"), "--db", at("readonly.db")},
			exitFailure, "database " + at("readonly.db") + ": not writable: permission denied", nil, false},
		{"export from a missing database", []string{"export", "-o", "-", "--db", fresh},
			exitFailure, "database " + fresh + ": no such file", []string{fresh}, true},
		{"eval history of a missing database", []string{"eval", "--history", "--db", fresh},
			exitFailure, "eval --history: database " + fresh + ": no such file", []string{fresh}, true},
		{"batch status of a missing database", []string{"batch", "--status", "--db", fresh},
			exitFailure, "batch --status: database " + fresh + ": no such file", []string{fresh}, true},
		{"negative history limit", []string{"eval", "--history", "--limit", "-1", "--db", fresh},
			exitUsage, "eval: --limit -1: cannot be negative", []string{fresh}, true},
		{"bad --since", []string{"export", "--since", "yesterday", "-o", "-", "--db", fresh},
			exitUsage, `export: --since "yesterday": want a date YYYY-MM-DD or an RFC 3339 time`, []string{fresh}, true},
		{"export -o is a file", []string{"export", "-o", at("page.html"), "--db", at("text.db")},
			exitFailure, "export: -o " + at("page.html") + ": not a directory", nil, true},
		{"run -o is a file", []string{"run", "--provider", "offline", "-o", at("page.html"), at("page.html"), "--db", fresh},
			exitFailure, "run: -o " + at("page.html") + ": not a directory", []string{fresh}, true},
		{"run -o is read-only", []string{"run", "--provider", "offline", "-o", at("readonly"), at("page.html"), "--db", fresh},
			exitFailure, "run: -o " + at("readonly") + ": permission denied", []string{fresh}, false},
		{"eval report in a missing directory", []string{"eval", "--gold", evalData + "/gold/airlines.md", "--json", at("nodir/r.json"), "--db", fresh},
			exitFailure, "eval: report " + at("nodir/r.json") + ": directory " + at("nodir") + ": no such file or directory", []string{fresh, at("nodir")}, true},
		{"eval report is a directory", []string{"eval", "--gold", evalData + "/gold/airlines.md", "--html", at("adir"), "--db", fresh},
			exitFailure, "eval: report " + at("adir") + ": is a directory", []string{fresh}, true},
		{"eval report in a read-only directory", []string{"eval", "--gold", evalData + "/gold/airlines.md", "--json", at("readonly/r.json"), "--db", fresh},
			exitFailure, "eval: report " + at("readonly/r.json") + ": directory " + at("readonly") + ": permission denied", []string{fresh}, false},
	}
	// text.db is an existing store for the cases that need one.
	if _, stderr, code := runExtract(t, "", "text", at("page.html"), "--db", at("text.db")); code != exitOK {
		t.Fatalf("setup: extract text: exit %d: %s", code, stderr)
	}
	noise := []string{"strconv.", "parsing time", "Go struct", "json: cannot", "json: unknown", "extract extract", "open " + dir, "stat " + dir, "(14)", ".extract-"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.asRoot && os.Geteuid() == 0 {
				t.Skip("permissions do not stop root")
			}
			stdout, stderr, code := runExtract(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.want)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "extract: ") {
				t.Errorf("stderr %q: want one line starting with \"extract: \"", stderr)
			}
			for _, n := range noise {
				if strings.Contains(stderr, n) {
					t.Errorf("stderr %q contains %q", stderr, n)
				}
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			for _, path := range tt.notExist {
				if _, err := os.Stat(path); err == nil {
					t.Errorf("%s exists after the failure", path)
					os.RemoveAll(path)
				}
			}
		})
	}
}

// TestRunStopsWhenInterrupted checks that a run interrupted while it
// fetches its second input reports the interruption once, instead of
// failing every remaining input, and keeps the card already made.
func TestRunStopsWhenInterrupted(t *testing.T) {
	dir := badInputDir(t)
	page := filepath.Join(dir, "page.html")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The server interrupts the run (as Ctrl-C would) once the request is in.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel()
		<-r.Context().Done()
	}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	code := a.run(ctx, []string{"run", "--provider", "offline", "--db", filepath.Join(dir, "v.db"), page, srv.URL + "/slow", page})
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	want := "extract: run: interrupted at " + srv.URL + "/slow; 1 of 3 inputs done\n"
	if errOut.String() != want {
		t.Errorf("stderr %q, want %q", errOut.String(), want)
	}
	if n := strings.Count(out.String(), "Heat pumps"); n == 0 {
		t.Errorf("stdout %q, want the first input's card", out.String())
	}
}

// TestEvalRunStopsWhenInterrupted checks that eval --run, interrupted while
// it fetches a gold card's page, says so in one line and neither prints nor
// stores a report that would score the interruption.
func TestEvalRunStopsWhenInterrupted(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel()
		<-r.Context().Done()
	}))
	defer srv.Close()
	gold, err := os.ReadFile(evalData + "/gold/airlines.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"one", "two"} {
		card := strings.Replace(string(gold), "https://www.example.com/2022/12/01/united-airlines-batteries", srv.URL+"/"+name, 1)
		path := filepath.Join(dir, "gold", name, "card.md")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(card), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(dir, "v.db")
	var out, errOut bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	code := a.run(ctx, []string{"eval", "--run", "--provider", "offline", "--gold", filepath.Join(dir, "gold"), "--db", db})
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	stderr := errOut.String()
	if !strings.HasPrefix(stderr, "extract: eval --run: interrupted at ") || strings.Count(stderr, "\n") != 1 ||
		!strings.Contains(stderr, "0 of 2 missing cards made and stored, nothing scored") {
		t.Errorf("stderr %q: want one line saying the run was interrupted", stderr)
	}
	if out.Len() != 0 {
		t.Errorf("stdout %q, want no report", out.String())
	}
	history, _, _ := runExtract(t, "", "eval", "--history", "--db", db)
	if !strings.HasPrefix(history, "no eval runs stored") {
		t.Errorf("eval --history: %q, want no run stored", history)
	}
}
