-- The PostgreSQL schema: the same tables and meanings as the SQLite store after its migration
-- 0018 (see ../sqlite/ for why each column is there), in one migration numbered like that one,
-- so a schema number means the same on both backends. Later migrations go into both folders
-- under the same number. Integers are BIGINT and flags 0/1 as in SQLite, so one query text
-- serves both engines; instants are RFC 3339 UTC text, which sorts as time does.

CREATE TABLE tickets (
    id BIGSERIAL PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    office TEXT NOT NULL,
    business_date TEXT NOT NULL,
    service TEXT NOT NULL,
    prefix TEXT NOT NULL,
    seq_no BIGINT NOT NULL,
    number TEXT NOT NULL,
    state TEXT NOT NULL,
    counter TEXT,
    issued_at TEXT NOT NULL,
    called_at TEXT,
    recalled_at TEXT,
    started_at TEXT,
    finished_at TEXT,
    waiting_ahead_at_issue BIGINT NOT NULL,
    estimate_min_minutes BIGINT,
    estimate_max_minutes BIGINT,
    estimate_point_tenths BIGINT,
    synthetic BIGINT NOT NULL DEFAULT 0,
    UNIQUE (office, business_date, prefix, seq_no)
);
CREATE INDEX tickets_by_day ON tickets (office, business_date, id);
CREATE INDEX tickets_open ON tickets (office, state)
    WHERE state NOT IN ('done', 'no_show', 'cancelled', 'expired');

CREATE TABLE number_sequences (
    office TEXT NOT NULL,
    business_date TEXT NOT NULL,
    prefix TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (office, business_date, prefix)
);

CREATE TABLE counter_states (
    office TEXT NOT NULL,
    business_date TEXT NOT NULL,
    counter TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (office, business_date, counter)
);

CREATE TABLE reception (
    office TEXT PRIMARY KEY,
    suspended BIGINT NOT NULL,
    reason TEXT,
    reason_code TEXT
);

-- The event log; `seq` is also the feed's sequence. Commands for one office are serialized by
-- an advisory lock held to commit, so an office's events commit in `seq` order on every
-- instance.
CREATE TABLE events (
    seq BIGSERIAL PRIMARY KEY,
    office TEXT NOT NULL,
    business_date TEXT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    ticket_id BIGINT,
    counter TEXT,
    detail TEXT NOT NULL,
    synthetic BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX events_by_office ON events (office, seq);
CREATE INDEX events_counter_changes ON events (office, business_date)
    WHERE kind IN ('counter_opened', 'counter_paused', 'counter_closed');

CREATE TABLE tokens (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    office TEXT,
    expires_at TEXT
);

CREATE TABLE idempotency_keys (
    office TEXT NOT NULL,
    business_date TEXT NOT NULL,
    key TEXT NOT NULL,
    service TEXT NOT NULL,
    ticket_id BIGINT NOT NULL,
    reply TEXT NOT NULL,
    PRIMARY KEY (office, business_date, key)
);
