package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Asker answers a question over the collection; extract serve wires it to
// the retrieval and the model of extract ask.
type Asker interface {
	Ask(ctx context.Context, question string) (Answer, error)
}

// ErrBadQuestion marks a question an [Asker] refuses (empty, too long):
// the page says why, with status 400.
var ErrBadQuestion = errors.New("bad question")

// Answer is an answer to a question: the model's text, and the cards
// retrieved for it, best first.
type Answer struct {
	// Text is the model's answer; empty without a model.
	Text string
	// Model names the model that answered ("openai gpt-4o-mini"); empty
	// without one.
	Model string
	Cards []AnswerCard
}

// AnswerCard is a card retrieved for a question.
type AnswerCard struct {
	ID, URL, Title string
	Published      time.Time
	// Score ranks the cards, higher is closer to the question.
	Score float64
	// Cited is set when the answer cites the card.
	Cited bool
	// Rows are the card's rows that hold words of the question.
	Rows []AnswerRow
}

// AnswerRow is one row of a retrieved card.
type AnswerRow struct {
	Table, Name, Description string
}

// askData is what the ask page shows.
type askData struct {
	Question string
	// Answer is nil until a question is asked.
	Answer *Answer
}

// handleAsk shows the question form and, for a question, its answer.
func (s *server) handleAsk(w http.ResponseWriter, r *http.Request) {
	d := &askData{Question: strings.TrimSpace(r.URL.Query().Get("q"))}
	p := s.newPage(serverLinks{}, "Ask", "ask")
	status := http.StatusOK
	if d.Question != "" {
		ans, err := s.opts.Asker.Ask(r.Context(), d.Question)
		switch {
		case errors.Is(err, ErrBadQuestion):
			status = http.StatusBadRequest
			p.Messages = append(p.Messages, "The question was not asked: "+err.Error()+".")
		case err != nil:
			s.fail(w, r, err)
			return
		default:
			d.Answer = &ans
		}
	}
	s.render(w, r, status, "ask", p, d)
}
