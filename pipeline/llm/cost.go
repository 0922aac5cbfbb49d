package llm

import "strings"

// Price is a model's price in US dollars per million tokens.
type Price struct {
	Input, Output float64
}

// Cost is the price of a request's tokens.
func (p Price) Cost(inputTokens, outputTokens int) float64 {
	return (float64(inputTokens)*p.Input + float64(outputTokens)*p.Output) / 1e6
}

// knownPrices holds list prices (USD per 1M tokens) of common hosted
// models, matched by name prefix, longest first. Local providers cost 0.
// Update when providers change their prices.
var knownPrices = []struct {
	prefix string
	price  Price
}{
	{"gpt-4o-mini", Price{0.15, 0.60}},
	{"gpt-4o", Price{2.50, 10.00}},
	{"gpt-4.1-nano", Price{0.10, 0.40}},
	{"gpt-4.1-mini", Price{0.40, 1.60}},
	{"gpt-4.1", Price{2.00, 8.00}},
	{"gpt-5-nano", Price{0.05, 0.40}},
	{"gpt-5-mini", Price{0.25, 2.00}},
	{"claude-3-5-haiku", Price{0.80, 4.00}},
	{"claude-haiku-4", Price{1.00, 5.00}},
	{"claude-sonnet-4", Price{3.00, 15.00}},
	{"claude-3-7-sonnet", Price{3.00, 15.00}},
	{"gemini-2.0-flash", Price{0.10, 0.40}},
	{"gemini-2.5-flash", Price{0.30, 2.50}},
	{"gemini-1.5-flash", Price{0.075, 0.30}},
}

// EstimateCost returns the list price in USD of a request's tokens at the
// provider's own service, or 0 for unknown or local models. A model served
// elsewhere (a local or compatible server) has its price set with
// [ChatOptions].Price instead.
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
	return knownPrices[best].price.Cost(inputTokens, outputTokens)
}
