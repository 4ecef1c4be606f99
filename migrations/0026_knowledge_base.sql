-- The knowledge base: FAQs, playbooks, decisions and clinic notes, searched with PostgreSQL's
-- full-text search in the same database.

-- English stemming that works on the embedded database too: its built-in `english`
-- configuration fails for want of a stop-word file, while a snowball dictionary without one
-- loads on both (shared/PLATFORM-FACTS.md). Stop words are therefore indexed; ranking by
-- cover density keeps them from mattering much.
CREATE TEXT SEARCH DICTIONARY kb_english_stem (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION kb_english (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION kb_english
    ALTER MAPPING FOR asciiword, word, asciihword, hword_asciipart, hword_part WITH kb_english_stem;

-- Tags as one text, for the generated column: array_to_string is only stable, while a
-- generated column needs an immutable expression. Joining text with spaces cannot change.
CREATE FUNCTION kb_tag_words(tags text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN array_to_string(tags, ' ');

CREATE TABLE kb_entries (
    id                 uuid PRIMARY KEY,
    community_id       uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    slug               text NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('faq', 'playbook', 'decision', 'clinic_note')),
    title              text NOT NULL,
    body               text NOT NULL,
    tags               text[] NOT NULL DEFAULT '{}',
    -- Who verifies it; stewards stand in when nobody does.
    owner_id           uuid,
    visibility         text NOT NULL DEFAULT 'community'
                       CHECK (visibility IN ('community', 'cohort', 'mentors')),
    cohort_id          uuid,
    circle_id          uuid REFERENCES circles (id) ON DELETE SET NULL,
    verify_every_days  integer NOT NULL DEFAULT 90 CHECK (verify_every_days BETWEEN 1 AND 3650),
    verified_at        timestamptz NOT NULL,
    status             text NOT NULL DEFAULT 'published'
                       CHECK (status IN ('draft', 'published', 'archived')),
    -- A decision that replaces an earlier one.
    supersedes_id      uuid REFERENCES kb_entries (id) ON DELETE SET NULL,
    -- Times it was shared into a channel.
    uses               integer NOT NULL DEFAULT 0,
    revision           integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    -- Title above tags above body, as Discourse weighs a topic's fields.
    search             tsvector GENERATED ALWAYS AS (
                           setweight(to_tsvector('kb_english', title), 'A')
                           || setweight(to_tsvector('kb_english', kb_tag_words(tags)), 'B')
                           || setweight(to_tsvector('kb_english', body), 'C')
                       ) STORED,
    UNIQUE (community_id, slug),
    UNIQUE (community_id, id),
    FOREIGN KEY (community_id, owner_id) REFERENCES members (community_id, id) ON DELETE SET NULL (owner_id),
    FOREIGN KEY (community_id, cohort_id) REFERENCES cohorts (community_id, id) ON DELETE SET NULL (cohort_id),
    CHECK ((visibility = 'cohort') = (cohort_id IS NOT NULL))
);
CREATE INDEX kb_entries_search ON kb_entries USING gin (search);

-- One namespace per community for every name an entry answers to: its slug and its
-- aliases. The primary key is what refuses a duplicate, naming the entry that has it.
CREATE TABLE kb_names (
    community_id  uuid NOT NULL,
    name          text NOT NULL,
    entry_id      uuid NOT NULL,
    is_alias      boolean NOT NULL,
    PRIMARY KEY (community_id, name),
    FOREIGN KEY (community_id, entry_id) REFERENCES kb_entries (community_id, id) ON DELETE CASCADE
);
CREATE INDEX kb_names_entry ON kb_names (entry_id);

-- Every version of an entry, the first included.
CREATE TABLE kb_revisions (
    entry_id    uuid NOT NULL REFERENCES kb_entries (id) ON DELETE CASCADE,
    revision    integer NOT NULL,
    title       text NOT NULL,
    body        text NOT NULL,
    tags        text[] NOT NULL,
    edited_by   uuid REFERENCES members (id) ON DELETE SET NULL,
    edited_at   timestamptz NOT NULL,
    PRIMARY KEY (entry_id, revision)
);

-- Searches that found nothing, for `/kb report`: the query as normalised, never who asked.
CREATE TABLE kb_missed_searches (
    community_id  uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    query         text NOT NULL,
    searched_at   timestamptz NOT NULL
);
CREATE INDEX kb_missed_searches_by_time ON kb_missed_searches (community_id, searched_at);

-- The weekly sweep for entries past their verification date, claimed once a week per
-- community whichever process runs the scheduler.
CREATE TABLE kb_stale_sweeps (
    community_id  uuid PRIMARY KEY REFERENCES communities (id) ON DELETE CASCADE,
    last_at       timestamptz NOT NULL
);

-- Each entry is reminded once per verification interval: the row names the verification
-- it follows, so verifying starts a new interval and a new reminder.
CREATE TABLE kb_stale_reminders (
    entry_id     uuid NOT NULL REFERENCES kb_entries (id) ON DELETE CASCADE,
    verified_at  timestamptz NOT NULL,
    reminded_at  timestamptz NOT NULL,
    PRIMARY KEY (entry_id, verified_at)
);

-- Where `/kb decide` posts decisions: a channel name or platform id, from the program file.
ALTER TABLE communities ADD COLUMN governance_channel text;

-- Questions the knowledge base could not answer (`/kb ask`), sent to the mentors; an answer
-- becomes a draft FAQ its author publishes.
CREATE TABLE kb_questions (
    number       bigserial PRIMARY KEY,
    community_id uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    asker_id     uuid REFERENCES members (id) ON DELETE SET NULL,
    question     text NOT NULL,
    asked_at     timestamptz NOT NULL,
    answered_by  uuid REFERENCES members (id) ON DELETE SET NULL,
    answered_at  timestamptz,
    entry_id     uuid REFERENCES kb_entries (id) ON DELETE SET NULL
);
