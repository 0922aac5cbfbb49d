// Package web serves the card collection as a read-only web application and
// writes it as a static site.
//
// [New] returns the http.Handler behind `extract serve`: the latest cards
// with charts, a faceted and searchable listing, each card beside its page
// text with the evidence highlighted, every table row across cards, the
// batch and eval runs, an Atom feed, and, when [Options].Asker is set, a
// page that answers questions over the collection. [ExportSite] writes the same pages
// as static files (`extract export --format site`), with a client-side
// search over a prebuilt index.
//
// Page text and model text are untrusted: every page is rendered with
// html/template, links are made only for http(s) URLs, and the server sends
// a strict Content-Security-Policy (no inline script or style). The package
// uses the standard library only; it reads the collection through the
// [Collection] interface, which the SQLite and PostgreSQL stores implement.
package web
