-- 3: signed reports and photos (issue 7): each device's public key, when it last synced,
-- whether it was revoked; each job's report state, for the list filter.
ALTER TABLE devices ADD COLUMN public_key TEXT;
ALTER TABLE devices ADD COLUMN last_sync_at INTEGER;
ALTER TABLE devices ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN report_status TEXT NOT NULL DEFAULT 'none';
CREATE INDEX jobs_report ON jobs (report_status, reported_at);
