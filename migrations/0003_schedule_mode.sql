-- Issue 12: a schedule is either "full" (a base backup per cron tick, as before) or
-- "continuous" (base backups per tick plus every change in between, read from the table's
-- Stream by a capture loop the daemon owns). Existing schedules stay "full".
ALTER TABLE schedules ADD COLUMN mode TEXT NOT NULL DEFAULT 'full'
    CHECK (mode IN ('full', 'continuous'));
