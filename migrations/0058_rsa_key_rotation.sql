-- RSA badge keys rotate with the Ed25519 ones (`/badge rotate`, issue 21): a community
-- keeps every RSA key it has used, numbered, so RS256 credentials signed with an old one
-- still verify against the key their `kid` names; one RSA key at a time (not retired)
-- signs.

ALTER TABLE issuer_rsa_keys DROP CONSTRAINT issuer_rsa_keys_pkey;
ALTER TABLE issuer_rsa_keys
    ADD COLUMN version integer NOT NULL DEFAULT 1,
    ADD COLUMN retired_at timestamptz,
    ADD PRIMARY KEY (community_id, version);
CREATE UNIQUE INDEX issuer_rsa_keys_current ON issuer_rsa_keys (community_id)
    WHERE retired_at IS NULL;
