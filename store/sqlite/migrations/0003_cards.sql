-- 0003: signal cards, their grounding spans, model runs with their
-- attempts, and the model response cache.

-- One row per card version: re-running a document adds a version, older
-- versions stay.
CREATE TABLE cards (
    id              INTEGER PRIMARY KEY,
    document_id     TEXT    NOT NULL REFERENCES documents(id),
    version         INTEGER NOT NULL,
    url             TEXT    NOT NULL,
    card_json       TEXT    NOT NULL,           -- schema.Card as JSON
    markdown        TEXT    NOT NULL,           -- the card in the gold layout
    raw_json        TEXT    NOT NULL,           -- the model's answer as received
    provider        TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    prompt_name     TEXT    NOT NULL,
    prompt_version  TEXT    NOT NULL,
    prompt_hash     TEXT    NOT NULL,
    input_tokens    INTEGER NOT NULL,
    output_tokens   INTEGER NOT NULL,
    requests        INTEGER NOT NULL,
    latency_ms      INTEGER NOT NULL,
    cost_usd        REAL    NOT NULL,
    cached          INTEGER NOT NULL DEFAULT 0,
    rows_total      INTEGER NOT NULL,
    rows_grounded   INTEGER NOT NULL,
    created_at      TEXT    NOT NULL,           -- RFC 3339, UTC
    UNIQUE (document_id, version)
) STRICT;

-- Where each row's evidence quote was found in the document's text.
-- start_char and end_char are offsets in characters (Unicode code points,
-- not bytes) into documents.text, end exclusive; -1 when not found.
CREATE TABLE card_spans (
    card_id     INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
    section     TEXT    NOT NULL,   -- signals, concerns, behaviors, technologies, issues
    row_index   INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    evidence    TEXT    NOT NULL,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    method      TEXT    NOT NULL,   -- exact, normalised, fuzzy, none
    score       REAL    NOT NULL,
    PRIMARY KEY (card_id, section, row_index)
) STRICT;

-- One row per `extract run` of one input against a model, successful
-- (card_id set) or not (error set).
CREATE TABLE model_runs (
    id           INTEGER PRIMARY KEY,
    input        TEXT    NOT NULL,
    document_id  TEXT,
    provider     TEXT    NOT NULL,
    model        TEXT    NOT NULL,
    prompt_hash  TEXT    NOT NULL,
    card_id      INTEGER REFERENCES cards(id),
    error        TEXT    NOT NULL DEFAULT '',
    started_at   TEXT    NOT NULL,
    finished_at  TEXT    NOT NULL
) STRICT;

-- Every request a run sent, with its outcome.
CREATE TABLE model_attempts (
    run_id         INTEGER NOT NULL REFERENCES model_runs(id) ON DELETE CASCADE,
    n              INTEGER NOT NULL,
    status         INTEGER NOT NULL,
    finish_reason  TEXT    NOT NULL,
    error          TEXT    NOT NULL,
    latency_ms     INTEGER NOT NULL,
    PRIMARY KEY (run_id, n)
) STRICT;

-- Valid model responses, so the same request is never paid twice.
CREATE TABLE response_cache (
    provider     TEXT NOT NULL,
    model        TEXT NOT NULL,
    prompt_hash  TEXT NOT NULL,
    text_hash    TEXT NOT NULL,   -- hex SHA-256 of the request's messages and schema
    response     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (provider, model, prompt_hash, text_hash)
) STRICT;

CREATE INDEX cards_by_document ON cards (document_id, version);
CREATE INDEX model_runs_by_document ON model_runs (document_id);
