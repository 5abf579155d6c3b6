-- The queue's durable state. Every accepted staff command writes its state change and one
-- events row in the same transaction; events.seq orders everything (never timestamps).

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    office TEXT NOT NULL,
    business_date TEXT NOT NULL,
    service TEXT NOT NULL,
    prefix TEXT NOT NULL,
    seq_no INTEGER NOT NULL,
    number TEXT NOT NULL,
    state TEXT NOT NULL,
    counter TEXT,
    issued_at TEXT NOT NULL,
    called_at TEXT,
    started_at TEXT,
    finished_at TEXT,
    waiting_ahead_at_issue INTEGER NOT NULL,
    -- The wait estimate shown at issue, minutes (filled by the estimator), so that every
    -- prediction can be measured against the actual call time later.
    estimate_min_minutes INTEGER,
    estimate_max_minutes INTEGER,
    UNIQUE (office, business_date, prefix, seq_no)
);
CREATE INDEX tickets_by_day ON tickets (office, business_date, id);
CREATE INDEX tickets_open ON tickets (office, state) WHERE state NOT IN ('done', 'no_show', 'cancelled', 'expired');

-- Ticket numbers: per office, per business day, per prefix; allocated inside the transaction
-- that writes the ticket, so numbers continue after a crash and with several servers later.
CREATE TABLE number_sequences (
    office TEXT NOT NULL,
    business_date TEXT NOT NULL,
    prefix TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (office, business_date, prefix)
);

-- Counter states per business day: no row means closed (every counter starts the day closed).
CREATE TABLE counter_states (
    office TEXT NOT NULL,
    business_date TEXT NOT NULL,
    counter TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (office, business_date, counter)
);

-- Office-wide reception suspension; lasts until resumed, across days.
CREATE TABLE reception (
    office TEXT PRIMARY KEY,
    suspended INTEGER NOT NULL,
    reason TEXT
);

-- The event log: who did what when. No personal data.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    office TEXT NOT NULL,
    business_date TEXT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    ticket_id INTEGER,
    counter TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX events_by_office ON events (office, seq);

-- Staff tokens: only the SHA-256 hash of each secret is stored.
CREATE TABLE tokens (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
