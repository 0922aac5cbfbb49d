package cardindex

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// This file reads the rows of a card's tables from its JSON without
// encoding/json, which spends most of its time checking and skipping
// what clustering does not read: the reader below checks the JSON as it
// goes, reads the tables, and leaves to encoding/json every card it does
// not expect (a key in another case, a value of another type, a
// repeated key), so that both give the same rows.

// DecodeTables reads the rows of a card's tables from its JSON, leniently
// as [Decode] does.
func DecodeTables(cardJSON string) Tables {
	if t, ok := readTables(cardJSON); ok {
		return t
	}
	var t Tables
	_ = json.Unmarshal([]byte(cardJSON), &t) // partial on error, by design
	return t
}

// tableKeys are the keys of a card's tables, in the order of Tables.
var tableKeys = [...]string{"signals", "concerns", "behaviors", "technologies", "issues"}

// maxDepth bounds the nesting the reader follows; deeper JSON is left to
// encoding/json.
const maxDepth = 100

// jsonReader reads JSON text s from offset i.
type jsonReader struct {
	s string
	i int
}

// readTables reads the tables of the card JSON s; ok is false when s is
// not a JSON object the reader expects.
func readTables(s string) (t Tables, ok bool) {
	r := jsonReader{s: s}
	var seen [len(tableKeys)]bool
	all := [...]*[]Row{&t.Signals, &t.Concerns, &t.Behaviors, &t.Technologies, &t.Issues}
	r.space()
	ok = r.members('{', '}', func() bool {
		key, ok := r.key()
		if !ok {
			return false
		}
		switch k := keyIndex(key, tableKeys[:]); {
		case k == foldedKey:
			return false
		case k >= 0:
			if seen[k] {
				return false
			}
			seen[k] = true
			*all[k], ok = r.rows()
			return ok
		}
		return r.skip(0)
	})
	r.space()
	return t, ok && r.i == len(s)
}

// foldedKey is what keyIndex returns for a key that matches one of the
// keys in another case (encoding/json would take it).
const foldedKey = -2

// keyIndex is the index of key in keys, -1 when it is none of them, or
// foldedKey.
func keyIndex(key string, keys []string) int {
	for k, want := range keys {
		if key == want {
			return k
		}
	}
	for _, want := range keys {
		if strings.EqualFold(key, want) {
			return foldedKey
		}
	}
	return -1
}

// rowKeys are the keys of a row the reader keeps, in the order of Row.
var rowKeys = [...]string{"name", "description", "relevancy"}

// rows reads a table: null, or an array of rows (objects or nulls).
func (r *jsonReader) rows() ([]Row, bool) {
	if r.literal("null") {
		return nil, true
	}
	out := []Row{}
	ok := r.members('[', ']', func() bool {
		var row Row
		if !r.literal("null") {
			var ok bool
			if row, ok = r.row(); !ok {
				return false
			}
		}
		out = append(out, row)
		return true
	})
	return out, ok
}

// row reads a row's object.
func (r *jsonReader) row() (Row, bool) {
	var row Row
	var seen [len(rowKeys)]bool
	ok := r.members('{', '}', func() bool {
		key, ok := r.key()
		if !ok {
			return false
		}
		k := keyIndex(key, rowKeys[:])
		if k == foldedKey || k >= 0 && seen[k] {
			return false
		}
		switch k {
		case 0:
			row.Name, ok = r.text()
		case 1:
			row.Description, ok = r.text()
		case 2:
			row.Relevancy, ok = r.integer()
		default:
			return r.skip(1)
		}
		seen[k] = true
		return ok
	})
	return row, ok
}

// members reads an object or an array, from its opening byte to its
// closing one, calling member at the start of each of its members (an
// object's key, an array's value) to read it.
func (r *jsonReader) members(opening, closing byte, member func() bool) bool {
	if !r.next(opening) {
		return false
	}
	r.space()
	if r.next(closing) {
		return true
	}
	for {
		if !member() {
			return false
		}
		r.space()
		if !r.next(',') {
			return r.next(closing)
		}
		r.space()
	}
}

