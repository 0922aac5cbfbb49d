package schema

import (
	"strings"
	"unicode"
)

// DropControls removes the control characters of s (C0, C1 and DEL) but
// tab, line feed, carriage return and the runes of keep. Page and model
// text may hold escape sequences, which must reach neither a terminal nor
// a viewer.
func DropControls(s, keep string) string {
	drop := func(r rune) bool {
		return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' && !strings.ContainsRune(keep, r)
	}
	if strings.IndexFunc(s, drop) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if drop(r) {
			return -1
		}
		return r
	}, s)
}

// IsBidiControl reports whether r reorders the text around it (U+202A to
// U+202E, U+2066 to U+2069): in a file name, a spreadsheet cell or a
// terminal it can disguise text.
func IsBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// DropBidiControls removes the bidirectional controls of s.
func DropBidiControls(s string) string {
	if strings.IndexFunc(s, IsBidiControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if IsBidiControl(r) {
			return -1
		}
		return r
	}, s)
}
