-- The Ed25519 key each community signs its Open Badges 3.0 credentials with (VC-JWT).
-- Created on first use, so a new deployment needs no key set up by hand.
CREATE TABLE issuer_keys (
    community_id uuid PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    secret_key   bytea NOT NULL CHECK (length(secret_key) = 32),
    created_at   timestamptz NOT NULL DEFAULT now()
);
