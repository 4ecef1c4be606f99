-- Sessions mirrored as Discord scheduled events, for cohorts that opt in
-- (`discord_events = true` in the program file). services/events/mirror.rs.
ALTER TABLE cohorts ADD COLUMN discord_events boolean NOT NULL DEFAULT false;

CREATE TABLE discord_events (
    session_id   uuid PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    guild_id     text NOT NULL,
    -- Discord's id once created. NULL while a create is under way, or after a crash
    -- before its id was recorded: the sender then looks for the session's marker among
    -- the guild's events before it creates one, so a retry never makes a duplicate.
    event_id     text,
    -- A hash of what Discord was last told: a send with nothing new sends nothing.
    synced_hash  text,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX discord_events_guild ON discord_events (guild_id);
