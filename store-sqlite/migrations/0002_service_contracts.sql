-- 2: service contracts (issue 3): contracts, assets, follow-ups, complaints, maintenance
-- plans, and the job columns and loan projection they query.
CREATE TABLE contracts (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT;
CREATE TABLE assets (serial TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT;
ALTER TABLE jobs ADD COLUMN asset_serial TEXT;
ALTER TABLE jobs ADD COLUMN completed_at INTEGER;
ALTER TABLE jobs ADD COLUMN followup_due_at INTEGER;
CREATE INDEX jobs_asset ON jobs (asset_serial, reported_at);
CREATE INDEX jobs_followup ON jobs (followup_due_at) WHERE followup_due_at IS NOT NULL;
-- Projection of loaner units, rebuilt with the job.
CREATE TABLE loans (
    job TEXT NOT NULL, serial TEXT NOT NULL, model TEXT, issued_by TEXT NOT NULL,
    issued_at INTEGER NOT NULL, returned_at INTEGER
) STRICT;
CREATE INDEX loans_job ON loans (job);
CREATE TABLE followups (
    job TEXT PRIMARY KEY, satisfaction TEXT NOT NULL, score INTEGER NOT NULL,
    comment TEXT NOT NULL, recorded_at INTEGER NOT NULL
) STRICT;
CREATE TABLE complaints (
    id TEXT PRIMARY KEY, job TEXT NOT NULL, body TEXT NOT NULL, received_at INTEGER NOT NULL
) STRICT;
CREATE INDEX complaints_job ON complaints (job);
CREATE INDEX complaints_received ON complaints (received_at);
CREATE TABLE maintenance_plans (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT;
