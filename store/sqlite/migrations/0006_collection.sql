-- 0006: the collection's read side: listing, filtering, faceting, full-text
-- search and embeddings over the newest card version of each document.

-- The card's date, RFC 3339 in UTC with whole seconds (sortable as text):
-- the page's declared publication date when it reads as a date, else when
-- the page was fetched.
ALTER TABLE cards ADD COLUMN published TEXT NOT NULL DEFAULT '';
UPDATE cards SET published = COALESCE(
    (SELECT strftime('%Y-%m-%dT%H:%M:%SZ', json_extract(d.metadata, '$.published')) FROM documents d
        WHERE d.id = cards.document_id
          AND json_type(d.metadata, '$.published') = 'text'
          AND date(json_extract(d.metadata, '$.published')) IS NOT NULL),
    (SELECT strftime('%Y-%m-%dT%H:%M:%SZ', d.fetched_at) FROM documents d WHERE d.id = cards.document_id),
    strftime('%Y-%m-%dT%H:%M:%SZ', created_at),
    '');

-- 1 on the newest version of each document's card, 0 on older ones, so
-- that "the newest version" needs no grouping of versions.
ALTER TABLE cards ADD COLUMN latest INTEGER NOT NULL DEFAULT 0;
UPDATE cards SET latest = 1
    WHERE version = (SELECT MAX(c.version) FROM cards c WHERE c.document_id = cards.document_id);

-- The listing: one narrow row per document, for its newest card, with
-- the columns listings, filters and facets read (denormalised from cards,
-- its card_json and url), so that they never read the wide cards rows. It
-- is filled by the program (see index.go), not here: the store rebuilds its
-- derived data (card_latest, card_tags, card_search) when the meta row
-- 'search_index' does not hold the current index version, which is the
-- case right after this migration.
CREATE TABLE card_latest (
    card_id        INTEGER PRIMARY KEY REFERENCES cards(id) ON DELETE CASCADE,
    document_id    TEXT    NOT NULL UNIQUE,
    version        INTEGER NOT NULL,
    url            TEXT    NOT NULL,
    title          TEXT    NOT NULL,
    published      TEXT    NOT NULL,   -- as cards.published
    host           TEXT    NOT NULL,   -- the URL's host without "www."
    category       TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    provider       TEXT    NOT NULL,
    model          TEXT    NOT NULL,
    origin_url     TEXT    NOT NULL,   -- the card's origin (digest or feed), if any
    rows_total     INTEGER NOT NULL,
    rows_grounded  INTEGER NOT NULL
) STRICT;
CREATE INDEX card_latest_published ON card_latest (published, card_id);
CREATE INDEX card_latest_title ON card_latest (title COLLATE NOCASE, card_id);
CREATE INDEX card_latest_category ON card_latest (category, published);
CREATE INDEX card_latest_type ON card_latest (type, published);
CREATE INDEX card_latest_host ON card_latest (host, published);
CREATE INDEX card_latest_provider ON card_latest (provider, published);
CREATE INDEX card_latest_origin ON card_latest (origin_url, published);
CREATE INDEX cards_latest_document ON cards (document_id) WHERE latest = 1;

-- The themes and keywords of each document's newest card, lower-cased.
CREATE TABLE card_tags (
    card_id  INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
    kind     TEXT    NOT NULL CHECK (kind IN ('theme', 'keyword')),
    value    TEXT    NOT NULL,
    PRIMARY KEY (kind, value, card_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX card_tags_by_card ON card_tags (card_id);

-- Full-text index of each document's newest card: rowid is the card's id;
-- the columns hold folded words (see fold.go), not the text as written,
-- so the table keeps no content of its own.
CREATE VIRTUAL TABLE card_search USING fts5 (
    title, keywords, themes, summary, rows, text,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- How many cards hold each indexed word (RelatedByText picks rare ones).
CREATE VIRTUAL TABLE card_search_vocab USING fts5vocab (card_search, 'row');

-- Embedding vectors of card versions, one per embeddings model:
-- little-endian float32, dim of them.
CREATE TABLE card_embeddings (
    card_id     INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
    model       TEXT    NOT NULL,
    dim         INTEGER NOT NULL CHECK (dim > 0),
    vector      BLOB    NOT NULL CHECK (length(vector) = 4 * dim),
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (card_id, model)
) STRICT;
CREATE INDEX card_embeddings_by_model ON card_embeddings (model, card_id);
