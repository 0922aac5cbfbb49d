package offline

import (
	"sort"
	"strings"
)

// Themes are broader terms than keywords: the head nouns shared by several of
// the best candidate keyphrases ("technology" heads "assistive technology"
// and "cutting-edge technology"). The head of an English noun phrase is its
// last word, of a French one its first.

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

// themes returns up to n themes from the ranked candidate phrases: heads
// shared by two phrases or more first, then the heads of the best phrases.
func themes(ranked []*keyphrase, lang string, c casing, n int) []string {
	votes := map[string]*headVotes{}
	for rank, kp := range ranked[:min(len(ranked), themePool)] {
		stem, form := head(kp, lang, c)
		if stem == "" {
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
		list = append(list, v)
	}
	sort.Slice(list, func(i, j int) bool {
		si, sj := min(list[i].phrases, 2), min(list[j].phrases, 2)
		if si != sj {
			return si > sj
		}
		return list[i].best < list[j].best
	})
	out := make([]string, 0, n)
	for _, v := range list[:min(len(list), n)] {
		out = append(out, v.form)
	}
	return out
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
	return kp.stems[k], words[k]
}
