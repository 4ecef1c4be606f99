-- The title and tags alone, searched before the body. A search for a common word matches
-- most entries by their bodies; ranking them all reads every matching row (10,000 rows
-- took 10-30 ms), so a search ranks at most a fixed number of matches, taking title and
-- tag matches first (store/knowledge.rs, `search`). It is also what puts a title or tag
-- hit above a body-only hit whatever the weights add up to.
ALTER TABLE kb_entries ADD COLUMN head tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('kb_english', title), 'A')
    || setweight(to_tsvector('kb_english', kb_tag_words(tags)), 'B')
) STORED;
CREATE INDEX kb_entries_head ON kb_entries USING gin (head);
