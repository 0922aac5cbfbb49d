-- 0001: the store's metadata and the fetched (or read) source pages with
-- their extracted text, one row per canonical URL (a re-fetch replaces it).
-- The schema version is the meta row 'schema_version'.
CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO meta (key, value) VALUES ('created_by', 'veille');

CREATE TABLE documents (
    canonical_url  text        PRIMARY KEY,   -- schema.CanonicalURL of the input
    id             text        NOT NULL UNIQUE, -- md5 of the canonical URL's Python bytes repr
    url            text        NOT NULL,      -- as given (file://… for a local file)
    final_url      text        NOT NULL,      -- after redirects
    status         integer     NOT NULL,      -- HTTP status; 0 for a local file
    content_type   text        NOT NULL,
    fetched_at     timestamptz NOT NULL,
    content_hash   text        NOT NULL,      -- hex SHA-256 of the body (before compression)
    body_gzip      bytea       NOT NULL,      -- the body, gzip-compressed
    text           text        NOT NULL,      -- extracted main text, one paragraph a line
    metadata       jsonb       NOT NULL,      -- schema.Metadata
    method         text        NOT NULL       -- extraction path
);
