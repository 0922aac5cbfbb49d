-- 0004: eval runs (`extract eval`): what was compared, how the predictions
-- were made when known, and the scores, per section and per card.
CREATE TABLE eval_runs (
    id           INTEGER PRIMARY KEY,
    created_at   TEXT    NOT NULL,           -- RFC 3339, UTC
    gold         TEXT    NOT NULL,           -- the --gold path
    predictions  TEXT    NOT NULL,           -- the --pred path, "store" or "run"
    provider     TEXT    NOT NULL DEFAULT '',
    model        TEXT    NOT NULL DEFAULT '',
    prompt       TEXT    NOT NULL DEFAULT '',
    cards        INTEGER NOT NULL,           -- pairs scored
    missing      INTEGER NOT NULL,           -- among them, without a prediction
    errors       INTEGER NOT NULL,           -- card files that could not be read
    overall      REAL    NOT NULL,
    report_json  TEXT    NOT NULL            -- the full JSON report
) STRICT;

-- The run's score per section; score is NULL when no card had the section.
CREATE TABLE eval_sections (
    run_id   INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
    section  TEXT    NOT NULL,
    score    REAL,
    cards    INTEGER NOT NULL,
    PRIMARY KEY (run_id, section)
) STRICT;

-- The run's overall score per card.
CREATE TABLE eval_cards (
    run_id     INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
    card       TEXT    NOT NULL,
    gold_file  TEXT    NOT NULL,
    pred_file  TEXT    NOT NULL,
    overall    REAL    NOT NULL,
    PRIMARY KEY (run_id, card)
) STRICT;

CREATE INDEX eval_runs_by_time ON eval_runs (created_at);
