package batch

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/veille/veille/pipeline/extract"
	"github.com/veille/veille/pipeline/feed"
	"github.com/veille/veille/pipeline/fetch"
	"github.com/veille/veille/pipeline/ground"
	"github.com/veille/veille/pipeline/llm"
	"github.com/veille/veille/pipeline/lock"
	"github.com/veille/veille/schema"
)

// CardMaker makes and stores the card of one queued document — fetch,
// extract, model, card — and returns how the card was made. Errors are
// classified by classifyJobError. pipeline.Runner.MakeCard is one.
type CardMaker func(ctx context.Context, job Job) (Made, error)

// Made is how a card was made: by which model at what cost, and how many
// of its rows have their evidence in the page.
type Made struct {
	schema.Provenance
	Rows, Grounded int
}

// Store keeps the batch runs, the attempts of their jobs and the feed items
// seen, beside the cards. The backends of package store implement it.
type Store interface {
	// Path is the database's location, for the batch lock.
	Path() string
	// PrepareBatchRun records a running batch run, calls enqueue with the
	// transaction and the run's id, and marks each feed's items seen, all
	// in one transaction.
	PrepareBatchRun(ctx context.Context, inputs []string, startedAt time.Time, feedItems map[string][]string,
		enqueue func(ctx context.Context, tx *sql.Tx, runID int64) (int, error)) (runID int64, queued int, err error)
	FinishBatchRun(ctx context.Context, run schema.BatchRun) error
	// InterruptBatchRuns marks the runs still running as interrupted.
	InterruptBatchRuns(ctx context.Context, now time.Time) (int, error)
	StartJobAttempt(ctx context.Context, a schema.JobAttempt) (int64, error)
	FinishJobAttempt(ctx context.Context, a schema.JobAttempt) error
	// PermanentFailure tells whether a URL failed for good in a batch.
	PermanentFailure(ctx context.Context, url string) (cause string, failed bool, err error)
	// SaveMentions records where documents were found, and the tags given
	// to them there; a mention recorded before keeps its first date and
	// gains the new tags.
	SaveMentions(ctx context.Context, ms []schema.Mention, now time.Time) error
	// UnseenFeedItems returns the item URLs no batch has queued for feed.
	UnseenFeedItems(ctx context.Context, feedURL string, itemURLs []string) ([]string, error)
	// LatestCard returns a document's newest card, or an error wrapping
	// schema.ErrNotFound.
	LatestCard(ctx context.Context, documentID string) (schema.StoredCard, error)
}

// Config is how a batch runs; zero values mean no limit unless said.
type Config struct {
	// Workers is the number of jobs worked at once (default 4). Pair it
	// with a LimitedModel to bound the model calls separately.
	Workers int
	// HostRPS is requests a second per host; 0 means no limit.
	HostRPS float64
	// SharedLimits, when set, holds HostRPS across every process drawing
	// from it (the PostgreSQL store), not per process.
	SharedLimits SharedLimiter
	// MaxCostUSD stops the batch once the estimated cost reaches it.
	MaxCostUSD float64
	// MaxDocs stops the batch once this many documents were worked.
	MaxDocs int
	// Refresh makes new cards for documents that have one.
	Refresh bool
	// Strict refuses a URL list with a line that holds no URL; else the
	// line is skipped with a warning.
	Strict bool
	// RemakeOffline makes a new card for a document whose card the offline
	// baseline made: set it when a model is at hand, so that the cards a
	// night without a key made do not stay offline for good.
	RemakeOffline bool
	// AllowPrivateHosts queues the links a remote digest or feed gives to
	// loopback, private and link-local addresses; else they are left out
	// with a warning (a page on the web must not point the batch at the
	// machine's own network). The user's own inputs are always allowed.
	AllowPrivateHosts bool
	// MaxFeedItems caps the items taken from one feed, its first ones
	// (feeds list the newest first); 0 means DefaultMaxFeedItems.
	MaxFeedItems int
	// Progress shows the batch going (a bar on a terminal); nil means log
	// lines every ProgressEvery (default 10 s).
	Progress      Progress
	ProgressEvery time.Duration
}

// DefaultMaxFeedItems is how many items a batch takes from one feed by
// default: far more than a news feed carries, far fewer than a hostile one.
const DefaultMaxFeedItems = 500

