package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/veille/veille/pipeline/extract"
)

func (a *app) linksCommand() *cobra.Command {
	var (
		ff              fetchFlags
		dbPath          string
		asJSON, refresh bool
	)
	c := &cobra.Command{
		Use:   "links URL|FILE",
		Short: "List the outbound links of a digest page (newsletter issue, link roundup)",
		Long: `List the outbound links in the body of a digest page — a newsletter issue
such as a Substack post, or a link roundup — leaving out navigation, share and
subscribe buttons, footers and links back to the digest's own site.

Each line is tab-separated: the link's URL, the origin label (the last segment
of the digest's URL, as in the title line of cards) and the link text.
--json prints [{"url", "text", "origin": {"label", "url"}}].`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			ctx := c.Context()
			if err := ff.check(); err != nil {
				return fmt.Errorf("links: %w", err)
			}
			doc, err := a.loadDocument(ctx, dbPath, ff, args[0], refresh)
			if err != nil {
				return err
			}
			if doc.ContentType != "text/html" && doc.ContentType != "application/xhtml+xml" {
				return fmt.Errorf("links %s: a %s document has no links to list", args[0], doc.ContentType)
			}
			links, err := extract.DigestLinks(doc.Body, doc.FinalURL)
			if err != nil {
				return err
			}
			if asJSON {
				if links == nil {
					links = []extract.Link{}
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(links)
			}
			for _, l := range links {
				if _, err := fmt.Fprintf(a.stdout, "%s\t%s\t%s\n", l.URL, l.Origin.Label, l.Text); err != nil {
					return err
				}
			}
			return nil
		},
	}
	addDBFlag(c, &dbPath)
	addFetchFlags(c, &ff)
	c.Flags().BoolVar(&asJSON, "json", false, "print the links as a JSON array")
	c.Flags().BoolVar(&refresh, "refresh", false, "fetch the page again even when the store has it")
	return c
}
