package digest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/prompts"
)

// Model answers one JSON query; [*llm.ChatModel] implements it.
type Model interface {
	AskJSON(ctx context.Context, q llm.JSONQuery) (llm.JSONResult, error)
}

// SchemaName names the JSON Schema of a topic's synthesis for the model.
const SchemaName = "digest_topic"

// topicSchema is the JSON Schema of a topic's synthesis, for strict
// structured output.
var topicSchema = json.RawMessage(`{"type":"object","additionalProperties":false,` +
	`"required":["title","synthesis","implications","cited"],"properties":{` +
	`"title":{"type":"string","description":"A short headline for the topic."},` +
	`"synthesis":{"type":"string","description":"One paragraph: what the cards show together, and what changes."},` +
	`"implications":{"type":"array","items":{"type":"object","additionalProperties":false,"required":["text","cited"],` +
	`"properties":{"text":{"type":"string","description":"A consequence an analyst should watch."},` +
	`"cited":{"type":"array","items":{"type":"string"},"description":"The ids of the cards that support it."}}},` +
	`"description":"Up to 4 consequences to watch."},` +
	`"cited":{"type":"array","items":{"type":"string"},"description":"The ids of the cards the synthesis relies on."}}}`)

// Prompt bounds: the cards of a topic given to the model, and the rows of
// each.
const (
	maxPromptCards = 12
	maxPromptRows  = 6
)

// promptCard is a card as the digest prompt shows it.
type promptCard struct {
	ID, Title, Host, Published string
	Rows                       []string
}

// promptIn is what the digest prompt sees.
type promptIn struct {
	Label       string
	Open, Close string
	Cards       []promptCard
}

// Synthesis is a model's answer for one topic, as its JSON Schema
// describes it.
type Synthesis struct {
	Title        string   `json:"title"`
	Synthesis    string   `json:"synthesis"`
	Implications []Claim  `json:"implications"`
	Cited        []string `json:"cited"`
}

// Claim is an implication as the model writes it: a text and the ids of
// the cards that support it.
type Claim struct {
	Text  string   `json:"text"`
	Cited []string `json:"cited"`
}

// ParseSynthesis reads a model's answer for a topic: one JSON object with
// exactly the schema's fields, title and synthesis not blank.
func ParseSynthesis(raw []byte) (Synthesis, error) {
	var s struct {
		Title        *string `json:"title"`
		Synthesis    *string `json:"synthesis"`
		Implications *[]struct {
			Text  *string   `json:"text"`
			Cited *[]string `json:"cited"`
		} `json:"implications"`
		Cited *[]string `json:"cited"`
	}
	if err := llm.DecodeAnswer(raw, &s); err != nil {
		return Synthesis{}, err
	}
	if s.Title == nil || s.Synthesis == nil || s.Implications == nil || s.Cited == nil {
		return Synthesis{}, errors.New(`answer lacks one of "title", "synthesis", "implications", "cited"`)
	}
	if strings.TrimSpace(*s.Title) == "" || strings.TrimSpace(*s.Synthesis) == "" {
		return Synthesis{}, errors.New(`"title" or "synthesis" is empty`)
	}
	out := Synthesis{Title: strings.TrimSpace(*s.Title), Synthesis: strings.TrimSpace(*s.Synthesis), Cited: llm.CitedIDs(*s.Cited)}
	for i, imp := range *s.Implications {
		if imp.Text == nil || imp.Cited == nil {
			return Synthesis{}, fmt.Errorf(`implication %d lacks "text" or "cited"`, i+1)
		}
		if strings.TrimSpace(*imp.Text) == "" {
			continue
		}
		out.Implications = append(out.Implications, Claim{strings.TrimSpace(*imp.Text), llm.CitedIDs(*imp.Cited)})
	}
	return out, nil
}

// invalidIDs returns the ids s cites that are not in known.
func (s Synthesis) invalidIDs(known []string) []string {
	var bad []string
	note := func(list []string) {
		for _, id := range list {
			if !slices.Contains(known, id) && !slices.Contains(bad, id) {
				bad = append(bad, id)
			}
		}
	}
	note(s.Cited)
	for _, imp := range s.Implications {
		note(imp.Cited)
	}
	return bad
}

