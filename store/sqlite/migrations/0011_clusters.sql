-- 0011: clusters of rows across cards (extract trends), and the rows'
-- embeddings.

-- The cluster of each row of a card's tables in one clustering ("space":
-- 'lexical/1', or 'embeddings/MODEL'), with the row's name, description
-- and relevancy copied from the card, and its terms as the clustering
-- computed them, so that clustering new rows and ranking clusters read
-- this narrow table, not the cards' JSON. Only the rows of each document's
-- newest card count (joined with card_latest). Without rowid: a space's
-- rows, and one card's rows, are read in key order.
CREATE TABLE row_clusters (
    space        TEXT    NOT NULL,
    card_id      INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
    section      TEXT    NOT NULL,   -- signals, concerns, behaviors, technologies, issues
    row_index    INTEGER NOT NULL,
    cluster_id   INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    relevancy    INTEGER,            -- NULL when the row has none
    terms        TEXT    NOT NULL,   -- the clustering's own form of the row's words ('' if none)
    PRIMARY KEY (space, card_id, section, row_index)
) STRICT, WITHOUT ROWID;
CREATE INDEX row_clusters_by_cluster ON row_clusters (space, cluster_id);
CREATE INDEX row_clusters_by_card ON row_clusters (card_id);

-- Embedding vectors of rows, one per embeddings model: little-endian
-- float32, dim of them (as card_embeddings).
CREATE TABLE row_embeddings (
    card_id     INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
    section     TEXT    NOT NULL,
    row_index   INTEGER NOT NULL,
    model       TEXT    NOT NULL,
    dim         INTEGER NOT NULL CHECK (dim > 0),
    vector      BLOB    NOT NULL CHECK (length(vector) = 4 * dim),
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (model, card_id, section, row_index)
) STRICT, WITHOUT ROWID;
CREATE INDEX row_embeddings_by_card ON row_embeddings (card_id);