// remakes reports whether a document's card is to be made again: it was
// made by the offline baseline and RemakeOffline is set.
func (c Config) remakes(card schema.StoredCard) bool {
	return c.RemakeOffline && card.Provider == llm.ProviderOffline
}

func (c Config) maxFeedItems() int {
	if c.MaxFeedItems <= 0 {
		return DefaultMaxFeedItems
	}
	return c.MaxFeedItems
}

// Inputs is what `extract batch` was given.
type Inputs struct {
	// Lists are URL list files (plain, Pocket CSV, bookmark HTML) or single
	// http(s) URLs.
	Lists []string
	// Digests are newsletter pages whose outbound links are queued.
	Digests []string
	// Feeds are RSS, Atom or JSON feeds whose new items are queued.
	Feeds []string
}

// describe lists the inputs for the batch run's record.
func (in Inputs) describe() []string {
	out := append([]string{}, in.Lists...)
	for _, d := range in.Digests {
		out = append(out, "--digest "+d)
	}
	for _, f := range in.Feeds {
		out = append(out, "--feed "+f)
	}
	return out
}

// Batch turns inputs into queued jobs and works the queue.
type Batch struct {
	Store Store
	Queue Queue
	// Fetcher gets digest pages and feeds, within its limits on time and
	// size; nil means one with default settings.
	Fetcher *fetch.Fetcher
	// Make makes one card.
	Make CardMaker
	// Model names the model Make uses, for the summary ("openai
	// gpt-4o-mini").
	Model  string
	Config Config
	Logger *slog.Logger
}

// Tally counts outcomes so far. It is comparable, for change checks.
type Tally struct {
	Done, Skipped, Failed int
	// Remade counts the cards of Done that replace a card the offline
	// baseline made; the others are new.
	Remade                    int
	InputTokens, OutputTokens int
	CostUSD                   float64
	// Rows and Grounded count the rows of the cards made, and those whose
	// evidence was found in their page.
	Rows, Grounded int
}

// Summary is what a batch run did.
type Summary struct {
	RunID int64
	Tally
	// Queued counts the jobs this run inserted; Remaining those left in
	// the queue at the end.
	Queued, Remaining int
	// FailedByCause counts given-up jobs by cause ("http 404", ...).
	FailedByCause map[string]int
	// Permanent counts failures that retrying could not fix.
	Permanent int
	// Status is schema.BatchCompleted or schema.BatchStopped; StopReason
	// says why a stopped batch stopped.
	Status, StopReason string
	Elapsed            time.Duration
	// Model names the model the cards were made with ("openai
	// gpt-4o-mini"), Database where they are.
	Model, Database string
	// FeedItems counts the feeds' items taken (under --feed-items);
	// FeedItemsSeen those an earlier batch queued, left out.
	FeedItems, FeedItemsSeen int
	// AlreadyCarded and FailedBefore count the documents not queued: they
	// had a card, or had failed for good in an earlier batch. The rest of
	// Skipped got a card while queued.
	AlreadyCarded, FailedBefore int
	// Failures are the first MaxListedFailures jobs that failed in this
	// run, with their causes; Failed counts them all.
	Failures []Failure
}

// Failure is a job that failed, and why.
type Failure struct {
	URL, Cause string
}

// MaxListedFailures is how many failed URLs a summary lists; `extract
// batch --status --failed` lists them all.
const MaxListedFailures = 20

// Run runs one batch: it takes the batch lock, requeues the jobs a crashed
// run left in flight (on a queue that is not shared: see [Queue.Shared]),
// queues the inputs' documents, works the whole queue and stores the
// summary as a batch run. The error is non-nil when the
// batch could not run (or the queue failed midway); failed jobs are in the
// summary.
func (b *Batch) Run(ctx context.Context, in Inputs) (Summary, error) {
	if !b.Queue.Shared() {
		unlock, err := lock.Batch(b.Store.Path())
		if err != nil {
			return Summary{}, err
		}
		defer unlock()
	}
	start := time.Now()
	w, queued, err := b.prepare(ctx, in, start)
	if err != nil {
		return Summary{}, err
	}
	workErr := w.run(ctx)
	switch {
	case workErr != nil:
		w.stopWith("queue error: " + workErr.Error())
	case ctx.Err() != nil:
		w.stopWith("interrupted by a signal")
	}
	sum := w.summary(queued, start)
	ctx = context.WithoutCancel(ctx) // the summary is stored even after a signal
	counts, err := b.Queue.Counts(ctx)
	if err != nil {
		return sum, errors.Join(workErr, err)
	}
	sum.Remaining = counts.Pending()
	return sum, errors.Join(workErr, b.Store.FinishBatchRun(ctx, sum.record(start)))
}

