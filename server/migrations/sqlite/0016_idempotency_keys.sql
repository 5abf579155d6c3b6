-- Retries do not double tickets (issue 12): the first reply to `POST …/tickets` sent with an
-- `Idempotency-Key`, written in the same transaction as the ticket it reports, so a retry
-- (also after a restart) gets that reply again instead of a second ticket. Keys count within
-- an office's business day; the rows of earlier days go when the day is closed.
CREATE TABLE idempotency_keys (
    office TEXT NOT NULL,
    business_date TEXT NOT NULL,
    key TEXT NOT NULL,
    -- What was asked (the service), to tell a retry from another request under the same key.
    service TEXT NOT NULL,
    ticket_id INTEGER NOT NULL,
    -- The 201 reply's body as first sent (the staff ticket JSON).
    reply TEXT NOT NULL,
    PRIMARY KEY (office, business_date, key)
);
