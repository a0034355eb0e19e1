-- 4: the dispatch console (issue 9): dispatcher accounts and their sessions.
CREATE TABLE users (
    name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created_at INTEGER NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0, locked_until INTEGER
) STRICT;
CREATE TABLE sessions (
    hash TEXT PRIMARY KEY, user TEXT NOT NULL, csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_expiry ON sessions (expires_at);
