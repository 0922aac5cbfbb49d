package trendstest

import (
	"net/url"
	"reflect"
	"testing"
	"time"
)

func TestBuild(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c, err := Build(Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	hosts := map[string]bool{}
	planted, unrelated := 0, 0
	for _, card := range c.Cards {
		if !card.Published.Before(now) || card.Published.Before(now.AddDate(0, 0, -90)) {
			t.Errorf("%s published %s, outside the 90 days before now", card.Card.URL, card.Published)
		}
		if !card.Planted {
			unrelated++
			continue
		}
		planted++
		u, _ := url.Parse(card.Card.URL)
		hosts[u.Host] = true
		if card.Published.Before(now.AddDate(0, 0, -21)) {
			t.Errorf("planted card %s published %s, more than three weeks ago", card.Card.URL, card.Published)
		}
	}
	if planted < 10 || len(hosts) < 6 || unrelated < 300 || len(c.PlantedURLs()) != planted {
		t.Errorf("%d planted cards from %d hosts, %d unrelated; want at least 10 from 6, and 300", planted, len(hosts), unrelated)
	}
	again, _ := Build(Options{Now: now})
	if !reflect.DeepEqual(again, c) {
		t.Error("two builds differ")
	}
	if _, err := Build(Options{}); err == nil {
		t.Error("Build without Now: no error")
	}
}

func TestSynthetic(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	a, b := Synthetic(0, 50, 5, now), Synthetic(0, 50, 5, now)
	if !reflect.DeepEqual(a, b) || len(a) != 50 || len(a[0].Card.Signals) != 1 || len(a[0].Card.Issues) != 1 {
		t.Errorf("Synthetic: %d cards, not the same twice, or not 5 rows each", len(a))
	}
	if c := Synthetic(50, 1, 5, now); c[0].Card.URL == a[0].Card.URL {
		t.Error("another start makes the same card")
	}
}
