-- When each account was last erased: a session token issued before that is refused, so a stolen or cached cookie
-- cannot bring the account back. Deliberately NOT a child of subscriptions (an erasure deletes that row and must
-- leave this one): it holds the user id and a time, nothing else, and is the proof the erasure happened.
CREATE TABLE account_erasures (
    user_id   uuid        PRIMARY KEY,
    erased_at timestamptz NOT NULL
);
