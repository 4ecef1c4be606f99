-- The code of conduct is versioned: a changed text raises the community's version, and a
-- member's acceptance names the version they accepted, so a change asks them again before
-- their next join. Everyone who accepted so far accepted version 1.
ALTER TABLE communities ADD COLUMN coc_version integer NOT NULL DEFAULT 1;
ALTER TABLE members ADD COLUMN coc_version integer;
UPDATE members SET coc_version = 1 WHERE coc_accepted_at IS NOT NULL;
