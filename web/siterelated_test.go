package web

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/veille/veille/schema"
)

// storyCollection holds two cards on a story of home batteries, one on a
// story of generative AI, one on both, and filler cards on other stories.
func storyCollection() *fakeCollection {
	f := &fakeCollection{}
	prov := schema.Provenance{Provider: "openai"}
	battery := func(title string) schema.Card {
		c := gridCard()
		c.Title, c.Keywords, c.Themes = title, []string{"batteries", "virtual power plant"}, []string{"energy"}
		return c
	}
	ai := aiCard()
	ai.Themes = []string{"intelligence artificielle"}
	both := battery("Generative AI schedules home batteries")
	both.Keywords = append(both.Keywords, "IA générative")
	f.add("battery-1", battery("Home batteries join the grid"), "", day, prov)
	f.add("ai-1", ai, "", day.Add(-time.Hour), prov)
	f.add("battery-2", battery("Utilities pay households for their home batteries"), "", day.Add(-2*time.Hour), prov)
	f.add("both", both, "", day.Add(-3*time.Hour), prov)
	for i := range 20 {
		c := gridCard()
		c.Title, c.Keywords, c.Themes = fmt.Sprintf("Harbour cranes %d", i), []string{"harbour", "cranes"}, []string{"logistics"}
		c.Signals, c.Technologies = nil, nil
		f.add(fmt.Sprintf("filler-%d", i), c, "", day.Add(-time.Duration(4+i)*time.Hour), prov)
	}
	return f
}

func TestSiteRelated(t *testing.T) {
	ctx := context.Background()
	f := storyCollection()
	cards, err := allCards(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	r, err := newSiteRelated(ctx, f, cards)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id    string
		limit int
		want  []string // the related cards, best first
	}{
		{"battery-1", 8, []string{"battery-2", "both"}},
		{"battery-2", 1, []string{"battery-1"}},
		{"ai-1", 8, []string{"both"}},
		{"both", 8, []string{"battery-1", "battery-2", "ai-1"}},
		{"filler-3", 2, []string{"filler-0", "filler-1"}},
	}
	for _, tt := range tests {
		hits, err := r.related(tt.id, tt.limit)
		if err != nil {
			t.Fatalf("related(%s): %v", tt.id, err)
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.ID)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("related(%s, %d) = %q, want %q", tt.id, tt.limit, got, tt.want)
		}
	}
	if _, err := r.related("not-exported", 8); !errors.Is(err, schema.ErrNotFound) {
		t.Errorf("related to a card not exported: %v, want ErrNotFound", err)
	}
}

// TestExportSiteRelatesOneStory checks the related cards of the written
// pages: the cards on one story link each other, not the others.
func TestExportSiteRelatesOneStory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	if _, err := ExportSite(context.Background(), storyCollection(), dir, Options{}); err != nil {
		t.Fatal(err)
	}
	page := readFile(t, filepath.Join(dir, "cards", cardFile("battery-1")))
	_, related, _ := strings.Cut(page, "Related cards")
	for _, want := range []string{"battery-2", "both"} {
		if !strings.Contains(related, `href="../cards/`+cardFile(want)+`"`) {
			t.Errorf("battery-1's page does not link %s among its related cards", want)
		}
	}
	for _, other := range []string{"ai-1", "filler-0"} {
		if strings.Contains(related, cardFile(other)) {
			t.Errorf("battery-1's page relates %s", other)
		}
	}
}
