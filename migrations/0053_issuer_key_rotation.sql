-- Badge signing keys rotate (issue 21, credentials): a community keeps every key it has
-- used, numbered, so credentials signed with an old one still verify against the key
-- their `kid` names; one key at a time (not retired) signs.

ALTER TABLE issuer_keys DROP CONSTRAINT issuer_keys_pkey;
ALTER TABLE issuer_keys
    ADD COLUMN version integer NOT NULL DEFAULT 1,
    ADD COLUMN retired_at timestamptz,
    ADD PRIMARY KEY (community_id, version);
CREATE UNIQUE INDEX issuer_keys_current ON issuer_keys (community_id) WHERE retired_at IS NULL;
