package schema

import "time"

// How a document came to veille: the kinds of [Mention].
const (
	MentionList   = "list"   // a list file given to `extract batch` (URLs, Pocket, bookmarks)
	MentionDigest = "digest" // a newsletter issue or page of links
	MentionFeed   = "feed"   // an RSS, Atom or JSON feed
)

// Mention is one place that brought a document to veille: a list file, a
// digest or a feed, with the tags that place gave the document (Pocket
// tags, the bookmark folders it sits in). A document has one mention per
// place, however many times that place listed it.
type Mention struct {
	// URL is the document's canonical URL.
	URL string `json:"url"`
	// Kind is MentionList, MentionDigest or MentionFeed.
	Kind string `json:"kind"`
	// Source is the list file's path, or the digest's or feed's URL.
	Source string `json:"source"`
	// Label is what the source called the link, if anything (a digest
	// issue's name).
	Label string `json:"label,omitempty"`
	// Tags are the source's tags for the document, in its order.
	Tags []string `json:"tags,omitempty"`
	// FirstSeen is when a batch first found the document there.
	FirstSeen time.Time `json:"first_seen"`
}
