//! Use-cases. Services know no platform: they take an invocation, apply the program's rules
//! in one transaction, and return the reply and the posts it causes.

pub mod alumni;
pub mod approvals;
pub mod audit;
pub mod away;
pub mod badges;
pub mod checkins;
pub mod circles;
pub mod clinics;
pub mod concerns;
pub mod council;
pub mod dashboard;
pub mod days_off;
pub mod earned_roles;
pub mod enrollment;
pub mod erasure;
pub mod events;
pub mod home;
pub mod identity;
pub mod knowledge;
pub mod kudos;
pub mod lookup;
pub mod mentoring;
pub mod messages;
pub mod milestones;
pub mod my_data;
pub mod outbox_admin;
pub mod paging;
pub mod pairing;
pub mod profile;
pub mod questions;
pub mod relink;
pub mod removal;
pub mod reviews;
pub mod roles;
pub mod schedules;
pub mod stats;
pub mod streaks;
pub mod surveys;
pub mod talks;
pub mod tools;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use thiserror::Error;
use uuid::Uuid;

use crate::clock::Clock;
use crate::commands::forms::{FormId, Prefill};
use crate::commands::{Args, CommandId, CommandSpec, Permission, Visibility, help};
use crate::domain::Role;
use crate::render::Message;
use crate::store::command_tail::{self, Tail, TailRow};
use crate::store::outbox::PlatformAction;
use crate::store::{self, members::Member};
use crate::telemetry::metrics::{CommandOutcome, metrics};

/// Who is calling, resolved to this community's member.
#[derive(Debug, Clone)]
pub struct Caller {
    pub community_id: Uuid,
    pub community_slug: String,
    pub member: Member,
}

#[derive(Debug, Clone)]
pub struct Invocation {
    pub caller: Caller,
    pub spec: &'static CommandSpec,
    pub args: Args,
    /// The platform's id for this delivery (interaction id, trigger id), when it has one.
    pub delivery_id: Option<String>,
    /// The user already said yes to this command's question (e.g. "replace your check-in?").
    pub confirmed: bool,
}

impl Invocation {
    pub fn new(caller: Caller, spec: &'static CommandSpec, args: Args) -> Self {
        Self {
            caller,
            spec,
            args,
            delivery_id: None,
            confirmed: false,
        }
    }

    /// Whether a one-word `title` may be the first word of a longer one: the command was a
    /// typed line (the shell, a Slack slash command), where a title not in quotes ends at
    /// its first word, not a field of its own. Scripts written without spaces (数据政策)
    /// are one word whatever their length, so only a Latin word counts.
    pub fn title_may_be_cut(&self, title: &str) -> bool {
        self.args.typed_as_line() && title.is_ascii() && !title.contains(char::is_whitespace)
    }
}

/// Where a post goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A channel, by its configured name or platform id.
    Channel(String),
    /// A direct message to a member.
    Direct {
        member_id: Uuid,
        display_name: String,
    },
}

