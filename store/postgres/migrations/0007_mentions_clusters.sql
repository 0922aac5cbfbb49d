-- 0007: where each document was found and the tags it was given there;
-- the clusters of rows across cards (extract trends) and the rows'
-- embeddings. The same tables as the SQLite store's.

-- Where each document was found (list files, digests, feeds), keyed by
-- its canonical URL, so that a mention can be recorded before the page is
-- fetched.
CREATE TABLE document_mentions (
    url         text        NOT NULL, -- canonical URL of the document
    kind        text        NOT NULL, -- list, digest or feed
    source      text        NOT NULL, -- the list file's path, the digest's or feed's URL
    label       text        NOT NULL DEFAULT '', -- what the source called the link
    first_seen  timestamptz NOT NULL,
    PRIMARY KEY (url, kind, source)
);

-- The tags a mention's source gave the document (Pocket tags, bookmark
-- folders), pos their rank in its list.
CREATE TABLE document_tags (
    url     text    NOT NULL,
    source  text    NOT NULL,
    tag     text    NOT NULL,
    pos     integer NOT NULL,
    PRIMARY KEY (url, source, tag)
);

-- The cluster of each row of a card's tables in one clustering ("space":
-- 'lexical/1', or 'embeddings/MODEL'), with the row's name, description
-- and relevancy copied from the card, and its terms as the clustering
-- computed them. Only the rows of each document's newest card count
-- (joined with card_latest).
CREATE TABLE row_clusters (
    space        text    NOT NULL,
    card_id      bigint  NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
    section      text    NOT NULL,  -- signals, concerns, behaviors, technologies, issues
    row_index    integer NOT NULL,
    cluster_id   bigint  NOT NULL,
    name         text    NOT NULL,
    description  text    NOT NULL,
    relevancy    integer,           -- NULL when the row has none
    terms        text    NOT NULL,  -- the clustering's own form of the row's words ('' if none)
    PRIMARY KEY (space, card_id, section, row_index)
);
CREATE INDEX row_clusters_by_cluster ON row_clusters (space, cluster_id);
CREATE INDEX row_clusters_by_card ON row_clusters (card_id);

-- Embedding vectors of rows, one per embeddings model (as card_embeddings).
CREATE TABLE row_embeddings (
    card_id     bigint      NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
    section     text        NOT NULL,
    row_index   integer     NOT NULL,
    model       text        NOT NULL,
    dim         integer     NOT NULL CHECK (dim > 0),
    vector      real[]      NOT NULL CHECK (cardinality(vector) = dim),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (model, card_id, section, row_index)
);
CREATE INDEX row_embeddings_by_card ON row_embeddings (card_id);
