-- Discord: each member's DM channel, opened once and reused, and whether their DMs are
-- closed (error 50007), so later posts go straight to the cohort's channel.

CREATE TABLE discord_dm_channels (
    member_id    uuid PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    channel_id   text,
    closed_at    timestamptz,
    updated_at   timestamptz NOT NULL
);

-- A command waiting for the member's "yes" (e.g. replace this week's check-in): Discord
-- carries only the row id in the button, so the typed options wait here.
CREATE TABLE discord_confirmations (
    id          uuid PRIMARY KEY,
    member_id   uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    command     text NOT NULL,
    options     jsonb NOT NULL,
    created_at  timestamptz NOT NULL
);
