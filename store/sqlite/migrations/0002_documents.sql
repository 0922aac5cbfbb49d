-- 0002: fetched (or read) source pages and their extracted text, one row per
-- canonical URL. A re-fetch (--refresh) replaces the row.
CREATE TABLE documents (
    canonical_url  TEXT    PRIMARY KEY,          -- schema.CanonicalURL of the input
    id             TEXT    NOT NULL UNIQUE,      -- md5 of the canonical URL's Python bytes repr
    url            TEXT    NOT NULL,             -- as given (file://… for a local file)
    final_url      TEXT    NOT NULL,             -- after redirects
    status         INTEGER NOT NULL,             -- HTTP status; 0 for a local file
    content_type   TEXT    NOT NULL,             -- text/html, text/plain, text/markdown, application/pdf
    fetched_at     TEXT    NOT NULL,             -- RFC 3339, UTC
    content_hash   TEXT    NOT NULL,             -- hex SHA-256 of the body (before compression)
    body_gzip      BLOB    NOT NULL,             -- the body, gzip-compressed (UTF-8 for text types)
    text           TEXT    NOT NULL,             -- extracted main text, one paragraph a line
    metadata       TEXT    NOT NULL CHECK (json_valid(metadata)), -- schema.Metadata as JSON
    method         TEXT    NOT NULL,             -- extraction path: trafilatura…, og:description, plain, pdf
    title          TEXT    GENERATED ALWAYS AS (json_extract(metadata, '$.title')) VIRTUAL
) STRICT;
