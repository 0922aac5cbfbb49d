package web

import (
	"cmp"
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/veille/veille/schema"
)

// signalRow is one row of one card's table, on the signals page.
type signalRow struct {
	Table       string
	Name        string
	Description string
	Relevancy   string
	Theme       string
	Host        string
	Date        time.Time
	CardID      string
	CardTitle   string
	URL         string
	Anchor      string
}

// signalsData is the signals page: every row of the listed cards' tables.
type signalsData struct {
	Query  *listQuery
	Rows   []signalRow
	Tables []string
	Table  string
	MinRel string
	Sort   string
	Sorts  []string
	CSV    string
	Cards  int
	Prev   string
	Next   string
}

// signalsCards caps the cards read for one signals page.
const signalsCards = 100

// Sort keys of the signals page.
var signalSorts = []string{"date", "table", "name", "relevancy", "theme", "host"}

// tableKeys are the card's tables, in order.
var tableKeys = []string{"signals", "concerns", "behaviors", "technologies", "issues"}

// handleSignals shows every row of every listed card's tables, or their
// CSV with ?format=csv.
func (s *server) handleSignals(w http.ResponseWriter, r *http.Request) {
	q := parseListQuery("/signals", r.URL.Query())
	d, err := s.signalsData(r.Context(), q, r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "csv" {
		writeSignalsCSV(w, d.Rows)
		return
	}
	p := s.newPage(serverLinks{}, "Signals", "signals")
	p.Messages = q.Messages
	s.render(w, r, http.StatusOK, "signals", p, d)
}

// signalsData reads the cards of the selection and gathers their rows,
// filtered by table and minimum relevancy, and sorted.
func (s *server) signalsData(ctx context.Context, q *listQuery, v map[string][]string) (*signalsData, error) {
	d := &signalsData{Query: q, Tables: tableKeys, Sorts: signalSorts}
	d.Table = pick(first(v, "table"), tableKeys)
	d.Sort = pick(first(v, "order"), signalSorts)
	if n, err := strconv.Atoi(first(v, "min")); err == nil && n >= 0 && n <= 5 {
		d.MinRel = strconv.Itoa(n)
	}
	for k, val := range map[string]string{"table": d.Table, "order": d.Sort, "min": d.MinRel} {
		if val != "" {
			q.values.Set(k, val)
		}
	}
	q.Filter.Limit, q.Filter.Offset = signalsCards, (q.Page-1)*signalsCards
	cards, err := s.c.ListCards(ctx, q.Filter)
	if err != nil {
		return nil, err
	}
	d.Cards = len(cards)
	for _, c := range cards {
		rows, err := s.cardRows(ctx, c)
		if err != nil {
			return nil, err
		}
		d.Rows = append(d.Rows, filterRows(rows, d.Table, d.MinRel)...)
	}
	sortRows(d.Rows, d.Sort)
	d.CSV = q.With("format", "csv")
	if q.Page > 1 {
		d.Prev = q.PageLink(q.Page - 1)
	}
	if len(cards) == signalsCards && q.Page < maxPage {
		d.Next = q.PageLink(q.Page + 1)
	}
	return d, nil
}

// cardRows reads one card's rows; a card whose JSON cannot be read has none.
func (s *server) cardRows(ctx context.Context, c schema.CardSummary) ([]signalRow, error) {
	stored, err := s.c.LatestCard(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	card, err := decodeCard(stored.CardJSON)
	if err != nil {
		return nil, nil
	}
	base := signalRow{Theme: strings.Join(card.Themes, ", "), Host: c.Host, Date: c.Published,
		CardID: c.ID, CardTitle: card.Title, URL: c.URL}
	var rows []signalRow
	for _, t := range tablesOf(card, nil) {
		for _, r := range t.Rows {
			row := base
			row.Table, row.Name, row.Description, row.Relevancy, row.Anchor = t.Key, r.Name, r.Description, r.Relevancy, r.Key
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// filterRows keeps the rows of one table (all when empty) with a relevancy
// of at least min (all when empty).
func filterRows(rows []signalRow, table, min string) []signalRow {
	out := rows[:0]
	minN, _ := strconv.Atoi(min)
	for _, r := range rows {
		if table != "" && r.Table != table {
			continue
		}
		if min != "" {
			n, err := strconv.Atoi(r.Relevancy)
			if err != nil || n < minN {
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// sortRows orders rows by key: newest first for date (the default),
// highest first for relevancy, alphabetically otherwise.
func sortRows(rows []signalRow, key string) {
	slices.SortStableFunc(rows, func(a, b signalRow) int {
		switch key {
		case "table":
			return cmp.Compare(slices.Index(tableKeys, a.Table), slices.Index(tableKeys, b.Table))
		case "name":
			return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		case "relevancy":
			return cmp.Compare(b.Relevancy, a.Relevancy)
		case "theme":
			return cmp.Compare(strings.ToLower(a.Theme), strings.ToLower(b.Theme))
		case "host":
			return cmp.Compare(a.Host, b.Host)
		}
		return b.Date.Compare(a.Date)
	})
}

// first is v's first value for key.
func first(v map[string][]string, key string) string {
	if vs := v[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// pick returns s when it is one of allowed, else "".
func pick(s string, allowed []string) string {
	if slices.Contains(allowed, s) {
		return s
	}
	return ""
}

// writeSignalsCSV writes the rows as CSV, every cell cleaned of control
// characters and guarded against formulas.
func writeSignalsCSV(w http.ResponseWriter, rows []signalRow) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="signals.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"table", "name", "description", "relevancy", "theme", "host", "date", "card_id", "card_title", "url"})
	for _, r := range rows {
		cells := []string{r.Table, r.Name, r.Description, r.Relevancy, r.Theme, r.Host,
			formatDate(r.Date), r.CardID, r.CardTitle, r.URL}
		for i, c := range cells {
			cells[i] = csvCell(c)
		}
		cw.Write(cells)
	}
	cw.Flush()
}

// csvCell strips control characters (but tab, CR and LF) and guards a cell
// that a spreadsheet would read as a formula (starting with = + - @ tab or
// CR) with a leading apostrophe.
func csvCell(s string) string {
	s = cleanText(s)
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
