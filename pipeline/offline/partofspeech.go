package offline

import "strings"

// A page says which of its words are verbs without a tagger: a word that
// follows a subject pronoun or a modal ("you learn", "can share", "il faut
// partager") more often than a determiner or a preposition ("the share",
// "of sharing", "le partage") is taken for a verb, and a verb never heads a
// keyphrase. In French, a word in "-ent" right after a plural noun is a
// verb too (see followsPluralNoun).

// verbLike returns the stems used more often as verbs than as nouns.
func verbLike(doc *document) map[string]bool {
	verb, noun := map[string]int{}, map[string]int{}
	for _, s := range doc.sentences {
		for i := 1; i < len(s.tokens); i++ {
			prev, t := s.tokens[i-1], s.tokens[i]
			if t.stop || t.breakBefore {
				continue
			}
			switch {
			case isVerbCue(prev.lower) || doc.lex.lang == "fr" && followsPluralNoun(prev, t):
				verb[t.stem]++
			case isDeterminer(prev.lower):
				noun[t.stem]++
			}
		}
	}
	out := map[string]bool{}
	for st, n := range verb {
		if n > noun[st] {
			out[st] = true
		}
	}
	return out
}

// followsPluralNoun reports whether a French word in "-ent" follows a
// plural noun ("les syndicats craignent", "des agents utilisent"): an
// adjective or a noun there would agree in the plural ("-ents"), so the
// word is a verb in the third person plural.
func followsPluralNoun(prev, t token) bool {
	return !prev.stop && (strings.HasSuffix(prev.lower, "s") || strings.HasSuffix(prev.lower, "x")) &&
		len([]rune(t.lower)) >= 5 && strings.HasSuffix(t.lower, "ent")
}

// isVerbCue reports whether a word announces a verb: a subject pronoun, a
// modal, an auxiliary of negation or the infinitive "to".
func isVerbCue(w string) bool {
	switch w {
	case "i", "you", "we", "they", "can", "could", "will", "would", "should",
		"must", "may", "might", "don't", "doesn't", "didn't", "won't", "can't", "let's",
		"je", "tu", "nous", "vous", "ils", "elles", "on", "ne", "se", "peut", "peuvent",
		"doit", "doivent", "faut":
		return true
	}
	return false
}

// isDeterminer reports whether a word announces a noun: a determiner or a
// preposition.
func isDeterminer(w string) bool {
	switch w {
	case "of", "in", "for", "on", "with", "about", "from", "by", "at", "into",
		"de", "à", "en", "sur", "avec", "dans", "par", "chez", "au", "aux":
		return true
	}
	switch w {
	case "the", "a", "an", "this", "that", "these", "those", "its", "their", "our",
		"his", "her", "my", "your", "every", "each", "some", "any", "no",
		"le", "la", "les", "l", "un", "une", "des", "du", "ce", "cette", "ces",
		"son", "sa", "ses", "leur", "leurs", "notre", "nos", "votre", "vos", "chaque":
		return true
	}
	return false
}
