//! Numbered schema migrations of the device store. Append new steps; never edit old ones.

/// Migration steps; step `i` moves the store from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

    -- Sync bookkeeping per job document. `dirty` is the outbox mark.
    CREATE TABLE docs (
        job_id TEXT PRIMARY KEY,
        synced_heads TEXT NOT NULL DEFAULT '',
        dirty INTEGER NOT NULL DEFAULT 0,
        revoked INTEGER NOT NULL DEFAULT 0,
        wedged TEXT,
        chunk_count INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX docs_dirty ON docs (dirty) WHERE dirty = 1;

    -- The document itself: a snapshot (seq 0 after compaction) and incremental change chunks.
    CREATE TABLE chunks (
        job_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (job_id, seq)
    ) STRICT;

    -- Projection for the job list, rebuilt from the document on every write.
    CREATE TABLE jobs (
        job_id TEXT PRIMARY KEY,
        technician TEXT,
        status TEXT NOT NULL,
        priority TEXT NOT NULL,
        customer_name TEXT NOT NULL,
        site_address TEXT NOT NULL,
        reported_at INTEGER NOT NULL,
        scheduled_start INTEGER,
        scheduled_end INTEGER
    ) STRICT;
    CREATE INDEX jobs_scheduled ON jobs (scheduled_start);

    -- Projection of part lines (van stock and reporting read it without loading documents).
    CREATE TABLE parts (
        job_id TEXT NOT NULL,
        line_id TEXT NOT NULL,
        sku TEXT NOT NULL,
        qty INTEGER NOT NULL,
        removed INTEGER NOT NULL,
        PRIMARY KEY (job_id, line_id)
    ) STRICT;
    ",
    // 2: loaner units out with customers (issue 3), rebuilt with the other projections.
    "
    CREATE TABLE loans (
        job_id TEXT NOT NULL,
        serial TEXT NOT NULL,
        model TEXT,
        issued_at INTEGER NOT NULL,
        returned_at INTEGER
    ) STRICT;
    CREATE INDEX loans_job ON loans (job_id);
    ",
    // 3: the most urgent open SLA milestone of each job, so the list shows it without loading
    // documents (as of the job's last change; the job JSON has the live clocks).
    "
    ALTER TABLE jobs ADD COLUMN sla_milestone TEXT;
    ALTER TABLE jobs ADD COLUMN sla_due INTEGER;
    ",
    // 4: photos and other attachments (issue 7). The bytes are files in `attachments/`, named
    // by their SHA-256; this table says which job holds each and whether the office has it.
    "
    CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        job_id TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        uploaded INTEGER NOT NULL DEFAULT 0,
        upload_error TEXT
    ) STRICT;
    CREATE INDEX attachments_pending ON attachments (uploaded) WHERE uploaded = 0;
    ",
    // 5: the site's IANA time zone, so the job list shows times as the site's clock reads
    // (filled for existing jobs from their documents on open: `store::backfill_projections`).
    "
    ALTER TABLE jobs ADD COLUMN site_time_zone TEXT;
    ",
    // 10: what the list needs to tell a job's SLA state at any instant (issue 19): `sla_kind`
    // is `none` (no SLA), `outlook` (`sla_outlook` holds the unmet milestones with when each
    // turns at risk and breached, JSON of `fieldwork_model::sla::Outlook`) or `paused` (on
    // hold: the resolution deadline moves with the clock, the list reads the document). Filled
    // for existing jobs on open (`store::backfill_projections`).
    "
    ALTER TABLE jobs ADD COLUMN sla_kind TEXT;
    ALTER TABLE jobs ADD COLUMN sla_outlook TEXT;
    ",
    // The van's stock (issue 21, ADR 0015): the catalogue and places the office sent, and the
    // ledger entries of this technician's vans, received from the office or written here
    // (`pending` until the office records them; `refused` says why it did not).
    "
    CREATE TABLE stock_parts (sku TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT;
    CREATE TABLE stock_locations (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT;
    CREATE TABLE stock_movements (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        pending INTEGER NOT NULL,
        seq INTEGER,
        reached_office_at INTEGER,
        refused TEXT
    ) STRICT;
    CREATE INDEX stock_movements_pending ON stock_movements (pending) WHERE pending = 1;
    ",
];
