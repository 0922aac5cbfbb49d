package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/veille/veille/schema"
)

// cardData is a card's page: the card in the gold layout, the page text
// with the evidence highlighted, related cards and the versions.
type cardData struct {
	ID     string
	Stored schema.StoredCard
	Card   schema.Card
	// Broken is set when the stored JSON could not be read.
	Broken   bool
	Tables   []tableView
	Text     []segment
	HasText  bool
	TextNote string
	Related  []listItem
	Versions []versionView
	// FoundIn are the lists, digests and feeds that brought the page.
	FoundIn []schema.Mention
}

// tableView is one of the card's tables.
type tableView struct {
	Key, Title   string
	Signals      bool
	HasRelevancy bool
	Rows         []rowView
}

// rowView is one row of a table and where its evidence is.
type rowView struct {
	Key                                              string
	Name, Description, Change, TenYear, DrivingForce string
	Relevancy                                        string
	Evidence                                         string
	// Method is how the evidence was located; Anchor is set when it was.
	Method string
	Anchor string
}

// versionView is one stored version of the card.
type versionView struct {
	schema.StoredCard
	Current bool
	Link    string
}

// relatedShown caps the related cards.
const relatedShown = 8

// handleCard shows one card, its newest version unless ?v= names another.
func (s *server) handleCard(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	version := 0
	if v := r.URL.Query().Get("v"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.notFound(w, r)
			return
		}
		version = n
	}
	d, err := s.cardData(r.Context(), id, version, serverLinks{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "card", s.newPage(serverLinks{}, oneLine(d.Card.Title), "cards"), d)
}

// cardData reads everything a card's page shows; version 0 is the newest.
func (s *server) cardData(ctx context.Context, id string, version int, l links) (*cardData, error) {
	versions, err := s.c.CardVersions(ctx, id)
	if err != nil {
		return nil, err
	}
	stored, err := pickVersion(ctx, s.c, id, version, versions)
	if err != nil {
		return nil, err
	}
	d := &cardData{ID: id, Stored: stored}
	d.Card, err = decodeCard(stored.CardJSON)
	d.Broken = err != nil
	spans, err := s.c.CardSpans(ctx, stored.ID)
	if err != nil {
		return nil, err
	}
	d.Tables = tablesOf(d.Card, spans)
	if err := s.pageText(ctx, d, spans); err != nil {
		return nil, err
	}
	related, err := s.c.RelatedByText(ctx, id, relatedShown+1)
	if err != nil && !errors.Is(err, schema.ErrNotFound) {
		return nil, err
	}
	for _, h := range related {
		if h.ID != id && len(d.Related) < relatedShown {
			d.Related = append(d.Related, listItem{CardSummary: cleanSummary(h.CardSummary)})
		}
	}
	d.Versions = versionsOf(versions, stored.ID, l.Card(id))
	return d, nil
}

// foundIn reads where the page was found, when the collection has it.
func (s *server) foundIn(ctx context.Context, d *cardData, doc schema.Document) error {
	if doc.CanonicalURL == "" {
		return nil
	}
	ms, err := s.c.Mentions(ctx, doc.CanonicalURL)
	d.FoundIn = ms
	return err
}

// pickVersion returns the wanted version, or the newest for 0 (the
// highest of versions, read again only when there are none).
func pickVersion(ctx context.Context, c Collection, id string, version int, versions []schema.StoredCard) (schema.StoredCard, error) {
	if version == 0 && len(versions) > 0 {
		return slices.MaxFunc(versions, func(a, b schema.StoredCard) int { return cmp.Compare(a.Version, b.Version) }), nil
	}
	if version == 0 {
		return c.LatestCard(ctx, id)
	}
	for _, v := range versions {
		if v.Version == version {
			return v, nil
		}
	}
	return schema.StoredCard{}, fmt.Errorf("card %s version %d: %w", id, version, schema.ErrNotFound)
}

// pageText reads the card's page and highlights the evidence in it.
func (s *server) pageText(ctx context.Context, d *cardData, spans []schema.Span) error {
	doc, err := s.c.GetDocumentByID(ctx, d.ID)
	if errors.Is(err, schema.ErrNotFound) {
		d.TextNote = "The page text is not in the collection (an imported card)."
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.foundIn(ctx, d, doc); err != nil {
		return err
	}
	if doc.Text == "" {
		d.TextNote = "The page has no text."
		return nil
	}
	d.HasText = true
	d.Text = highlight(doc.Text, spans)
	return nil
}

// versionsOf lists the versions newest first (the stores give them oldest
// first).
func versionsOf(versions []schema.StoredCard, current int64, link string) []versionView {
	out := make([]versionView, len(versions))
	for i, v := range versions {
		out[i] = versionView{StoredCard: v, Current: v.ID == current,
			Link: link + "?v=" + strconv.Itoa(v.Version)}
	}
	slices.SortFunc(out, func(a, b versionView) int { return cmp.Compare(b.Version, a.Version) })
	return out
}

// tablesOf lays out the card's five tables with their spans.
func tablesOf(c schema.Card, spans []schema.Span) []tableView {
	bySection := map[string]schema.Span{}
	for _, sp := range spans {
		bySection[rowKey(sp.Section, sp.Row)] = sp
	}
	signals := tableView{Key: "signals", Title: "Signals", Signals: true, HasRelevancy: true}
	for i, sg := range c.Signals {
		row := rowView{Name: sg.Name, Description: sg.Description, Change: sg.Change, TenYear: sg.TenYear,
			DrivingForce: sg.DrivingForce, Relevancy: relevancyText(sg.Relevancy), Evidence: sg.Evidence}
		signals.Rows = append(signals.Rows, withSpan(row, "signals", i, bySection))
	}
	tables := []tableView{signals}
	for _, t := range []struct {
		key, title string
		rows       []schema.Row
	}{{"concerns", "Concerns", c.Concerns}, {"behaviors", "Behaviors", c.Behaviors},
		{"technologies", "Technologies", c.Technologies}, {"issues", "Issues", c.Issues}} {
		tv := tableView{Key: t.key, Title: t.title}
		for i, r := range t.rows {
			tv.HasRelevancy = tv.HasRelevancy || r.Relevancy != nil
			row := rowView{Name: r.Name, Description: r.Description, Relevancy: relevancyText(r.Relevancy), Evidence: r.Evidence}
			tv.Rows = append(tv.Rows, withSpan(row, t.key, i, bySection))
		}
		tables = append(tables, tv)
	}
	return tables
}

// withSpan sets the row's key and, when its evidence was located, the
// anchor of its highlight.
func withSpan(row rowView, section string, i int, spans map[string]schema.Span) rowView {
	row.Key = rowKey(section, i)
	row.Method = schema.GroundNone
	if sp, ok := spans[row.Key]; ok {
		row.Method = sp.Method
		if sp.Grounded() && sp.Start >= 0 && sp.End > sp.Start {
			row.Anchor = "ev-" + row.Key
		}
	}
	return row
}

// rowKey names a row: "signals-0", "issues-3".
func rowKey(section string, row int) string {
	return section + "-" + strconv.Itoa(row)
}
