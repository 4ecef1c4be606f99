-- RS256 badge signatures (issue 21, credentials): the Open Badges 3.0 text makes RS256 the
-- algorithm every verifier supports, so each community also has an RSA key, drawn with its
-- Ed25519 key when it issues its first badge.
CREATE TABLE issuer_rsa_keys (
    community_id  uuid PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    private_key   bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
