package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/veille/veille/eval/extractbench"
	"github.com/veille/veille/pipeline"
	"github.com/veille/veille/pipeline/fetch"
	"github.com/veille/veille/schema"
)

// fetchFlags are the flags that tune page fetching; every command that
// fetches pages shares them.
type fetchFlags struct {
	connectTimeout time.Duration
	fetchTimeout   time.Duration
}

// addFetchFlags registers the fetch flags on c.
func addFetchFlags(c *cobra.Command, f *fetchFlags) {
	c.Flags().DurationVar(&f.connectTimeout, "connect-timeout", fetch.DefaultConnectTimeout, "time limit to connect to a web server")
	c.Flags().DurationVar(&f.fetchTimeout, "fetch-timeout", fetch.DefaultTimeout, "time limit of a whole page fetch, body included")
}

// check rejects fetch flag values that make no sense, naming the flag.
func (f fetchFlags) check() error {
	if f.connectTimeout <= 0 {
		return usageError{fmt.Errorf("--connect-timeout %s: must be positive", f.connectTimeout)}
	}
	if f.fetchTimeout <= 0 {
		return usageError{fmt.Errorf("--fetch-timeout %s: must be positive", f.fetchTimeout)}
	}
	return nil
}

// newFetcher returns the Fetcher the flags describe, announcing this
// version of veille in its User-Agent.
func (f fetchFlags) newFetcher() (*fetch.Fetcher, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	return fetch.New(fetch.Config{
		UserAgent:      fetch.UserAgent(version),
		ConnectTimeout: f.connectTimeout,
		Timeout:        f.fetchTimeout,
	}), nil
}

// loadDocument opens the store named by dbPath and loads one input (URL or
// file) through a Loader with the fetcher ff describes.
func (a *app) loadDocument(ctx context.Context, dbPath string, ff fetchFlags, input string, refresh bool) (schema.Document, error) {
	fetcher, err := ff.newFetcher()
	if err != nil {
		return schema.Document{}, err
	}
	st, err := a.openStore(ctx, dbPath)
	if err != nil {
		return schema.Document{}, err
	}
	defer st.Close()
	loader := &pipeline.Loader{Store: st, Fetcher: fetcher}
	return loader.Load(ctx, input, refresh)
}

func (a *app) textCommand() *cobra.Command {
	var (
		ff              fetchFlags
		dbPath, benchIn string
		asJSON, refresh bool
	)
	c := &cobra.Command{
		Use:   "text URL|FILE",
		Short: "Print the main text of a page (fetched once, then read from the store)",
		Long: `Print the main text of a web page or a local file (.html, .htm, .html.gz,
.txt, .md, .pdf). The page is fetched once and kept in the store; later calls
read it from there unless --refresh is given. --json adds the metadata and the
extraction method.

With --benchmark DIR, extract every DIR/html/*.html.gz page instead and print
the predictions of the article-extraction benchmark: {"<id>": {"articleBody": "…"}}.`,
		Args: func(c *cobra.Command, args []string) error {
			if benchIn != "" {
				return exactArgs(0)(c, args)
			}
			return exactArgs(1)(c, args)
		},
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			if err := ff.check(); err != nil {
				return fmt.Errorf("text: %w", err)
			}
			if benchIn != "" {
				return extractbench.WritePredictions(ctx, benchIn, a.stdout)
			}
			doc, err := a.loadDocument(ctx, dbPath, ff, args[0], refresh)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(doc)
			}
			_, err = fmt.Fprintln(a.stdout, doc.Text)
			return err
		},
	}
	addDBFlag(c, &dbPath)
	addFetchFlags(c, &ff)
	c.Flags().BoolVar(&asJSON, "json", false, "print the document as JSON: text, metadata, extraction method, fetch details")
	c.Flags().BoolVar(&refresh, "refresh", false, "fetch the page again even when the store has it")
	c.Flags().StringVar(&benchIn, "benchmark", "", "extract the benchmark pages of `DIR`/html/*.html.gz and print predictions")
	return c
}
