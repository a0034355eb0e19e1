-- 10: webhooks (issue 22). The event log every change writes to in its own transaction (a
-- fact's key names it for good, so a change stored twice records it once), the subscriptions
-- (each owed the events after `cursor`), and the outbox of deliveries.
CREATE TABLE webhook_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, event TEXT NOT NULL,
    order_key TEXT NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL, created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL, secret TEXT NOT NULL,
    created_at INTEGER NOT NULL, cursor INTEGER NOT NULL, paused_at INTEGER,
    failures INTEGER NOT NULL DEFAULT 0, last_attempt_at INTEGER, last_status INTEGER,
    last_error TEXT
) STRICT;
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY, subscription TEXT NOT NULL, seq INTEGER NOT NULL,
    order_key TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,
    lease_until INTEGER, delivered_at INTEGER, last_status INTEGER, last_error TEXT,
    UNIQUE (subscription, seq)
) STRICT;
CREATE INDEX webhook_due ON webhook_deliveries (subscription, order_key, seq)
    WHERE delivered_at IS NULL;
CREATE INDEX webhook_events_created ON webhook_events (created_at);