// prepare readies the queue, records the run and queues the inputs; it
// returns the run's workers and the number of jobs queued.
func (b *Batch) prepare(ctx context.Context, in Inputs, start time.Time) (*batchWork, int, error) {
	if err := b.Queue.Migrate(ctx); err != nil {
		return nil, 0, err
	}
	if !b.Queue.Shared() {
		if err := b.recoverCrash(ctx); err != nil {
			return nil, 0, err
		}
	}
	found, err := b.collect(ctx, in)
	if err != nil {
		return nil, 0, err
	}
	enqueue := func(ctx context.Context, tx *sql.Tx, _ int64) (int, error) {
		return b.Queue.EnqueueTx(ctx, tx, found.Jobs)
	}
	// Where each document was found is true whether or not the run is
	// prepared, so it is recorded first, in its own transaction.
	if err := b.Store.SaveMentions(ctx, found.Mentions, start); err != nil {
		return nil, 0, err
	}
	runID, queued, err := b.Store.PrepareBatchRun(ctx, in.describe(), start, found.FeedItems, enqueue)
	if err != nil {
		return nil, 0, err
	}
	b.logger().Info("batch queued", "run", runID, "new_jobs", queued, "already_carded", found.Carded,
		"failed_before", found.FailedBefore)
	w := newBatchWork(b, runID)
	w.tally.Skipped = found.Carded + found.FailedBefore
	w.carded, w.failedBefore = found.Carded, found.FailedBefore
	w.feedTaken, w.feedSeen = found.FeedTaken, found.FeedSeen
	return w, queued, nil
}

// recoverCrash closes the records of a run that died and makes its
// in-flight jobs available again.
func (b *Batch) recoverCrash(ctx context.Context) error {
	if _, err := b.Store.InterruptBatchRuns(ctx, time.Now()); err != nil {
		return err
	}
	rescued, err := b.Queue.RescueOrphans(ctx)
	if err != nil {
		return err
	}
	if len(rescued) > 0 {
		b.logger().Warn("requeued jobs interrupted by a crash", "jobs", len(rescued))
	}
	return nil
}

// record turns a summary into the stored batch run.
func (s Summary) record(start time.Time) schema.BatchRun {
	return schema.BatchRun{ID: s.RunID, StartedAt: start, FinishedAt: start.Add(s.Elapsed),
		Status: s.Status, StopReason: s.StopReason, Queued: s.Queued, Skipped: s.Skipped,
		Done: s.Done, Failed: s.Failed, FailedByCause: s.FailedByCause,
		InputTokens: s.InputTokens, OutputTokens: s.OutputTokens, CostUSD: s.CostUSD,
		Elapsed: s.Elapsed, Remaining: s.Remaining}
}

func (b *Batch) logger() *slog.Logger {
	if b.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return b.Logger
}

// collected is what the inputs of a batch hold.
type collected struct {
	// Jobs are the documents to queue, deduplicated by canonical URL.
	Jobs []Job
	// Carded and FailedBefore count the documents left out: they have a
	// card (unless Refresh) or failed for good before.
	Carded, FailedBefore int
	// FeedItems are each feed's new item URLs, to mark seen once queued.
	FeedItems map[string][]string
	// FeedTaken counts the feeds' items taken, FeedSeen those an earlier
	// batch queued.
	FeedTaken, FeedSeen int
	// Mentions are where each document was found, with the tags given to
	// it there, for every document found (queued or not).
	Mentions []schema.Mention
}