// Synthesize writes the digest of in with m: one request per topic (and a
// repair round when the answer cites cards outside the topic, after which
// the implications citing them are dropped, and the other citations of
// them). The usage totals the requests; answers come from the response
// cache when the model has one.
func Synthesize(ctx context.Context, m Model, in Input) (Digest, error) {
	t, err := prompts.Load(prompts.Digest)
	if err != nil {
		return Digest{}, err
	}
	d := Extractive(in)
	for i, topic := range in.Topics {
		sec := &d.Sections[i]
		pin, known := topicPrompt(topic, sec.Cards)
		res, err := m.AskJSON(ctx, llm.JSONQuery{Prompt: t, In: pin, SchemaName: SchemaName, Schema: topicSchema,
			Check: func(raw json.RawMessage) ([]string, bool) {
				s, err := ParseSynthesis(raw)
				if err != nil {
					return []string{err.Error()}, false
				}
				var problems []string
				for _, id := range s.invalidIDs(known) {
					problems = append(problems, fmt.Sprintf("cited id %q is not one of the topic's cards", id))
				}
				return problems, true
			}})
		if err != nil {
			return Digest{}, fmt.Errorf("digest topic %q: %w", topic.Label, err)
		}
		s, err := ParseSynthesis(res.Raw)
		if err != nil {
			return Digest{}, fmt.Errorf("digest topic %q: %w", topic.Label, err)
		}
		for _, id := range s.invalidIDs(known) {
			d.Dropped = append(d.Dropped, topic.Label+": "+id)
		}
		apply(sec, s, known)
		d.Usage.add(res)
	}
	return d, nil
}

// apply sets the model's synthesis on sec, leaving out the implications
// that cite a card not in known and the citations of such cards.
func apply(sec *Section, s Synthesis, known []string) {
	sec.Title, sec.Synthesis = s.Title, s.Synthesis
	refs := func(list []string) []Ref {
		var out []Ref
		for _, id := range list {
			for _, c := range sec.Cards {
				if c.ID == id && slices.Contains(known, id) {
					out = append(out, c)
				}
			}
		}
		return out
	}
	for _, imp := range s.Implications {
		if len(refs(imp.Cited)) != len(imp.Cited) {
			continue // a claim citing a card outside the topic
		}
		sec.Implications = append(sec.Implications, Implication{Text: imp.Text, Cited: refs(imp.Cited)})
	}
	for i := range sec.Cards {
		sec.Cards[i].Cited = slices.Contains(s.Cited, sec.Cards[i].ID) && slices.Contains(known, sec.Cards[i].ID)
	}
}

// add counts one answer's requests.
func (u *Usage) add(res llm.JSONResult) {
	p := res.Provenance
	u.Provider, u.Model = p.Provider, p.Model
	u.Requests += p.Requests
	u.InputTokens += p.InputTokens
	u.OutputTokens += p.OutputTokens
	u.CostUSD += p.CostUSD
	if p.Cached {
		u.Cached++
	}
}

// topicPrompt lays a topic out for the prompt: up to maxPromptCards of its
// cards (newest first), each with up to maxPromptRows of its rows in the
// topic, inside delimiters that hash them. It returns the ids given.
func topicPrompt(t Topic, cards []Ref) (promptIn, []string) {
	in := promptIn{Label: llm.OneLine(t.Label)}
	var known []string
	inside := []string{in.Label}
	for _, c := range cards[:min(len(cards), maxPromptCards)] {
		pc := promptCard{ID: c.ID, Title: llm.OneLine(c.Title), Host: llm.OneLine(c.Host)}
		if !c.Published.IsZero() {
			pc.Published = c.Published.Format("2006-01-02")
		}
		for _, r := range t.Rows {
			if r.CardID == c.ID && len(pc.Rows) < maxPromptRows {
				pc.Rows = append(pc.Rows, r.Table+": "+llm.OneLine(r.Name)+": "+llm.OneLine(r.Description))
			}
		}
		known = append(known, c.ID)
		inside = append(inside, pc.ID, pc.Title, pc.Host, pc.Published, strings.Join(pc.Rows, "\n"))
		in.Cards = append(in.Cards, pc)
	}
	in.Open, in.Close = llm.Delimiters("CARDS", inside...)
	return in, known
}
