package markdown_test

import (
	"fmt"
	"strings"

	"github.com/veille/veille/schema"
	"github.com/veille/veille/schema/markdown"
)

func ExampleRender() {
	rel := 4
	c := schema.Card{URL: "https://example.org/heat-pumps", Answer: schema.Answer{
		Title:    "Heat pumps outsell gas boilers",
		Keywords: []string{"heat pumps"},
		Themes:   []string{"Energy transition"},
		Category: "Environment", Type: "Article",
		Summary: "Sales of heat pumps rose by 40% in Europe.",
		Signals: []schema.Signal{{Name: "Heat pump boom", Description: "Sales rise fast", Relevancy: &rel}},
	}}
	md := markdown.Render(c)
	// The card's last section, its weak signals, as python-tabulate draws it:
	fmt.Println(md[strings.Index(md, "## Signals"):])
	// Output:
	// ## Signals
	//
	// | name           | description     | change   | 10-year   | driving-force   |   relevancy |
	// |:---------------|:----------------|:---------|:----------|:----------------|------------:|
	// | Heat pump boom | Sales rise fast |          |           |                 |           4 |
}

func ExampleParse() {
	card, err := markdown.Parse("# __Heat pumps outsell gas boilers__\n\n" +
		"__[External link](https://example.org/heat-pumps)__\n\n" +
		"## Keywords\n\n* heat pumps\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(card.Title)
	fmt.Println(card.URL)
	fmt.Println(card.Keywords)
	// Output:
	// Heat pumps outsell gas boilers
	// https://example.org/heat-pumps
	// [heat pumps]
}
