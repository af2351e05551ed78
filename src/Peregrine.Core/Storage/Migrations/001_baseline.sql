-- Upstream's runtime schema (scripts/db.py init_db + _migrate_db), with every migration-added column folded in.
-- Where upstream's own migrations/001_baseline.sql disagrees (task status 'pending', no created_at default) the
-- runtime semantics win: task dedup matches 'queued'/'running', so a task must start 'queued'.
-- Timestamps: UTC ISO-8601 ('2026-04-06T12:34:56Z') everywhere; date_found stays a date (YYYY-MM-DD).
-- Child rows cascade with their job: foreign keys are enforced here (upstream's were not), and a purge must not
-- fail on a job that has an email log.

CREATE TABLE IF NOT EXISTS jobs (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    title             TEXT,
    company           TEXT,
    url               TEXT UNIQUE,
    source            TEXT,
    location          TEXT,
    is_remote         INTEGER DEFAULT 0,
    salary            TEXT,
    description       TEXT,
    match_score       REAL,
    keyword_gaps      TEXT,
    date_found        TEXT,
    status            TEXT DEFAULT 'pending',
    notion_page_id    TEXT,
    cover_letter      TEXT,
    applied_at        TEXT,
    interview_date    TEXT,
    rejection_stage   TEXT,
    phone_screen_at   TEXT,
    interviewing_at   TEXT,
    offer_at          TEXT,
    hired_at          TEXT,
    survey_at         TEXT,
    calendar_event_id TEXT,
    optimized_resume  TEXT,
    ats_gap_report    TEXT,
    application_qa    TEXT
);
CREATE INDEX IF NOT EXISTS ix_jobs_status ON jobs (status, match_score DESC);

CREATE TABLE IF NOT EXISTS job_contacts (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id               INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    direction            TEXT DEFAULT 'inbound',
    subject              TEXT,
    from_addr            TEXT,
    to_addr              TEXT,
    body                 TEXT,
    received_at          TEXT,
    is_response_needed   INTEGER DEFAULT 0,
    responded_at         TEXT,
    message_id           TEXT,
    stage_signal         TEXT,
    suggestion_dismissed INTEGER DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ix_job_contacts_job ON job_contacts (job_id);

CREATE TABLE IF NOT EXISTS company_research (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id              INTEGER NOT NULL UNIQUE REFERENCES jobs (id) ON DELETE CASCADE,
    generated_at        TEXT,
    company_brief       TEXT,
    ceo_brief           TEXT,
    talking_points      TEXT,
    raw_output          TEXT,
    tech_brief          TEXT,
    funding_brief       TEXT,
    competitors_brief   TEXT,
    red_flags           TEXT,
    scrape_used         INTEGER,
    accessibility_brief TEXT
);

-- job_id 0 means a global task (discovery, email sync), so it carries no foreign key.
CREATE TABLE IF NOT EXISTS background_tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    task_type   TEXT NOT NULL,
    job_id      INTEGER DEFAULT 0,
    params      TEXT,
    status      TEXT NOT NULL DEFAULT 'queued',
    error       TEXT,
    created_at  TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    started_at  TEXT,
    finished_at TEXT,
    stage       TEXT,
    updated_at  TEXT
);
CREATE INDEX IF NOT EXISTS ix_background_tasks_active ON background_tasks (status, task_type, job_id);

CREATE TABLE IF NOT EXISTS survey_responses (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id         INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    survey_name    TEXT,
    received_at    TEXT,
    source         TEXT,
    raw_input      TEXT,
    image_path     TEXT,
    mode           TEXT,
    llm_output     TEXT,
    reported_score TEXT,
    created_at     TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS ix_survey_responses_job ON survey_responses (job_id);

CREATE TABLE IF NOT EXISTS digest_queue (
    id             INTEGER PRIMARY KEY,
    job_contact_id INTEGER NOT NULL UNIQUE REFERENCES job_contacts (id) ON DELETE CASCADE,
    created_at     TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
