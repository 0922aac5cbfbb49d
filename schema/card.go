// Package schema holds veille's domain types: the signal card, the JSON
// Schema of a model's answer, its validation and the card's markdown format.
package schema

// Category is the broad subject of a card's source page.
type Category string

// The categories of the original generator.
const (
	CategorySport           Category = "sport"
	CategoryPolitics        Category = "politics"
	CategoryTechnology      Category = "technology"
	CategoryScience         Category = "science"
	CategoryCity            Category = "city"
	CategoryInfrastructures Category = "infrastructures"
	CategoryOthers          Category = "others"
)

// Categories lists every Category in the original's order.
var Categories = []Category{CategorySport, CategoryPolitics, CategoryTechnology,
	CategoryScience, CategoryCity, CategoryInfrastructures, CategoryOthers}

// Type is the kind of source page.
type Type string

// The page types of the original generator.
const (
	TypeBlogPost        Type = "blog post"
	TypeSocialNetwork   Type = "social network"
	TypeNews            Type = "news"
	TypeResearchArticle Type = "research article"
	TypeErrorMessage    Type = "error message"
	TypeOthers          Type = "others"
)

// Types lists every Type in the original's order.
var Types = []Type{TypeBlogPost, TypeSocialNetwork, TypeNews,
	TypeResearchArticle, TypeErrorMessage, TypeOthers}

// Link is a labelled URL: a card's origin (the newsletter issue that linked
// the source) or one of the "Closest" cards of the older layout.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Signal is one row of the weak-signals table.
type Signal struct {
	Name         string `json:"name"`
	Description  string `json:"description"`
	Change       string `json:"change"`
	TenYear      string `json:"10-year"`
	DrivingForce string `json:"driving-force"`
	// Relevancy is 0–5; nil only in older cards that had no such column.
	Relevancy *int `json:"relevancy"`
	// Evidence is a short verbatim quote from the source text.
	Evidence string `json:"evidence"`
}

// Row is one row of the concerns, behaviors, technologies or issues tables.
type Row struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Relevancy is 0–5 or nil: most gold cards have no relevancy column here.
	Relevancy *int `json:"relevancy"`
	// Evidence is a short verbatim quote from the source text.
	Evidence string `json:"evidence"`
}

// Answer is what a model fills in: the card without what the pipeline knows
// already (the URLs). Its JSON Schema is schema/card.schema.json.
type Answer struct {
	Title        string   `json:"title"`
	Keywords     []string `json:"keywords"`
	Themes       []string `json:"themes"`
	Category     Category `json:"category"`
	Type         Type     `json:"type"`
	Summary      string   `json:"summary"`
	Signals      []Signal `json:"signals"`
	Concerns     []Row    `json:"concerns"`
	Behaviors    []Row    `json:"behaviors"`
	Technologies []Row    `json:"technologies"`
	Issues       []Row    `json:"issues"`
}

// Card is a signal card: a model's (or the offline baseline's) answer about
// one source page, with the page's URL and where it was found.
type Card struct {
	// URL is the source page, the card's "External link".
	URL string `json:"url"`
	// Origin is the page that linked the source (a newsletter issue), if any.
	Origin *Link `json:"origin,omitempty"`
	Answer
	// Closest lists related cards; only older gold cards have it.
	Closest []Link `json:"closest,omitempty"`
}
