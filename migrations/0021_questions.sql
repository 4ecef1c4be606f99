-- One confirmation mechanism for every platform: a command that asks ("replace this week's
-- check-in?") is kept here, server-side, under a short id. Buttons carry only the id, a
-- typed `/yes` or `/no` answers the member's open question, and any other command drops it.
CREATE TABLE questions (
    id          text PRIMARY KEY,
    member_id   uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    command     text NOT NULL,
    -- The command's options as typed text, bound again through the catalog on yes.
    options     jsonb NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
-- A member has at most one open question: asking again replaces it.
CREATE UNIQUE INDEX questions_one_per_member ON questions (member_id);

DROP TABLE discord_confirmations;
