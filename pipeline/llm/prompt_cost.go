package llm

import "github.com/veille/veille/schema"

// TokenCounter counts the tokens of a text as a model's tokenizer does;
// package tokens has one for OpenAI's o200k encoding.
type TokenCounter interface {
	Count(s string) int
}

// chatOverheadTokens is what OpenAI's chat format adds per message (role
// and separators) and per request (the reply's priming).
const (
	chatOverheadPerMessage = 3
	chatOverheadPerRequest = 3
)

// countChat estimates the prompt tokens of one chat request: its messages
// plus the response schema, which the provider adds to the prompt.
func countChat(c TokenCounter, messages []string, responseSchema string) int {
	n := chatOverheadPerRequest
	for _, m := range messages {
		n += chatOverheadPerMessage + c.Count(m)
	}
	if responseSchema != "" {
		n += c.Count(responseSchema)
	}
	return n
}

// estimateTokens is a cheap approximation (four bytes a token) for when no
// counter is at hand and the provider reports no usage.
func estimateTokens(s string) int {
	return (len(s) + 3) / 4
}

// PromptCost is what the prompts of one card cost.
type PromptCost struct {
	Requests     int
	PromptTokens int
}

// PromptCost counts, without sending anything, the requests and prompt
// tokens (messages plus the response schema) that filling one card from in
// takes with the given sections: []Section{WholeCard} for the default
// single request, CardSections for --sectioned (the original's layout).
// The text is assumed to fit the input budget.
func (m *ChatModel) PromptCost(in Input, sections []Section, tc TokenCounter) (PromptCost, error) {
	var c PromptCost
	for _, s := range sections {
		sub, err := schema.AnswerFieldsSchema(s.Fields...)
		if err != nil {
			return PromptCost{}, err
		}
		req, err := m.request(sub, func(schemaText string) promptData { return pageData(in, s.Fields, schemaText) }, "user")
		if err != nil {
			return PromptCost{}, err
		}
		msgs := make([]string, len(req.Messages))
		for i, msg := range req.Messages {
			msgs[i] = msg.Content
		}
		schemaText := string(req.Schema)
		if req.JSONMode {
			schemaText = "" // already in the system message
		}
		c.Requests++
		c.PromptTokens += countChat(tc, msgs, schemaText)
	}
	return c, nil
}