// key reads an object's key without escapes and the colon after it.
func (r *jsonReader) key() (string, bool) {
	start := r.i
	if !r.str() || strings.IndexByte(r.s[start:r.i], '\\') >= 0 {
		return "", false
	}
	return r.s[start+1 : r.i-1], r.colon()
}

// colon reads the colon after an object's key, and the spaces around it.
func (r *jsonReader) colon() bool {
	r.space()
	if !r.next(':') {
		return false
	}
	r.space()
	return true
}

// text reads a string value, or null as "".
func (r *jsonReader) text() (string, bool) {
	if r.literal("null") {
		return "", true
	}
	start := r.i
	if !r.str() {
		return "", false
	}
	raw := r.s[start+1 : r.i-1]
	if strings.IndexByte(raw, '\\') < 0 && utf8.ValidString(raw) {
		return strings.Clone(raw), true
	}
	var v string
	err := json.Unmarshal([]byte(r.s[start:r.i]), &v) // escapes and bad UTF-8, as encoding/json reads them
	return v, err == nil
}

// integer reads a relevancy: null, or a small integer.
func (r *jsonReader) integer() (*int, bool) {
	if r.literal("null") {
		return nil, true
	}
	start := r.i
	neg := r.next('-')
	digits := r.i
	n := 0
	for r.i < len(r.s) && r.s[r.i] >= '0' && r.s[r.i] <= '9' {
		n = n*10 + int(r.s[r.i]-'0')
		r.i++
	}
	d := r.i - digits
	if d == 0 || d > 9 || d > 1 && r.s[digits] == '0' || r.i < len(r.s) && strings.IndexByte(".eE", r.s[r.i]) >= 0 {
		r.i = start
		return nil, false
	}
	if neg {
		n = -n
	}
	return &n, true
}

// skip reads any JSON value, at the nesting depth given.
func (r *jsonReader) skip(depth int) bool {
	if r.i >= len(r.s) || depth > maxDepth {
		return false
	}
	switch c := r.s[r.i]; {
	case c == '"':
		return r.str()
	case c == '{':
		return r.members('{', '}', func() bool { return r.str() && r.colon() && r.skip(depth+1) })
	case c == '[':
		return r.members('[', ']', func() bool { return r.skip(depth + 1) })
	case c == 't':
		return r.literal("true")
	case c == 'f':
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	}
	return r.number()
}

// str reads a string, checking its escapes; r.i ends after its closing
// quote.
func (r *jsonReader) str() bool {
	if !r.next('"') {
		return false
	}
	for r.i < len(r.s) {
		switch c := r.s[r.i]; {
		case c == '"':
			r.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if r.i+1 >= len(r.s) {
				return false
			}
			switch r.s[r.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				r.i += 2
			case 'u':
				if r.i+6 > len(r.s) {
					return false
				}
				for _, h := range []byte(r.s[r.i+2 : r.i+6]) {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				r.i += 6
			default:
				return false
			}
		default:
			r.i++
		}
	}
	return false
}

// number reads a number as JSON writes it.
func (r *jsonReader) number() bool {
	r.next('-')
	switch {
	case r.next('0'):
	case r.i < len(r.s) && r.s[r.i] >= '1' && r.s[r.i] <= '9':
		r.digits()
	default:
		return false
	}
	if r.next('.') && !r.digits() {
		return false
	}
	if r.next('e') || r.next('E') {
		if !r.next('+') {
			r.next('-')
		}
		return r.digits()
	}
	return true
}

// digits reads one or more digits.
func (r *jsonReader) digits() bool {
	start := r.i
	for r.i < len(r.s) && r.s[r.i] >= '0' && r.s[r.i] <= '9' {
		r.i++
	}
	return r.i > start
}

// space skips JSON white space.
func (r *jsonReader) space() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// next reads byte c if it comes next.
func (r *jsonReader) next(c byte) bool {
	if r.i < len(r.s) && r.s[r.i] == c {
		r.i++
		return true
	}
	return false
}

// literal reads word if it comes next.
func (r *jsonReader) literal(word string) bool {
	if strings.HasPrefix(r.s[r.i:], word) {
		r.i += len(word)
		return true
	}
	return false
}
