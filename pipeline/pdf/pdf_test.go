package pdf

import (
	"bytes"
	"strings"
	"testing"

	"github.com/veille/veille/pipeline/fetch/fetchtest"
)

func TestPDFTextRejectsGarbage(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("%PDF-"), fetchtest.RandomBytes(2048), []byte("%PDF-1.4\ntrailer\n<< /Root 9 0 R >>\nstartxref\n0\n%%EOF")} {
		if _, _, err := Text(data); err == nil {
			t.Errorf("Text(%.20q) gave no error", data)
		}
	}
}

func TestPDFTextDistrustsPageCount(t *testing.T) {
	pdf := bytes.Replace(fetchtest.Fixture(t, "report.pdf"),
		[]byte("/Type /Pages /Kids [3 0 R] /Count 1 >>"), []byte("/Type/Pages/Kids[3 0 R]/Count 999999>>"), 1) // same length: offsets hold
	text, _, err := Text(pdf)
	if err != nil || !strings.Contains(text, "forty percent") {
		t.Errorf("PDFText = %q, %v", text, err)
	}
}

// FuzzPDFText checks that a malformed PDF is an error, never a panic.
func FuzzText(f *testing.F) {
	f.Add(fetchtest.Fixture(f, "report.pdf"))
	f.Add([]byte("%PDF-1.4\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		Text(data)
	})
}
