-- TableVault daemon state: schedules, run history, the backup catalog, idempotency keys.
--
-- Conventions
-- * Timestamps are TEXT, RFC 3339 in UTC exactly as sqlx writes a chrono DateTime<Utc>
--   ("2024-03-31T10:00:00.123+00:00"). Every timestamp is written by the code, never by a SQL
--   default, so they share one format and compare chronologically as text.
-- * Enum-like columns carry CHECK constraints with the same spellings as the Rust enums.
-- * JSON columns are checked with json_valid so a bad write fails at once, not at read time.
-- * Deleting a schedule keeps its runs and backups (schedule_id becomes NULL): history and
--   restorable data must never disappear as a side effect of a configuration change.

CREATE TABLE schedules (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE CHECK (name <> ''),
    cron        TEXT NOT NULL,
    timezone    TEXT NOT NULL DEFAULT 'UTC',
    source      TEXT NOT NULL,
    store       TEXT NOT NULL,
    -- JSON array of table names; empty = every table of the source.
    tables      TEXT NOT NULL DEFAULT '[]'
                CHECK (json_valid(tables) AND json_type(tables) = 'array'),
    -- JSON RetentionPolicy: keep_last, keep_hourly, ..., keep_within.
    retention   TEXT NOT NULL DEFAULT '{}'
                CHECK (json_valid(retention) AND json_type(retention) = 'object'),
    paused      INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    next_run_at TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE runs (
    id           TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL
                 CHECK (kind IN ('backup', 'restore', 'verify', 'retention_delete')),
    status       TEXT NOT NULL
                 CHECK (status IN ('queued', 'running', 'succeeded', 'partially_failed',
                                   'failed', 'cancelled', 'skipped')),
    schedule_id  TEXT REFERENCES schedules (id) ON DELETE SET NULL,
    -- Not a foreign key: a run may name its backup before the catalog row exists, and a
    -- restore keeps naming a backup that retention later deleted.
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
    updated_at   TEXT NOT NULL
) STRICT;

-- Listing is newest first by (created_at, id); the schedule index serves per-schedule history.
CREATE INDEX runs_by_created ON runs (created_at, id);
CREATE INDEX runs_by_schedule ON runs (schedule_id, created_at, id);
CREATE INDEX runs_unfinished ON runs (status) WHERE status IN ('queued', 'running');

CREATE TABLE backups (
    id                TEXT PRIMARY KEY NOT NULL,
    schedule_id       TEXT REFERENCES schedules (id) ON DELETE SET NULL,
    source            TEXT NOT NULL,
    store             TEXT NOT NULL,
    status            TEXT NOT NULL
                      CHECK (status IN ('staged', 'completed', 'failed', 'deleting', 'deleted')),
    -- Totals over backup_tables (PlainBuffer bytes: store-independent).
    rows              INTEGER NOT NULL DEFAULT 0,
    bytes             INTEGER NOT NULL DEFAULT 0,
    -- What the store reports it occupies, when it can tell.
    stored_bytes      INTEGER,
    error             TEXT,
    started_at        TEXT NOT NULL,
    finished_at       TEXT,
    deleted_at        TEXT,
    verified_at       TEXT,
    verify_result     TEXT CHECK (verify_result IN ('passed', 'failed')),
    verify_message    TEXT,
    -- JSON array of KeepReason from the last retention evaluation: why it is still here.
    retention_reasons TEXT CHECK (retention_reasons IS NULL OR json_valid(retention_reasons)),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;

CREATE INDEX backups_by_started ON backups (started_at, id);
CREATE INDEX backups_by_schedule ON backups (schedule_id, started_at, id);
CREATE INDEX backups_by_store ON backups (store, status);

-- One row per table of a backup: a child table rather than JSON so "latest backup holding
-- table X" and per-table verification are plain indexed queries.
CREATE TABLE backup_tables (
    backup_id  TEXT NOT NULL REFERENCES backups (id) ON DELETE CASCADE,
    table_name TEXT NOT NULL,
    rows       INTEGER NOT NULL,
    cells      INTEGER NOT NULL,
    bytes      INTEGER NOT NULL,
    checksum   TEXT NOT NULL,
    PRIMARY KEY (backup_id, table_name)
) STRICT, WITHOUT ROWID;

CREATE INDEX backup_tables_by_table ON backup_tables (table_name);

-- Idempotency-Key support for POST endpoints: the first request claims the key (response
-- columns NULL while it runs), then its response is stored and replayed to retries.
CREATE TABLE idempotency_keys (
    key              TEXT PRIMARY KEY NOT NULL,
    method           TEXT NOT NULL,
    path             TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    response_status  INTEGER,
    -- JSON array of [name, value] pairs (e.g. Location).
    response_headers TEXT CHECK (response_headers IS NULL OR json_valid(response_headers)),
    response_body    BLOB,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL
) STRICT;

CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);
