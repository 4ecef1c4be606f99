//! Every command: name, typed options, who may run it, and help. Adapters derive from this.

use crate::domain::slug::SLUG_MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandId {
    Help,
    CohortList,
    CohortJoin,
    CohortLeave,
    CohortCreate,
    CohortSet,
    CohortTrack,
    CohortArchive,
    Coc,
    CocAccept,
    Me,
    MeTimezone,
    MeSkills,
    MeName,
    RoleGrant,
    RoleRevoke,
    OutboxFailed,
    OutboxRetry,
    Checkin,
    CheckinReply,
    CheckinHistory,
    CheckinResolved,
    CheckinStuck,
    ScheduleList,
    ScheduleSet,
    EventSchedule,
    EventMove,
    EventCancel,
    EventRsvp,
    EventUnrsvp,
    EventList,
    EventAttended,
    EventPick,
    EventMirror,
    EventCode,
    EventCheckin,
    EventIcal,
    TalkPropose,
    TalkList,
    TalkWithdraw,
    TalkMine,
    Progress,
    MilestoneSubmit,
    MilestoneVerify,
    MilestoneChanges,
    MilestoneWithdraw,
    Badges,
    BadgeRevoke,
    BadgeRotate,
    MentorOffer,
    MentorApprove,
    MentorDecline,
    MentorPause,
    MentorResume,
    MentorGuide,
    MentorMatch,
    MentorAvoid,
    MentorStats,
    MentorOffers,
    MentorLearners,
    MentorRotation,
    MeDepartment,
    Kudos,
    MentorHandover,
    ReviewRequest,
    ReviewClaim,
    ReviewDone,
    ReviewCancel,
    MentorRecognition,
    MentorUnreachable,
    MentorRematch,
    PairRequest,
    PairMet,
    PairCancel,
    Yes,
    No,
    Away,
    AwayList,
    AwaySet,
    Back,
    CohortDayoff,
    Streak,
    Home,
    KbSearch,
    KbShow,
    KbAdd,
    KbEdit,
    KbAlias,
    KbArchive,
    KbVerify,
    KbStale,
    KbReport,
    KbDecide,
    KbAsk,
    KbAnswer,
    KbPublish,
    CircleList,
    CircleJoin,
    CircleLeave,
    CircleMembers,
    CircleCreate,
    CircleInvite,
    CircleApprove,
    CircleDecline,
    CircleLead,
    ClinicJoin,
    ClinicPosition,
    ClinicLeave,
    ClinicNext,
    ClinicDone,
    ClinicNoshow,
    ClinicAnnounce,
    AlumniList,
    AlumniJoin,
    AlumniLeave,
    CircleSchedule,
    Stats,
    StatsExport,
    DashboardLink,
    DashboardRotate,
    Feedback,
    SurveySend,
    SurveyAnswer,
    SurveyResults,
    ApproveRequest,
    ApproveYes,
    ApproveNo,
    ApproveList,
    ApproveShow,
    ApproveWithdraw,
    ApproveDelegate,
    ToolRegister,
    ToolList,
    ToolShow,
    ToolConfirm,
    ToolRetire,
    Audit,
    MeData,
    PrivacyErase,
    PrivacyCancel,
    PrivacyRequests,
    ConcernReport,
    ConcernList,
    ConcernShow,
    ConcernReply,
    ConcernClose,
    ConcernBlock,
    ConcernSpace,
    CouncilShow,
    CouncilOpen,
    CouncilNominate,
    CouncilVote,
    Relink,
    BadgeIssue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Member,
    Steward,
}

/// Whether the reply is shown only to the invoker or to the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Visibility {
    Ephemeral,
    Public,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// One line of text.
    Text {
        max: usize,
    },
    /// Several lines: newlines and tabs allowed, `max` counted in characters. Forms show it
    /// as a multi-line field.
    Paragraph {
        max: usize,
    },
    Int {
        min: i64,
        max: i64,
    },
    /// Hours from 0 to `max`, with a decimal part (`1.5`, or `1,5` as much of Europe
    /// writes it): nobody's week is whole hours.
    Hours {
        max: i64,
    },
    Bool,
    User,
    Cohort,
    Role,
    /// A chat channel: a Discord channel option, a Slack `<#C…|name>` link, or `#name`.
    Channel,
    TimeZone,
    Date,
    DateTime,
    Duration,
    Choice(&'static [&'static str]),
    /// A module of a track, by its id (slug). Text to parse; Discord autocompletes it.
    Module,
    /// A session by its number, as `/talk list` shows it. A number to parse; Discord
    /// autocompletes it with the upcoming sessions.
    Session,
    /// A knowledge-base entry by its id or an alias. Discord autocompletes titles.
    KbEntry,
    /// Words to search the knowledge base for; Discord suggests matching titles as you type.
    KbQuery,
    /// A circle by its id (slug) or name. Text to parse; Discord autocompletes the circles
    /// the member may see.
    Circle,
}

impl OptionKind {
    /// Whether platforms that can should suggest values as the member types.
    pub fn autocompletes(self) -> bool {
        matches!(
            self,
            OptionKind::Cohort
                | OptionKind::TimeZone
                | OptionKind::Module
                | OptionKind::Session
                | OptionKind::KbEntry
                | OptionKind::KbQuery
                | OptionKind::Circle
        )
    }
}

#[derive(Debug)]
pub struct OptionSpec {
    pub name: &'static str,
    pub kind: OptionKind,
    pub required: bool,
    /// Takes the rest of the line, so free text needs no quotes.
    pub rest: bool,
    /// Only given as `name:value`, never by position.
    pub named_only: bool,
    pub help: &'static str,
}

impl OptionSpec {
    /// The values a choice option takes; none for any other kind.
    pub fn choices(&self) -> &'static [&'static str] {
        match self.kind {
            OptionKind::Choice(choices) => choices,
            _ => &[],
        }
    }
}

#[derive(Debug)]
pub struct CommandSpec {
    pub id: CommandId,
    /// Space-separated words, e.g. `cohort join`.
    pub path: &'static str,
    pub options: &'static [OptionSpec],
    pub permission: Permission,
    pub visibility: Visibility,
    pub help: &'static str,
}

impl CommandSpec {
    /// `/cohort join <cohort> [track]`
    pub fn usage(&self) -> String {
        let mut usage = format!("/{}", self.path);
        for option in self.options {
            if option.named_only {
                if option.required {
                    usage.push_str(&format!(" <{}:…>", option.name));
                } else {
                    usage.push_str(&format!(" [{}:…]", option.name));
                }
                continue;
            }
            let name = if option.rest {
                format!("{}…", option.name)
            } else {
                option.name.to_owned()
            };
            if option.required {
                usage.push_str(&format!(" <{name}>"));
            } else {
                usage.push_str(&format!(" [{name}]"));
            }
        }
        usage
    }

    pub fn option(&'static self, name: &str) -> Option<&'static OptionSpec> {
        self.options.iter().find(|o| o.name == name)
    }

    /// Who sees the reply: the command's own visibility, unless the member asked to share
    /// it (`share:true`, whose reply the whole channel sees). Platforms that must choose
    /// before the command runs (a Discord deferral) decide the same way the service does.
    pub fn visibility_for(&self, shared: bool) -> Visibility {
        if shared && self.options.iter().any(|o| o.name == SHARE) {
            Visibility::Public
        } else {
            self.visibility
        }
    }
}

/// The option that makes a reply public (`/kb show … share:true`).
pub const SHARE: &str = "share";

const fn required(name: &'static str, kind: OptionKind, help: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        kind,
        required: true,
        rest: false,
        named_only: false,
        help,
    }
}

const fn optional(name: &'static str, kind: OptionKind, help: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        kind,
        required: false,
        rest: false,
        named_only: false,
        help,
    }
}

/// Which question `/yes` or `/no` answers: buttons name it, a typed answer means the open one.
const QUESTION: OptionSpec = optional(
    "question",
    OptionKind::Text { max: 16 },
    "the question's id (buttons fill it in)",
);

/// `page:N` of a long list.
const PAGE: OptionSpec = optional(
    "page",
    OptionKind::Int {
        min: 1,
        max: 100_000,
    },
    "which page of the list",
);

const fn rest(
    name: &'static str,
    kind: OptionKind,
    required: bool,
    help: &'static str,
) -> OptionSpec {
    OptionSpec {
        name,
        kind,
        required,
        rest: true,
        named_only: false,
        help,
    }
}

const fn named(name: &'static str, kind: OptionKind, help: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        kind,
        required: false,
        rest: false,
        named_only: true,
        help,
    }
}

/// What `/stats export` writes: `weekly.csv`, `funnel.csv`, `checkins.csv`.
pub const EXPORT_DATASETS: &[&str] = &[
    "weekly",
    "funnel",
    "attendance",
    "milestones",
    "impact",
    "checkins",
];

/// Bounds of a capstone's impact numbers (the `milestones` CHECKs say the same).
pub const IMPACT_HOURS_MAX: i64 = 10_000;
pub const IMPACT_PROCESSES_MAX: i64 = 1_000;
pub const IMPACT_USERS_MAX: i64 = 1_000_000;

/// What `/survey send` asks: an NPS, or a steward's pulse question.
pub const SURVEY_KINDS: &[&str] = &["nps", "pulse"];
/// What `/approve request` asks approval for.
pub const APPROVAL_KINDS: &[&str] = &[
    "scope",
    "data_usage",
    "tool",
    "connector",
    "publish",
    "custom",
];
/// How sensitive the data a request touches is.
pub const CONCERN_CATEGORIES: &[&str] = &[
    "conduct",
    "harassment",
    "safety",
    "security",
    "data",
    "other",
];

