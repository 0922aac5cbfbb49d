package llm

import "strings"

// price is a model's list price in US dollars per million tokens.
type price struct {
	input, output float64
}

// knownPrices holds list prices (USD per 1M tokens) of common hosted
// models, matched by name prefix, longest first. Local providers cost 0.
// Update when providers change their prices.
var knownPrices = []struct {
	prefix string
	price  price
}{
	{"gpt-4o-mini", price{0.15, 0.60}},
	{"gpt-4o", price{2.50, 10.00}},
	{"gpt-4.1-nano", price{0.10, 0.40}},
	{"gpt-4.1-mini", price{0.40, 1.60}},
	{"gpt-4.1", price{2.00, 8.00}},
	{"gpt-5-nano", price{0.05, 0.40}},
	{"gpt-5-mini", price{0.25, 2.00}},
	{"claude-3-5-haiku", price{0.80, 4.00}},
	{"claude-haiku-4", price{1.00, 5.00}},
	{"claude-sonnet-4", price{3.00, 15.00}},
	{"claude-3-7-sonnet", price{3.00, 15.00}},
	{"gemini-2.0-flash", price{0.10, 0.40}},
	{"gemini-2.5-flash", price{0.30, 2.50}},
	{"gemini-1.5-flash", price{0.075, 0.30}},
}

// EstimateCost returns the list price in USD of a request's tokens, or 0
// for unknown or local models.
func EstimateCost(provider, model string, inputTokens, outputTokens int) float64 {
	if provider == ProviderOllama || provider == ProviderOffline {
		return 0
	}
	best := -1
	for i, k := range knownPrices {
		if strings.HasPrefix(model, k.prefix) && (best < 0 || len(k.prefix) > len(knownPrices[best].prefix)) {
			best = i
		}
	}
	if best < 0 {
		return 0
	}
	p := knownPrices[best].price
	return (float64(inputTokens)*p.input + float64(outputTokens)*p.output) / 1e6
}
