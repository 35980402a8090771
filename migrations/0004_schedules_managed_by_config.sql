-- Issue 14: schedules declared in the config file ([[schedules]]). The daemon reconciles them
-- at start, on POST /api/v1/reload and on SIGHUP.
-- * managed_by: 'api' (created through the API, as before) or 'config' (the file owns its
--   definition; the API may only pause, resume and run it).
-- * config_entry: the file's entry as last applied (JSON), so a reload changes a schedule
--   only when its entry in the file changed, and an API pause survives reloads that do not.
-- * removed_from_config_at: set when the entry left the file; the schedule is paused and kept
--   (with its backups) until an operator deletes it or `[scheduler] prune = true` does.
ALTER TABLE schedules ADD COLUMN managed_by TEXT NOT NULL DEFAULT 'api'
    CHECK (managed_by IN ('api', 'config'));
ALTER TABLE schedules ADD COLUMN config_entry TEXT CHECK (config_entry IS NULL OR json_valid(config_entry));
ALTER TABLE schedules ADD COLUMN removed_from_config_at TEXT;
