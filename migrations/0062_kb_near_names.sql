-- "Did you mean" after a missed `/kb search` wants the names and titles that start with
-- the typed text's first letter and are about as long (`store::knowledge::names_like`).
-- Without an index it read every entry, bodies and search vectors included: 16 MB and
-- ~14 ms for the bench's 10,000 entries on a server, and on the embedded database, whose
-- buffers are 1 MB, every page through the host. With these it reads the few that match.
CREATE INDEX kb_names_near ON kb_names (community_id, left(name, 1), length(name));
CREATE INDEX kb_entries_title_near ON kb_entries (community_id, lower(left(title, 1)), length(title));
