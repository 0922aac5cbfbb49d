package schema

import "time"

// This file holds the types of trends: the rows of the cards' tables
// grouped into clusters of rows that say the same thing, across cards, and
// the report that ranks those clusters. Every storage backend (see package
// store) answers with these types.

// Sections are the names of a card's row tables, in card order: the
// section of a [TrendRow] or a [Span].
var Sections = []string{"signals", "concerns", "behaviors", "technologies", "issues"}

// TrendRow is one row of one table of a stored card, with the cluster it
// belongs to in one clustering.
type TrendRow struct {
	// CardID is the stored card version; Section its table ("signals",
	// see [Sections]); Index the row's place in that table, from 0.
	CardID  int64
	Section string
	Index   int
	// Name, Description and Relevancy are the row's (Relevancy nil when the
	// row has none).
	Name, Description string
	Relevancy         *int
	// Cluster is the row's cluster, 0 when it has none yet.
	Cluster int64
	// Terms is the row's words in the clustering's own form (the lexical
	// clustering's folded terms; empty for the others), kept with the
	// cluster so that the words need not be computed again.
	Terms string

	// The card's fields, filled by the reads that join the listing: its
	// document ID, URL, title, source host and date.
	DocumentID, URL, Title, Host string
	Published                    time.Time
}

// RowKey names one row of a stored card.
type RowKey struct {
	CardID  int64
	Section string
	Index   int
}

// Key is the row's [RowKey].
func (r TrendRow) Key() RowKey { return RowKey{CardID: r.CardID, Section: r.Section, Index: r.Index} }

// RowEmbedding is a vector for one row of a card, made by one embeddings
// model.
type RowEmbedding struct {
	RowKey
	Model  string
	Vector []float32
}

// RowFilter selects clustered rows: those of the cards published in
// [Since, Until) (a zero bound is open), of one table (Section; "" for
// all), of some clusters (Clusters; nil for all).
type RowFilter struct {
	Since, Until time.Time
	Section      string
	Clusters     []int64
}

// ClusterQuery asks for the clusters of the rows RowFilter selects, with
// their figures, ranked as a trends report ranks them.
type ClusterQuery struct {
	RowFilter
	// Recent and Previous are the starts of the last window and of the one
	// before (the last ends at Until).
	Recent, Previous time.Time
	// MinSources keeps the clusters carried by at least this many hosts;
	// Limit caps the clusters returned (0: all).
	MinSources, Limit int
}

// ClusterStat is one cluster's figures over the rows a [ClusterQuery]
// selects: distinct hosts, rows, rows in the last window and in the one
// before, and the mean relevancy of the rows that have one (0 when none
// has).
type ClusterStat struct {
	Cluster                         int64
	Sources, Rows, Recent, Previous int
	Relevancy                       float64
}

// CardTag is one theme or keyword of a card, lower-cased, with the card's
// date.
type CardTag struct {
	Kind      string // FacetTheme or FacetKeyword
	Value     string
	Published time.Time
}

// Trend is one cluster of rows, as a trends report ranks it.
type Trend struct {
	// Cluster identifies the cluster in its clustering.
	Cluster int64 `json:"cluster"`
	// Label is the name of the row that best represents the cluster.
	Label string `json:"label"`
	// Sources counts the distinct hosts of the cluster's cards.
	Sources int `json:"sources"`
	// Growth is Recent minus Previous: the rows of the last window against
	// those of the window before it.
	Growth   int `json:"growth"`
	Recent   int `json:"recent"`
	Previous int `json:"previous"`
	// Relevancy is the mean relevancy of the rows that have one (0 when
	// none has).
	Relevancy float64 `json:"relevancy"`
	// FirstSeen and LastSeen are the dates of its oldest and newest cards.
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// Hosts are the distinct hosts, most rows first.
	Hosts []string `json:"hosts"`
	// Rows are the cluster's rows, newest card first; Cards the distinct
	// cards carrying them, newest first.
	Rows  []TrendRowRef `json:"rows"`
	Cards []TrendCard   `json:"cards"`
}

// TrendRowRef is one row of a [Trend]: its table, name and description,
// and the card it is from (ID as in [TrendCard]).
type TrendRowRef struct {
	Card        string `json:"card"`
	Section     string `json:"table"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Relevancy   *int   `json:"relevancy"`
}

// TrendCard is one card of a [Trend]. ID is the card's document ID, what
// `extract show` and the web pages take.
type TrendCard struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Title     string    `json:"title"`
	Host      string    `json:"host"`
	Published time.Time `json:"published"`
}

// TagSeries counts one theme or keyword in each window of a trends report,
// oldest window first.
type TagSeries struct {
	Value  string `json:"value"`
	Total  int    `json:"total"`
	Counts []int  `json:"counts"`
}

// TrendReport is the ranked clusters of a period, with the counts of the
// top themes and keywords in each of its windows.
type TrendReport struct {
	// Since and Until bound the period (Since inclusive, Until exclusive);
	// Window is the length of each window, counted back from Until (in
	// JSON, in nanoseconds).
	Since  time.Time     `json:"since"`
	Until  time.Time     `json:"until"`
	Window time.Duration `json:"window"`
	// Method names the clustering: "lexical", or "embeddings MODEL".
	Method string `json:"method"`
	// Clusters counts the clusters carried by enough sources; Trends are
	// the best of them, ranked, best first.
	Clusters int     `json:"clusters"`
	Trends   []Trend `json:"trends"`
	// Windows are the starts of the windows, oldest first; Themes and
	// Keywords count the top ones in each window.
	Windows  []time.Time `json:"windows"`
	Themes   []TagSeries `json:"themes"`
	Keywords []TagSeries `json:"keywords"`
}