pub const CONCERN_MODES: &[&str] = &["identified", "confidential", "anonymous"];

pub const CONCERN_LISTINGS: &[&str] = &["open", "closed"];

/// A concern's text, and each message about it: what a Discord paragraph field holds.
pub const CONCERN_TEXT_MAX: usize = 4000;

/// A concern by its number (handlers, or its named reporter), or the relay code an
/// anonymous reporter holds.
const CONCERN: OptionSpec = required(
    "concern",
    OptionKind::Text { max: 60 },
    "the concern's number, or the relay code you were given for an anonymous report",
);

const CONCERN_NUMBER: OptionSpec = required(
    "concern",
    OptionKind::Int {
        min: 1,
        max: 1_000_000,
    },
    "the concern's number, as `/concern list` shows it",
);

pub const DATA_CLASSES: &[&str] = &["public", "internal", "confidential", "personal"];
pub const APPROVAL_TITLE_MAX: usize = 120;
pub const APPROVAL_JUSTIFICATION_MAX: usize = 2_000;
pub const APPROVAL_LINKS_MAX: usize = 500;
/// Longest note on a vote: a rejection's reason, an approval's condition.
pub const APPROVAL_COMMENT_MAX: usize = 1_000;
/// An approval request by its number, as its DM and `/approve list` show it.
const APPROVAL_NUMBER: OptionSpec = required(
    "request",
    OptionKind::Int {
        min: 1,
        max: 1_000_000,
    },
    "the request's number, as `/approve list` shows it",
);
/// What `/approve list` shows.
pub const APPROVAL_LISTINGS: &[&str] = &["pending", "mine", "open"];

/// What `/tool register` records.
pub const TOOL_KINDS: &[&str] = &["app", "flow", "bot", "connector", "dataset", "report"];
/// What `/tool list status:` takes.
pub const TOOL_STATUSES: &[&str] = &["active", "pending_approval", "not_approved", "retired"];
pub const TOOL_NAME_MAX: usize = 80;
pub const TOOL_ENVIRONMENT_MAX: usize = 80;
pub const TOOL_USERS_MAX: i64 = 1_000_000;
/// A tool by its number or name, as `/tool list` shows it.
const TOOL: OptionSpec = rest(
    "tool",
    OptionKind::Text { max: TOOL_NAME_MAX },
    true,
    "the tool's number or name, as `/tool list` shows it",
);

/// Longest comment on a survey answer: a few paragraphs, well inside every platform's form.
pub const SURVEY_COMMENT_MAX: usize = 1_000;
/// Longest pulse question: it is a button message's first line.
pub const SURVEY_QUESTION_MAX: usize = 200;
/// A survey by its number, as its DM and `/survey results` show it.
const SURVEY_NUMBER: OptionKind = OptionKind::Int {
    min: 1,
    max: 1_000_000_000,
};

/// Why a post was dead-lettered, as `/outbox failed` filters it.
pub const DEAD_REASONS: &[&str] = &["rejected", "attempts", "deadline", "unknown"];

/// Longest display name or title a person may type.
pub const NAME_MAX: usize = 100;
/// Longest check-in progress text or mentor reply: Discord's longest form field, so a
/// reflection is never cut short. Slack's forms stop at their own 3,000.
pub const PROGRESS_MAX: usize = 4_000;
/// Longest blockers text.
pub const BLOCKERS_MAX: usize = 500;
/// Longest "plan for next week".
pub const PLAN_MAX: usize = 1_000;

/// Session kinds, as typed and stored.
pub const SESSION_KINDS: &[&str] = &["lightning_talks", "demo_day", "clinic", "office_hours"];
/// A session by its number, as `/talk list` shows it.
const SESSION: OptionKind = OptionKind::Session;
/// A review request by its number, as its announcement shows it.
const REVIEW_NUMBER: OptionKind = OptionKind::Int {
    min: 1,
    max: 1_000_000_000,
};
/// A pairing by its number, as its DMs show it.
const PAIRING_NUMBER: OptionSpec = required(
    "id",
    OptionKind::Int {
        min: 1,
        max: 1_000_000_000,
    },
    "the pairing number",
);
/// `cohort:` for a learner in several cohorts.
const WHICH_COHORT: OptionSpec = named(
    "cohort",
    OptionKind::Cohort,
    "which cohort, if you are in several",
);
/// The cohort of the open blocker `/checkin resolved` and `/checkin stuck` answer.
const BLOCKER_COHORT: OptionSpec = optional(
    "cohort",
    OptionKind::Cohort,
    "the cohort (default: the one with your open blocker)",
);
/// The numbers a session option accepts.
pub const SESSION_NUMBERS: (i64, i64) = (1, 1_000_000);
pub const TALK_TITLE_MAX: usize = 100;
/// Knowledge-base limits: a title fits a search result line, a body fits Discord's longest
/// form field, and an id or alias is typed.
pub const KB_TITLE_MAX: usize = 120;
pub const KB_BODY_MAX: usize = 4_000;
pub const KB_QUERY_MAX: usize = 200;
pub const KB_TAGS_MAX: usize = 200;
pub const KB_NAME_MAX: usize = 40;
/// Entry kinds, as typed and stored.
pub const KB_KINDS: &[&str] = &["faq", "playbook", "decision", "clinic_note"];
/// Who may read an entry, as typed and stored.
pub const KB_VISIBILITIES: &[&str] = &["community", "cohort", "mentors"];
/// The entry a knowledge-base command acts on.
const KB_ENTRY: OptionSpec = required(
    "entry",
    OptionKind::KbEntry,
    "the entry's id or one of its aliases, as `/kb search` shows it",
);
/// Characters of each part of a decision: the three fit one entry's body.
pub const KB_DECISION_PART_MAX: usize = 1_200;
/// A part of a decision record, given by name (`context:"…"`) or in its form.
const fn decision_part(name: &'static str, help: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        kind: OptionKind::Paragraph {
            max: KB_DECISION_PART_MAX,
        },
        required: true,
        rest: false,
        named_only: true,
        help,
    }
}
/// How often an entry's owner re-verifies it.
const KB_EVERY: OptionSpec = named(
    "every",
    OptionKind::Int { min: 1, max: 3_650 },
    "days between verifications (default 90)",
);
const KB_TAGS: OptionSpec = named(
    "tags",
    OptionKind::Text { max: KB_TAGS_MAX },
    "tags, separated by commas, like `tags:\"licences, power-apps\"`",
);
/// Who may join a circle, as typed and stored: anyone, anyone a lead approves, or only
/// those invited.
pub const CIRCLE_VISIBILITIES: &[&str] = &["public", "private", "secret"];
/// A circle's description fits one line of `/circle list`.
pub const DESCRIPTION_MAX: usize = 300;
/// A conversation prompt fits one message comfortably.
pub const CIRCLE_PROMPT_MAX: usize = 500;
/// The circle a command acts on.
const CIRCLE: OptionSpec = required(
    "circle",
    OptionKind::Circle,
    "the circle's id or name, as `/circle list` shows it",
);
/// The circle to join or leave: the rest of the line, so its name needs no quotes.
const CIRCLE_NAMED: OptionSpec = rest(
    "circle",
    OptionKind::Circle,
    true,
    "the circle's id or name, as `/circle list` shows it",
);
/// The member a circle lead acts on.
const CIRCLE_MEMBER: OptionSpec = required("member", OptionKind::User, "the member");
/// The options a new session shares, whether it is a cohort's or a circle's.
const SESSION_KIND: OptionSpec = required(
    "kind",
    OptionKind::Choice(SESSION_KINDS),
    "lightning_talks, demo_day, clinic or office_hours",
);
const SESSION_TITLE: OptionSpec = rest(
    "title",
    OptionKind::Text { max: NAME_MAX },
    true,
    "the session's title",
);
const SESSION_DURATION: OptionSpec = named(
    "duration",
    OptionKind::Duration,
    "how long, like `1h` (default 1h)",
);
const SESSION_SLOTS: OptionSpec = named(
    "slots",
    OptionKind::Int { min: 0, max: 50 },
    "talk slots (default 5 for lightning talks, else 0)",
);
/// How a session's places are given: `first_come` or `host_picks`.
pub const SELECTIONS: &[&str] = &["first_come", "host_picks"];
const SESSION_SELECTION: OptionSpec = named(
    "selection",
    OptionKind::Choice(SELECTIONS),
    "first_come (default) or host_picks (`/event pick` chooses from the sign-ups)",
);
const SESSION_CLOSES: OptionSpec = named(
    "closes",
    OptionKind::Duration,
    "sign-ups close this long before the start, like `2h` (default: at the start)",
);
/// What a learner brings to a clinic, in a line.
pub const CLINIC_TOPIC_MAX: usize = 200;
/// A helper's note on a clinic visit: it may become a knowledge-base entry's body.
pub const CLINIC_NOTE_MAX: usize = 2_000;
/// The session a clinic helper acts on, when several clinics are open at once.
const CLINIC_SESSION: OptionSpec = optional(
    "session",
    SESSION,
    "the clinic's session number (default: the one open now)",
);
pub const TALK_ABSTRACT_MAX: usize = 1_000;
pub const LOCATION_MAX: usize = 200;
pub const EVIDENCE_MAX: usize = 2_000;
pub const NOTE_MAX: usize = 500;
/// Longest kudos text.
pub const KUDOS_MAX: usize = 500;

