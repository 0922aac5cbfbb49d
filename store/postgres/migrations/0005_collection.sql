-- 0005: the collection's read side over the newest card of each document:
-- its listing row, its tags, its full-text row and the embeddings. The
-- program fills card_latest, card_tags and card_search (see index.go),
-- and rebuilds them when the meta row 'search_index' does not hold the
-- current index version.
CREATE TABLE card_latest (
    card_id        bigint      PRIMARY KEY REFERENCES cards(id) ON DELETE CASCADE,
    document_id    text        NOT NULL UNIQUE,
    version        integer     NOT NULL,
    url            text        NOT NULL,
    title          text        NOT NULL,
    published      timestamptz NOT NULL,
    week           text        NOT NULL,  -- ISO week of published, "2026-W05"
    host           text        NOT NULL,  -- the URL's host without "www."
    category       text        NOT NULL,
    type           text        NOT NULL,
    provider       text        NOT NULL,
    model          text        NOT NULL,
    origin_url     text        NOT NULL,
    rows_total     integer     NOT NULL,
    rows_grounded  integer     NOT NULL
);
CREATE INDEX card_latest_published ON card_latest (published, card_id);
CREATE INDEX card_latest_title ON card_latest ((lower(title) COLLATE "C"), card_id);
CREATE INDEX card_latest_category ON card_latest (category, published);
CREATE INDEX card_latest_type ON card_latest (type, published);
CREATE INDEX card_latest_host ON card_latest (host, published);
CREATE INDEX card_latest_provider ON card_latest (provider, published);
CREATE INDEX card_latest_origin ON card_latest (origin_url, published);
CREATE INDEX card_latest_week ON card_latest (week);
CREATE INDEX card_latest_category_week ON card_latest (category, week);

-- The themes and keywords of each document's newest card, lower-cased,
-- with the card's category.
CREATE TABLE card_tags (
    card_id   bigint NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
    kind      text   NOT NULL CHECK (kind IN ('theme', 'keyword')),
    value     text   NOT NULL,
    category  text   NOT NULL DEFAULT '',
    PRIMARY KEY (kind, value, card_id)
);
CREATE INDEX card_tags_by_card ON card_tags (card_id);
CREATE INDEX card_tags_category ON card_tags (kind, category, value);

-- The full-text row of each document's newest card: the folded words of
-- its title (weight A), keywords and themes (B), summary and table rows
-- (C) and page text (D), written by the program (see index.go); head
-- holds those of A to C only, which the ranking reads (small, it stays in
-- the row; doc is matched through the GIN index).
CREATE TABLE card_search (
    card_id  bigint   PRIMARY KEY REFERENCES cards(id) ON DELETE CASCADE,
    doc      tsvector NOT NULL,
    head     tsvector NOT NULL
);
ALTER TABLE card_search ALTER COLUMN head SET STORAGE MAIN;
ALTER TABLE card_search ALTER COLUMN doc SET STORAGE EXTERNAL; -- not compressed: written once, matched through the index
CREATE INDEX card_search_doc ON card_search USING gin (doc);

-- Embedding vectors of card versions, one per embeddings model.
CREATE TABLE card_embeddings (
    card_id     bigint      NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
    model       text        NOT NULL,
    dim         integer     NOT NULL CHECK (dim > 0),
    vector      real[]      NOT NULL CHECK (cardinality(vector) = dim),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (card_id, model)
);
CREATE INDEX card_embeddings_by_model ON card_embeddings (model, card_id);
