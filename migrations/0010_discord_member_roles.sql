-- The Discord roles a member had at the last member event, so the next one tells what an
-- admin added or removed: only a change in Discord changes a program role, and a role
-- the program gave (seeded, or by /role grant) is not taken away because the Discord role
-- was never there.
CREATE TABLE discord_member_roles (
    member_id   uuid PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    role_ids    text[] NOT NULL,
    updated_at  timestamptz NOT NULL
);
