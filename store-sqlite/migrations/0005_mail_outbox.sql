-- 5: the customer's copy of signed reports by email (issue 9): a durable outbox.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, job TEXT NOT NULL, version INTEGER NOT NULL,
    recipient TEXT NOT NULL, created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL, sent_at INTEGER, last_error TEXT,
    UNIQUE (job, version, recipient)
) STRICT;
CREATE INDEX mail_due ON mail_outbox (next_at) WHERE sent_at IS NULL;
-- When each status event a device pushed reached the office (the visit record's timeline).
CREATE TABLE event_receipts (
    job TEXT NOT NULL, event TEXT NOT NULL, received_at INTEGER NOT NULL,
    PRIMARY KEY (job, event)
) STRICT;
