-- The name the member's platform last gave them (a Discord server nickname or display
-- name, a Slack profile's name). Discord sends it with every interaction; the bot renames
-- the member only when it differs from this one, so a name chosen with `/me name` stays
-- until the member renames themselves on the platform. Before, every interaction put the
-- platform's name back, and `/me name` on Discord lasted until the next command.
ALTER TABLE members ADD COLUMN platform_name text;
-- Today's names are the platform's ones: each Discord interaction has just reset them.
UPDATE members SET platform_name = display_name WHERE erased_at IS NULL;
