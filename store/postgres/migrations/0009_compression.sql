-- 0009: the long texts compressed with LZ4 rather than PostgreSQL's pglz,
-- where the server has it (PostgreSQL 14 or later built with lz4, as
-- Debian's and the official images are): writing a card or a page, and
-- extract migrate, compress them several times faster, and reading them
-- (a card's page, the ranking of a search) decompresses them faster too.
-- Rows already written keep their compression until they are rewritten.
-- The page bodies, gzip-compressed already, are stored as they are.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings
               WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE documents ALTER COLUMN text SET COMPRESSION lz4,
            ALTER COLUMN metadata SET COMPRESSION lz4;
        ALTER TABLE cards ALTER COLUMN card_json SET COMPRESSION lz4,
            ALTER COLUMN markdown SET COMPRESSION lz4,
            ALTER COLUMN raw_json SET COMPRESSION lz4;
        ALTER TABLE response_cache ALTER COLUMN response SET COMPRESSION lz4;
        ALTER TABLE eval_runs ALTER COLUMN report_json SET COMPRESSION lz4;
        ALTER TABLE card_search ALTER COLUMN head SET COMPRESSION lz4;
    END IF;
END
$$;
ALTER TABLE documents ALTER COLUMN body_gzip SET STORAGE EXTERNAL;

-- The search indexes, in case a copy cut off by an earlier version left
-- them dropped (extract migrate now records what it drops, see copy.go).
CREATE INDEX IF NOT EXISTS card_search_doc ON card_search USING gin (doc);
CREATE INDEX IF NOT EXISTS card_search_heading ON card_search USING gin (ts_filter(head, '{a,b}'));
