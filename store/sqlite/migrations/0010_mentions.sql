-- 0010: where each document was found (list files, digests, feeds) and the
-- tags it was given there (Pocket tags, bookmark folders). Keyed by the
-- document's canonical URL, so that a mention can be recorded before the
-- page is fetched, and for documents that already have a card.
CREATE TABLE document_mentions (
    url        TEXT NOT NULL, -- canonical URL of the document
    kind       TEXT NOT NULL, -- list, digest or feed
    source     TEXT NOT NULL, -- the list file's path, the digest's or feed's URL
    label      TEXT NOT NULL DEFAULT '', -- what the source called the link
    first_seen TEXT NOT NULL,
    PRIMARY KEY (url, kind, source)
) STRICT;

CREATE TABLE document_tags (
    url    TEXT NOT NULL, -- canonical URL of the document
    source TEXT NOT NULL, -- the mention's source that gave the tag
    tag    TEXT NOT NULL,
    pos    INTEGER NOT NULL, -- the tag's rank in its source's list
    PRIMARY KEY (url, source, tag)
) STRICT;
