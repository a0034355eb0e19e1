-- 4: webhooks (issue 22). The event log every change writes to in its own transaction (a
-- fact's key names it for good, so a change stored twice records it once), the subscriptions
-- (each owed the events after `cursor`), and the outbox of deliveries, which instances claim
-- for a lease (`lease_until`) so each is sent by one at a time.
CREATE TABLE webhook_events (
    seq BIGSERIAL PRIMARY KEY, key TEXT NOT NULL UNIQUE, event TEXT NOT NULL,
    order_key TEXT NOT NULL, at BIGINT NOT NULL, data TEXT NOT NULL, created_at BIGINT NOT NULL
);
CREATE INDEX webhook_events_created ON webhook_events (created_at);
CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL, secret TEXT NOT NULL,
    created_at BIGINT NOT NULL, cursor BIGINT NOT NULL, paused_at BIGINT,
    failures INTEGER NOT NULL DEFAULT 0, last_attempt_at BIGINT, last_status INTEGER,
    last_error TEXT
);
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY, subscription TEXT NOT NULL, seq BIGINT NOT NULL,
    order_key TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at BIGINT NOT NULL,
    lease_until BIGINT, delivered_at BIGINT, last_status INTEGER, last_error TEXT,
    UNIQUE (subscription, seq)
);
CREATE INDEX webhook_due ON webhook_deliveries (subscription, order_key, seq)
    WHERE delivered_at IS NULL;
