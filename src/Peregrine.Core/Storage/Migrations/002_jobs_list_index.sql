-- The job list (JobsApi.ListSql: WHERE status = ? ORDER BY match_score DESC NULLS LAST, id DESC LIMIT n) walks this
-- index in order and stops after n rows. SQLite sorts NULL lowest, so DESC already puts unscored jobs last and the
-- index order is exactly the list order; without id in it every job of the status was read and sorted per request.
-- It has ix_jobs_status's columns as its prefix, so that index only cost writes and space.
CREATE INDEX IF NOT EXISTS ix_jobs_status_score_id ON jobs (status, match_score DESC, id DESC);
DROP INDEX IF EXISTS ix_jobs_status;