// collect reads every input and returns the jobs to queue.
func (b *Batch) collect(ctx context.Context, in Inputs) (collected, error) {
	var found []Job
	c := collected{FeedItems: map[string][]string{}}
	for _, list := range in.Lists {
		items, err := readListInput(list)
		if err = b.skipBadLines(list, err); err != nil {
			return collected{}, err
		}
		for _, it := range items {
			found = appendJobs(found, []string{it.URL}, nil, false)
			if schema.CheckWebURL(list) != nil { // a file, not a URL given as such
				c.Mentions = addMention(c.Mentions, schema.Mention{URL: it.URL, Kind: schema.MentionList,
					Source: absPath(list), Tags: it.Tags})
			}
		}
	}
	for _, d := range in.Digests {
		links, err := b.digestLinks(ctx, d)
		if err != nil {
			return collected{}, err
		}
		if len(links) == 0 {
			b.logger().Warn("digest has no outbound link: links to its own site (whatever the port), "+
				"to share buttons and to images are not its content", "digest", d)
		}
		links = publicLinks(b, d, links, func(l extract.Link) string { return l.URL })
		for _, l := range links {
			origin := l.Origin
			found = appendJobs(found, []string{l.URL}, &origin, b.checksPrivateHosts(d))
			c.Mentions = addMention(c.Mentions, schema.Mention{URL: l.URL, Kind: schema.MentionDigest,
				Source: d, Label: origin.Label})
		}
	}
	for _, f := range in.Feeds {
		urls, taken, err := b.newFeedItems(ctx, f)
		if err != nil {
			return collected{}, err
		}
		c.FeedItems[f] = urls
		c.FeedTaken += taken
		c.FeedSeen += taken - len(urls)
		urls = publicLinks(b, f, urls, func(u string) string { return u })
		found = appendJobs(found, urls, nil, b.checksPrivateHosts(f))
		for _, u := range urls {
			c.Mentions = addMention(c.Mentions, schema.Mention{URL: u, Kind: schema.MentionFeed, Source: f})
		}
	}
	var err error
	c.Jobs, c.Carded, c.FailedBefore, err = b.filterJobs(ctx, found)
	return c, err
}

// addMention appends m with its URL made canonical; a URL that has no
// canonical form was refused by its parser already, and is left out.
func addMention(ms []schema.Mention, m schema.Mention) []schema.Mention {
	canonical, err := schema.CanonicalURL(m.URL)
	if err != nil {
		return ms
	}
	m.URL = canonical
	return append(ms, m)
}

// absPath is path made absolute, so that a list file is named the same
// whatever directory the batch ran from; path itself if that fails.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// appendJobs appends a job per URL. URLs were checked by their parser.
func appendJobs(jobs []Job, urls []string, origin *schema.Link, publicOnly bool) []Job {
	for _, u := range urls {
		jobs = append(jobs, Job{URL: u, Origin: origin, PublicOnly: publicOnly})
	}
	return jobs
}

// filterJobs canonicalises, deduplicates and drops documents that need no
// work. The first mention of a URL wins, except that a mention with an
// origin wins over one without.
func (b *Batch) filterJobs(ctx context.Context, found []Job) (kept []Job, carded, failedBefore int, err error) {
	var jobs []Job
	index := map[string]int{}
	for _, j := range found {
		canonical, err := schema.CanonicalURL(j.URL)
		if err != nil {
			return nil, 0, 0, err
		}
		j.Canonical, j.Refresh = canonical, b.Config.Refresh
		if i, seen := index[canonical]; seen {
			if jobs[i].Origin == nil && j.Origin != nil {
				jobs[i].Origin = j.Origin
			}
			jobs[i].PublicOnly = jobs[i].PublicOnly && j.PublicOnly // a URL the user listed is allowed
			continue
		}
		index[canonical] = len(jobs)
		jobs = append(jobs, j)
	}
	if b.Config.Refresh {
		return jobs, 0, 0, nil
	}
	kept = jobs[:0]
	for _, j := range jobs {
		hasCard, failed, err := b.needsNoWork(ctx, j.Canonical)
		switch {
		case err != nil:
			return nil, 0, 0, err
		case hasCard:
			carded++
		case failed:
			failedBefore++
		default:
			kept = append(kept, j)
		}
	}
	return kept, carded, failedBefore, nil
}

// needsNoWork reports whether a document has a card already, or failed
// permanently in an earlier batch.
func (b *Batch) needsNoWork(ctx context.Context, canonical string) (hasCard, failedBefore bool, err error) {
	card, err := b.Store.LatestCard(ctx, schema.DocumentID(canonical))
	switch {
	case err == nil:
		return !b.Config.remakes(card), false, nil
	case !errors.Is(err, schema.ErrNotFound):
		return false, false, err
	}
	_, failed, err := b.Store.PermanentFailure(ctx, canonical)
	return false, failed, err
}

