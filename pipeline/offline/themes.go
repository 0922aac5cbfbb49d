package offline

import (
	"sort"
	"strings"
)

// Themes are broader terms than keywords: the head nouns shared by several of
// the best candidate keyphrases ("technology" heads "assistive technology"
// and "cutting-edge technology"). The head of an English noun phrase is its
// last word, of a French one its first. When fewer than maxThemes heads are
// shared, the best single common words complete the list. Names are left to
// the keywords; acronyms ("AI", "COVID") can be themes.

// maxThemes is the number of themes of a card.
const maxThemes = 5

// themePool is how many of the best candidate phrases vote for themes.
const themePool = 60

// headVotes counts, for one head stem, the phrases it heads.
type headVotes struct {
	stem    string
	form    string
	phrases int
	best    int // rank of the best phrase it heads
}

// themes returns up to n themes from the ranked candidate phrases.
func themes(ranked []*keyphrase, lang string, c casing, n int) []string {
	pool := ranked[:min(len(ranked), themePool)]
	votes := map[string]*headVotes{}
	for rank, kp := range pool {
		stem, form := head(kp, lang, c)
		if stem == "" || c.isNameWord(stem) || len(kp.content) < 2 {
			continue
		}
		v := votes[stem]
		if v == nil {
			v = &headVotes{stem: stem, form: form, best: rank}
			votes[stem] = v
		}
		v.phrases++
	}
	list := make([]*headVotes, 0, len(votes))
	for _, v := range votes {
		if v.phrases >= 2 {
			list = append(list, v)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].phrases != list[j].phrases {
			return list[i].phrases > list[j].phrases
		}
		return list[i].best < list[j].best
	})
	out := make([]string, 0, n)
	used := map[string]bool{}
	for _, v := range list[:min(len(list), n)] {
		out = append(out, v.form)
		used[v.stem] = true
	}
	for _, kp := range ranked {
		if len(out) == n {
			break
		}
		if len(kp.stems) == 1 && !c.isNameWord(kp.key) && !used[kp.key] {
			out = append(out, c.show(kp))
			used[kp.key] = true
		}
	}
	return out
}

// isNameWord reports whether the page writes a stem as a capitalised name
// rather than as a common word or an acronym.
func (c casing) isNameWord(stem string) bool {
	form, ok := c[stem]
	return ok && !isAcronym(form)
}

// head returns the stem and shown form of a phrase's head word.
func head(kp *keyphrase, lang string, c casing) (stem, form string) {
	words := strings.Fields(c.show(kp))
	if len(words) != len(kp.stems) {
		return "", ""
	}
	k := len(words) - 1
	if lang == "fr" {
		k = 0
	}
	if kp.stems[k] != headStem(kp, lang) {
		return "", ""
	}
	if _, proper := c[kp.stems[k]]; !proper {
		return kp.stems[k], strings.ToLower(words[k])
	}
	return kp.stems[k], words[k]
}
