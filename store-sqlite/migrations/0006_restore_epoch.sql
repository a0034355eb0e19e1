-- 6: after a restore from backup, each device gives back what the office lost once: the
-- epoch it last did so for (filled with the current epoch on open).
ALTER TABLE devices ADD COLUMN healed_epoch TEXT;
