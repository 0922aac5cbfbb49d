package layout

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// module is this repository's module path.
const module = "github.com/veille/veille"

// pkg is what `go list -json` says of one package.
type pkg struct {
	ImportPath string
	Name       string
	Imports    []string
	Module     *struct{ Path string }
	Standard   bool
}

// goCommand runs the go command at the module's root and returns its output.
func goCommand(t *testing.T, args ...string) []byte {
	t.Helper()
	root, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(root)))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// goList runs `go list -json` with args and decodes the packages.
func goList(t *testing.T, args ...string) []pkg {
	t.Helper()
	out := goCommand(t, append([]string{"list", "-json"}, args...)...)
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// families groups modules into dependency families: two modules are one
// family when one requires the other (go-readability is go-trafilatura's
// fallback extractor) or when they have one owner (River and its drivers,
// tiktoken-go and its loader).
type families struct {
	requires map[string][]string
}

func newFamilies(t *testing.T) families {
	t.Helper()
	out := goCommand(t, "mod", "graph")
	f := families{requires: map[string][]string{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		from, to, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		from, _, _ = strings.Cut(from, "@")
		to, _, _ = strings.Cut(to, "@")
		f.requires[from] = append(f.requires[from], to)
	}
	return f
}

// owner is a module's host and owner: "github.com/riverqueue".
func owner(mod string) string {
	parts := strings.SplitN(mod, "/", 3)
	if len(parts) < 2 {
		return mod
	}
	return parts[0] + "/" + parts[1]
}

// related reports whether modules a and b are one family.
func (f families) related(a, b string) bool {
	return owner(a) == owner(b) || slices.Contains(f.requires[a], b) || slices.Contains(f.requires[b], a)
}

// group splits mods into families; each family is named by its modules.
func (f families) group(mods []string) []string {
	var groups [][]string
	for _, m := range mods {
		joined := false
		for i, g := range groups {
			for _, other := range g {
				if f.related(m, other) {
					groups[i] = append(groups[i], m)
					joined = true
					break
				}
			}
			if joined {
				break
			}
		}
		if !joined {
			groups = append(groups, []string{m})
		}
	}
	names := make([]string, len(groups))
	for i, g := range groups {
		sort.Strings(g)
		names[i] = strings.Join(g, "+")
	}
	sort.Strings(names)
	return names
}

// external reports whether an import is a third-party library: not the
// standard library, not this module, and not golang.org/x, which the Go
// project maintains beside the standard library.
func external(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return strings.Contains(first, ".") && !strings.HasPrefix(path, module) &&
		!strings.HasPrefix(path, "golang.org/x/")
}

// moduleOf maps every import of the module's packages to its module.
func moduleOf(t *testing.T) map[string]string {
	t.Helper()
	mods := map[string]string{}
	for _, p := range goList(t, "-deps", "./...") {
		if p.Module != nil {
			mods[p.ImportPath] = p.Module.Path
		}
	}
	return mods
}

// bound returns the dependency families each package outside cmd/ imports.
func bound(t *testing.T) map[string][]string {
	t.Helper()
	mods, fam := moduleOf(t), newFamilies(t)
	out := map[string][]string{}
	for _, p := range goList(t, module+"/...") {
		if strings.HasPrefix(p.ImportPath, module+"/cmd/") {
			continue
		}
		var used []string
		for _, imp := range p.Imports {
			if external(imp) && !slices.Contains(used, mods[imp]) {
				used = append(used, mods[imp])
			}
		}
		out[p.ImportPath] = fam.group(used)
	}
	return out
}

// TestOneDependencyFamilyPerPackage keeps each package outside cmd/ to at
// most one external dependency family.
func TestOneDependencyFamilyPerPackage(t *testing.T) {
	for path, fams := range bound(t) {
		if len(fams) > 1 {
			t.Errorf("%s binds %d dependency families, want at most one: %s", path, len(fams), strings.Join(fams, ", "))
		}
	}
}

// TestEachFamilyIsBoundOnce keeps each external library behind one
// package. Test-support packages (named …test) may use the library of the
// package they serve.
func TestEachFamilyIsBoundOnce(t *testing.T) {
	by := map[string][]string{}
	for path, fams := range bound(t) {
		if strings.HasSuffix(path, "test") {
			continue
		}
		for _, f := range fams {
			by[f] = append(by[f], path)
		}
	}
	for f, paths := range by {
		if len(paths) > 1 {
			sort.Strings(paths)
			t.Errorf("%s is bound by %d packages, want one: %s", f, len(paths), strings.Join(paths, ", "))
		}
	}
}

// TestImportsFlowOneWay checks the direction of imports inside the module:
// nothing imports cmd, the domain (schema) imports no other layer, the
// sub-packages of pipeline do not import pipeline itself, and storage
// knows nothing of pipeline, eval or export.
func TestImportsFlowOneWay(t *testing.T) {
	rules := []struct {
		from, to string // import path prefixes below the module ("eval/" for its sub-packages)
		why      string
	}{
		{"", "cmd/", "cmd only wires"},
		{"schema", "pipeline", "the domain depends on no layer"},
		{"schema", "store", "the domain depends on no layer"},
		{"schema", "eval", "the domain depends on no layer"},
		{"schema", "export", "the domain depends on no layer"},
		{"store", "pipeline", "storage knows no pipeline"},
		{"store", "eval", "storage knows no eval"},
		{"eval", "pipeline", "eval scores cards, whoever made them"}, // eval/extractbench measures the extractor
		{"export", "pipeline", "export writes stored cards"},
	}
	for _, p := range goList(t, module+"/...") {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			target := strings.TrimPrefix(imp, module+"/")
			for _, r := range rules {
				from := rel == r.from || (r.from != "eval" && strings.HasPrefix(rel, r.from))
				if from && strings.HasPrefix(target, r.to) && !strings.HasPrefix(rel, "cmd/") && !strings.HasPrefix(rel, r.to) {
					t.Errorf("%s imports %s: %s", rel, target, r.why)
				}
			}
			if strings.HasPrefix(rel, "pipeline/") && target == "pipeline" {
				t.Errorf("%s imports pipeline: sub-packages serve the pipeline, not the reverse", rel)
			}
		}
	}
}

// TestFamiliesGrouping pins the family rule on known modules.
func TestFamiliesGrouping(t *testing.T) {
	f := families{requires: map[string][]string{
		"github.com/markusmobius/go-trafilatura": {"github.com/go-shiori/go-readability"},
	}}
	tests := []struct {
		mods []string
		want int
	}{
		{[]string{"github.com/riverqueue/river", "github.com/riverqueue/river/riverdriver/riversqlite"}, 1},
		{[]string{"github.com/go-shiori/go-readability", "github.com/markusmobius/go-trafilatura"}, 1},
		{[]string{"github.com/pkoukk/tiktoken-go", "github.com/pkoukk/tiktoken-go-loader"}, 1},
		{[]string{"github.com/sashabaranov/go-openai", "github.com/tmc/langchaingo"}, 2},
		{[]string{"github.com/mattn/go-runewidth", "github.com/santhosh-tekuri/jsonschema/v6"}, 2},
	}
	for _, tt := range tests {
		if got := f.group(tt.mods); len(got) != tt.want {
			t.Errorf("group(%v) = %v, want %d families", tt.mods, got, tt.want)
		}
	}
}

// TestPackageMap logs the package map: each package with the dependency
// families it binds (go test ./internal/layout -run PackageMap -v).
func TestPackageMap(t *testing.T) {
	b := bound(t)
	paths := make([]string, 0, len(b))
	for p := range b {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var sb strings.Builder
	for _, p := range paths {
		fmt.Fprintf(&sb, "%-45s %s\n", strings.TrimPrefix(p, module+"/"), strings.Join(b[p], ", "))
	}
	t.Log("\n" + sb.String())
}
