-- 0001: the store's own metadata. Later migrations add the documents (0002),
-- cards (0003), eval runs (0004) and batch runs (0005) tables.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
INSERT INTO meta (key, value) VALUES ('created_by', 'veille');
