-- What a finished run reports beyond its counters: a restore's report (tables, rows, bytes,
-- created or existing targets, rows skipped), which for a dry run is its whole answer.
ALTER TABLE runs ADD COLUMN report TEXT CHECK (report IS NULL OR json_valid(report));
