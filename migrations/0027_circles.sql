-- Circles of practice: a channel, who may join (public: anyone; private: a lead approves;
-- secret: by invitation only), leads and members, a weekly conversation prompt from a
-- rotating list, and intros between members.
ALTER TABLE circles
    ADD COLUMN channel          text,
    ADD COLUMN visibility       text NOT NULL DEFAULT 'public'
        CHECK (visibility IN ('public', 'private', 'secret')),
    -- The zone the circle's schedules are evaluated in.
    ADD COLUMN timezone         text NOT NULL DEFAULT 'UTC',
    ADD COLUMN prompts          text[] NOT NULL DEFAULT '{}',
    -- Cron expressions; NULL sends no prompt, or makes no intros.
    ADD COLUMN prompt_schedule  text,
    ADD COLUMN intro_schedule   text,
    -- Prompts posted so far: the next one is prompts[prompts_sent % length], so the list
    -- rotates even when the program file adds to it.
    ADD COLUMN prompts_sent     integer NOT NULL DEFAULT 0,
    ADD COLUMN created_at       timestamptz;

CREATE TABLE circle_members (
    circle_id   uuid NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id   uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    role        text NOT NULL DEFAULT 'member' CHECK (role IN ('lead', 'member')),
    joined_at   timestamptz NOT NULL,
    PRIMARY KEY (circle_id, member_id)
);
CREATE INDEX circle_members_member ON circle_members (member_id);

-- A member's request to join a private circle, or a lead's invitation to a private or
-- secret one: at most one of either per member and circle, gone once decided.
CREATE TABLE circle_invites (
    circle_id   uuid NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id   uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('request', 'invitation')),
    by_member   uuid REFERENCES members (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (circle_id, member_id)
);

-- Intros made at each intro tick: the history the pair scorer prefers new pairs by.
CREATE TABLE circle_intros (
    circle_id   uuid NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    tick        timestamptz NOT NULL,
    a           uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    b           uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    PRIMARY KEY (circle_id, tick, a)
);
CREATE INDEX circle_intros_pair ON circle_intros (circle_id, a, b);