// readListInput reads a list file, or takes an http(s) URL as itself.
func readListInput(name string) ([]ListItem, error) {
	if schema.CheckWebURL(name) == nil {
		return []ListItem{{URL: name}}, nil
	}
	data, err := os.ReadFile(name)
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		err = pathErr.Err // the path is named once, below
	}
	if err != nil {
		return nil, fmt.Errorf("input %s: neither an http(s) URL nor a readable list file (%w)", name, err)
	}
	items, err := ParseList(DetectListFormat(name, data), strings.NewReader(string(data)))
	if err != nil {
		return items, fmt.Errorf("input %s: %w", name, err)
	}
	return items, nil
}

// skipBadLines lets a batch go on past the lines of a URL list that hold
// no URL, with a warning naming the file and each line; with
// Config.Strict, or for any other error, err stops the batch.
func (b *Batch) skipBadLines(list string, err error) error {
	var bad *BadLinesError
	if b.Config.Strict || !errors.As(err, &bad) {
		return err
	}
	for _, l := range bad.Lines {
		b.logger().Warn("skipped a line that holds no URL", "file", list, "line", l.Line, "error", l.Err)
	}
	return nil
}

// digestLinks fetches a digest page and lists its outbound links.
func (b *Batch) digestLinks(ctx context.Context, digestURL string) ([]extract.Link, error) {
	page, err := b.fetcher().Fetch(ctx, digestURL)
	if err != nil {
		return nil, fmt.Errorf("digest %s: %w", digestURL, err)
	}
	links, err := extract.DigestLinks(page.Body, page.FinalURL)
	if err != nil {
		return nil, fmt.Errorf("digest %s: %w", digestURL, err)
	}
	return links, nil
}

// newFeedItems fetches a feed and returns the item links not queued by an
// earlier batch.
func (b *Batch) newFeedItems(ctx context.Context, feedURL string) (unseen []string, taken int, err error) {
	body, err := b.fetcher().FetchRaw(ctx, feedURL)
	if err != nil {
		return nil, 0, fmt.Errorf("feed %s: %w", feedURL, err)
	}
	links, err := feed.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("feed %s: %w", feedURL, err)
	}
	if len(links) == 0 {
		b.logger().Warn("feed has no item with an http(s) link", "feed", feedURL)
	}
	if limit := b.Config.maxFeedItems(); len(links) > limit {
		b.logger().Warn("feed has more items than --feed-items: the first ones are taken", "feed", feedURL,
			"items", len(links), "taken", limit)
		links = links[:limit]
	}
	unseen, err = b.Store.UnseenFeedItems(ctx, feedURL, links)
	return unseen, len(links), err
}

// publicLinks drops the links of a remote digest or feed (one on a public
// host) that point at a private host, unless Config.AllowPrivateHosts.
// The links kept are fetched public-only (see [Job]), so that a name
// resolving to a private address, or a redirect to one, fails too.
func publicLinks[L any](b *Batch, source string, links []L, urlOf func(L) string) []L {
	if !b.checksPrivateHosts(source) {
		return links
	}
	kept := links[:0]
	for _, l := range links {
		if isPrivateURL(urlOf(l)) {
			b.logger().Warn("left out a link to a private address (--allow-private-hosts queues it)",
				"source", source, "url", urlOf(l))
			continue
		}
		kept = append(kept, l)
	}
	return kept
}

// checksPrivateHosts reports whether the links of source must stay off
// private addresses: source is remote and Config.AllowPrivateHosts unset.
func (b *Batch) checksPrivateHosts(source string) bool {
	return !b.Config.AllowPrivateHosts && !isPrivateURL(source)
}

// isPrivateURL reports whether rawURL's host is this machine or its
// network (see [fetch.IsPrivateHost]). Names are not resolved.
func isPrivateURL(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && fetch.IsPrivateHost(u.Hostname())
}

// fetcher is the batch's Fetcher, or one with default settings.
func (b *Batch) fetcher() *fetch.Fetcher {
	if b.Fetcher == nil {
		return fetch.New(fetch.Config{})
	}
	return b.Fetcher
}

// batchWork is one run of the workers: shared limits, budget and tally.
type batchWork struct {
	b     *Batch
	runID int64
	hosts *HostLimiter

	mu       sync.Mutex
	tally    Tally
	causes   map[string]int
	perm     int
	taken    map[int64]bool // jobs counted against MaxDocs
	stopOnce sync.Once
	stop     chan struct{}
	reason   string
	progress Progress
	// carded and failedBefore are the documents not queued; failures the
	// first failed jobs.
	carded, failedBefore int
	failures             []Failure
	// feedTaken and feedSeen count the feeds' items, and those seen before.
	feedTaken, feedSeen int
}

