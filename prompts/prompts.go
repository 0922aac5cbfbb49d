package prompts

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"strings"
	"text/template"
)

// Card is the default prompt: one request fills the whole card.
const Card = "card-v1"

// Ask is the prompt of a question over the collection: the question, then
// the retrieved cards as data; the answer cites them by id.
const Ask = "ask-v1"

// Digest is the prompt of one topic of a digest: its label, then its rows
// and cards as data; the synthesis cites them by id.
const Digest = "digest-v1"

//go:embed *.tmpl
var files embed.FS

// Template is one parsed prompt file.
type Template struct {
	// Name and Version split the file name, e.g. "card" and "v1".
	Name, Version string
	// Hash is the hex SHA-256 of the file's bytes.
	Hash string
	tmpl *template.Template
}

// Load parses the embedded prompt file id (e.g. "card-v1").
func Load(id string) (Template, error) {
	body, err := files.ReadFile(id + ".tmpl")
	if err != nil {
		return Template{}, fmt.Errorf("prompt %s: %w", id, err)
	}
	cut := strings.LastIndex(id, "-")
	if cut < 0 {
		return Template{}, fmt.Errorf("prompt %s: name must end in -VERSION", id)
	}
	funcs := template.FuncMap{"inc": func(i int) int { return i + 1 }}
	t, err := template.New(id).Funcs(funcs).Option("missingkey=error").Parse(string(body))
	if err != nil {
		return Template{}, fmt.Errorf("prompt %s: %w", id, err)
	}
	sum := sha256.Sum256(body)
	return Template{Name: id[:cut], Version: id[cut+1:], Hash: hex.EncodeToString(sum[:]), tmpl: t}, nil
}

// Execute renders the named block with data.
func (t Template) Execute(block string, data any) (string, error) {
	var b bytes.Buffer
	if err := t.tmpl.ExecuteTemplate(&b, block, data); err != nil {
		return "", fmt.Errorf("prompt %s-%s block %s: %w", t.Name, t.Version, block, err)
	}
	return b.String(), nil
}
