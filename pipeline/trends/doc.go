// Package trends finds what recurs across cards: it groups the rows of
// the cards' tables (signals, concerns, behaviors, technologies, issues)
// into clusters of rows that say the same thing, and ranks the clusters of
// a period by the number of distinct sources carrying them, their growth
// and their relevancy.
//
// Rows are clustered in one of two spaces. Without an embeddings model,
// the lexical space compares rows by the TF-IDF vectors of their folded
// words (name counted twice, then description), with cosine similarity;
// with one ([llm.Embedder]), rows are compared by the cosine similarity of
// their embeddings, which are cached in the store. Either way the
// clustering is deterministic: rows are taken in a fixed order (card id,
// table, row) and each joins the cluster of its most similar earlier row
// when that similarity reaches a threshold, else starts a cluster. [Update]
// clusters only the rows that have no cluster yet, so adding cards costs
// little; [Options].Rebuild clusters every row again.
//
// The package declares the small [Store] it needs; the SQLite store
// implements it.
package trends
