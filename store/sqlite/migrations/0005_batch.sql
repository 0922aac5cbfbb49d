-- 0005: batch runs (one row per `extract batch` invocation), the attempts
-- their jobs made, and the feed items already queued. River's own tables
-- (river_job, river_queue, ...) are created by River's migrator, not here.
CREATE TABLE batch_runs (
    id              INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    -- running, completed, stopped (budget or signal), interrupted (crash)
    status          TEXT NOT NULL,
    stop_reason     TEXT NOT NULL DEFAULT '',
    inputs          TEXT NOT NULL DEFAULT '[]', -- JSON array of the inputs given
    queued          INTEGER NOT NULL DEFAULT 0, -- jobs inserted by this run
    skipped         INTEGER NOT NULL DEFAULT 0, -- documents that had a card already
    done            INTEGER NOT NULL DEFAULT 0, -- cards made
    failed          INTEGER NOT NULL DEFAULT 0, -- jobs given up
    failed_by_cause TEXT NOT NULL DEFAULT '{}', -- JSON object cause -> count
    input_tokens    INTEGER NOT NULL DEFAULT 0,
    output_tokens   INTEGER NOT NULL DEFAULT 0,
    cost_usd        REAL NOT NULL DEFAULT 0,
    elapsed_ms      INTEGER NOT NULL DEFAULT 0,
    remaining       INTEGER NOT NULL DEFAULT 0 -- jobs left queued at the end
) STRICT;

CREATE TABLE batch_attempts (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES batch_runs(id) ON DELETE CASCADE,
    job_id        INTEGER NOT NULL, -- the queue's job id (river_job.id)
    attempt       INTEGER NOT NULL, -- 1 for the first try of the job
    url           TEXT NOT NULL, -- canonical URL of the document
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    -- done, skipped, retry, failed (permanent), gave up (out of attempts),
    -- interrupted (crash or stop)
    outcome       TEXT NOT NULL DEFAULT '',
    cause         TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    input_tokens  INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd      REAL NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX batch_attempts_run ON batch_attempts(run_id);
CREATE INDEX batch_attempts_job ON batch_attempts(job_id);
CREATE INDEX batch_attempts_url ON batch_attempts(url);

CREATE TABLE batch_feed_items (
    feed_url   TEXT NOT NULL,
    item_url   TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (feed_url, item_url)
) STRICT, WITHOUT ROWID;
