package offline

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentences splits text into sentences. Each line of text is a paragraph
// (the extractor's layout) and never shares a sentence with another line.
// Inside a line, a sentence ends at '.', '!', '?' or '…' (with any closing
// quotes, brackets and footnote markers such as "[1]") followed by a space
// and anything but a lower-case letter — unless the word before
// a full stop is a known English or French abbreviation or a single-letter
// initial. Chinese and Japanese full-width marks end a sentence without a
// space. The sentences are returned trimmed, verbatim, in document order.
func Sentences(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		out = append(out, lineSentences(line)...)
	}
	return out
}

// lineSentences splits one paragraph.
func lineSentences(line string) []string {
	var out []string
	start := 0
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		i += size
		if !isTerminal(r) {
			continue
		}
		end := skipClosers(line, i)
		if !isFullWidthTerminal(r) && !startsNewSentence(line, end) {
			continue
		}
		if r == '.' && endsWithAbbreviation(line[start:i-size]) {
			continue
		}
		if s := strings.TrimSpace(line[start:end]); s != "" {
			out = append(out, s)
		}
		start = end
		i = end
	}
	if s := strings.TrimSpace(line[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// isTerminal reports whether r can end a sentence.
func isTerminal(r rune) bool {
	return r == '.' || r == '!' || r == '?' || r == '…' || isFullWidthTerminal(r)
}

// isFullWidthTerminal reports whether r is a Chinese or Japanese full stop,
// exclamation or question mark: it ends a sentence with no space after it.
func isFullWidthTerminal(r rune) bool {
	return r == '。' || r == '！' || r == '？'
}

// skipClosers returns the offset after the terminal punctuation, closing
// quotes and brackets and footnote markers ("[12]") that follow offset i.
func skipClosers(line string, i int) int {
	for i < len(line) {
		r, size := utf8.DecodeRuneInString(line[i:])
		switch {
		case isTerminal(r) || strings.ContainsRune(`"'”’»)]`, r):
			i += size
		case r == '[':
			j := i + 1
			for j < len(line) && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j == i+1 || j >= len(line) || line[j] != ']' {
				return i
			}
			i = j + 1
		case unicode.IsDigit(r) && i > 0 && line[i-1] == '.':
			// A footnote number glued to the full stop: "supply.1 In".
			j := i
			for j < len(line) && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j-i > 2 || j >= len(line) || line[j] != ' ' {
				return i
			}
			i = j
		default:
			return i
		}
	}
	return i
}

// startsNewSentence reports whether line[i:] is whitespace followed by what
// can begin a sentence.
func startsNewSentence(line string, i int) bool {
	if i >= len(line) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(line[i:])
	if !unicode.IsSpace(r) {
		return false
	}
	rest := strings.TrimLeftFunc(line[i:], unicode.IsSpace)
	if rest == "" {
		return false
	}
	next, _ := utf8.DecodeRuneInString(rest)
	// Anything but a lower-case letter may start a sentence: capitals,
	// digits, quotes, dashes, and the letters of scripts without case.
	return !unicode.IsLower(next)
}

// endsWithAbbreviation reports whether s (the text before a full stop) ends
// with an abbreviation or a single-letter initial.
func endsWithAbbreviation(s string) bool {
	word := s
	if k := strings.LastIndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '(' || r == '"' }); k >= 0 {
		word = s[k+1:]
	}
	if utf8.RuneCountInString(word) == 1 {
		r, _ := utf8.DecodeRuneInString(word)
		return unicode.IsLetter(r)
	}
	if strings.Contains(word, ".") && len(word) <= 6 {
		// Dotted forms such as "e.g", "i.e", "U.S", "a.m".
		return true
	}
	return isAbbreviation(strings.ToLower(word))
}

// isAbbreviation reports whether w (lower case, without its full stop) is an
// English or French abbreviation usually followed by a capitalised word.
func isAbbreviation(w string) bool {
	switch w {
	case "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "vs", "etc", "cf",
		"fig", "figs", "vol", "pp", "p", "ed", "eds", "inc", "ltd",
		"co", "corp", "dept", "univ", "gen", "gov", "sen", "rep", "rev", "hon",
		"capt", "lt", "col", "sgt", "mt", "ave", "approx", "est", "jan", "feb",
		"mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
		"mme", "mmes", "mlle", "mlles", "mm", "mgr", "pr", "dre", "env",
		"av", "chap", "éd", "réf", "tél", "al":
		return true
	}
	return false
}
