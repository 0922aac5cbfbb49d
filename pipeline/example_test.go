package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/veille/veille/pipeline"
	"github.com/veille/veille/pipeline/offline"
)

// ExampleRunner makes the card of a local page with the offline baseline,
// storing nothing: no network, no model.
func ExampleRunner() {
	dir, err := os.MkdirTemp("", "veille-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	page := filepath.Join(dir, "heat-pumps.md")
	text := "# Heat pumps are taking over\n\n" +
		"Sales of heat pumps increased by 40% in Europe last year, the first time they outsold gas boilers.\n" +
		"Installers warn of a growing shortage of trained technicians, a risk for the energy transition.\n"
	if err := os.WriteFile(page, []byte(text), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	r := &pipeline.Runner{Loader: &pipeline.Loader{}, Model: offline.Model{}}
	out, err := r.Run(context.Background(), page)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Provenance.Provider, out.Provenance.Model, out.Provenance.Requests)
	fmt.Println(out.Card.Title)
	// Every row the baseline finds quotes the page.
	fmt.Println(out.Tally.Rows > 0, out.Tally.Rows == out.Tally.Grounded)
	// Output:
	// offline baseline 0
	// Heat pumps are taking over
	// true true
}
