-- 0012: a second, small full-text index of each document's newest card:
-- the folded words of its title, keywords and themes only (as in
-- card_search). A search matching thousands of cards ranks the cards
-- holding its words there, read from this index's short lists, instead of
-- computing BM25 for every match. It is filled by the program (see
-- index.go): the store backfills it when the meta row 'search_head' is
-- missing, which is the case right after this migration.
CREATE VIRTUAL TABLE card_head USING fts5 (
    title, keywords, themes,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- cards_by_document repeats the index of cards' UNIQUE (document_id,
-- version), which queries use as well: one index less to write per card.
DROP INDEX IF EXISTS cards_by_document;