pub static CATALOG: &[CommandSpec] = &[
    CommandSpec {
        id: CommandId::Help,
        path: "help",
        options: &[rest(
            "command",
            OptionKind::Text { max: 60 },
            false,
            "a command to explain, e.g. `cohort join`",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "List the commands, or explain one.",
    },
    CommandSpec {
        id: CommandId::CohortList,
        path: "cohort list",
        options: &[PAGE],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Show this community's cohorts and their tracks.",
    },
    CommandSpec {
        id: CommandId::CohortJoin,
        path: "cohort join",
        options: &[
            required("cohort", OptionKind::Cohort, "the cohort to join"),
            optional(
                "track",
                OptionKind::Text { max: SLUG_MAX },
                "the track to follow, if the cohort has several",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Join a cohort (you accept the code of conduct first).",
    },
    CommandSpec {
        id: CommandId::CohortLeave,
        path: "cohort leave",
        options: &[optional(
            "cohort",
            OptionKind::Cohort,
            "which cohort, if you are in several",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Leave a cohort. Your history is kept.",
    },
    CommandSpec {
        id: CommandId::CohortCreate,
        path: "cohort create",
        options: &[
            required(
                "id",
                OptionKind::Text { max: SLUG_MAX },
                "short id, like `fall-makers-2027`",
            ),
            required(
                "timezone",
                OptionKind::TimeZone,
                "the cohort's IANA time zone",
            ),
            rest(
                "name",
                OptionKind::Text { max: NAME_MAX },
                true,
                "the cohort's name",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Public,
        help: "Create a cohort.",
    },
    CommandSpec {
        id: CommandId::CohortSet,
        path: "cohort set",
        options: &[
            required("cohort", OptionKind::Cohort, "the cohort"),
            named("channel", OptionKind::Channel, "where its posts go"),
            named("starts", OptionKind::Date, "first day, like `2027-03-01`"),
            named("ends", OptionKind::Date, "last day, like `2027-06-30`"),
            named("timezone", OptionKind::TimeZone, "its IANA time zone"),
            named(
                "name",
                OptionKind::Text { max: NAME_MAX },
                "its name, in quotes if several words",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Finish or change a cohort: `/cohort set fall-makers channel:#fall starts:2027-09-01 ends:2027-12-15`.",
    },
    CommandSpec {
        id: CommandId::CohortTrack,
        path: "cohort track",
        options: &[
            required("cohort", OptionKind::Cohort, "the cohort"),
            required(
                "id",
                OptionKind::Text { max: SLUG_MAX },
                "short id, like `projects`",
            ),
            rest(
                "name",
                OptionKind::Text { max: NAME_MAX },
                true,
                "the track's name",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Add a project track to a cohort (module ladders come from the program file).",
    },
    CommandSpec {
        id: CommandId::CohortArchive,
        path: "cohort archive",
        options: &[required("cohort", OptionKind::Cohort, "the cohort")],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Archive a finished cohort: its schedules stop, nobody new joins, its records stay.",
    },
    CommandSpec {
        id: CommandId::CohortDayoff,
        path: "cohort dayoff",
        options: &[
            required(
                "action",
                OptionKind::Choice(&["add", "remove", "list"]),
                "add, remove or list days off",
            ),
            required("cohort", OptionKind::Cohort, "the cohort"),
            optional(
                "day",
                OptionKind::Text { max: 10 },
                "a date like `2027-03-29`, or a whole week like `2027-W13`",
            ),
            rest(
                "label",
                OptionKind::Text { max: NAME_MAX },
                false,
                "what the day is, like `Easter` (shown when a post is skipped)",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Cohort days off: no prompts, nudges or digests; a whole week off is excused.",
    },
    CommandSpec {
        id: CommandId::Coc,
        path: "coc",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Show the code of conduct.",
    },
    CommandSpec {
        id: CommandId::CocAccept,
        path: "coc accept",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Accept the code of conduct (and finish a pending join).",
    },
    CommandSpec {
        id: CommandId::Me,
        path: "me",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Show your profile, roles and enrollments.",
    },
    CommandSpec {
        id: CommandId::MeTimezone,
        path: "me timezone",
        options: &[optional(
            "zone",
            OptionKind::TimeZone,
            "an IANA time zone, like `Europe/Berlin`",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Set your time zone, so prompts arrive at your local time; without a zone, show it.",
    },
    CommandSpec {
        id: CommandId::MeSkills,
        path: "me skills",
        options: &[rest(
            "skills",
            OptionKind::Text { max: 500 },
            true,
            "a comma-separated list, like `power automate, sql`",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Set your skills, used to match you with mentors.",
    },
    CommandSpec {
        id: CommandId::MeName,
        path: "me name",
        options: &[rest(
            "name",
            OptionKind::Text { max: NAME_MAX },
            true,
            "how people see you, like `Sam Carter`",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Change the name the bot shows for you.",
    },
    CommandSpec {
        id: CommandId::RoleGrant,
        path: "role grant",
        options: &[
            required("user", OptionKind::User, "the member"),
            required(
                "role",
                OptionKind::Role,
                "steward, sponsor, lead_mentor, community_mentor, learner, alumni or concern_handler",
            ),
            optional(
                "cohort",
                OptionKind::Cohort,
                "limit the role to one cohort (not concern_handler: it is community-wide)",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Give a member a program role.",
    },
    CommandSpec {
        id: CommandId::RoleRevoke,
        path: "role revoke",
        options: &[
            required("user", OptionKind::User, "the member"),
            required("role", OptionKind::Role, "the role to take away"),
            optional(
                "cohort",
                OptionKind::Cohort,
                "the cohort the role was limited to",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Take a program role away.",
    },
    CommandSpec {
        id: CommandId::OutboxFailed,
        path: "outbox failed",
        options: &[
            optional(
                "kind",
                OptionKind::Text { max: SLUG_MAX },
                "only posts of this kind, e.g. checkin-prompt",
            ),
            optional(
                "reason",
                OptionKind::Choice(DEAD_REASONS),
                "only posts that died for this reason",
            ),
            PAGE,
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "List posts the bot gave up delivering, with the last error.",
    },
    CommandSpec {
        id: CommandId::OutboxRetry,
        path: "outbox retry",
        options: &[
            required(
                "post",
                OptionKind::Text { max: 24 },
                "a post's number from /outbox failed, or all",
            ),
            optional(
                "reason",
                OptionKind::Choice(DEAD_REASONS),
                "with all: only posts that died for this reason",
            ),
            named(
                "kind",
                OptionKind::Text { max: SLUG_MAX },
                "with all: only posts of this kind",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Queue dead posts again, unless their deadline has passed.",
    },
    CommandSpec {
        id: CommandId::Checkin,
        path: "checkin",
        options: &[
            required(
                "confidence",
                OptionKind::Int { min: 1, max: 5 },
                "how confident you feel, 1 (stuck) to 5 (flying)",
            ),
            rest(
                "progress",
                OptionKind::Paragraph { max: PROGRESS_MAX },
                true,
                "what you did this week",
            ),
            named(
                "blockers",
                OptionKind::Paragraph { max: BLOCKERS_MAX },
                "what is in your way, if anything",
            ),
            named(
                "hours",
                OptionKind::Hours { max: 168 },
                "hours you spent this week",
            ),
            named(
                "next",
                OptionKind::Paragraph { max: PLAN_MAX },
                "your plan for next week (next week's prompt shows it)",
            ),
            WHICH_COHORT,
            named(
                "week",
                OptionKind::Text { max: 10 },
                "`last` for last week (late), `next` (early), or like `2027-W10`",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Check in for this week, e.g. `/checkin 4 built my first flow blockers:\"no licence\" hours:3 next:\"publish it\"`.",
    },
    CommandSpec {
        id: CommandId::CheckinReply,
        path: "checkin reply",
        options: &[
            required(
                "learner",
                OptionKind::User,
                "the learner whose check-in you answer",
            ),
            rest(
                "text",
                OptionKind::Paragraph { max: PROGRESS_MAX },
                true,
                "your reply",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Mentors: reply to a learner's latest check-in.",
    },
    CommandSpec {
        id: CommandId::CheckinHistory,
        path: "checkin history",
        options: &[optional(
            "learner",
            OptionKind::User,
            "a learner you mentor (default: you)",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Show check-ins and mentor replies: yours, or a mentored learner's.",
    },
    CommandSpec {
        id: CommandId::CheckinResolved,
        path: "checkin resolved",
        options: &[BLOCKER_COHORT],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Mark your open blocker resolved.",
    },
    CommandSpec {
        id: CommandId::CheckinStuck,
        path: "checkin stuck",
        options: &[BLOCKER_COHORT],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Tell your lead mentor you are still blocked.",
    },
    CommandSpec {
        id: CommandId::ScheduleList,
        path: "schedule list",
        options: &[optional(
            "cohort",
            OptionKind::Cohort,
            "one cohort (default: all)",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Show each cohort's schedules and their next times.",
    },
    CommandSpec {
        id: CommandId::ScheduleSet,
        path: "schedule set",
        options: &[
            required("cohort", OptionKind::Cohort, "the cohort"),
            required(
                "kind",
                OptionKind::Choice(&["checkin", "nudge", "digest", "mentor_digest"]),
                "checkin, nudge, digest or mentor_digest",
            ),
            rest(
                "cron",
                OptionKind::Text { max: 100 },
                true,
                "a cron expression in the cohort's time zone, like `0 9 * * MON`",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Change when a cohort's trigger fires.",
    },
    // Sessions, talks, milestones and badges (src/services/events, talks, milestones, badges).
    CommandSpec {
        id: CommandId::EventSchedule,
        path: "event schedule",
        options: &[
            required("cohort", OptionKind::Cohort, "the cohort"),
            required(
                "when",
                OptionKind::DateTime,
                "local start, like `2027-03-11T16:00` (the cohort's zone unless `timezone:`)",
            ),
            SESSION_KIND,
            SESSION_TITLE,
            SESSION_DURATION,
            SESSION_SLOTS,
            SESSION_SELECTION,
            SESSION_CLOSES,
            named(
                "location",
                OptionKind::Text { max: LOCATION_MAX },
                "a channel, room or link (default: the cohort channel)",
            ),
            named("timezone", OptionKind::TimeZone, "the zone `when` is in"),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Stewards and lead mentors: schedule a session and announce it.",
    },
    CommandSpec {
        id: CommandId::EventMove,
        path: "event move",
        options: &[
            required("session", SESSION, "the session number"),
            required("when", OptionKind::DateTime, "the new local start"),
            named("timezone", OptionKind::TimeZone, "the zone `when` is in"),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Hosts: move a session; everyone involved is told once.",
    },
    CommandSpec {
        id: CommandId::EventCancel,
        path: "event cancel",
        options: &[required("session", SESSION, "the session number")],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Hosts: cancel a session; everyone involved is told once.",
    },
    CommandSpec {
        id: CommandId::EventRsvp,
        path: "event rsvp",
        options: &[required("session", SESSION, "the session number")],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Say you'll come to a session; you get its reminders.",
    },
    CommandSpec {
        id: CommandId::EventUnrsvp,
        path: "event unrsvp",
        options: &[required("session", SESSION, "the session number")],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Take back your RSVP; its reminders stop.",
    },
    CommandSpec {
        id: CommandId::EventList,
        path: "event list",
        options: &[
            optional("cohort", OptionKind::Cohort, "one cohort (default: yours)"),
            PAGE,
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Upcoming sessions, as `/talk list` shows them.",
    },
    CommandSpec {
        id: CommandId::EventAttended,
        path: "event attended",
        options: &[
            required("session", SESSION, "the session number"),
            rest(
                "users",
                OptionKind::Text { max: 2_000 },
                true,
                "the members who came, like `@sam @lee`",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Hosts: record who attended.",
    },
    CommandSpec {
        id: CommandId::EventPick,
        path: "event pick",
        options: &[
            required("session", SESSION, "the session number"),
            rest(
                "users",
                OptionKind::Text { max: 2_000 },
                false,
                "the sign-ups you pick, like `@sam @lee` (leave out to see the sign-ups)",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Hosts of a host_picks session: see the sign-ups, and pick who comes.",
    },
    CommandSpec {
        id: CommandId::EventMirror,
        path: "event mirror",
        options: &[optional(
            "action",
            OptionKind::Choice(&["status", "repair"]),
            "`status` (default): what is mirrored; `repair`: compare with Discord now",
        )],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Stewards: sessions mirrored as Discord scheduled events, per cohort.",
    },
    CommandSpec {
        id: CommandId::EventCode,
        path: "event code",
        options: &[required("session", SESSION, "the session number")],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Hosts: the self check-in code to show during the session.",
    },
    CommandSpec {
        id: CommandId::EventCheckin,
        path: "event checkin",
        options: &[required(
            "code",
            OptionKind::Text { max: 12 },
            "the code the host shows",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Check in to a running session with the host's code.",
    },
    CommandSpec {
        id: CommandId::EventIcal,
        path: "event ical",
        options: &[
            optional(
                "action",
                OptionKind::Choice(&["link", "rotate"]),
                "`link` (default) or `rotate` (stewards: a new secret link)",
            ),
            optional(
                "cohort",
                OptionKind::Cohort,
                "which cohort, if you are in several",
            ),
            named(
                "circle",
                OptionKind::Circle,
                "a circle's calendar instead of a cohort's",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Your cohort's (or circle's) secret calendar link, or (stewards) rotate it.",
    },
    CommandSpec {
        id: CommandId::TalkPropose,
        path: "talk propose",
        options: &[
            required(
                "title",
                OptionKind::Text {
                    max: TALK_TITLE_MAX,
                },
                "the title, in quotes if several words",
            ),
            rest(
                "abstract",
                OptionKind::Paragraph {
                    max: TALK_ABSTRACT_MAX,
                },
                false,
                "what the talk is about",
            ),
            named(
                "session",
                SESSION,
                "the session (default: the next one with slots)",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Propose a lightning talk, e.g. `/talk propose \"Approvals in Teams\" how we cut email session:3`.",
    },
    CommandSpec {
        id: CommandId::TalkList,
        path: "talk list",
        options: &[
            optional("cohort", OptionKind::Cohort, "one cohort (default: yours)"),
            PAGE,
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Upcoming sessions with their talk slots and waitlist.",
    },
    CommandSpec {
        id: CommandId::TalkWithdraw,
        path: "talk withdraw",
        options: &[optional(
            "session",
            SESSION,
            "which session, if you have several talks",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Withdraw your talk; the first speaker on the waitlist gets the slot.",
    },
    CommandSpec {
        id: CommandId::TalkMine,
        path: "talk mine",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Your upcoming talks, with slot or waitlist place.",
    },
    CommandSpec {
        id: CommandId::Progress,
        path: "progress",
        options: &[optional(
            "cohort",
            OptionKind::Cohort,
            "which cohort, if you are in several",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Your skill ladder: completed, current and locked modules.",
    },
    CommandSpec {
        id: CommandId::MilestoneSubmit,
        path: "milestone submit",
        options: &[
            required("module", OptionKind::Module, "the module's id"),
            required(
                "evidence",
                OptionKind::Text { max: EVIDENCE_MAX },
                "an http(s) link to your work",
            ),
            rest(
                "note",
                OptionKind::Paragraph { max: NOTE_MAX },
                false,
                "a note for your mentor",
            ),
            named(
                "impact",
                OptionKind::Paragraph { max: NOTE_MAX },
                "capstones: the business impact in words",
            ),
            named(
                "hours_saved",
                OptionKind::Int {
                    min: 0,
                    max: IMPACT_HOURS_MAX,
                },
                "capstones: hours your tool saves per month",
            ),
            named(
                "processes",
                OptionKind::Int {
                    min: 0,
                    max: IMPACT_PROCESSES_MAX,
                },
                "capstones: manual processes it replaced",
            ),
            named(
                "users",
                OptionKind::Int {
                    min: 0,
                    max: IMPACT_USERS_MAX,
                },
                "capstones: people who use it",
            ),
            named(
                "showcase",
                OptionKind::Bool,
                "capstones: show your name and impact note with it on the sponsor dashboard (off unless you say yes)",
            ),
            WHICH_COHORT,
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Ask your mentor to verify a module, e.g. `/milestone submit flows-101 https://… my first flow`.",
    },
    CommandSpec {
        id: CommandId::MilestoneVerify,
        path: "milestone verify",
        options: &[
            required("learner", OptionKind::User, "the learner"),
            required("module", OptionKind::Module, "the module's id"),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Mentors and stewards: verify a learner's milestone.",
    },
    CommandSpec {
        id: CommandId::MilestoneWithdraw,
        path: "milestone withdraw",
        options: &[
            required("module", OptionKind::Module, "the module's id"),
            WHICH_COHORT,
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Take back a submission your mentor has not reviewed yet; they are told.",
    },
    CommandSpec {
        id: CommandId::MilestoneChanges,
        path: "milestone changes",
        options: &[
            required("learner", OptionKind::User, "the learner"),
            required("module", OptionKind::Module, "the module's id"),
            rest(
                "note",
                OptionKind::Paragraph { max: NOTE_MAX },
                true,
                "what to change",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Mentors and stewards: ask for changes to a milestone.",
    },
    CommandSpec {
        id: CommandId::Badges,
        path: "badges",
        options: &[optional(
            "user",
            OptionKind::User,
            "whose badges (default: yours)",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "List a member's Open Badges credentials with their public links.",
    },
    CommandSpec {
        id: CommandId::BadgeRevoke,
        path: "badge revoke",
        options: &[
            required(
                "badge",
                OptionKind::Text { max: 300 },
                "the badge id, or its link",
            ),
            rest(
                "reason",
                OptionKind::Paragraph { max: NOTE_MAX },
                true,
                "why, kept with the credential",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Revoke an Open Badges credential.",
    },
    CommandSpec {
        id: CommandId::BadgeRotate,
        path: "badge rotate",
        options: &[],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Sign credentials with new keys (Ed25519 and RSA) from now on; the old keys stay published, so credentials signed with them still verify.",
    },
    CommandSpec {
        id: CommandId::MentorOffer,
        path: "mentor offer",
        options: &[
            optional(
                "tier",
                OptionKind::Choice(&["community", "lead"]),
                "community (peer support, the default) or lead (guides a group)",
            ),
            optional(
                "capacity",
                OptionKind::Int { min: 1, max: 50 },
                "how many learners (or groups, for a lead) you can take",
            ),
            rest(
                "skills",
                OptionKind::Text { max: 500 },
                false,
                "comma-separated skills (default: your profile's)",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Offer to mentor, e.g. `/mentor offer community 3 power automate, sql`.",
    },
    CommandSpec {
        id: CommandId::MentorApprove,
        path: "mentor approve",
        options: &[
            required("user", OptionKind::User, "the member who offered"),
            required(
                "tier",
                OptionKind::Choice(&["community", "lead"]),
                "community or lead",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Approve a mentor offer; grants the mentor role.",
    },
    CommandSpec {
        id: CommandId::MentorDecline,
        path: "mentor decline",
        options: &[
            required("user", OptionKind::User, "the member who offered"),
            rest(
                "reason",
                OptionKind::Text { max: 500 },
                false,
                "why, shown to the member",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Decline a mentor offer, with a reason for the member.",
    },
    CommandSpec {
        id: CommandId::MentorPause,
        path: "mentor pause",
        options: &[optional(
            "until",
            OptionKind::Date,
            "your last day off, like `2027-04-30` (default: until `/mentor resume`)",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Pause mentoring: no matches or prompts; your learners are told who covers.",
    },
    CommandSpec {
        id: CommandId::MentorResume,
        path: "mentor resume",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "End a pause and mentor again.",
    },
    CommandSpec {
        id: CommandId::Away,
        path: "away",
        options: &[
            required(
                "until",
                OptionKind::Date,
                "your last day away, like `2027-04-30`",
            ),
            named(
                "from",
                OptionKind::Date,
                "your first day away (default: today)",
            ),
            named(
                "note",
                OptionKind::Text { max: NOTE_MAX },
                "a note your mentors and stewards see",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Be away (holiday, leave): no prompts or nudges, and the week is excused.",
    },
    CommandSpec {
        id: CommandId::AwayList,
        path: "away list",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Your absences; mentors also see their learners', stewards everyone's.",
    },
    CommandSpec {
        id: CommandId::AwaySet,
        path: "away set",
        options: &[
            required("user", OptionKind::User, "the member who is away"),
            required("from", OptionKind::Date, "their first day away"),
            required("until", OptionKind::Date, "their last day away"),
            named(
                "note",
                OptionKind::Text { max: NOTE_MAX },
                "a note mentors and stewards see",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Record a member's absence for them (leave you were told about).",
    },
    CommandSpec {
        id: CommandId::Streak,
        path: "streak",
        options: &[
            WHICH_COHORT,
            named(
                "freezes",
                OptionKind::Choice(&["on", "off"]),
                "spend a freeze on a missed week automatically (default on)",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Your weekly check-in streak, best streak, freezes and last 12 weeks.",
    },
    CommandSpec {
        id: CommandId::Back,
        path: "back",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "End your absence today (or cancel the next one) and hear what you missed.",
    },
    CommandSpec {
        id: CommandId::MentorGuide,
        path: "mentor guide",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Show the mentor playbook: coaching, feedback template, conflicts, etiquette.",
    },
    CommandSpec {
        id: CommandId::MentorMatch,
        path: "mentor match",
        options: &[
            required(
                "target",
                OptionKind::Text { max: SLUG_MAX },
                "a cohort to propose groups for, or `apply` to commit the proposal",
            ),
            optional("cohort", OptionKind::Cohort, "with `apply`: which cohort"),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Propose optimal mentor groups for a cohort; `/mentor match apply <cohort>` commits.",
    },
    CommandSpec {
        id: CommandId::MentorAvoid,
        path: "mentor avoid",
        options: &[
            optional(
                "user",
                OptionKind::User,
                "someone never to be paired with (default: show your list)",
            ),
            named("of", OptionKind::User, "stewards: show this member's list"),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Keep a private do-not-match list; nobody else is told.",
    },
    CommandSpec {
        id: CommandId::MentorStats,
        path: "mentor stats",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Your mentoring: load against capacity, learners, kudos.",
    },
    CommandSpec {
        id: CommandId::Stats,
        path: "stats",
        options: &[
            optional(
                "cohort",
                OptionKind::Cohort,
                "the cohort; every cohort you may see when left out",
            ),
            named(
                "weeks",
                OptionKind::Int { min: 1, max: 52 },
                "how many weeks of check-in rates to show (4 unless given)",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Program numbers: check-in rate, active learners and the funnel. For stewards, sponsors and lead mentors.",
    },
    CommandSpec {
        id: CommandId::StatsExport,
        path: "stats export",
        options: &[
            required(
                "dataset",
                OptionKind::Choice(EXPORT_DATASETS),
                "weekly (check-in rates, active learners), funnel, attendance, milestones (days to each module), impact (capstones), checkins (stewards)",
            ),
            optional(
                "cohort",
                OptionKind::Cohort,
                "the cohort; every cohort you may see when left out",
            ),
            optional(
                "from",
                OptionKind::Date,
                "the first day (its week is the first exported; 12 weeks back unless given)",
            ),
            optional("to", OptionKind::Date, "the last day (today unless given)"),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "A link to a CSV of the program's numbers, valid for 15 minutes. For stewards, sponsors and lead mentors.",
    },
    CommandSpec {
        id: CommandId::DashboardLink,
        path: "dashboard link",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "The secret link to the program dashboard: charts of the program's numbers. For sponsors and stewards.",
    },
    CommandSpec {
        id: CommandId::DashboardRotate,
        path: "dashboard rotate",
        options: &[],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Break every dashboard link given out so far, and get the new one.",
    },
    CommandSpec {
        id: CommandId::Feedback,
        path: "feedback",
        options: &[
            required(
                "session",
                SESSION,
                "the session's number, as `/event list` and its reminder show it",
            ),
            required(
                "rating",
                OptionKind::Int { min: 1, max: 5 },
                "from 1 (poor) to 5 (great)",
            ),
            rest(
                "comment",
                OptionKind::Paragraph {
                    max: SURVEY_COMMENT_MAX,
                },
                false,
                "anything the hosts should know (optional)",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Rate a session you went to, anonymously: nobody sees who gave which rating.",
    },
    CommandSpec {
        id: CommandId::SurveySend,
        path: "survey send",
        options: &[
            required("cohort", OptionKind::Cohort, "the cohort to ask"),
            required(
                "kind",
                OptionKind::Choice(SURVEY_KINDS),
                "nps (how likely they are to recommend the program, 0–10) or pulse (your question, 1–5)",
            ),
            rest(
                "question",
                OptionKind::Text {
                    max: SURVEY_QUESTION_MAX,
                },
                false,
                "a pulse's question, answered from 1 (not at all) to 5 (very much)",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Ask a cohort's learners an anonymous question in a DM: an NPS or a pulse question.",
    },
    CommandSpec {
        id: CommandId::SurveyAnswer,
        path: "survey answer",
        options: &[
            required(
                "survey",
                SURVEY_NUMBER,
                "the survey's number, as its DM shows it",
            ),
            required(
                "score",
                OptionKind::Int { min: 0, max: 10 },
                "your answer: 0–10 for an NPS, 1–5 for a pulse",
            ),
            rest(
                "comment",
                OptionKind::Paragraph {
                    max: SURVEY_COMMENT_MAX,
                },
                false,
                "anything to add (optional)",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Answer a survey, anonymously. The buttons in its DM do the same.",
    },
    CommandSpec {
        id: CommandId::SurveyResults,
        path: "survey results",
        options: &[optional(
            "survey",
            SURVEY_NUMBER,
            "the survey's number; the recent surveys when left out",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Survey results, with groups under the privacy threshold hidden. For stewards, sponsors, lead mentors and a session's host.",
    },
    CommandSpec {
        id: CommandId::ApproveRequest,
        path: "approve request",
        options: &[
            required(
                "kind",
                OptionKind::Choice(APPROVAL_KINDS),
                "scope, data_usage, tool, connector, publish or custom",
            ),
            required(
                "data",
                OptionKind::Choice(DATA_CLASSES),
                "the most sensitive data it touches: public, internal, confidential or personal",
            ),
            required(
                "title",
                OptionKind::Text {
                    max: APPROVAL_TITLE_MAX,
                },
                "what you ask to do, in quotes if several words",
            ),
            rest(
                "justification",
                OptionKind::Paragraph {
                    max: APPROVAL_JUSTIFICATION_MAX,
                },
                true,
                "why, for whom, and what it changes; several lines are fine",
            ),
            named(
                "links",
                OptionKind::Text {
                    max: APPROVAL_LINKS_MAX,
                },
                "links to the design, the data or the tool",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Ask for an approval: a project scope, a data usage, a tool, a connector or a publish. The approvers get a DM with Approve and Reject buttons.",
    },
    CommandSpec {
        id: CommandId::ApproveYes,
        path: "approve yes",
        options: &[
            APPROVAL_NUMBER,
            rest(
                "comment",
                OptionKind::Paragraph {
                    max: APPROVAL_COMMENT_MAX,
                },
                false,
                "a condition or note for the requester (optional)",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Approve a request you were asked to decide. The Approve button in its DM does the same.",
    },
    CommandSpec {
        id: CommandId::ApproveNo,
        path: "approve no",
        options: &[
            APPROVAL_NUMBER,
            rest(
                "reason",
                OptionKind::Paragraph {
                    max: APPROVAL_COMMENT_MAX,
                },
                true,
                "why, so the requester can change it and ask again",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Reject a request you were asked to decide, with the reason the requester will read.",
    },
    CommandSpec {
        id: CommandId::ApproveList,
        path: "approve list",
        options: &[optional(
            "which",
            OptionKind::Choice(APPROVAL_LISTINGS),
            "pending (waiting for your vote, the default), mine (yours) or open (all, for stewards)",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Approval requests: those waiting for your vote, your own, or (stewards) every open one.",
    },
    CommandSpec {
        id: CommandId::ApproveShow,
        path: "approve show",
        options: &[APPROVAL_NUMBER],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "A request with its justification and every vote: for its requester, its approvers and stewards.",
    },
    CommandSpec {
        id: CommandId::ApproveWithdraw,
        path: "approve withdraw",
        options: &[APPROVAL_NUMBER],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Withdraw your own request while it is open.",
    },
    CommandSpec {
        id: CommandId::ApproveDelegate,
        path: "approve delegate",
        options: &[optional(
            "member",
            OptionKind::User,
            "who decides in your place while you are away; leave out to stop",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Name who decides your approvals while you are away (`/away`); without a member, nobody does.",
    },
    CommandSpec {
        id: CommandId::ToolRegister,
        path: "tool register",
        options: &[
            required(
                "name",
                OptionKind::Text { max: TOOL_NAME_MAX },
                "the tool's name, in quotes if several words",
            ),
            required(
                "kind",
                OptionKind::Choice(TOOL_KINDS),
                "app, flow, bot, connector, dataset or report",
            ),
            required(
                "data",
                OptionKind::Choice(DATA_CLASSES),
                "the most sensitive data it touches: public, internal, confidential or personal",
            ),
            required(
                "users",
                OptionKind::Int {
                    min: 0,
                    max: TOOL_USERS_MAX,
                },
                "about how many people use it",
            ),
            required(
                "environment",
                OptionKind::Text {
                    max: TOOL_ENVIRONMENT_MAX,
                },
                "where it runs: the environment, tenant or workspace, in quotes if several words",
            ),
            rest(
                "justification",
                OptionKind::Paragraph {
                    max: APPROVAL_JUSTIFICATION_MAX,
                },
                true,
                "what it does and for whom; several lines are fine",
            ),
            named(
                "backup",
                OptionKind::User,
                "who looks after it when you can't",
            ),
            named(
                "links",
                OptionKind::Text {
                    max: APPROVAL_LINKS_MAX,
                },
                "links to the tool and its documentation",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Register a tool you built: you own it. Above the program's thresholds (many users, sensitive data) it waits for an approval first.",
    },
    CommandSpec {
        id: CommandId::ToolList,
        path: "tool list",
        options: &[
            named("owner", OptionKind::User, "only this member's tools"),
            named(
                "status",
                OptionKind::Choice(TOOL_STATUSES),
                "active, pending_approval, not_approved or retired",
            ),
            named(
                "data",
                OptionKind::Choice(DATA_CLASSES),
                "only tools touching this class of data",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "The registered tools, newest first: by owner, status or data class.",
    },
    CommandSpec {
        id: CommandId::ToolShow,
        path: "tool show",
        options: &[TOOL],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "One tool: owner, backup, environment, data, users, why, and when it is next reviewed.",
    },
    CommandSpec {
        id: CommandId::ToolConfirm,
        path: "tool confirm",
        options: &[TOOL],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Owners: the tool is still in use and still as registered; it is kept until its next review.",
    },
    CommandSpec {
        id: CommandId::ToolRetire,
        path: "tool retire",
        options: &[TOOL],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Owners and stewards: the tool is no longer in use.",
    },
    CommandSpec {
        id: CommandId::ConcernReport,
        path: "concern report",
        options: &[
            required(
                "category",
                OptionKind::Choice(CONCERN_CATEGORIES),
                "conduct, harassment, safety, security, data or other",
            ),
            required(
                "mode",
                OptionKind::Choice(CONCERN_MODES),
                "identified: the handlers know it's you and may say so to those involved; confidential: only the handlers know; anonymous: nobody knows, not even the bot",
            ),
            rest(
                "text",
                OptionKind::Paragraph {
                    max: CONCERN_TEXT_MAX,
                },
                true,
                "what happened; several lines are fine",
            ),
            named(
                "exclude",
                OptionKind::Text { max: 500 },
                "people who must not see it, separated by commas",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Report a concern to the concerns team, privately: never to anyone you exclude. Anonymous reports keep no trace of who you are.",
    },
    CommandSpec {
        id: CommandId::ConcernList,
        path: "concern list",
        options: &[optional(
            "status",
            OptionKind::Choice(CONCERN_LISTINGS),
            "open (the default) or closed",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Concern handlers: the concerns you may see. Anyone else: the concerns you reported under your name.",
    },
    CommandSpec {
        id: CommandId::ConcernShow,
        path: "concern show",
        options: &[CONCERN],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Read a concern and its conversation: by number, or by the relay code of your anonymous report.",
    },
    CommandSpec {
        id: CommandId::ConcernReply,
        path: "concern reply",
        options: &[
            CONCERN,
            rest(
                "text",
                OptionKind::Paragraph {
                    max: CONCERN_TEXT_MAX,
                },
                true,
                "your message; several lines are fine",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Write on a concern: handlers answer as the concerns team; reporters answer by number, or by relay code when anonymous.",
    },
    CommandSpec {
        id: CommandId::ConcernClose,
        path: "concern close",
        options: &[
            CONCERN_NUMBER,
            rest(
                "reason",
                OptionKind::Paragraph { max: 1000 },
                true,
                "what was done, told to the reporter",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Concern handlers: close a concern, with the reason the reporter is told.",
    },
    CommandSpec {
        id: CommandId::ConcernBlock,
        path: "concern block",
        options: &[CONCERN_NUMBER],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Concern handlers: refuse any further message from a concern's reporter, without learning who they are.",
    },
    CommandSpec {
        id: CommandId::ConcernSpace,
        path: "concern space",
        options: &[CONCERN_NUMBER],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Concern handlers: open a private space for the concern's handlers (a private thread on Discord, a private channel on Slack); again, to add handlers missing from it.",
    },
    CommandSpec {
        id: CommandId::CouncilShow,
        path: "council show",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "The council: who sits on it and until when, and the election under way with its candidates.",
    },
    CommandSpec {
        id: CommandId::CouncilOpen,
        path: "council open",
        options: &[],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Open an election for the council's empty seats: the first one, or after nobody stood. Later elections open by themselves.",
    },
    CommandSpec {
        id: CommandId::CouncilNominate,
        path: "council nominate",
        options: &[
            rest(
                "statement",
                OptionKind::Paragraph { max: 1000 },
                false,
                "why you'd like to serve, for voters to read",
            ),
            named(
                "member",
                OptionKind::User,
                "someone else to nominate: they stand once they accept",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Stand for the council while nominations are open, or nominate someone else.",
    },
    CommandSpec {
        id: CommandId::CouncilVote,
        path: "council vote",
        options: &[rest(
            "candidates",
            OptionKind::Text { max: 500 },
            true,
            "the candidates you approve, separated by commas",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Approve any number of candidates while voting is open; voting again replaces your ballot. Ballots are secret.",
    },
    CommandSpec {
        id: CommandId::BadgeIssue,
        path: "badge issue",
        options: &[
            required("module", OptionKind::Module, "the module's id"),
            rest(
                "entries",
                OptionKind::Paragraph { max: 4000 },
                true,
                "one line per person (or `|` between them): their name, a colon, then what they did",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Mentors and stewards: verify one module for several learners at once, each badge with your narrative of their work.",
    },
    CommandSpec {
        id: CommandId::Relink,
        path: "relink",
        options: &[
            required(
                "member",
                OptionKind::Text { max: NAME_MAX },
                "the member as the bot shows them, or their old account's id",
            ),
            required("account", OptionKind::User, "their new account"),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Move a member's history to their new account on this platform: check-ins, milestones, badges, roles and all.",
    },
    CommandSpec {
        id: CommandId::MeData,
        path: "me data",
        options: &[
            required(
                "action",
                OptionKind::Choice(&["export", "delete", "cancel"]),
                "export: a link to everything the bot keeps about you, as JSON; delete: erase it, after 7 days; cancel: stop a deletion",
            ),
            named(
                "confirm",
                OptionKind::Text { max: 100 },
                "delete: the community's name, to confirm",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Your data: `/me data export` gives a one-hour link to everything the bot keeps about you, as JSON (once a day); `/me data delete confirm:<community>` erases it after 7 days, and `/me data cancel` stops that.",
    },
    CommandSpec {
        id: CommandId::PrivacyErase,
        path: "privacy erase",
        options: &[required("member", OptionKind::User, "whose data to erase")],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Erase a member's data on their behalf, after 7 days in which they or a steward can cancel; the member is told.",
    },
    CommandSpec {
        id: CommandId::PrivacyCancel,
        path: "privacy cancel",
        options: &[required(
            "member",
            OptionKind::User,
            "whose erasure to stop",
        )],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Stop a member's erasure while it waits; the member is told.",
    },
    CommandSpec {
        id: CommandId::PrivacyRequests,
        path: "privacy requests",
        options: &[],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Erasure requests: those waiting, with when each runs and its legal deadline (a month), and those settled in the last 90 days.",
    },
    CommandSpec {
        id: CommandId::Audit,
        path: "audit",
        options: &[
            optional("member", OptionKind::User, "only what this member did"),
            optional(
                "since",
                OptionKind::Date,
                "from this day on (UTC), like 2027-03-01",
            ),
            PAGE,
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "The audit log, newest first: who did what, when. Actions and ids, never what anyone wrote.",
    },
    CommandSpec {
        id: CommandId::MentorOffers,
        path: "mentor offers",
        options: &[],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Offers to mentor that wait for a decision.",
    },
    CommandSpec {
        id: CommandId::MentorLearners,
        path: "mentor learners",
        options: &[PAGE],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Your learners (matched to you, or led by you), each with their latest check-in.",
    },
    CommandSpec {
        id: CommandId::MentorRotation,
        path: "mentor rotation",
        options: &[
            required("action", OptionKind::Choice(&["preview"]), "preview"),
            required("cohort", OptionKind::Cohort, "the cohort"),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Preview the next community-mentor rotation of a cohort.",
    },
    CommandSpec {
        id: CommandId::MeDepartment,
        path: "me department",
        options: &[rest(
            "department",
            OptionKind::Text { max: NAME_MAX },
            true,
            "your department, like `finance`",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Set your department; matching favours mentors from other departments.",
    },
    CommandSpec {
        id: CommandId::Kudos,
        path: "kudos",
        options: &[
            required("user", OptionKind::User, "who to thank"),
            rest(
                "text",
                OptionKind::Paragraph { max: KUDOS_MAX },
                true,
                "what for",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Thank someone publicly in your cohort's channel (5 a day).",
    },
    CommandSpec {
        id: CommandId::MentorHandover,
        path: "mentor handover",
        options: &[rest(
            "note",
            OptionKind::Paragraph { max: PROGRESS_MAX },
            true,
            "what the incoming mentor should know",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "After a rotation: a handover note for the incoming mentor only.",
    },
    CommandSpec {
        id: CommandId::ReviewRequest,
        path: "review request",
        options: &[
            required(
                "url",
                OptionKind::Text { max: 500 },
                "a link to your app, flow or script (http or https)",
            ),
            optional(
                "topic",
                OptionKind::Text { max: 60 },
                "a word or two, like `power-apps`",
            ),
            rest(
                "note",
                OptionKind::Text { max: 500 },
                false,
                "what you'd like feedback on",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Ask mentors to review your work (at most 3 open at once).",
    },
    CommandSpec {
        id: CommandId::ReviewClaim,
        path: "review claim",
        options: &[required("id", REVIEW_NUMBER, "the review number")],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Mentors: take on a review request.",
    },
    CommandSpec {
        id: CommandId::ReviewCancel,
        path: "review cancel",
        options: &[required("id", REVIEW_NUMBER, "the review number")],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Take back your review request; a mentor who claimed it is told.",
    },
    CommandSpec {
        id: CommandId::ReviewDone,
        path: "review done",
        options: &[
            required("id", REVIEW_NUMBER, "the review number"),
            named("works", OptionKind::Text { max: 500 }, "what works well"),
            named(
                "improve",
                OptionKind::Text { max: 500 },
                "one or two things to improve",
            ),
            named("next", OptionKind::Text { max: 500 }, "one next step"),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Finish a review with the feedback template: works, improve, next.",
    },
    CommandSpec {
        id: CommandId::MentorRecognition,
        path: "mentor recognition",
        options: &[required(
            "named",
            OptionKind::Choice(&["on", "off"]),
            "on: the monthly post names you; off: it doesn't",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Choose whether the monthly mentor recognition post names you.",
    },
    CommandSpec {
        id: CommandId::MentorUnreachable,
        path: "mentor unreachable",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Tell stewards privately that your mentor can't be reached.",
    },
    CommandSpec {
        id: CommandId::MentorRematch,
        path: "mentor rematch",
        options: &[
            required("user", OptionKind::User, "the inactive mentor"),
            required("cohort", OptionKind::Cohort, "the cohort"),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Move an inactive mentor's learners to the best mentors with room.",
    },
    CommandSpec {
        id: CommandId::PairRequest,
        path: "pair request",
        // The topic takes the rest of the line, as every other free text does: people
        // type `Dataverse relationships` without quotes.
        options: &[
            rest(
                "topic",
                OptionKind::Text { max: 60 },
                true,
                "what to pair on, like `power automate` or `Dataverse relationships`",
            ),
            named(
                "when",
                OptionKind::DateTime,
                "a time in your zone, like `2027-03-02T15:00` (default: the first hour you both are awake)",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Ask for a pair-programming session with a community mentor.",
    },
    CommandSpec {
        id: CommandId::PairMet,
        path: "pair met",
        options: &[
            PAIRING_NUMBER,
            required("answer", OptionKind::Choice(&["yes", "no"]), "yes or no"),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Say whether a pairing session happened.",
    },
    CommandSpec {
        id: CommandId::PairCancel,
        path: "pair cancel",
        options: &[PAIRING_NUMBER],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Call off a pairing session that has not happened; the other person is told.",
    },
    CommandSpec {
        id: CommandId::Yes,
        path: "yes",
        options: &[QUESTION],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Say yes to the question I just asked you (like replacing this week's check-in).",
    },
    CommandSpec {
        id: CommandId::No,
        path: "no",
        options: &[QUESTION],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Say no to the question I just asked you; nothing changes.",
    },
    CommandSpec {
        id: CommandId::Home,
        path: "home",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Your page: this week's check-in, streak, next sessions, progress and mentoring, with buttons.",
    },
    CommandSpec {
        id: CommandId::KbSearch,
        path: "kb search",
        options: &[rest(
            "query",
            OptionKind::KbQuery,
            true,
            "words to look for; `\"exact phrase\"`, `-without` and `or` work",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Search the knowledge base: FAQs, playbooks, decisions and clinic notes.",
    },
    CommandSpec {
        id: CommandId::KbShow,
        path: "kb show",
        options: &[
            KB_ENTRY,
            named(
                SHARE,
                OptionKind::Bool,
                "`share:true` posts the entry in this channel for everyone",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Read a knowledge-base entry, or share it in the channel.",
    },
    CommandSpec {
        id: CommandId::KbAdd,
        path: "kb add",
        options: &[
            required(
                "kind",
                OptionKind::Choice(KB_KINDS),
                "faq, playbook, decision or clinic_note",
            ),
            required(
                "title",
                OptionKind::Text { max: KB_TITLE_MAX },
                "the title, in quotes if several words",
            ),
            rest(
                "body",
                OptionKind::Paragraph { max: KB_BODY_MAX },
                true,
                "the answer or the steps; several lines are fine",
            ),
            KB_TAGS,
            named(
                "id",
                OptionKind::Text { max: KB_NAME_MAX },
                "the entry's id (default: made from the title)",
            ),
            named(
                "visibility",
                OptionKind::Choice(KB_VISIBILITIES),
                "community (default), cohort (with `cohort:`) or mentors",
            ),
            named("cohort", OptionKind::Cohort, "the cohort that may read it"),
            KB_EVERY,
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Add an entry to the knowledge base; you own it and re-verify it.",
    },
    CommandSpec {
        id: CommandId::KbEdit,
        path: "kb edit",
        options: &[
            KB_ENTRY,
            named(
                "title",
                OptionKind::Text { max: KB_TITLE_MAX },
                "a new title",
            ),
            rest(
                "body",
                OptionKind::Paragraph { max: KB_BODY_MAX },
                false,
                "the new text; several lines are fine",
            ),
            KB_TAGS,
            KB_EVERY,
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Change an entry you own (stewards: any entry); the old text is kept as a revision.",
    },
    CommandSpec {
        id: CommandId::KbAlias,
        path: "kb alias",
        options: &[
            KB_ENTRY,
            required(
                "alias",
                OptionKind::Text { max: KB_NAME_MAX },
                "another id the entry answers to, like `vpn`",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Give an entry you own another name.",
    },
    CommandSpec {
        id: CommandId::KbArchive,
        path: "kb archive",
        options: &[KB_ENTRY],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Take an entry you own out of search; its text and revisions are kept.",
    },
    CommandSpec {
        id: CommandId::KbVerify,
        path: "kb verify",
        options: &[KB_ENTRY],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Confirm an entry you own is still right; it is due again after its interval.",
    },
    CommandSpec {
        id: CommandId::KbStale,
        path: "kb stale",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Entries past their verification date: yours, or every one for stewards.",
    },
    CommandSpec {
        id: CommandId::KbDecide,
        path: "kb decide",
        options: &[
            required(
                "title",
                OptionKind::Text { max: KB_TITLE_MAX },
                "what was decided, in quotes if several words",
            ),
            decision_part("context", "why a decision was needed"),
            decision_part("decision", "what was decided"),
            decision_part("consequences", "what changes, and what it costs"),
            named(
                "supersedes",
                OptionKind::KbEntry,
                "the earlier decision this one replaces",
            ),
            KB_TAGS,
            named(
                "id",
                OptionKind::Text { max: KB_NAME_MAX },
                "the decision's id (default: made from the title)",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Record a decision (context, decision, consequences) and post it to the governance channel.",
    },
    CommandSpec {
        id: CommandId::KbAsk,
        path: "kb ask",
        options: &[
            rest(
                "question",
                OptionKind::Text { max: KB_TITLE_MAX },
                true,
                "your question, in a sentence",
            ),
            named(
                "anyway",
                OptionKind::Bool,
                "`anyway:true` asks the mentors even when entries match",
            ),
            named(
                "circle",
                OptionKind::Circle,
                "ask a circle's members instead of the mentors",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Ask a question: the knowledge base answers it, or the mentors (or a circle) do by DM.",
    },
    CommandSpec {
        id: CommandId::KbAnswer,
        path: "kb answer",
        options: &[
            required(
                "question",
                OptionKind::Int {
                    min: 1,
                    max: 1_000_000_000,
                },
                "the question's number, as its DM shows it",
            ),
            rest(
                "text",
                OptionKind::Paragraph { max: KB_BODY_MAX },
                true,
                "the answer; several lines are fine",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Answer a member's question (mentors): they get it by DM, and it becomes a draft FAQ you publish.",
    },
    CommandSpec {
        id: CommandId::KbPublish,
        path: "kb publish",
        options: &[KB_ENTRY],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Publish a draft entry you own, so search finds it.",
    },
    CommandSpec {
        id: CommandId::KbReport,
        path: "kb report",
        options: &[],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "The searches of the last 30 days that found nothing, most frequent first.",
    },
    CommandSpec {
        id: CommandId::CircleList,
        path: "circle list",
        options: &[PAGE],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "The circles of practice you can join, and the ones you are in.",
    },
    CommandSpec {
        id: CommandId::CircleJoin,
        path: "circle join",
        options: &[CIRCLE_NAMED],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Join a circle; a private one asks its leads first.",
    },
    CommandSpec {
        id: CommandId::CircleLeave,
        path: "circle leave",
        options: &[CIRCLE_NAMED],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Leave a circle (or withdraw your request to join it).",
    },
    CommandSpec {
        id: CommandId::CircleMembers,
        path: "circle members",
        options: &[CIRCLE, PAGE],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Who is in a circle; a private circle shows its members only to them.",
    },
    CommandSpec {
        id: CommandId::CircleCreate,
        path: "circle create",
        options: &[
            required(
                "id",
                OptionKind::Text { max: SLUG_MAX },
                "short id, like `usability-testing`",
            ),
            rest(
                "name",
                OptionKind::Text { max: NAME_MAX },
                true,
                "the circle's name",
            ),
            named(
                "visibility",
                OptionKind::Choice(CIRCLE_VISIBILITIES),
                "public (default), private (leads approve) or secret (invitation only)",
            ),
            named("channel", OptionKind::Channel, "the circle's channel"),
            named("lead", OptionKind::User, "the circle's first lead"),
            named(
                "description",
                OptionKind::Text {
                    max: DESCRIPTION_MAX,
                },
                "what the circle is about, in quotes",
            ),
        ],
        permission: Permission::Steward,
        visibility: Visibility::Ephemeral,
        help: "Start a circle of practice.",
    },
    CommandSpec {
        id: CommandId::CircleInvite,
        path: "circle invite",
        options: &[CIRCLE, CIRCLE_MEMBER],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Invite someone to a circle you lead; they get a DM with a Join button.",
    },
    CommandSpec {
        id: CommandId::CircleApprove,
        path: "circle approve",
        options: &[CIRCLE, CIRCLE_MEMBER],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Let someone who asked into a private circle you lead.",
    },
    CommandSpec {
        id: CommandId::CircleDecline,
        path: "circle decline",
        options: &[CIRCLE, CIRCLE_MEMBER],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Turn down a request to join a circle you lead; they are told.",
    },
    CommandSpec {
        id: CommandId::CircleLead,
        path: "circle lead",
        options: &[CIRCLE, CIRCLE_MEMBER],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Make someone a lead of a circle you lead (stewards: any circle).",
    },
    CommandSpec {
        id: CommandId::CircleSchedule,
        path: "circle schedule",
        options: &[
            CIRCLE,
            required(
                "when",
                OptionKind::DateTime,
                "local start, like `2027-03-11T16:00` (the circle's zone unless `timezone:`)",
            ),
            SESSION_KIND,
            SESSION_TITLE,
            SESSION_DURATION,
            SESSION_SLOTS,
            SESSION_SELECTION,
            SESSION_CLOSES,
            named(
                "location",
                OptionKind::Text { max: LOCATION_MAX },
                "a channel, room or link (default: the circle's channel)",
            ),
            named("timezone", OptionKind::TimeZone, "the zone `when` is in"),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Circle leads: schedule a circle session (a meetup, a clinic) and announce it in the circle's channel.",
    },
    CommandSpec {
        id: CommandId::ClinicJoin,
        path: "clinic join",
        options: &[
            required(
                "session",
                SESSION,
                "the clinic's number, as `/event list` shows it",
            ),
            rest(
                "topic",
                OptionKind::Text {
                    max: CLINIC_TOPIC_MAX,
                },
                true,
                "what you would like help with",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Get in line at a clinic or office hours (from 30 minutes before it starts).",
    },
    CommandSpec {
        id: CommandId::ClinicPosition,
        path: "clinic position",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Your place in the clinic queue and about how long until you're up.",
    },
    CommandSpec {
        id: CommandId::ClinicLeave,
        path: "clinic leave",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Leave the clinic queue.",
    },
    CommandSpec {
        id: CommandId::ClinicNext,
        path: "clinic next",
        options: &[CLINIC_SESSION],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Call the next learner in line (mentors, stewards, the host); they get a DM.",
    },
    CommandSpec {
        id: CommandId::ClinicDone,
        path: "clinic done",
        options: &[
            named(
                "note",
                OptionKind::Paragraph {
                    max: CLINIC_NOTE_MAX,
                },
                "what helped, for the knowledge base",
            ),
            named(
                "save",
                OptionKind::Choice(&["kb"]),
                "`save:kb` makes the note a draft clinic note you publish",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Finish with the learner you are helping, with an optional note.",
    },
    CommandSpec {
        id: CommandId::ClinicNoshow,
        path: "clinic noshow",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "The learner you called did not come; call the next one.",
    },
    CommandSpec {
        id: CommandId::ClinicAnnounce,
        path: "clinic announce",
        options: &[
            rest(
                "text",
                OptionKind::Text { max: NOTE_MAX },
                true,
                "what everyone waiting should know",
            ),
            named(
                "session",
                SESSION,
                "the clinic's session number (default: the one open now)",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Tell everyone waiting in the clinic queue, by DM.",
    },
    CommandSpec {
        id: CommandId::AlumniList,
        path: "alumni list",
        options: &[
            optional(
                "skill",
                OptionKind::Text { max: 40 },
                "only graduates with this skill, in quotes if several words",
            ),
            named(
                "page",
                OptionKind::Int {
                    min: 1,
                    max: 100_000,
                },
                "which page of the list",
            ),
        ],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Graduates who listed themselves, with their skills and what they built.",
    },
    CommandSpec {
        id: CommandId::AlumniJoin,
        path: "alumni join",
        options: &[named(
            "capstone",
            OptionKind::Text { max: NAME_MAX },
            "what you built, as others should read it",
        )],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Graduates: list yourself in the alumni directory (you choose; nobody is listed unasked).",
    },
    CommandSpec {
        id: CommandId::AlumniLeave,
        path: "alumni leave",
        options: &[],
        permission: Permission::Member,
        visibility: Visibility::Ephemeral,
        help: "Take yourself out of the alumni directory.",
    },
];

pub fn find(path: &str) -> Option<&'static CommandSpec> {
    CATALOG.iter().find(|c| c.path == path)
}

pub fn spec(id: CommandId) -> &'static CommandSpec {
    CATALOG
        .iter()
        .find(|c| c.id == id)
        .expect("every CommandId is in the catalog")
}

/// Subcommand words under a group, e.g. `cohort` → list, join, leave, create.
pub fn subcommands(group: &str) -> Vec<&'static str> {
    CATALOG
        .iter()
        .filter_map(|c| c.path.strip_prefix(group)?.strip_prefix(' '))
        .collect()
}

/// Every command's path (`checkin`, `cohort join`), in catalog order.
pub fn paths() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().map(|c| c.path)
}

/// First words of every command.
pub fn top_level_words() -> Vec<&'static str> {
    let mut words: Vec<&str> = CATALOG
        .iter()
        .filter_map(|c| c.path.split(' ').next())
        .collect();
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_paths_are_unique_and_options_well_formed() {
        let ids: HashSet<_> = CATALOG.iter().map(|c| c.id).collect();
        let paths: HashSet<_> = CATALOG.iter().map(|c| c.path).collect();
        assert_eq!(ids.len(), CATALOG.len());
        assert_eq!(paths.len(), CATALOG.len());
        for command in CATALOG {
            let rests = command.options.iter().filter(|o| o.rest).count();
            assert!(rests <= 1, "{} has several rest options", command.path);
            if rests == 1 {
                let positional: Vec<_> = command.options.iter().filter(|o| !o.named_only).collect();
                assert!(
                    positional.last().unwrap().rest,
                    "{}: rest option must be last",
                    command.path
                );
            }
            let names: HashSet<_> = command.options.iter().map(|o| o.name).collect();
            assert_eq!(names.len(), command.options.len(), "{}", command.path);
            assert!(!command.help.is_empty());
        }
    }

    #[test]
    fn usage_shows_required_and_optional() {
        assert_eq!(
            spec(CommandId::CohortJoin).usage(),
            "/cohort join <cohort> [track]"
        );
        assert_eq!(spec(CommandId::MeSkills).usage(), "/me skills <skills…>");
    }
}
