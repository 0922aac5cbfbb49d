package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"github.com/veille/veille/pipeline/llm/provider"
	"github.com/veille/veille/web"
)

func (a *app) serveCommand() *cobra.Command {
	var dbPath, addr, baseURL, embedModel string
	var mf modelFlags
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the collection as a local, read-only web app: cards, search, signals, runs, a feed",
		Long: `Serve the stored cards as a web app for the browser: the latest cards with
charts, the list with facets and search, each card beside its page text with
every row's evidence highlighted, every signal in one table (with CSV), the
batch and eval runs, an Atom feed of new cards, and a page that answers
questions as extract ask does (with the model and the embeddings model the
flags and environment choose, as for ask). It reads the database only (but
for the model's response cache and the cards' embeddings), and listens on
127.0.0.1 unless --addr says otherwise.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			st, err := a.openCollection(ctx, dbPath)
			if err != nil {
				return err
			}
			defer st.Close()
			asker, err := a.newAsker(ctx, st, mf, embedModel)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("serve: cannot listen on %s: %w", addr, unwrapListen(err))
			}
			logger := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			srv := &http.Server{
				Handler:           web.New(st, web.Options{Logger: logger, BaseURL: baseURL, Asker: webAsker{asker}}),
				ReadHeaderTimeout: 10 * time.Second,
				ReadTimeout:       30 * time.Second,
				WriteTimeout:      2 * time.Minute,
				IdleTimeout:       2 * time.Minute,
				ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
			}
			fmt.Fprintf(a.stderr, "extract: serving %s on http://%s (Ctrl-C stops)\n", st.Path(), ln.Addr())
			return serveUntilDone(ctx, srv, ln)
		},
	}
	addDBFlag(c, &dbPath)
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (another host than 127.0.0.1 exposes the collection to the network)")
	addAnswerModelFlags(c, &mf)
	c.Flags().StringVar(&embedModel, "embed-model", "", "embeddings `MODEL` for the ask page (default $"+provider.EnvEmbedModel+")")
	c.Flags().StringVar(&baseURL, "base-url", "", "public `URL` of the site, for the feed's links (default: the request's host)")
	return c
}

// serveUntilDone serves on ln until ctx is done, then shuts down gracefully.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// unwrapListen keeps the cause of a listen error ("address already in
// use"), without the operation and address the caller names.
func unwrapListen(err error) error {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err
	}
	return err
}
