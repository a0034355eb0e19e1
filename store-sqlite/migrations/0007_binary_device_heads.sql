-- 7: what each device holds of each job, smaller: heads as 32-byte binary hashes instead
-- of hex text, and the table clustered on its key (no second copy of every key in an
-- index). This is the state that grows with devices times jobs.
CREATE TABLE device_docs_v7 (
    device TEXT NOT NULL, job TEXT NOT NULL,
    confirmed_heads BLOB, sent_heads BLOB, sent_cursor INTEGER,
    PRIMARY KEY (device, job)
) STRICT, WITHOUT ROWID;
INSERT INTO device_docs_v7
    SELECT device, job, unhex(replace(confirmed_heads, ' ', '')),
           unhex(replace(sent_heads, ' ', '')), sent_cursor
    FROM device_docs;
DROP TABLE device_docs;
ALTER TABLE device_docs_v7 RENAME TO device_docs;
CREATE INDEX device_docs_pending ON device_docs (device, sent_cursor)
    WHERE sent_cursor IS NOT NULL;
