-- Account metadata only: never job content. Every per-user table references subscriptions ON DELETE CASCADE, so the
-- runbook's GDPR step (DELETE FROM subscriptions WHERE user_id = '<user-id>';) removes every row of that user.
CREATE TABLE subscriptions (
    user_id     uuid        PRIMARY KEY,
    product     text        NOT NULL,
    tier        text        NOT NULL DEFAULT 'free' CHECK (tier IN ('free', 'paid', 'premium', 'ultra')),
    license_jwt text        NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE telemetry_consent (
    user_id                 uuid        PRIMARY KEY REFERENCES subscriptions (user_id) ON DELETE CASCADE,
    all_disabled            boolean     NOT NULL DEFAULT false,
    usage_events_enabled    boolean     NOT NULL DEFAULT true,
    content_sharing_enabled boolean     NOT NULL DEFAULT false,
    support_access_enabled  boolean     NOT NULL DEFAULT false,
    updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE usage_events (
    id          bigserial   PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES subscriptions (user_id) ON DELETE CASCADE,
    app         text        NOT NULL,
    event_type  text        NOT NULL,
    metadata    jsonb       NULL,
    occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX usage_events_occurred_at ON usage_events (occurred_at DESC);
CREATE INDEX usage_events_user_id ON usage_events (user_id);

CREATE TABLE support_access_grants (
    id         bigserial   PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES subscriptions (user_id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    ticket_ref text        NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz NULL
);
CREATE INDEX support_access_grants_user_id ON support_access_grants (user_id);
