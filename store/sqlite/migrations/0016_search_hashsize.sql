-- 0016: the full-text indexes gather up to 32 MB of a transaction's words
-- in memory before writing them as a segment (FTS5's default is 1 MB). A
-- batch of imported cards then writes one segment, not a few dozen that
-- are merged again and again: a large import is a tenth faster. The
-- setting is kept in each index's configuration; a transaction writing
-- one card holds a few KB.
INSERT INTO card_search (card_search, rank) VALUES ('hashsize', 33554432);
INSERT INTO card_head (card_head, rank) VALUES ('hashsize', 33554432);