func newBatchWork(b *Batch, runID int64) *batchWork {
	return &batchWork{b: b, runID: runID, hosts: NewHostLimiter(b.Config.HostRPS, b.Config.SharedLimits),
		causes: map[string]int{}, taken: map[int64]bool{}, stop: make(chan struct{})}
}

// run works the queue until it is empty, the budget is spent or ctx ends.
func (w *batchWork) run(ctx context.Context) error {
	counts, err := w.b.Queue.Counts(ctx)
	if err != nil {
		return err
	}
	every := w.b.Config.ProgressEvery
	if every <= 0 {
		every = 10 * time.Second
	}
	w.progress = startProgress(ctx, w.b.Config.Progress, counts.Pending()+w.tally.Skipped, w.b.logger(), every)
	defer w.progress.Close()
	n := w.b.Config.Workers
	if n <= 0 {
		n = 4
	}
	return w.b.Queue.Work(ctx, n, w.handle, w.stop)
}

// stopWith stops the batch (jobs in flight finish) for reason.
func (w *batchWork) stopWith(reason string) {
	w.stopOnce.Do(func() {
		w.mu.Lock()
		w.reason = reason
		w.mu.Unlock()
		w.b.logger().Info("batch stopping", "reason", reason)
		close(w.stop)
	})
}

// handle works one job: skip it if its card exists, else make the card,
// recording the attempt and its outcome.
func (w *batchWork) handle(ctx context.Context, job QueuedJob) error {
	if ctx.Err() != nil {
		return ErrDeferred
	}
	attempt := schema.JobAttempt{RunID: w.runID, JobID: job.ID, Attempt: job.Attempt,
		URL: job.Args.Canonical, StartedAt: time.Now()}
	hasCard, remake, err := w.cardState(ctx, job)
	if err != nil {
		return err
	}
	if hasCard {
		attempt.Outcome = schema.AttemptSkipped
		return w.finish(ctx, attempt, nil)
	}
	if reason := w.take(job.ID); reason != "" {
		w.stopWith(reason)
		return ErrDeferred
	}
	if attempt.ID, err = w.b.Store.StartJobAttempt(ctx, attempt); err != nil {
		return err
	}
	if err := w.hosts.Wait(ctx, job.Args.URL); err != nil {
		return w.finishAttempt(ctx, job, attempt, Made{}, err)
	}
	made, err := w.b.Make(ctx, job.Args)
	if err == nil {
		w.tallyCard(made, remake)
	}
	return w.finishAttempt(ctx, job, attempt, made, err)
}

// tallyCard counts a card made: its rows, and whether it replaced a card
// of the offline baseline.
func (w *batchWork) tallyCard(made Made, remake bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tally.Rows += made.Rows
	w.tally.Grounded += made.Grounded
	if remake {
		w.tally.Remade++
	}
}

// cardState reports whether the job's document has a card that makes the
// job moot — any card, or with Refresh one made after the job was queued
// (a crash came between the card and the job's completion) — and whether
// the card to make replaces one of the offline baseline.
func (w *batchWork) cardState(ctx context.Context, job QueuedJob) (fresh, remake bool, err error) {
	card, err := w.b.Store.LatestCard(ctx, schema.DocumentID(job.Args.Canonical))
	switch {
	case errors.Is(err, schema.ErrNotFound):
		return false, false, nil
	case err != nil:
		return false, false, err
	}
	if w.b.Config.remakes(card) {
		return false, true, nil
	}
	return !job.Args.Refresh || !card.CreatedAt.Before(job.CreatedAt), false, nil
}

// take counts a job against the budget and returns why it must wait, if
// the budget is spent.
func (w *batchWork) take(jobID int64) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	cfg := w.b.Config
	if cfg.MaxCostUSD > 0 && w.tally.CostUSD >= cfg.MaxCostUSD {
		return fmt.Sprintf("--max-cost %.2f USD reached", cfg.MaxCostUSD)
	}
	if w.taken[jobID] {
		return ""
	}
	if cfg.MaxDocs > 0 && len(w.taken) >= cfg.MaxDocs {
		return fmt.Sprintf("--max-docs %d reached", cfg.MaxDocs)
	}
	w.taken[jobID] = true
	return ""
}

