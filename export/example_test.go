package export_test

import (
	"encoding/json"
	"log"
	"os"
	"time"

	"github.com/veille/veille/export"
	"github.com/veille/veille/schema"
)

func ExampleWrite() {
	relevancy := 4
	card := schema.Card{URL: "https://example.org/bikes", Answer: schema.Answer{
		Title:   "Cargo bikes replace vans",
		Signals: []schema.Signal{{Name: "Shared fleets", Description: "=cheaper than vans", Relevancy: &relevancy}},
	}}
	cardJSON, err := json.Marshal(card)
	if err != nil {
		log.Fatal(err)
	}
	cards := []schema.StoredCard{{DocumentID: "4f2a", Version: 2, CreatedAt: time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC),
		NewCard: schema.NewCard{DocumentID: "4f2a", URL: card.URL, CardJSON: string(cardJSON)}}}

	// The cell that looks like a formula gets a leading apostrophe.
	if err := export.Write(os.Stdout, cards, export.RowsCSV); err != nil {
		log.Fatal(err)
	}
	// Output:
	// card_id,card_title,card_url,origin_url,published,provider,category,type,keywords,themes,grounded_share,table,name,description,change,10-year,driving-force,relevancy,evidence
	// 4f2a,Cargo bikes replace vans,https://example.org/bikes,,,,,,,,,signals,Shared fleets,'=cheaper than vans,,,,4,
}
