package llm

// Provider names, as recorded in each card's provenance and accepted by
// --provider.
const (
	ProviderOpenAI    = "openai"
	ProviderAnthropic = "anthropic"
	ProviderGoogleAI  = "googleai"
	ProviderOllama    = "ollama"
	ProviderOffline   = "offline"
)