// finishAttempt classifies err, records the attempt and returns the verdict
// for the queue.
func (w *batchWork) finishAttempt(ctx context.Context, job QueuedJob, a schema.JobAttempt, made Made, err error) error {
	a.InputTokens, a.OutputTokens, a.CostUSD = made.InputTokens, made.OutputTokens, made.CostUSD
	if err == nil {
		a.Outcome = schema.AttemptDone
		return w.finish(ctx, a, nil)
	}
	a.Error = err.Error()
	if ctx.Err() != nil {
		a.Outcome, a.Cause = schema.AttemptInterrupted, "stopped"
		w.recordAttempt(ctx, a)
		return ErrDeferred
	}
	cause, permanent := classifyJobError(err)
	a.Cause = cause
	switch {
	case permanent:
		a.Outcome = schema.AttemptFailed
		return w.finish(ctx, a, &PermanentError{Cause: cause, Err: err})
	case job.Attempt >= job.MaxAttempts:
		a.Outcome = schema.AttemptGaveUp
		return w.finish(ctx, a, err)
	}
	a.Outcome = schema.AttemptRetry
	w.recordAttempt(ctx, a)
	w.b.logger().Warn("job will be retried", "url", job.Args.URL, "attempt", job.Attempt, "cause", cause, "error", err)
	return err
}

// finish records a final attempt, tallies it and returns verdict.
func (w *batchWork) finish(ctx context.Context, a schema.JobAttempt, verdict error) error {
	if a.ID != 0 {
		w.recordAttempt(ctx, a)
	}
	w.mu.Lock()
	switch a.Outcome {
	case schema.AttemptDone:
		w.tally.Done++
	case schema.AttemptSkipped:
		w.tally.Skipped++
	default:
		w.tally.Failed++
		w.causes[a.Cause]++
		if len(w.failures) < MaxListedFailures {
			w.failures = append(w.failures, Failure{URL: a.URL, Cause: a.Cause})
		}
		if a.Outcome == schema.AttemptFailed {
			w.perm++
		}
	}
	w.tally.InputTokens += a.InputTokens
	w.tally.OutputTokens += a.OutputTokens
	w.tally.CostUSD += a.CostUSD
	w.progress.Update(w.tally) // under the lock, so updates arrive in order
	w.mu.Unlock()
	if a.Outcome == schema.AttemptGaveUp || a.Outcome == schema.AttemptFailed {
		w.b.logger().Warn("job failed", "url", a.URL, "cause", a.Cause, "error", a.Error)
	}
	return verdict
}

// recordAttempt stores how an attempt ended, even once ctx is cancelled; a
// failure to record is logged, not fatal, since the queue keeps the job's
// state.
func (w *batchWork) recordAttempt(ctx context.Context, a schema.JobAttempt) {
	a.FinishedAt = time.Now()
	if err := w.b.Store.FinishJobAttempt(context.WithoutCancel(ctx), a); err != nil {
		w.b.logger().Error("record attempt", "job", a.JobID, "error", err)
	}
}

// summary is the run's outcome so far.
func (w *batchWork) summary(queued int, start time.Time) Summary {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := Summary{RunID: w.runID, Tally: w.tally, Queued: queued, FailedByCause: w.causes,
		Permanent: w.perm, Status: schema.BatchCompleted, Elapsed: time.Since(start), Model: w.b.Model,
		Database: w.b.Store.Path(), AlreadyCarded: w.carded, FailedBefore: w.failedBefore,
		FeedItems: w.feedTaken, FeedItemsSeen: w.feedSeen,
		Failures: slices.Clone(w.failures)}
	if w.reason != "" {
		s.Status, s.StopReason = schema.BatchStopped, w.reason
	}
	return s
}

