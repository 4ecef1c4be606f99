-- Discord: each member's DM channel, opened once and reused, and whether their DMs are
-- closed (error 50007), so later posts go straight to the cohort's channel.

CREATE TABLE discord_dm_channels (
    member_id    uuid PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    channel_id   text,
    closed_at    timestamptz,
    updated_at   timestamptz NOT NULL
);
