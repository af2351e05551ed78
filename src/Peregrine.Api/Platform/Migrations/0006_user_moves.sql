-- The journal of moves of a user from one shard to another (one row per user while a move is under way, kept after).
-- A move runs under the user's grain, and each step that changes something durable first records the state it
-- reaches, so a move interrupted anywhere (a shard or the operator's command killed) is finished or undone by running
-- it again:
--   copying  the source may be paused and the target may hold a copy (staged, or renamed into place), but user_shard
--            still names the source: the source's tree is the truth, a copy on the target is never served and is
--            replaced by the next attempt.
--   flipped  user_shard names the target: the target's tree is the truth; the source's tree is left to remove.
--   done     the source's tree is gone.
-- A row back at 'done' (or 'rolled_back', after a failed copy) lets the next move of the user start afresh.
CREATE TABLE user_moves (
    user_id    text        PRIMARY KEY,
    from_shard text        NOT NULL,
    to_shard   text        NOT NULL,
    state      text        NOT NULL CHECK (state IN ('copying', 'flipped', 'done', 'rolled_back')),
    pause_ms   bigint,
    bytes      bigint,
    started_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
