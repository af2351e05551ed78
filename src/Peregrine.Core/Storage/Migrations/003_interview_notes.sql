-- Call notes of the interview prep page: one text per job, written as the user types it during or after a call.
-- In the user's own encrypted DB, so a backup carries them, a restore brings them back and an erasure removes them
-- with everything else; deleting the job deletes its notes.
CREATE TABLE IF NOT EXISTS interview_notes (
    job_id     INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    notes      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
