package offline

import (
	"strings"
	"unicode"
)

// Pages carry the site's words beside the article's: calls to action
// ("Sign up for our newsletter", "Follow us on Twitter"), credits and
// bylines ("Reporting by…", "Photo: Getty"), copyright and sponsorship
// notices. They say nothing of the page's subject, so they never feed the
// keywords, the summary or the table rows.

// boilerplateOpenings start a sentence that speaks to the reader or credits
// the page's makers: imperatives and credit labels, English then French.
var boilerplateOpenings = []string{
	"sign up", "subscribe", "follow us", "follow him", "follow her", "follow me",
	"click here", "click to", "tap here", "get the latest", "read more", "read also",
	"read next", "see also", "related:", "share this", "download the", "join our",
	"reporting by", "additional reporting", "editing by", "edited by", "written by",
	"photo:", "photos:", "photo by", "photograph:", "image:", "cover image", "main image",
	"image credit", "photo credit", "credit:", "credits:", "copyright", "©",
	"advertisement", "sponsored", "this post contains", "this article contains",
	"inscrivez-vous", "abonnez-vous", "suivez-nous", "cliquez ici", "lire aussi",
	"à lire aussi", "lire la suite", "voir aussi", "crédit photo", "crédits photo",
	"photo :", "publicité", "partagez", "téléchargez",
}

// boilerplateMarks are phrases found only in the site's notices, wherever
// they stand in the sentence.
var boilerplateMarks = []string{
	"all rights reserved", "tous droits réservés", "click here", "cliquez ici",
	"follow us on", "suivez-nous", "(reporting by", "; editing by", "has been compensated",
	"affiliate link", "liens affiliés", "to your inbox", "in your inbox",
	"dans votre boîte", "privacy policy", "cookie policy", "politique de confidentialité",
	"terms of service", "terms of use", "conditions d'utilisation",
}

// isBoilerplate reports whether a sentence is one of the site's notices
// rather than a sentence of the article.
func isBoilerplate(s string) bool {
	lower := strings.ToLower(strings.TrimLeftFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`"'“‘«([`, r)
	}))
	lower = strings.ReplaceAll(lower, "’", "'")
	for _, o := range boilerplateOpenings {
		if strings.HasPrefix(lower, o) {
			return true
		}
	}
	for _, m := range boilerplateMarks {
		if strings.Contains(lower, m) {
			return true
		}
	}
	return false
}