// classifyJobError names the cause of a failed job and tells whether
// retrying could help.
func classifyJobError(err error) (cause string, permanent bool) {
	var fe *fetch.Error
	var ue *fetch.UnsupportedTypeError
	switch {
	case errors.As(err, &ue):
		return "unsupported type", true
	case errors.Is(err, fetch.ErrPrivateAddress):
		return "private address", true
	case errors.As(err, &fe) && fe.Status != 0:
		return fmt.Sprintf("http %d", fe.Status), !fe.Retryable()
	case errors.As(err, &fe):
		return "network", !fe.Retryable()
	case errors.Is(err, llm.ErrRefused):
		return "refusal", true
	case errors.As(err, new(*ground.UngroundedError)):
		return "ungrounded", true
	case errors.Is(err, extract.ErrEmpty):
		return "no text", true
	case errors.Is(err, fetch.ErrBinaryBody), errors.Is(err, fetch.ErrInvalidUTF8), errors.Is(err, fetch.ErrBodyTooLarge),
		errors.Is(err, fetch.ErrEmptyBody), errors.Is(err, fetch.ErrTooManyRedirects), errors.Is(err, fetch.ErrRedirectLoop):
		return "unreadable page", true
	case llm.Retryable(err):
		return "model unavailable", false
	}
	return "error", false
}

// FormatSummary writes a human summary of a batch run.
func FormatSummary(w io.Writer, s Summary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "batch run %d %s", s.RunID, s.Status)
	if s.StopReason != "" {
		fmt.Fprintf(&b, " (%s)", s.StopReason)
	}
	fmt.Fprintf(&b, " in %s\n", s.Elapsed.Round(time.Millisecond))
	if s.Model != "" || s.Database != "" {
		fmt.Fprintf(&b, "  cards made with %s, kept in %s\n", cmp.Or(s.Model, "?"), cmp.Or(s.Database, "?"))
	}
	fmt.Fprintf(&b, "  queued %d, done %d, skipped %d, failed %d, left in queue %d\n",
		s.Queued, s.Done, s.Skipped, s.Failed, s.Remaining)
	if s.Remade > 0 {
		fmt.Fprintf(&b, "  done: %d new cards, %d remade over offline-baseline cards\n", s.Done-s.Remade, s.Remade)
	}
	if s.Rows > 0 {
		fmt.Fprintf(&b, "  grounding: %d of %d rows (%.0f%%) quote their page\n", s.Grounded, s.Rows, 100*float64(s.Grounded)/float64(s.Rows))
	}
	if s.FeedItems > 0 {
		fmt.Fprintf(&b, "  feeds: %d items, %d new, %d seen in earlier batches\n", s.FeedItems, s.FeedItems-s.FeedItemsSeen, s.FeedItemsSeen)
	}
	if s.Skipped > 0 {
		fmt.Fprintf(&b, "  skipped: %d already carded, %d failed before, %d carded while queued\n",
			s.AlreadyCarded, s.FailedBefore, s.Skipped-s.AlreadyCarded-s.FailedBefore)
	}
	causes := make([]string, 0, len(s.FailedByCause))
	for c := range s.FailedByCause {
		causes = append(causes, c)
	}
	sort.Strings(causes)
	for _, c := range causes {
		fmt.Fprintf(&b, "  failed: %s ×%d\n", c, s.FailedByCause[c])
	}
	for _, f := range s.Failures {
		fmt.Fprintf(&b, "    %s: %s\n", f.URL, f.Cause)
	}
	if s.Failed > len(s.Failures) {
		fmt.Fprintf(&b, "    … and %d more: extract batch --status --failed\n", s.Failed-len(s.Failures))
	}
	fmt.Fprintf(&b, "  tokens %d in, %d out; estimated cost %.4f USD\n", s.InputTokens, s.OutputTokens, s.CostUSD)
	_, err := io.WriteString(w, b.String())
	return err
}

// TallyAttempts counts the jobs of a run from its attempts, for a run still
// going: a job counts by its last attempt, and inFlight counts the jobs
// being worked on now.
func TallyAttempts(attempts []schema.JobAttempt) (t Tally, inFlight int) {
	last := map[int64]schema.JobAttempt{}
	for _, a := range attempts {
		if prev, ok := last[a.JobID]; !ok || a.Attempt >= prev.Attempt {
			last[a.JobID] = a
		}
		t.InputTokens += a.InputTokens
		t.OutputTokens += a.OutputTokens
		t.CostUSD += a.CostUSD
	}
	for _, a := range last {
		switch a.Outcome {
		case "":
			inFlight++
		case schema.AttemptDone:
			t.Done++
		case schema.AttemptSkipped:
			t.Skipped++
		case schema.AttemptFailed, schema.AttemptGaveUp:
			t.Failed++
		}
	}
	return t, inFlight
}
