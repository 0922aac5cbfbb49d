-- 0006: token buckets shared by every process of the database: host
-- politeness (--host-rps) and model quotas (--rpm, --tpm) hold across all
-- workers. tokens may be negative: a debt the next callers wait for.
CREATE TABLE rate_buckets (
    key         text             PRIMARY KEY,
    tokens      double precision NOT NULL,
    updated_at  timestamptz      NOT NULL
);
