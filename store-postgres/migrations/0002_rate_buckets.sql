-- 2: request-rate and byte budgets shared by every server instance on this database
-- (`server/src/limits.rs`): one row per kind of budget and client key (a hashed credential, an
-- address or a device id). `granted` is what the last take decided, so one statement can both
-- update the bucket and say whether the request may pass.
CREATE TABLE rate_buckets (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    tokens DOUBLE PRECISION NOT NULL,
    at BIGINT NOT NULL,
    granted BOOLEAN NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX rate_buckets_at ON rate_buckets (at);

-- A bucket's level `now`: its tokens at `since`, refilled at `rate` per second, up to `cap`.
CREATE FUNCTION rate_level(tokens DOUBLE PRECISION, since BIGINT, now BIGINT,
                           rate DOUBLE PRECISION, cap DOUBLE PRECISION)
RETURNS DOUBLE PRECISION
LANGUAGE SQL IMMUTABLE
RETURN least(cap, tokens + greatest(0, now - since) / 1000.0 * rate);
