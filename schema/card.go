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
	Name         string `json:"name" jsonschema_description:"Short name of the weak signal, a few words."`
	Description  string `json:"description" jsonschema_description:"What the signal is, in 10 to 20 words."`
	Change       string `json:"change" jsonschema_description:"The change this signal points to, from what to what, in 15 to 20 words."`
	TenYear      string `json:"10-year" jsonschema_description:"Where this change could be in 10 years, in 15 to 20 words."`
	DrivingForce string `json:"driving-force" jsonschema_description:"The force driving this change, in 15 to 20 words."`
	// Relevancy is 0–5; nil only in older cards that had no such column.
	// A model must give it (see card.schema.json).
	Relevancy *int `json:"relevancy" jsonschema:"minimum=0,maximum=5" jsonschema_description:"How relevant this signal is for a foresight analyst, an integer from 0 (not relevant) to 5 (should not be missed)."`
	// Evidence is a short verbatim quote from the source text.
	Evidence string `json:"evidence" jsonschema_description:"A short verbatim quote from the source text that supports this signal."`
}

// Row is one row of the concerns, behaviors, technologies or issues tables.
type Row struct {
	Name        string `json:"name" jsonschema_description:"Short name of the item, a few words."`
	Description string `json:"description" jsonschema_description:"What the item is and why it matters here, in 10 to 30 words."`
	// Relevancy is 0–5 or nil: most gold cards have no relevancy column here.
	Relevancy *int `json:"relevancy" jsonschema:"minimum=0,maximum=5" jsonschema_description:"How relevant this item is for a foresight analyst, an integer from 0 (not relevant) to 5 (should not be missed), or null."`
	// Evidence is a short verbatim quote from the source text.
	Evidence string `json:"evidence" jsonschema_description:"A short verbatim quote from the source text that supports this item."`
}

// Answer is what a model fills in: the card without what the pipeline knows
// already (the URLs). Its JSON Schema is schema/card.schema.json.
type Answer struct {
	Title        string   `json:"title" jsonschema_description:"A title for the article, in 10 to 20 words."`
	Keywords     []string `json:"keywords" jsonschema_description:"Keywords: what one would search for to find this article. One keyword or short phrase per item, lower-case, without commas."`
	Themes       []string `json:"themes" jsonschema_description:"The main themes of the article. One theme per item, lower-case, without commas."`
	Category     Category `json:"category" jsonschema_description:"The category the article belongs to."`
	Type         Type     `json:"type" jsonschema_description:"The kind of page the text comes from."`
	Summary      string   `json:"summary" jsonschema_description:"A summary of the article, up to 150 words."`
	Signals      []Signal `json:"signals" jsonschema_description:"As a futurist, the weak signals in the article: early signs of change that may matter in the future."`
	Concerns     []Row    `json:"concerns" jsonschema_description:"The concerns the article raises or implies."`
	Behaviors    []Row    `json:"behaviors" jsonschema_description:"The new or changing behaviors (of people, organisations or societies) the article describes."`
	Technologies []Row    `json:"technologies" jsonschema_description:"The technologies the article mentions or implies."`
	Issues       []Row    `json:"issues" jsonschema_description:"Emerging issues: topics that are tangential today but may grow into wider concerns."`
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
