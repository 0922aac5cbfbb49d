package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/veille/veille/pipeline/trends"
	"github.com/veille/veille/schema"
)

// Collection is what the pages read from the store: listings, facets,
// search, one card with its versions and spans, its page, related cards and
// the runs. Not-found errors wrap [schema.ErrNotFound].
type Collection interface {
	ListCards(ctx context.Context, f schema.CardFilter) ([]schema.CardSummary, error)
	CountCards(ctx context.Context, f schema.CardFilter) (int, error)
	Facets(ctx context.Context, f schema.CardFilter, facet string, limit int) ([]schema.FacetCount, error)
	SearchCards(ctx context.Context, query string, f schema.CardFilter) ([]schema.SearchHit, error)
	LatestCard(ctx context.Context, documentID string) (schema.StoredCard, error)
	CardVersions(ctx context.Context, documentID string) ([]schema.StoredCard, error)
	CardSpans(ctx context.Context, cardID int64) ([]schema.Span, error)
	GetDocumentByID(ctx context.Context, id string) (schema.Document, error)
	RelatedByText(ctx context.Context, documentID string, limit int) ([]schema.SearchHit, error)
	BatchRuns(ctx context.Context, n int) ([]schema.BatchRun, error)
	RunAttempts(ctx context.Context, runID int64) ([]schema.JobAttempt, error)
	EvalRuns(ctx context.Context, limit int) ([]schema.EvalRun, error)
	Mentions(ctx context.Context, canonicalURL string) ([]schema.Mention, error)
	// The clusters of rows across cards, for the trends page.
	trends.Reader
}

// Options configure the pages.
type Options struct {
	// Title names the site in headers and the feed ("veille" when empty).
	Title string
	// Logger receives the details of store errors (slog.Default() when nil).
	Logger *slog.Logger
	// Now is the clock, for tests (time.Now when nil).
	Now func() time.Time
	// BaseURL is the site's public address ("https://veille.example.org"),
	// used for the feed's absolute links; when empty the server uses the
	// request's host and the static site uses relative links.
	BaseURL string
	// Asker, when set, answers the questions of the /ask page.
	Asker Asker
	// TrendsSpace names the clustering the trends page reads (see
	// [trends.Space]); the lexical one when empty.
	TrendsSpace string
}

// withDefaults fills in the zero fields of o.
func (o Options) withDefaults() Options {
	if o.Title == "" {
		o.Title = "veille"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// server holds what the handlers share; it has no mutable state.
type server struct {
	c    Collection
	opts Options
	tpl  *templates
}

// New returns the web application over c: read-only (GET and HEAD), with
// its assets embedded.
func New(c Collection, opts Options) http.Handler {
	s := &server{c: c, opts: opts.withDefaults(), tpl: mustTemplates()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.handleIndex)
	mux.HandleFunc("GET /cards", s.handleCards)
	mux.HandleFunc("GET /cards/{id}", s.handleCard)
	mux.HandleFunc("GET /signals", s.handleSignals)
	mux.HandleFunc("GET /trends", s.handleTrends)
	mux.HandleFunc("GET /runs", s.handleRuns)
	mux.HandleFunc("GET /feed.atom", s.handleFeed)
	if s.opts.Asker != nil {
		mux.HandleFunc("GET /ask", s.handleAsk)
	}
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", assetHandler()))
	mux.HandleFunc("GET /", s.handleNotFound)
	return secure(mux)
}

// contentSecurityPolicy allows the site's own scripts, styles and images
// only: no inline script or style, no plugins, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secure sets the security headers and refuses every method but GET and
// HEAD.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed: this site is read-only", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// handleNotFound answers every unknown route.
func (s *server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.notFound(w, r)
}

// notFound writes the 404 page.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(serverLinks{}, "Not found", "")
	s.render(w, r, http.StatusNotFound, "notfound", p, nil)
}

// fail answers a store error: 404 for a missing record, else a 500 page
// with a generic message, the details going to the log only.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, schema.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	s.opts.Logger.Error("web: store error", "path", r.URL.Path, "err", err)
	p := s.newPage(serverLinks{}, "Error", "")
	s.render(w, r, http.StatusInternalServerError, "error", p, nil)
}
