-- 8: a smaller office database (issue 10: under 2x the job documents).
-- * Devices get a number; the per-device sync state (devices times jobs rows) is keyed by it
--   instead of repeating the 34-character device id in every row and index entry.
-- * A job's heads are stored as 32-byte hashes, like the device heads since migration 7.
-- * Tables keyed by text are clustered on their key (WITHOUT ROWID): no second copy of every
--   key in an automatic index, and no empty index page for each table that holds nothing yet.

CREATE TABLE devices_v8 (
    num INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, technician TEXT NOT NULL, created_at INTEGER NOT NULL,
    public_key TEXT, last_sync_at INTEGER, revoked INTEGER NOT NULL DEFAULT 0, healed_epoch TEXT
) STRICT;
INSERT INTO devices_v8 (id, name, technician, created_at, public_key, last_sync_at, revoked,
                        healed_epoch)
    SELECT id, name, technician, created_at, public_key, last_sync_at, revoked, healed_epoch
    FROM devices ORDER BY created_at, id;

CREATE TABLE device_docs_v8 (
    device INTEGER NOT NULL, job TEXT NOT NULL,
    confirmed_heads BLOB, sent_heads BLOB, sent_cursor INTEGER,
    PRIMARY KEY (device, job)
) STRICT, WITHOUT ROWID;
INSERT INTO device_docs_v8
    SELECT d.num, s.job, s.confirmed_heads, s.sent_heads, s.sent_cursor
    FROM device_docs s JOIN devices_v8 d ON d.id = s.device;
DROP TABLE device_docs;
ALTER TABLE device_docs_v8 RENAME TO device_docs;
CREATE INDEX device_docs_pending ON device_docs (device, sent_cursor)
    WHERE sent_cursor IS NOT NULL;
DROP TABLE devices;
ALTER TABLE devices_v8 RENAME TO devices;

CREATE TABLE jobs_v8 (
    id TEXT PRIMARY KEY,
    doc BLOB NOT NULL,
    heads BLOB NOT NULL,
    technician TEXT,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    reported_at INTEGER NOT NULL,
    scheduled_start INTEGER,
    updated_at INTEGER NOT NULL,
    asset_serial TEXT,
    completed_at INTEGER,
    followup_due_at INTEGER,
    report_status TEXT NOT NULL DEFAULT 'none'
) STRICT;
INSERT INTO jobs_v8
    SELECT id, doc, unhex(replace(heads, ' ', '')), technician, status, priority, reported_at,
           scheduled_start, updated_at, asset_serial, completed_at, followup_due_at,
           report_status
    FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_v8 RENAME TO jobs;
CREATE INDEX jobs_technician ON jobs (technician, reported_at);
CREATE INDEX jobs_reported ON jobs (reported_at, id);
CREATE INDEX jobs_asset ON jobs (asset_serial, reported_at);
CREATE INDEX jobs_followup ON jobs (followup_due_at) WHERE followup_due_at IS NOT NULL;
CREATE INDEX jobs_report ON jobs (report_status, reported_at);

CREATE TABLE meta_v8 (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT, WITHOUT ROWID;
INSERT INTO meta_v8 SELECT key, value FROM meta;
DROP TABLE meta;
ALTER TABLE meta_v8 RENAME TO meta;

CREATE TABLE technicians_v8 (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO technicians_v8 SELECT id, name, region FROM technicians;
DROP TABLE technicians;
ALTER TABLE technicians_v8 RENAME TO technicians;

CREATE TABLE tokens_v8 (
    hash TEXT PRIMARY KEY, kind TEXT NOT NULL, device_id TEXT, technician TEXT
) STRICT, WITHOUT ROWID;
INSERT INTO tokens_v8 SELECT hash, kind, device_id, technician FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_v8 RENAME TO tokens;

CREATE TABLE enroll_codes_v8 (
    hash TEXT PRIMARY KEY, technician TEXT NOT NULL, expires_at INTEGER NOT NULL,
    used_at INTEGER
) STRICT, WITHOUT ROWID;
INSERT INTO enroll_codes_v8 SELECT hash, technician, expires_at, used_at FROM enroll_codes;
DROP TABLE enroll_codes;
ALTER TABLE enroll_codes_v8 RENAME TO enroll_codes;

CREATE TABLE grants_v8 (
    job TEXT NOT NULL, technician TEXT NOT NULL, PRIMARY KEY (job, technician)
) STRICT, WITHOUT ROWID;
INSERT INTO grants_v8 SELECT job, technician FROM grants;
DROP TABLE grants;
ALTER TABLE grants_v8 RENAME TO grants;

CREATE TABLE contracts_v8 (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT, WITHOUT ROWID;
INSERT INTO contracts_v8 SELECT id, body FROM contracts;
DROP TABLE contracts;
ALTER TABLE contracts_v8 RENAME TO contracts;

CREATE TABLE assets_v8 (serial TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT, WITHOUT ROWID;
INSERT INTO assets_v8 SELECT serial, body FROM assets;
DROP TABLE assets;
ALTER TABLE assets_v8 RENAME TO assets;

CREATE TABLE followups_v8 (
    job TEXT PRIMARY KEY, satisfaction TEXT NOT NULL, score INTEGER NOT NULL,
    comment TEXT NOT NULL, recorded_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO followups_v8
    SELECT job, satisfaction, score, comment, recorded_at FROM followups;
DROP TABLE followups;
ALTER TABLE followups_v8 RENAME TO followups;

CREATE TABLE complaints_v8 (
    id TEXT PRIMARY KEY, job TEXT NOT NULL, body TEXT NOT NULL, received_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO complaints_v8 SELECT id, job, body, received_at FROM complaints;
DROP TABLE complaints;
ALTER TABLE complaints_v8 RENAME TO complaints;
CREATE INDEX complaints_job ON complaints (job);
CREATE INDEX complaints_received ON complaints (received_at);

CREATE TABLE maintenance_plans_v8 (
    id TEXT PRIMARY KEY, body TEXT NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO maintenance_plans_v8 SELECT id, body FROM maintenance_plans;
DROP TABLE maintenance_plans;
ALTER TABLE maintenance_plans_v8 RENAME TO maintenance_plans;

CREATE TABLE users_v8 (
    name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created_at INTEGER NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0, locked_until INTEGER
) STRICT, WITHOUT ROWID;
INSERT INTO users_v8
    SELECT name, password_hash, created_at, failed_logins, locked_until FROM users;
DROP TABLE users;
ALTER TABLE users_v8 RENAME TO users;

CREATE TABLE sessions_v8 (
    hash TEXT PRIMARY KEY, user TEXT NOT NULL, csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO sessions_v8 SELECT hash, user, csrf, created_at, expires_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v8 RENAME TO sessions;
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE event_receipts_v8 (
    job TEXT NOT NULL, event TEXT NOT NULL, received_at INTEGER NOT NULL,
    PRIMARY KEY (job, event)
) STRICT, WITHOUT ROWID;
INSERT INTO event_receipts_v8 SELECT job, event, received_at FROM event_receipts;
DROP TABLE event_receipts;
ALTER TABLE event_receipts_v8 RENAME TO event_receipts;
