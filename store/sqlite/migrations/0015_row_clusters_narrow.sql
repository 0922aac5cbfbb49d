-- 0015: row_clusters keeps what only the clustering knows: each row's
-- cluster, its relevancy (which rankings average) and its terms (which
-- clustering new rows compares with). A row's name and description are
-- read from its card when shown. Keyed by card first, so that one b-tree
-- serves a card's rows, their deletion with the card, and the inserts of
-- new cards' rows at its end; the rows of some clusters are read from the
-- rows of a period, as rankings read them.
CREATE TABLE row_clusters_0015 (
    card_id     INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
    space       TEXT    NOT NULL,
    section     TEXT    NOT NULL,   -- signals, concerns, behaviors, technologies, issues
    row_index   INTEGER NOT NULL,
    cluster_id  INTEGER NOT NULL,
    relevancy   INTEGER,            -- NULL when the row has none
    terms       TEXT    NOT NULL,   -- the clustering's own form of the row's words ('' if none)
    PRIMARY KEY (card_id, space, section, row_index)
) STRICT, WITHOUT ROWID;
INSERT INTO row_clusters_0015 (card_id, space, section, row_index, cluster_id, relevancy, terms)
    SELECT card_id, space, section, row_index, cluster_id, relevancy, terms FROM row_clusters
    WHERE card_id IN (SELECT id FROM cards) ORDER BY card_id, space, section, row_index;
DROP TABLE row_clusters;
ALTER TABLE row_clusters_0015 RENAME TO row_clusters;
