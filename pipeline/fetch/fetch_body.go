package fetch

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
	"golang.org/x/net/html/charset"
)

// Kind is what veille does with a media type.
type Kind int

const (
	KindUnsupported Kind = iota
	KindHTML             // main-text extraction
	KindText             // plain text or markdown, kept as is
	KindPDF              // text of a PDF document
)

// KindOf maps a media type (lower case, no parameters) to its kind.
func KindOf(mediaType string) Kind {
	switch mediaType {
	case "text/html", "application/xhtml+xml":
		return KindHTML
	case "text/plain", "text/markdown", "text/x-markdown":
		return KindText
	case "application/pdf", "application/x-pdf":
		return KindPDF
	}
	return KindUnsupported
}

// isSniffable reports whether a media type says too little to go by, so
// that the body's first bytes decide instead.
func isSniffable(mediaType string) bool {
	return mediaType == "" || mediaType == "application/octet-stream" || mediaType == "binary/octet-stream"
}

// readBody reads a response body of the given Content-Encoding (a
// comma-separated list, applied in order), decompressing it, and fails when
// the decompressed size exceeds max.
func readBody(body io.Reader, contentEncoding string, max int64) ([]byte, error) {
	r := body
	codings := strings.Split(contentEncoding, ",")
	for i := len(codings) - 1; i >= 0; i-- {
		dec, err := decoder(strings.ToLower(strings.TrimSpace(codings[i])), r)
		if err != nil {
			return nil, err
		}
		r = dec
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: over the %s limit", ErrBodyTooLarge, byteSize(max))
	}
	return data, nil
}

// decoder wraps r with the decompressor of one content coding.
func decoder(coding string, r io.Reader) (io.Reader, error) {
	switch coding {
	case "", "identity":
		return r, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		return zr, nil
	case "deflate":
		return deflateReader(r)
	case "br":
		return brotli.NewReader(r), nil
	}
	return nil, fmt.Errorf("unsupported content encoding %q", coding)
}

// deflateReader reads an HTTP "deflate" body: zlib-wrapped as the standard
// says, or raw deflate as some servers send it.
func deflateReader(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if err != nil {
		return nil, fmt.Errorf("deflate body: %w", err)
	}
	isZlib := head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0
	if !isZlib {
		return flate.NewReader(br), nil
	}
	zr, err := zlib.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("deflate body: %w", err)
	}
	return zr, nil
}

// pageFromBody checks a body of the given Content-Type header and decodes
// it to UTF-8 when it is text. The body's first bytes decide the type when
// the header is missing or says octet-stream.
func pageFromBody(body []byte, contentType, pageURL string) (Page, error) {
	mt := mediaType(contentType)
	if isSniffable(mt) {
		contentType = http.DetectContentType(body)
		mt = mediaType(contentType)
	}
	kind := KindOf(mt)
	if kind == KindUnsupported {
		return Page{}, &UnsupportedTypeError{ContentType: mt, URL: pageURL}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return Page{}, ErrEmptyBody
	}
	page := Page{URL: pageURL, FinalURL: pageURL, ContentType: mt, Body: body}
	if kind == KindPDF {
		return page, nil
	}
	text, name, err := decodeText(body, contentType)
	if err != nil {
		return Page{}, err
	}
	page.Body, page.Charset = text, name
	return page, nil
}

// maxInvalidUTF8 is the share of bytes that may be invalid in a body said to
// be UTF-8 before it is rejected rather than repaired (U+FFFD).
const maxInvalidUTF8 = 0.01

// maxControlRunes is the share of control characters (other than white
// space) above which decoded text is taken for binary data.
const maxControlRunes = 0.01

// decodeText converts a text body to UTF-8, finding its charset from the BOM,
// the Content-Type header, a <meta charset> in the first 1024 bytes, or else
// the bytes themselves (valid UTF-8, or windows-1252). It rejects bodies that
// decode to binary data or are mostly invalid UTF-8.
func decodeText(body []byte, contentType string) ([]byte, string, error) {
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if !certain && name != "utf-8" && utf8.Valid(body) {
		name = "utf-8" // DetermineEncoding only looks at the first 1024 bytes
	}
	var text []byte
	if name == "utf-8" {
		text = body
		if !utf8.Valid(body) {
			if invalidUTF8Share(body) > maxInvalidUTF8 {
				return nil, name, ErrInvalidUTF8
			}
			text = bytes.ToValidUTF8(body, []byte("\uFFFD"))
		}
	} else {
		decoded, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return nil, name, fmt.Errorf("decode %s body: %w", name, err)
		}
		text = decoded
	}
	text = bytes.TrimPrefix(text, []byte("\uFEFF"))
	if looksBinary(text) {
		return nil, name, ErrBinaryBody
	}
	return text, name, nil
}

// invalidUTF8Share is the share of b's bytes that are not part of a valid
// UTF-8 sequence.
func invalidUTF8Share(b []byte) float64 {
	invalid := 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			invalid++
			size = 1
		}
		i += size
	}
	return float64(invalid) / float64(len(b))
}

// looksBinary reports whether text holds a NUL or too many other control
// characters to be a page meant for reading.
func looksBinary(text []byte) bool {
	if bytes.IndexByte(text, 0) >= 0 {
		return true
	}
	control, total := 0, 0
	for _, r := range string(text) {
		total++
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			control++
		}
	}
	return total > 0 && float64(control)/float64(total) > maxControlRunes
}
