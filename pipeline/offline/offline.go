// Package offline fills a signal card from a page's text alone, with classic
// text-analytics methods and no model: sentence splitting, YAKE-style
// keyphrase scoring, head-noun themes, host and text rules for the category
// and type, a TextRank extractive summary and cue-based table rows quoting
// their sentence. It is veille's honest default when no model is reachable;
// every function here is pure and deterministic.
package offline

import "github.com/veille/veille/schema"

// Page is what the baseline reads: the page's address, title, main text
// (one paragraph a line) and language ("en", "fr-FR"…; guessed when empty).
type Page struct {
	URL      string
	Title    string
	Text     string
	Lang     string
	Metadata schema.Metadata
}

// Card fills a card's answer from the page alone. Every section says how it
// was made in the "Offline baseline" section of the README.
func Card(p Page) schema.Answer {
	lang := language(firstNonEmpty(p.Lang, p.Metadata.Lang), p.Text)
	doc := newDocument(p.Text, newLexicon(lang))
	ranked := rankedPhrases(doc)
	c := newCasing(doc)
	scores := rankSentences(doc)
	tb := newTableBuilder(doc, scores, ranked, c)
	summary := summarize(doc, scores, maxSummaryWords)
	t := title(p, doc)
	signals := tb.signals(tableSpec{cues: changeCues, rows: maxSignalRows})
	if summary == "" {
		summary = t
	}
	return schema.Answer{
		Title:        t,
		Keywords:     keywords(selectKeyphrases(ranked, maxKeywords, c), c),
		Themes:       themes(ranked, lang, c, maxThemes),
		Category:     category(doc, t),
		Type:         pageType(p, doc),
		Summary:      summary,
		Signals:      signals,
		Concerns:     tb.table(tableSpec{cues: riskCues, rows: maxRows, weighCues: true, namedBy: riskNouns, after: evidence(signals)}),
		Behaviors:    tb.table(tableSpec{cues: behaviorCues, rows: maxRows, namedBy: actionNouns}),
		Technologies: tb.table(tableSpec{cues: technologyCues, nameCues: technologyCues, rows: maxRows}),
		Issues:       tb.table(tableSpec{cues: problemCues, rows: maxRows}),
	}
}

// firstNonEmpty returns the first of its arguments that is not "".
func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// evidence returns the set of the signals' evidence sentences.
func evidence(signals []schema.Signal) map[string]bool {
	set := make(map[string]bool, len(signals))
	for _, s := range signals {
		set[s.Evidence] = true
	}
	return set
}
