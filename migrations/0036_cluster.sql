-- Several bot processes on one database (src/cluster): who is running, with which
-- Discord shards, and which process holds the leader lease for the work that must run on
-- one process at a time. Every time here is the database's clock (`now()`), never the
-- bot's adjustable one, so processes with skewed clocks agree.
CREATE TABLE bot_processes (
    id            uuid PRIMARY KEY,
    host          text NOT NULL,
    pid           integer NOT NULL,
    -- The Discord gateway shards it runs, FIRST to LAST of TOTAL; NULL without a gateway.
    -- `auto` is recorded as every shard (0 to a large LAST, no TOTAL).
    shard_first   integer,
    shard_last    integer,
    shard_total   integer,
    started_at    timestamptz NOT NULL,
    heartbeat_at  timestamptz NOT NULL
);

CREATE TABLE leader_lease (
    name          text PRIMARY KEY,
    holder        uuid NOT NULL,
    acquired_at   timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);

-- The scheduler's housekeeping (streaks, weekly sweeps, the Discord events' passes) runs
-- on the leader only, so it keeps its own "last run" apart from the ticks'.
ALTER TABLE scheduler_state ADD COLUMN housekept_at timestamptz;