impl Destination {
    /// The outbox's address: a channel, or a member (exactly one).
    pub fn address(&self) -> (Option<&str>, Option<Uuid>) {
        match self {
            Destination::Channel(channel) => (Some(channel.as_str()), None),
            Destination::Direct { member_id, .. } => (None, Some(*member_id)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub to: Destination,
    pub message: Message,
}

/// What a command produced: the reply to the invoker and the posts it causes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub reply: Message,
    pub visibility: Visibility,
    pub posts: Vec<Post>,
    /// Platform actions for members (a role to mirror), sent through the outbox.
    pub actions: Vec<(Uuid, PlatformAction)>,
    /// Members whose achievements changed, with the channel that would announce a role
    /// they earn: their earned roles are settled in the command's transaction.
    pub achievements: Vec<(Uuid, Option<String>)>,
    /// Set by a service: the reply is a yes/no question, kept until answered.
    pub needs_confirmation: bool,
    /// The kept question's id, once kept: what its Yes/No actions and `/yes` name.
    pub question: Option<String>,
    /// The command was refused or failed, and changed nothing: the reply says why.
    pub refused: bool,
}

impl Outcome {
    pub fn reply(reply: impl Into<Message>, visibility: Visibility) -> Self {
        Self {
            reply: reply.into(),
            visibility,
            posts: Vec::new(),
            actions: Vec::new(),
            achievements: Vec::new(),
            needs_confirmation: false,
            question: None,
            refused: false,
        }
    }

    /// A refusal: `reply` says why nothing changed.
    pub fn refusal(reply: impl Into<Message>) -> Self {
        Self {
            refused: true,
            ..Self::reply(reply, Visibility::Ephemeral)
        }
    }

    /// Tells the member's platform that their `role` changed (granted or revoked).
    pub fn with_role_changed(mut self, member_id: Uuid, role: Role) -> Self {
        self.actions
            .push((member_id, PlatformAction::RoleChanged { role }));
        self
    }

    /// `member_id`'s achievements changed: settle their earned roles, announcing one earned
    /// in `channel`.
    pub fn with_achievement(mut self, member_id: Uuid, channel: Option<&str>) -> Self {
        self.achievements
            .push((member_id, channel.map(str::to_owned)));
        self
    }

    pub fn with_post(mut self, to: Destination, message: Message) -> Self {
        self.posts.push(Post { to, message });
        self
    }
}

#[derive(Debug, Error)]
pub enum ServiceError {
    /// A problem with the request, shown to the user as is.
    #[error("{}", crate::render::plain::render(.0))]
    User(Message),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ServiceError {
    /// What the user is told: a refusal as it is; anything else logged (with what was
    /// being done) and apologised for, since its details are not theirs to read.
    pub fn into_message(self, doing: &str) -> Message {
        match self {
            ServiceError::User(message) => {
                // The reason may echo user text, which stays out of info-level logs.
                tracing::info!("{doing} refused");
                tracing::debug!(reason = %crate::render::plain::render(&message), "refusal reason");
                message
            }
            ServiceError::Internal(err) => {
                tracing::error!(error = %format!("{err:#}"), "{doing} failed");
                messages::internal_error()
            }
        }
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(err: sqlx::Error) -> Self {
        ServiceError::Internal(anyhow::Error::new(err).context("database"))
    }
}

pub type ServiceResult<T = Outcome> = Result<T, ServiceError>;

/// Writes the audit row for something the caller did.
pub(crate) async fn audit_caller(
    tx: &mut PgConnection,
    inv: &Invocation,
    action: &str,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    crate::store::audit::record(
        &mut *tx,
        inv.caller.community_id,
        Some(inv.caller.member.id),
        action,
        detail,
        now,
    )
    .await?;
    Ok(())
}

pub fn refuse<T>(message: impl Into<Message>) -> ServiceResult<T> {
    Err(ServiceError::User(message.into()))
}

/// The services with their database and clock.
#[derive(Debug, Clone)]
pub struct Services {
    pub pool: PgPool,
    pub clock: Arc<dyn Clock>,
    /// Which platforms' delivery is held by an outage, for `/healthz`.
    pub delivery: crate::outbox::health::DeliveryHealth,
    /// `http.public_url`, without a trailing slash: links in messages are absolute with it.
    pub public_url: Option<String>,
    /// Wakes the dispatchers when rows are added (on a server, which listens for them).
    pub outbox_wakeup: crate::outbox::wakeup::Wakeup,
    /// How long a community's data outlives the bot's removal (`privacy.purge_after_days`).
    pub purge_after: chrono::Duration,
}

impl Services {
    pub fn new(pool: PgPool, clock: Arc<dyn Clock>) -> Self {
        Self {
            pool,
            clock,
            delivery: Default::default(),
            public_url: None,
            outbox_wakeup: Default::default(),
            purge_after: chrono::Duration::days(30),
        }
    }

    pub fn with_purge_after_days(mut self, days: u32) -> Self {
        self.purge_after = chrono::Duration::days(i64::from(days));
        self
    }

    /// Links in messages (badge pages) start with `url`.
    pub fn with_public_url(mut self, url: Option<&str>) -> Self {
        self.public_url = url.map(|u| u.trim_end_matches('/').to_owned());
        self
    }

    /// Whether `caller` may open `form`, and what it shows when opened by a command with
    /// `context` (its options as typed): asked before a form opens, on every platform, so
    /// nobody fills in a form only to be refused at its submit (the command checks again
    /// when it runs). `Some` replaces the pre-filled values: the edit form shows the entry
    /// as it is.
    pub async fn open_form(
        &self,
        caller: &Caller,
        form: FormId,
        context: &[(String, String)],
    ) -> Result<Option<Prefill>, Message> {
        let spec = crate::commands::catalog::spec(crate::commands::forms::form(form).command);
        permitted(&self.pool, caller, spec)
            .await
            .map_err(|err| err.into_message("checking a permission"))?;
        if form != FormId::KbEdit {
            return Ok(None);
        }
        let entry = context
            .iter()
            .find(|(name, _)| name == "entry")
            .map(|(_, value)| value.as_str())
            .unwrap_or_default();
        knowledge::edit_form_prefill(self, caller, entry)
            .await
            .map(Some)
    }

    /// Runs one command. Never fails: user errors and internal errors both become replies.
    #[tracing::instrument(skip_all, fields(
        community = %invocation.caller.community_slug,
        member = tracing::field::Empty,
        command = invocation.spec.path,
    ))]
    pub async fn handle(&self, invocation: Invocation) -> Outcome {
        let withheld = concerns::withholds_caller(invocation.spec.id);
        if !withheld {
            tracing::Span::current().record(
                "member",
                tracing::field::display(&invocation.caller.member.platform_user_id),
            );
        }
        // Any command but an answer drops the member's open question, and says so; a
        // command that withholds its caller touches nothing of theirs.
        let drops_question =
            !withheld && !matches!(invocation.spec.id, CommandId::Yes | CommandId::No);
        let counted = |outcome| metrics().command(invocation.spec.path, outcome);
        match self.run(&invocation, drops_question).await {
            Ok(outcome) => {
                tracing::info!("command handled");
                counted(CommandOutcome::Handled);
                outcome
            }
            Err(err) => {
                counted(match err {
                    ServiceError::User(_) => CommandOutcome::Refused,
                    ServiceError::Internal(_) => CommandOutcome::Failed,
                });
                // Logged as "command refused" (the reason at debug) or "command failed".
                let mut outcome = Outcome::refusal(err.into_message("command"));
                // The command's transaction rolled back its tail: the question goes here.
                if drops_question && let Some(note) = self.drop_open_question(&invocation).await {
                    outcome.reply = note.line().push(outcome.reply);
                }
                outcome
            }
        }
    }

    /// Drops the caller's open question outside any transaction: the note saying so.
    async fn drop_open_question(&self, inv: &Invocation) -> Option<Message> {
        questions::drop_open(&self.pool, inv.caller.member.id, self.clock.now())
            .await
            .unwrap_or_else(|err| {
                tracing::error!(error = %err, "dropping an open question");
                None
            })
    }

    /// One transaction: the state change, its outbox rows and the delivery record commit
    /// together, and a refusal rolls everything back.
    async fn run(&self, inv: &Invocation, drops_question: bool) -> ServiceResult {
        let now = self.clock.now();
        let community = inv.caller.community_id;
        let mut tx = self.pool.begin().await?;
        if let Some(delivery) = &inv.delivery_id
            && !store::invocations::begin(&mut *tx, community, delivery, now).await?
        {
            tracing::info!("redelivered invocation; replaying the first reply");
            let stored: Option<(Message, Visibility)> =
                store::invocations::stored_reply(&mut *tx, community, delivery).await?;
            let (reply, visibility) =
                stored.unwrap_or_else(|| (messages::already_handled(), Visibility::Ephemeral));
            return Ok(Outcome::reply(reply, visibility));
        }
        let env = CommandEnv {
            public_url: self.public_url.as_deref(),
            pool: &self.pool,
        };
        let mut outcome = authorized_route(&mut tx, now, inv, &env).await?;
        let mut dropped = None;
        // A new question replaces the open one, which is dropped (and said so) first.
        let asks = outcome.needs_confirmation;
        if asks {
            if drops_question {
                dropped = questions::drop_open(&mut *tx, inv.caller.member.id, now).await?;
            }
            outcome = questions::ask(&mut tx, now, inv, outcome).await?;
        }
        for (member_id, channel) in std::mem::take(&mut outcome.achievements) {
            let earned =
                earned_roles::settle(&mut tx, community, Some(member_id), channel.as_deref(), now)
                    .await?;
            outcome
                .posts
                .extend(earned.into_iter().map(|(_, post)| post));
        }
        if let Some(command) =
            write_tail(&mut tx, inv, &outcome, drops_question && !asks, now).await?
        {
            dropped = Some(questions::dropped(&command));
        }
        if let Some(delivery) = &inv.delivery_id {
            let stored = (&outcome.reply, outcome.visibility);
            store::invocations::store_reply(&mut *tx, community, delivery, &stored).await?;
        }
        tx.commit().await?;
        if let Some(note) = dropped {
            outcome.reply = note.line().push(outcome.reply);
        }
        Ok(outcome)
    }
}

/// The command's posts and actions queued, the Home of everyone it told something queued
/// for a publish, and (with `drops_question`) the caller's open question dropped, in one
/// statement: the dropped question's command.
async fn write_tail(
    tx: &mut PgConnection,
    inv: &Invocation,
    outcome: &Outcome,
    drops_question: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<String>> {
    let community_id = inv.caller.community_id;
    // Rows from a redeliverable invocation get keys derived from it; others are unique.
    let key_base = match &inv.delivery_id {
        Some(delivery) => format!("invocation:{community_id}:{delivery}"),
        None => format!("invocation:{}", Uuid::new_v4()),
    };
    let posts = outcome.posts.iter().enumerate().map(|(i, post)| {
        let (channel, member_id) = post.to.address();
        TailRow {
            key: format!("{key_base}:{i}"),
            channel,
            member_id,
            body: Some(&post.message),
            action: None,
        }
    });
    let actions = outcome
        .actions
        .iter()
        .enumerate()
        .map(|(i, (member_id, action))| TailRow {
            key: format!("{key_base}:action:{i}"),
            channel: None,
            member_id: Some(*member_id),
            body: None,
            action: Some(*action),
        });
    // The Slack Home of the caller, and of each member this told something, may show
    // what just changed; publishing it again is a no-op when it did not.
    let mut touched = Vec::new();
    if !concerns::withholds_caller(inv.spec.id) {
        touched.push(inv.caller.member.id);
    }
    for post in &outcome.posts {
        if let Destination::Direct { member_id, .. } = post.to {
            touched.push(member_id);
        }
    }
    touched.sort_unstable();
    touched.dedup();
    let tail = Tail {
        community_id,
        drops_question_of: drops_question.then_some(inv.caller.member.id),
        rows: posts.chain(actions).collect(),
        touched: &touched,
    };
    command_tail::write(&mut *tx, &tail, now).await
}

/// Writes one post to the outbox; false when a post with this key already exists.
pub async fn enqueue(
    tx: &mut PgConnection,
    community_id: Uuid,
    key: &str,
    to: &Destination,
    message: &Message,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    enqueue_until(tx, community_id, key, to, message, now, None).await
}

/// [`enqueue`] for a post that is pointless after `deadline` (a reminder after its
/// session): if it has not gone out by then, it is dead-lettered instead.
pub async fn enqueue_until(
    tx: &mut PgConnection,
    community_id: Uuid,
    key: &str,
    to: &Destination,
    message: &Message,
    now: DateTime<Utc>,
    deadline: Option<DateTime<Utc>>,
) -> sqlx::Result<bool> {
    let (channel, member) = to.address();
    store::outbox::enqueue(
        &mut *tx,
        community_id,
        key,
        channel,
        member,
        message,
        now,
        deadline,
    )
    .await
}

/// [`route`] for a caller allowed to run the command.
async fn authorized_route(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    env: &CommandEnv<'_>,
) -> ServiceResult {
    permitted(&mut *tx, &inv.caller, inv.spec).await?;
    route(tx, now, inv, env).await
}

/// What a command reaches beyond its own transaction.
pub struct CommandEnv<'a> {
    /// `http.public_url`: makes links in replies and DMs absolute (badge pages).
    pub public_url: Option<&'a str>,
    /// For reads that may run beside the transaction (`/stats`), on a connection that
    /// comes without waiting for another to be released, so a busy pool cannot deadlock
    /// a command.
    pub pool: &'a PgPool,
}

/// Refuses a command meant for stewards to anyone else: checked when a command runs and
/// before its form opens.
async fn permitted(
    ex: impl sqlx::PgExecutor<'_>,
    caller: &Caller,
    spec: &CommandSpec,
) -> ServiceResult<()> {
    if spec.permission == Permission::Steward
        && !store::roles::holds_community_role(ex, caller.member.id, Role::Steward).await?
    {
        return refuse(messages::stewards_only(spec.path));
    }
    Ok(())
}

async fn route(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    env: &CommandEnv<'_>,
) -> ServiceResult {
    let visibility = inv.spec.visibility;
    let public_url = env.public_url;
    match inv.spec.id {
        CommandId::Help => {
            let help = match inv.args.text("command") {
                Some(path) => help_for(path)?,
                // The overview shows a steward their own commands too.
                None => {
                    let me = inv.caller.member.id;
                    let steward =
                        store::roles::holds_community_role(&mut *tx, me, Role::Steward).await?;
                    help::overview(steward)
                }
            };
            Ok(Outcome::reply(help, visibility))
        }
        CommandId::CohortList => enrollment::list(tx, inv).await,
        CommandId::CohortJoin => enrollment::join(tx, now, inv).await,
        CommandId::CohortLeave => enrollment::leave(tx, now, inv).await,
        CommandId::CohortCreate => enrollment::create(tx, now, inv).await,
        CommandId::CohortSet => enrollment::update(tx, now, inv).await,
        CommandId::CohortTrack => enrollment::add_track(tx, now, inv).await,
        CommandId::CohortArchive => enrollment::archive(tx, now, inv).await,
        CommandId::Coc => enrollment::show_coc(tx, inv).await,
        CommandId::CocAccept => enrollment::accept_coc(tx, now, inv).await,
        CommandId::Me => profile::show(tx, inv).await,
        CommandId::MeTimezone => profile::set_timezone(tx, now, inv).await,
        CommandId::MeSkills => profile::set_skills(tx, now, inv).await,
        CommandId::MeName => profile::set_name(tx, now, inv).await,
        CommandId::RoleGrant => roles::grant(tx, now, inv).await,
        CommandId::RoleRevoke => roles::revoke(tx, now, inv).await,
        CommandId::OutboxFailed => outbox_admin::failed(tx, inv).await,
        CommandId::OutboxRetry => outbox_admin::retry(tx, now, inv).await,
        CommandId::Checkin => checkins::record(tx, now, inv).await,
        CommandId::CheckinReply => checkins::reply(tx, now, inv).await,
        CommandId::CheckinHistory => checkins::history(tx, inv).await,
        CommandId::CheckinResolved => checkins::blockers::resolved(tx, now, inv).await,
        CommandId::CheckinStuck => checkins::blockers::stuck(tx, now, inv).await,
        CommandId::ScheduleList => schedules::list(tx, now, inv).await,
        CommandId::ScheduleSet => schedules::set(tx, now, inv).await,
        CommandId::EventSchedule => events::schedule(tx, now, inv).await,
        CommandId::EventMove => events::reschedule(tx, now, inv).await,
        CommandId::EventCancel => events::cancel(tx, now, inv).await,
        CommandId::EventRsvp => events::rsvp(tx, now, inv).await,
        CommandId::EventUnrsvp => events::unrsvp(tx, now, inv).await,
        CommandId::EventAttended => events::attended(tx, now, inv).await,
        CommandId::EventPick => events::picks::pick(tx, now, inv).await,
        CommandId::EventMirror => events::mirror::status(tx, now, inv).await,
        CommandId::EventCode => events::code(tx, inv).await,
        CommandId::EventCheckin => events::self_checkin(tx, now, inv).await,
        CommandId::EventIcal => events::ical(tx, now, inv, public_url).await,
        CommandId::TalkPropose => talks::propose(tx, now, inv).await,
        CommandId::TalkList | CommandId::EventList => talks::list(tx, now, inv).await,
        CommandId::TalkWithdraw => talks::withdraw(tx, now, inv).await,
        CommandId::TalkMine => talks::mine(tx, now, inv).await,
        CommandId::Progress => milestones::progress(tx, inv).await,
        CommandId::MilestoneSubmit => milestones::submit(tx, now, inv).await,
        CommandId::MilestoneVerify => milestones::verify(tx, now, inv, public_url).await,
        CommandId::MilestoneChanges => milestones::request_changes(tx, now, inv).await,
        CommandId::MilestoneWithdraw => milestones::withdraw(tx, now, inv).await,
        CommandId::Badges => badges::list(tx, inv, public_url).await,
        CommandId::BadgeRevoke => badges::revoke(tx, now, inv, public_url).await,
        CommandId::BadgeRotate => badges::rotate_key(tx, now, inv, public_url).await,
        CommandId::MentorOffer => mentoring::offer(tx, now, inv).await,
        CommandId::MentorApprove => mentoring::approve(tx, now, inv).await,
        CommandId::MentorDecline => mentoring::decline(tx, now, inv).await,
        CommandId::MentorPause => mentoring::pause(tx, now, inv).await,
        CommandId::MentorResume => mentoring::resume(tx, now, inv).await,
        CommandId::MentorGuide => mentoring::guide(tx, inv).await,
        CommandId::MentorMatch => mentoring::matching::run(tx, now, inv).await,
        CommandId::MentorAvoid => mentoring::avoid(tx, now, inv).await,
        CommandId::MentorStats => mentoring::stats(tx, now, inv).await,
        CommandId::MentorOffers => mentoring::offers(tx, inv).await,
        CommandId::MentorLearners => mentoring::learners(tx, now, inv).await,
        CommandId::MentorRotation => mentoring::rotation::preview(tx, now, inv).await,
        CommandId::MeDepartment => mentoring::set_department(tx, now, inv).await,
        CommandId::Kudos => kudos::give(tx, now, inv).await,
        CommandId::MentorHandover => mentoring::rotation::handover(tx, now, inv).await,
        CommandId::ReviewRequest => reviews::request(tx, now, inv).await,
        CommandId::ReviewClaim => reviews::claim(tx, now, inv).await,
        CommandId::ReviewDone => reviews::done(tx, now, inv).await,
        CommandId::ReviewCancel => reviews::cancel(tx, now, inv).await,
        CommandId::MentorRecognition => mentoring::recognition::set(tx, now, inv).await,
        CommandId::MentorUnreachable => mentoring::inactive::unreachable(tx, now, inv).await,
        CommandId::MentorRematch => mentoring::inactive::rematch(tx, now, inv).await,
        CommandId::PairRequest => pairing::request(tx, now, inv).await,
        CommandId::PairMet => pairing::met(tx, now, inv).await,
        CommandId::PairCancel => pairing::cancel(tx, now, inv).await,
        CommandId::Yes => questions::answer(tx, now, inv, env, true).await,
        CommandId::No => questions::answer(tx, now, inv, env, false).await,
        CommandId::Away => away::away(tx, now, inv).await,
        CommandId::AwayList => away::list(tx, now, inv).await,
        CommandId::AwaySet => away::set_for(tx, now, inv).await,
        CommandId::Back => away::back(tx, now, inv).await,
        CommandId::CohortDayoff => days_off::run(tx, now, inv).await,
        CommandId::Home => home::show(tx, now, inv).await,
        CommandId::Streak => streaks::show(tx, now, inv).await,
        CommandId::KbSearch => knowledge::search(tx, now, inv).await,
        CommandId::KbShow => knowledge::show(tx, now, inv).await,
        CommandId::KbAdd => knowledge::add(tx, now, inv).await,
        CommandId::KbEdit => knowledge::edit(tx, now, inv).await,
        CommandId::KbAlias => knowledge::alias(tx, now, inv).await,
        CommandId::KbArchive => knowledge::archive(tx, now, inv).await,
        CommandId::KbVerify => knowledge::verify(tx, now, inv).await,
        CommandId::KbStale => knowledge::stale(tx, now, inv).await,
        CommandId::KbReport => knowledge::report(tx, now, inv).await,
        CommandId::KbDecide => knowledge::decide(tx, now, inv).await,
        CommandId::KbAsk => knowledge::questions::ask(tx, now, inv).await,
        CommandId::CircleList => circles::list(tx, inv).await,
        CommandId::CircleJoin => circles::join(tx, now, inv).await,
        CommandId::CircleLeave => circles::leave(tx, now, inv).await,
        CommandId::CircleMembers => circles::members(tx, inv).await,
        CommandId::CircleCreate => circles::create(tx, now, inv).await,
        CommandId::CircleInvite => circles::invite(tx, now, inv).await,
        CommandId::CircleApprove => circles::decide(tx, now, inv, true).await,
        CommandId::CircleDecline => circles::decide(tx, now, inv, false).await,
        CommandId::CircleLead => circles::lead(tx, now, inv).await,
        CommandId::CircleSchedule => circles::schedule(tx, now, inv).await,
        CommandId::ClinicJoin => clinics::join(tx, now, inv).await,
        CommandId::ClinicPosition => clinics::position(tx, now, inv).await,
        CommandId::ClinicLeave => clinics::leave(tx, now, inv).await,
        CommandId::ClinicNext => clinics::next(tx, now, inv).await,
        CommandId::ClinicDone => clinics::done(tx, now, inv).await,
        CommandId::ClinicNoshow => clinics::noshow(tx, now, inv).await,
        CommandId::ClinicAnnounce => clinics::announce(tx, now, inv).await,
        CommandId::AlumniList => alumni::list(tx, inv).await,
        CommandId::AlumniJoin => alumni::join(tx, now, inv).await,
        CommandId::AlumniLeave => alumni::leave(tx, now, inv).await,
        CommandId::KbAnswer => knowledge::questions::answer(tx, now, inv).await,
        CommandId::KbPublish => knowledge::publish(tx, now, inv).await,
        CommandId::Stats => stats::show(tx, now, inv, env.pool, public_url).await,
        CommandId::StatsExport => stats::export::export(tx, now, inv, public_url).await,
        CommandId::DashboardLink => dashboard::link(tx, now, inv, public_url, false).await,
        CommandId::DashboardRotate => dashboard::link(tx, now, inv, public_url, true).await,
        CommandId::Feedback => surveys::feedback(tx, now, inv).await,
        CommandId::SurveySend => surveys::send(tx, now, inv).await,
        CommandId::SurveyAnswer => surveys::answer(tx, now, inv).await,
        CommandId::SurveyResults => surveys::show(tx, now, inv).await,
        CommandId::ApproveRequest => approvals::request(tx, now, inv).await,
        CommandId::ApproveYes => approvals::vote(tx, now, inv, true).await,
        CommandId::ApproveNo => approvals::vote(tx, now, inv, false).await,
        CommandId::ApproveList => approvals::list(tx, inv).await,
        CommandId::ApproveShow => approvals::show(tx, inv).await,
        CommandId::ApproveWithdraw => approvals::withdraw(tx, now, inv).await,
        CommandId::ApproveDelegate => approvals::delegate(tx, now, inv).await,
        CommandId::ToolRegister => tools::register(tx, now, inv).await,
        CommandId::ToolList => tools::list(tx, inv).await,
        CommandId::ToolShow => tools::show(tx, inv).await,
        CommandId::ToolConfirm => tools::confirm(tx, now, inv).await,
        CommandId::ToolRetire => tools::retire(tx, now, inv).await,
        CommandId::Audit => audit::show(tx, inv).await,
        CommandId::MeData => match inv.args.text("action") {
            Some("delete") => erasure::request_own(tx, now, inv).await,
            Some("cancel") => erasure::cancel_own(tx, now, inv).await,
            _ => my_data::export(tx, now, inv, public_url).await,
        },
        CommandId::PrivacyErase => erasure::erase(tx, now, inv).await,
        CommandId::PrivacyCancel => erasure::cancel(tx, now, inv).await,
        CommandId::PrivacyRequests => erasure::requests(tx, now, inv).await,
        CommandId::ConcernReport => concerns::report(tx, now, inv).await,
        CommandId::ConcernList => concerns::list(tx, inv).await,
        CommandId::ConcernShow => concerns::show(tx, inv).await,
        CommandId::ConcernReply => concerns::reply(tx, now, inv).await,
        CommandId::ConcernClose => concerns::close(tx, now, inv).await,
        CommandId::ConcernBlock => concerns::block(tx, now, inv).await,
        CommandId::ConcernSpace => concerns::space(tx, now, inv).await,
        CommandId::CouncilShow => council::show(tx, now, inv).await,
        CommandId::CouncilOpen => council::open(tx, now, inv).await,
        CommandId::CouncilNominate => council::nominate(tx, now, inv).await,
        CommandId::CouncilVote => council::vote(tx, now, inv).await,
        CommandId::Relink => relink::relink(tx, now, inv).await,
        CommandId::BadgeIssue => badges::bulk::issue(tx, now, inv, public_url).await,
    }
}

/// `/help <path>`: one command, or the commands of a topic.
fn help_for(path: &str) -> ServiceResult<Message> {
    help::command(path).map_or_else(
        || {
            let paths = crate::commands::catalog::paths();
            refuse(messages::no_such_help(
                path,
                crate::domain::suggest(path, paths),
            ))
        },
        Ok,
    )
}
