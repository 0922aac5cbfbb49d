package ask

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/prompts"
	"github.com/veille/veille/schema"
)

// Model answers one JSON query; [*llm.ChatModel] implements it.
type Model interface {
	AskJSON(ctx context.Context, q llm.JSONQuery) (llm.JSONResult, error)
}

// Answer is the answer to a question.
type Answer struct {
	Question string `json:"question"`
	// Text is the model's answer; empty without a model, or when no card
	// was found.
	Text string `json:"answer"`
	// Cards are the retrieved cards, best first, those the answer cites
	// marked.
	Cards []Card `json:"cards"`
	// Dropped are the ids the model cited that were not among the cards,
	// even after a repair round: they are left out of the answer.
	Dropped []string `json:"dropped,omitempty"`
	// Provenance says which model answered, with what requests and cost;
	// zero without a model.
	Provenance schema.Provenance `json:"-"`
}

// NothingFound is the answer when no card holds the question's words.
const NothingFound = "No card in the collection is relevant to this question."

// SchemaName names the answer's JSON Schema for the model.
const SchemaName = "collection_answer"

// answerSchema is the JSON Schema of the model's answer, for strict
// structured output.
var answerSchema = json.RawMessage(`{"type":"object","additionalProperties":false,"required":["answer","cited"],` +
	`"properties":{"answer":{"type":"string","description":"The answer, from the cards only; says so when they do not answer the question."},` +
	`"cited":{"type":"array","items":{"type":"string"},"description":"The ids of the cards the answer relies on."}}}`)

// maxPromptRows bounds the rows of a card given to the model.
const maxPromptRows = 12

// promptCard is a card as the prompt shows it.
type promptCard struct {
	ID, Title, URL, Published, Summary string
	Rows                               []string
}

// promptIn is what the ask prompt sees.
type promptIn struct {
	Question    string
	Open, Close string
	Cards       []promptCard
}

// Ask answers question from cards with m: one request (a repair round
// when the answer cites ids that are not among cards, after which those
// citations are dropped). With no card, it answers [NothingFound] without
// a request.
func Ask(ctx context.Context, m Model, question string, cards []Card) (Answer, error) {
	if err := CheckQuestion(question); err != nil {
		return Answer{}, err
	}
	out := Answer{Question: question, Cards: cards}
	if len(cards) == 0 {
		out.Text = NothingFound
		return out, nil
	}
	t, err := prompts.Load(prompts.Ask)
	if err != nil {
		return Answer{}, err
	}
	in := promptInput(question, cards)
	known := make([]string, len(cards))
	for i, c := range cards {
		known[i] = c.ID
	}
	res, err := m.AskJSON(ctx, llm.JSONQuery{Prompt: t, In: in, SchemaName: SchemaName, Schema: answerSchema,
		Check: func(raw json.RawMessage) ([]string, bool) { return checkAnswer(raw, known) }})
	if err != nil {
		return Answer{}, fmt.Errorf("ask: %w", err)
	}
	a, err := ParseAnswer(res.Raw)
	if err != nil {
		return Answer{}, fmt.Errorf("ask: %w", err)
	}
	out.Text, out.Provenance = a.Answer, res.Provenance
	out.Cards = slices.Clone(cards)
	for i := range out.Cards {
		out.Cards[i].Cited = slices.Contains(a.Cited, out.Cards[i].ID)
	}
	for _, id := range a.Cited {
		if !slices.Contains(known, id) && !slices.Contains(out.Dropped, id) {
			out.Dropped = append(out.Dropped, id)
		}
	}
	return out, nil
}

// promptInput lays the cards out for the prompt, inside delimiters that
// hash them.
func promptInput(question string, cards []Card) promptIn {
	in := promptIn{Question: llm.OneLine(question)}
	var inside []string
	for _, c := range cards {
		pc := promptCard{ID: c.ID, Title: llm.OneLine(c.card.Title), URL: llm.OneLine(c.URL), Summary: llm.OneLine(c.card.Summary)}
		if !c.Published.IsZero() {
			pc.Published = c.Published.Format("2006-01-02")
		}
		for _, r := range promptRows(c) {
			pc.Rows = append(pc.Rows, r.Table+": "+llm.OneLine(r.Name)+": "+llm.OneLine(r.Description))
		}
		inside = append(inside, pc.ID, pc.Title, pc.URL, pc.Published, pc.Summary, strings.Join(pc.Rows, "\n"))
		in.Cards = append(in.Cards, pc)
	}
	in.Open, in.Close = llm.Delimiters("CARDS", inside...)
	return in
}

// promptRows are the rows of a card given to the model: those holding the
// question's words first, then the others in card order.
func promptRows(c Card) []Row {
	rows := slices.Clone(c.Rows)
	add := func(table, name, desc string) {
		r := Row{table, name, desc}
		if len(rows) < maxPromptRows && !slices.Contains(rows, r) {
			rows = append(rows, r)
		}
	}
	for _, s := range c.card.Signals {
		add("signals", s.Name, s.Description)
	}
	for _, t := range c.card.RowTables() {
		for _, r := range *t.Rows {
			add(t.Key, r.Name, r.Description)
		}
	}
	return rows
}

// ModelAnswer is the model's answer as its JSON Schema describes it.
type ModelAnswer struct {
	Answer string   `json:"answer"`
	Cited  []string `json:"cited"`
}

// ParseAnswer reads a model's answer: one JSON object with exactly the
// fields answer (not blank) and cited (a list of ids, repeats dropped).
func ParseAnswer(raw []byte) (ModelAnswer, error) {
	var a struct {
		Answer *string   `json:"answer"`
		Cited  *[]string `json:"cited"`
	}
	if err := llm.DecodeAnswer(raw, &a); err != nil {
		return ModelAnswer{}, err
	}
	switch {
	case a.Answer == nil:
		return ModelAnswer{}, errors.New(`answer has no "answer"`)
	case a.Cited == nil:
		return ModelAnswer{}, errors.New(`answer has no "cited"`)
	case strings.TrimSpace(*a.Answer) == "":
		return ModelAnswer{}, errors.New(`"answer" is empty`)
	}
	return ModelAnswer{Answer: strings.TrimSpace(*a.Answer), Cited: llm.CitedIDs(*a.Cited)}, nil
}

// checkAnswer is the answer's check for [llm.JSONQuery]: an answer that
// does not parse is unusable; citations of ids not in known are problems
// the caller drops.
func checkAnswer(raw []byte, known []string) ([]string, bool) {
	a, err := ParseAnswer(raw)
	if err != nil {
		return []string{err.Error()}, false
	}
	var problems []string
	for _, id := range a.Cited {
		if !slices.Contains(known, id) {
			problems = append(problems, fmt.Sprintf("cited id %q is not one of the cards given", id))
		}
	}
	return problems, true
}
