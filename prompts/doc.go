// Package prompts embeds the versioned prompt templates sent to models.
//
// Each file NAME-VERSION.tmpl is a text/template holding named blocks:
// "system" (instructions), "user" (the page, between delimiter lines),
// "repair" (sent back with validation errors) and "merge" (the pass over a
// long page's parts). The prompts of questions over the collection
// (ask-VERSION) and of digest topics (digest-VERSION) have "system",
// "user" (the cards, between delimiter lines) and "repair". A prompt's identity in provenance is its name, its
// version and the hex SHA-256 of the file.
package prompts
