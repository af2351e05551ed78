-- Where each user lives when the service runs as several shards (Api processes, each with its own data volume).
-- One row per user, written once at the user's first request (INSERT … ON CONFLICT DO NOTHING, then read, so two
-- shards placing the same new user at once end with one answer); a move of a user changes shard_id. A deployment
-- without shards never writes here.
CREATE TABLE user_shard (
    user_id   text        PRIMARY KEY,
    shard_id  text        NOT NULL,
    placed_at timestamptz NOT NULL DEFAULT now()
);

-- Placement counts the users of each live shard.
CREATE INDEX user_shard_by_shard ON user_shard (shard_id);

-- The HTTP base address each shard serves on, published by the shard itself once it listens. silo_address is the
-- Orleans silo (address, port and generation) that published it: a row whose silo is not Active in the cluster's
-- membership belongs to a process that is gone, so nothing is forwarded to its address.
CREATE TABLE shard_endpoints (
    shard_id     text        PRIMARY KEY,
    http_url     text        NOT NULL,
    silo_address text        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
