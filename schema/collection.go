package schema

import "time"

// This file holds the types of the collection's read side: listing,
// filtering, searching and relating the stored cards. Every storage
// backend (see package store) answers with these types.

// ProviderImported is the provenance provider of a card read from a file by
// `extract import`; its Model is the file's name.
const ProviderImported = "imported"

// ImportResult is what storing one imported card did: the card version
// now newest, and whether it was added (false: the same card was stored).
type ImportResult struct {
	CardID  int64
	Version int
	Changed bool
}

// CardFilter selects cards of the collection: the newest version of each
// document's card. Zero fields select everything.
type CardFilter struct {
	// Since and Until bound the card's Published date: Since inclusive,
	// Until exclusive.
	Since, Until time.Time
	// Category and Type match exactly; Theme and Keyword match one of the
	// card's themes or keywords, ignoring case.
	Category, Type, Theme, Keyword string
	// Host is the source page's host, without "www." ("example.com").
	Host string
	// Provider is the provenance provider ("openai", "offline",
	// "imported", ...).
	Provider string
	// Origin is the URL of the digest or feed that brought the card.
	Origin string
	// Sort is SortNewest (the default), SortOldest or SortTitle. A search
	// ranks by relevance unless Sort is set.
	Sort string
	// Limit caps the cards returned (0 means the backend's default, 50);
	// Offset skips the first ones, for pagination.
	Limit, Offset int
}

// Sort orders of a [CardFilter].
const (
	SortNewest = "newest"
	SortOldest = "oldest"
	SortTitle  = "title"
)

// CardSummary is one card of a listing: enough to print a line or a row,
// without the card's tables.
type CardSummary struct {
	// ID is the card's document ID ([Document].ID): what `extract show`
	// and the web pages take.
	ID string `json:"id"`
	// CardID and Version identify the stored version listed (the newest).
	CardID  int64  `json:"card_id"`
	Version int    `json:"version"`
	URL     string `json:"url"`
	Title   string `json:"title"`
	// Published is the card's date (see [NewCard].Published).
	Published time.Time `json:"published"`
	Host      string    `json:"host"`
	Category  Category  `json:"category,omitempty"`
	Type      Type      `json:"type,omitempty"`
	Provider  string    `json:"provider"`
	Model     string    `json:"model"`
	// Origin is the digest or feed that brought the card, if any.
	Origin string `json:"origin,omitempty"`
	// RowsTotal and RowsGrounded count the card's rows and those whose
	// evidence was found in the page.
	RowsTotal    int `json:"rows_total"`
	RowsGrounded int `json:"rows_grounded"`
}

// SearchHit is a card found by a full-text search.
type SearchHit struct {
	CardSummary
	// Score ranks the hits, higher is better (BM25, sign flipped).
	Score float64 `json:"score"`
	// Snippet is an excerpt around the match, the matched words between
	// [SnippetOpen] and [SnippetClose]; it is plain text otherwise, to be
	// escaped before it is shown as HTML.
	Snippet string `json:"snippet"`
}

// The marks around matched words in a [SearchHit].Snippet: characters that
// never occur in card text, so a viewer can replace them safely.
const (
	SnippetOpen  = "\u0002"
	SnippetClose = "\u0003"
)

// FacetCount is how many cards of a selection share one value of a facet
// (a category, a theme, a host, a week...).
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Facets a backend counts, for [CardFilter] selections.
const (
	FacetCategory = "category"
	FacetType     = "type"
	FacetTheme    = "theme"
	FacetKeyword  = "keyword"
	FacetHost     = "host"
	FacetProvider = "provider"
	FacetOrigin   = "origin"
	FacetWeek     = "week" // ISO week of Published: "2026-W48"
)

// Embedding is a vector for one card, made by one embeddings model.
type Embedding struct {
	// CardID is the stored card version embedded.
	CardID int64
	// Model names the embeddings model ("text-embedding-3-small").
	Model  string
	Vector []float32
}
