// Package pipeline turns a URL or a file into a signal card: it fetches the
// page, extracts its main text, asks a model (or the offline baseline) to
// fill the card, validates and grounds the answer, and runs batches of such
// jobs.
package pipeline
