package offline

import (
	"strings"
	"testing"
)

// benchmarkPage is a synthetic 2,000-word English article: varied sentences
// with change, risk, behaviour, technology and problem cues.
func benchmarkPage() Page {
	sentences := []string{
		"Cities across Europe are increasingly turning to heat pumps to cut emissions from buildings.",
		"Sales of heat pumps rose by 40 percent last year, the first time they outsold gas boilers in several markets.",
		"Installers warn of a growing shortage of trained technicians, a risk for the energy transition.",
		"Households are choosing heat pumps to lower their energy bills and to avoid volatile gas prices.",
		"The new generation of devices uses smart sensors and software to adapt to the weather.",
		"Critics point to the high upfront cost, which remains a barrier for low-income families.",
		"Governments in France and Germany have launched subsidies to speed up adoption.",
		"Grid operators fear that peak demand in winter could strain local electricity networks.",
		"Researchers at the Technical University of Munich found that well-installed systems cut emissions by half.",
		"Some landlords hesitate, as tenants rather than owners enjoy the savings on the bills.",
	}
	var b strings.Builder
	b.WriteString("Heat pumps are taking over Europe's homes\n")
	for words := 0; words < 2000; {
		for i, s := range sentences {
			if words >= 2000 {
				break
			}
			b.WriteString(s)
			words += len(strings.Fields(s))
			if i%3 == 2 {
				b.WriteString("\n")
			} else {
				b.WriteString(" ")
			}
		}
	}
	return Page{URL: "https://example.org/2025/01/heat-pumps", Title: "Heat pumps are taking over | Example", Text: b.String(), Lang: "en"}
}

func BenchmarkCard2000Words(b *testing.B) {
	p := benchmarkPage()
	b.ReportMetric(float64(len(strings.Fields(p.Text))), "words")
	for b.Loop() {
		Card(p)
	}
}

// BenchmarkCardGold2000Words times the longest gold article cut to its
// first 2,000 words: real prose, with a richer vocabulary than the
// synthetic page.
func BenchmarkCardGold2000Words(b *testing.B) {
	var longest Page
	for _, p := range goldPairs(b) {
		if len(p.page.Text) > len(longest.Text) {
			longest = p.page
		}
	}
	longest.Text = firstWordsKeepingLines(longest.Text, 2000)
	b.ReportMetric(float64(len(strings.Fields(longest.Text))), "words")
	for b.Loop() {
		Card(longest)
	}
}

// firstWordsKeepingLines returns the first n words of text with its line
// breaks.
func firstWordsKeepingLines(text string, n int) string {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		words := strings.Fields(line)
		if len(words) >= n {
			lines = append(lines, strings.Join(words[:n], " "))
			break
		}
		lines = append(lines, line)
		n -= len(words)
	}
	return strings.Join(lines, "\n")
}

func BenchmarkCardGoldPairs(b *testing.B) {
	pairs := goldPairs(b)
	for b.Loop() {
		for _, p := range pairs {
			Card(p.page)
		}
	}
}
