-- Issue 13: copies of a backup in a second store.
-- * backups.copy_of: the backup this one is a copy of (NULL for a backup taken from a source).
--   Not a foreign key: the original may be deleted by its store's retention while the copy stays.
-- * runs.kind gains 'copy'. SQLite cannot change a CHECK constraint in place, so the runs
--   table is rebuilt with the same columns, data and indexes (no table references runs).
-- * schedules.copy_to: JSON array of copy targets, [{"store": "offsite", "retention": {...}}]
--   ("retention" absent: the schedule's own policy applies in that store).
ALTER TABLE backups ADD COLUMN copy_of TEXT;
CREATE INDEX backups_by_copy_of ON backups (copy_of) WHERE copy_of IS NOT NULL;

ALTER TABLE schedules ADD COLUMN copy_to TEXT NOT NULL DEFAULT '[]'
    CHECK (json_valid(copy_to) AND json_type(copy_to) = 'array');

CREATE TABLE runs_with_copy (
    id           TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL
                 CHECK (kind IN ('backup', 'restore', 'verify', 'retention_delete', 'copy')),
    status       TEXT NOT NULL
                 CHECK (status IN ('queued', 'running', 'succeeded', 'partially_failed',
                                   'failed', 'cancelled', 'skipped')),
    schedule_id  TEXT REFERENCES schedules (id) ON DELETE SET NULL,
    backup_id    TEXT,
    triggered_by TEXT NOT NULL CHECK (triggered_by IN ('schedule', 'manual', 'catch_up')),
    request      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(request)),
    rows         INTEGER NOT NULL DEFAULT 0,
    bytes        INTEGER NOT NULL DEFAULT 0,
    tables_done  INTEGER NOT NULL DEFAULT 0,
    tables_total INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    skip_reason  TEXT,
    started_at   TEXT,
    finished_at  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    report       TEXT CHECK (report IS NULL OR json_valid(report))
) STRICT;

INSERT INTO runs_with_copy (id, kind, status, schedule_id, backup_id, triggered_by, request,
    rows, bytes, tables_done, tables_total, error, skip_reason, started_at, finished_at,
    created_at, updated_at, report)
SELECT id, kind, status, schedule_id, backup_id, triggered_by, request,
    rows, bytes, tables_done, tables_total, error, skip_reason, started_at, finished_at,
    created_at, updated_at, report
FROM runs;

DROP TABLE runs;
ALTER TABLE runs_with_copy RENAME TO runs;

CREATE INDEX runs_by_created ON runs (created_at, id);
CREATE INDEX runs_by_schedule ON runs (schedule_id, created_at, id);
CREATE INDEX runs_unfinished ON runs (status) WHERE status IN ('queued', 'running');
