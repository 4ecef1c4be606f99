//! `TestBot`: the real services on a fresh database, a manual clock, and the example program.

use std::cell::Cell;
use std::collections::VecDeque;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::Location;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use cohortbot::clock::{Clock, ManualClock};
use cohortbot::commands;
use cohortbot::outbox::{Delivered, Dispatcher, OutboundPost, Recipient, SendError, Sender};
use cohortbot::program::{self, ProgramFile};
use cohortbot::render::plain;
use cohortbot::schedule::{Scheduler, TickReport};
use cohortbot::services::{Destination, Invocation, Outcome, Services};
use sqlx::PgPool;

pub const EXAMPLE: &str = include_str!("../../config/program.example.toml");
pub const COMMUNITY: &str = "acme-makers";

pub struct TestBot {
    pub services: Services,
    pub clock: ManualClock,
    pub pool: PgPool,
    pub sender: RecordingSender,
}

/// A platform stand-in: records what it is asked to send, and can fail on cue.
#[derive(Clone, Default)]
pub struct RecordingSender {
    sent: Arc<Mutex<Vec<(String, String)>>>,
    failures: Arc<Mutex<VecDeque<SendError>>>,
    pub attempts: Arc<AtomicUsize>,
}

impl RecordingSender {
    /// The next sends fail with these errors, in order.
    pub fn fail_with(&self, errors: impl IntoIterator<Item = SendError>) {
        self.failures.lock().unwrap().extend(errors);
    }

    pub fn take(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *self.sent.lock().unwrap())
    }
}

impl Sender for RecordingSender {
    fn platform(&self) -> &'static str {
        "recording"
    }

    async fn send(&self, post: &OutboundPost) -> Result<Delivered, SendError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        if let Some(err) = self.failures.lock().unwrap().pop_front() {
            return Err(err);
        }
        if post.action.is_some() {
            return Ok(Delivered::nothing_to_do());
        }
        let to = match &post.to {
            Recipient::Channel(c) => format!("#{c}"),
            Recipient::Direct {
                platform_user_id, ..
            } => format!("@{platform_user_id}"),
        };
        self.sent
            .lock()
            .unwrap()
            .push((to, plain::render(&post.message)));
        Ok(Delivered {
            platform_message_id: format!("rec-{}", post.id),
        })
    }
}

/// What the bot said in answer to one line: the reply and every post, rendered as plain
/// text. Like bors' tester, a test must look at all of it: dropping a `Said` whose reply, or
/// whose posts, nobody read fails the test, so nothing the bot says goes unasserted.
#[derive(Debug)]
pub struct Said {
    /// Who said what, and where in the test, to name the step in a failure.
    said: String,
    at: Option<&'static Location<'static>>,
    reply: String,
    posts: Vec<(Destination, String)>,
    outcome: Option<Outcome>,
    heard_reply: Cell<bool>,
    heard_posts: Cell<bool>,
}

impl Said {
    fn new(
        said: String,
        reply: String,
        posts: Vec<(Destination, String)>,
        outcome: Option<Outcome>,
    ) -> Self {
        Self {
            said,
            at: None,
            reply,
            posts,
            outcome,
            heard_reply: Cell::new(false),
            heard_posts: Cell::new(false),
        }
    }

    pub fn reply(&self) -> &str {
        self.heard_reply.set(true);
        &self.reply
    }

    pub fn posts(&self) -> &[(Destination, String)] {
        self.heard_posts.set(true);
        &self.posts
    }

    /// The services' outcome (`None` for a line the parser refused): the reply and posts
    /// in full, so reading it hears both.
    pub fn outcome(&self) -> Option<&Outcome> {
        self.heard_reply.set(true);
        self.heard_posts.set(true);
        self.outcome.as_ref()
    }

    /// Refused by the parser or the services: nothing changed.
    pub fn refused(&self) -> bool {
        self.outcome.as_ref().is_none_or(|o| o.refused)
    }

    /// Who the posts went to, in order: `#channel` or `@display name`. For a step whose
    /// posts are not the test's subject, asserting who was told is asserting them.
    pub fn told(&self) -> Vec<String> {
        self.posts()
            .iter()
            .map(|(to, _)| match to {
                Destination::Channel(c) => format!("#{c}"),
                Destination::Direct { display_name, .. } => format!("@{display_name}"),
            })
            .collect()
    }

    pub fn channel_posts(&self) -> Vec<(&str, &str)> {
        self.posts()
            .iter()
            .filter_map(|(to, text)| match to {
                Destination::Channel(c) => Some((c.as_str(), text.as_str())),
                Destination::Direct { .. } => None,
            })
            .collect()
    }

    pub fn dms(&self) -> Vec<(&str, &str)> {
        self.posts()
            .iter()
            .filter_map(|(to, text)| match to {
                Destination::Direct { display_name, .. } => {
                    Some((display_name.as_str(), text.as_str()))
                }
                Destination::Channel(_) => None,
            })
            .collect()
    }
}

fn place(at: Option<&'static Location<'static>>) -> String {
    at.map_or_else(|| "a helper".to_owned(), ToString::to_string)
}

impl Drop for Said {
    fn drop(&mut self) {
        // A failing assertion is already unwinding; a second panic would abort.
        if std::thread::panicking() {
            return;
        }
        assert!(
            self.heard_reply.get(),
            "the bot replied to {} (at {}) and the test never looked:\n{}",
            self.said,
            place(self.at),
            self.reply
        );
        assert!(
            self.posts.is_empty() || self.heard_posts.get(),
            "the bot posted after {} (at {}) and the test never looked: {:#?}",
            self.said,
            place(self.at),
            self.posts
        );
    }
}

/// What one dispatcher pass delivered, as (`#channel` or `@user`, text). Dropped unread
/// when it is not empty, it fails the test, like [`Said`].
#[derive(Debug)]
pub struct Deliveries {
    posts: Vec<(String, String)>,
    heard: Cell<bool>,
    at: Option<&'static Location<'static>>,
}

impl Deliveries {
    /// The posts, for a test that takes them apart.
    pub fn into_vec(self) -> Vec<(String, String)> {
        self.heard.set(true);
        std::mem::take(&mut ManuallyDrop::new(self).posts)
    }

    /// What went to `to` (`#channel` or `@handle`), in order; the rest counts as heard.
    pub fn texts_to(&self, to: &str) -> Vec<&str> {
        self.iter()
            .filter(|(recipient, _)| recipient == to)
            .map(|(_, text)| text.as_str())
            .collect()
    }
}

impl std::ops::Deref for Deliveries {
    type Target = Vec<(String, String)>;
    fn deref(&self) -> &Self::Target {
        self.heard.set(true);
        &self.posts
    }
}

impl<'a> IntoIterator for &'a Deliveries {
    type Item = &'a (String, String);
    type IntoIter = std::slice::Iter<'a, (String, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T> PartialEq<T> for Deliveries
where
    Vec<(String, String)>: PartialEq<T>,
{
    fn eq(&self, other: &T) -> bool {
        **self == *other
    }
}

impl Drop for Deliveries {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        assert!(
            self.posts.is_empty() || self.heard.get(),
            "the bot delivered posts (at {}) and the test never looked: {:#?}",
            place(self.at),
            self.posts
        );
    }
}

/// The bot's public address (`http.public_url`) in tests.
pub const PUBLIC_URL: &str = "https://bot.example.org";

impl TestBot {
    /// A bot with the example program imported, at 2027-02-15 09:00 UTC.
    pub async fn new(pool: PgPool) -> Self {
        let clock = ManualClock::new(Utc.with_ymd_and_hms(2027, 2, 15, 9, 0, 0).unwrap());
        let services =
            Services::new(pool.clone(), Arc::new(clock.clone())).with_public_url(Some(PUBLIC_URL));
        let program = ProgramFile::parse(EXAMPLE, "example").unwrap();
        program::import(&pool, &program, clock.now()).await.unwrap();
        Self {
            services,
            clock,
            pool,
            sender: RecordingSender::default(),
        }
    }

    /// The same bot with no web address (`http.public_url` unset), as `cargo run` starts.
    pub fn without_public_url(mut self) -> Self {
        self.services.public_url = None;
        self
    }

    /// `user` (a shell handle) types `line` in `community`.
    pub async fn say_in(&self, community: &str, user: &str, line: &str) -> Said {
        self.invoke(community, user, line, None).await
    }

    /// Like `say`, carrying a platform delivery id (as Discord and Slack do).
    pub async fn say_delivered(&self, user: &str, line: &str, delivery_id: &str) -> Said {
        self.invoke(COMMUNITY, user, line, Some(delivery_id)).await
    }

    async fn invoke(
        &self,
        community: &str,
        user: &str,
        line: &str,
        delivery_id: Option<&str>,
    ) -> Said {
        let caller = self
            .services
            .shell_caller(community, user)
            .await
            .expect("caller resolves");
        match commands::parse(line) {
            Err(err) => Said::new(
                format!("{user}: {line}"),
                plain::render(&err.0),
                Vec::new(),
                None,
            ),
            Ok(parsed) => {
                let mut invocation = Invocation::new(caller, parsed.spec, parsed.args);
                invocation.delivery_id = delivery_id.map(str::to_owned);
                let outcome = self.services.handle(invocation).await;
                let posts = outcome
                    .posts
                    .iter()
                    .map(|p| (p.to.clone(), plain::render(&p.message)))
                    .collect();
                let said = format!("{user}: {line}");
                Said::new(said, plain::render(&outcome.reply), posts, Some(outcome))
            }
        }
    }

    /// One scheduler pass at the clock's current time.
    pub async fn tick(&self) -> TickReport {
        Scheduler::new(self.pool.clone(), Arc::new(self.clock.clone()))
            .tick()
            .await
            .expect("scheduler pass")
    }

    /// Sets the clock to a wall-clock time in a zone, e.g. `at("2027-03-08 09:00", Europe::Berlin)`.
    pub fn set_local(&self, when: &str, tz: chrono_tz::Tz) {
        let naive = chrono::NaiveDateTime::parse_from_str(when, "%Y-%m-%d %H:%M").unwrap();
        self.clock.set(
            tz.from_local_datetime(&naive)
                .earliest()
                .unwrap()
                .with_timezone(&Utc),
        );
    }

    /// Enrolls `user` (created if needed) in `cohort`, with an accepted code of conduct.
    /// Takes the program file's mentor roles away (Grace leads spring, Ken mentors), so a
    /// test decides exactly who may mentor; losing the role ends their approval.
    pub async fn without_seeded_mentors(&self) {
        for (who, role) in [
            ("@ken", "community_mentor"),
            ("@grace", "lead_mentor spring-makers-2027"),
        ] {
            let said = self.say("ada", &format!("/role revoke {who} {role}")).await;
            assert!(said.reply().contains("is no longer a"), "{}", said.reply());
            let told = said.dms();
            assert_eq!(told.len(), 1, "{told:?}");
            assert!(told[0].1.starts_with("You are no longer a"), "{told:?}");
        }
    }

    /// The example community's id.
    async fn example_community(&self) -> uuid::Uuid {
        cohortbot::store::communities::by_slug(&self.pool, COMMUNITY)
            .await
            .unwrap()
            .expect("the example community")
            .id
    }

    /// A member of the example community on `platform`, as their contact with the
    /// platform's current `name` makes them (renamed when they exist and the platform's
    /// name changed).
    pub async fn contact(
        &self,
        platform: &str,
        user_id: &str,
        name: &str,
    ) -> cohortbot::store::members::Member {
        use cohortbot::store::outbox::Platform;
        let platform = match platform {
            "discord" => Platform::Discord,
            "slack" => Platform::Slack,
            _ => Platform::Shell,
        };
        let naming = cohortbot::services::identity::Naming::Current(name);
        let community = self.example_community().await;
        let (member, _) = self
            .services
            .ensure_named(community, platform, user_id, naming)
            .await
            .unwrap()
            .expect("a platform user id");
        member
    }

    /// [`Self::contact`]: the member's id.
    pub async fn add_member(&self, platform: &str, user_id: &str, name: &str) -> uuid::Uuid {
        self.contact(platform, user_id, name).await.id
    }

    /// Gives a platform member, made at their first contact, `role` community-wide, as a
    /// test's setup (no granter is recorded and nobody is told).
    pub async fn grant_role(&self, platform: &str, user_id: &str, role: cohortbot::domain::Role) {
        let community = self.example_community().await;
        let member = cohortbot::store::members::find(&self.pool, community, platform, user_id)
            .await
            .unwrap()
            .expect("the member, made at first contact");
        cohortbot::store::roles::grant(
            &self.pool,
            community,
            member.id,
            role,
            None,
            None,
            self.clock.now(),
        )
        .await
        .unwrap();
    }

    pub async fn enroll(&self, user: &str, cohort: &str, track: Option<&str>) {
        // Accepting again (someone already enrolled elsewhere) is thanked, and fine here.
        let accepted = self.say(user, "/coc accept").await;
        assert!(
            accepted.reply().contains("code of conduct"),
            "{}",
            accepted.reply()
        );
        assert!(accepted.posts().is_empty());
        let line = match track {
            Some(t) => format!("/cohort join {cohort} track:{t}"),
            None => format!("/cohort join {cohort}"),
        };
        let said = self.say(user, &line).await;
        assert!(said.reply().contains("You're in!"), "{}", said.reply());
        // The cohort's channel, if it has one, welcomes them; a late joiner placed with
        // mentors is told who they are, and the mentors who they got. Nothing else is posted.
        for (to, text) in said.posts() {
            let fits = match to {
                Destination::Channel(_) => text.starts_with("Please welcome "),
                Destination::Direct { .. } => {
                    text.starts_with("Your mentors in ") || text.starts_with("Your learners in ")
                }
            };
            assert!(fits, "{to:?}: {text}");
        }
    }

    /// Runs the dispatcher once with the recording sender; returns what it delivered.
    #[track_caller]
    pub fn deliver(&self) -> impl Future<Output = Deliveries> + '_ {
        let at = Location::caller();
        async move {
            let mut delivered = self.deliver_here().await;
            delivered.at = Some(at);
            delivered
        }
    }

    /// Delivers, asserting who got a post (`#channel` or `@handle`, in any order): for a
    /// test whose subject comes later, the posts that came before are at least accounted for.
    #[track_caller]
    pub fn deliver_to<'a>(&'a self, expected: &'a [&'a str]) -> impl Future<Output = ()> + 'a {
        let at = Location::caller();
        async move {
            let delivered = self.deliver_here().await;
            let mut to: Vec<&str> = delivered.iter().map(|(to, _)| to.as_str()).collect();
            let mut expected = expected.to_vec();
            to.sort_unstable();
            expected.sort_unstable();
            assert_eq!(to, expected, "delivered at {at}: {:#?}", *delivered);
        }
    }

    async fn deliver_here(&self) -> Deliveries {
        let dispatcher = Dispatcher::new(
            self.pool.clone(),
            Arc::new(self.clock.clone()),
            self.sender.clone(),
        );
        dispatcher.run_once().await.expect("dispatch");
        Deliveries {
            posts: self.sender.take(),
            heard: Cell::new(false),
            at: None,
        }
    }

    /// Says `line` expecting a yes/no question (kept until answered) that says `what`.
    pub async fn asks(&self, user: &str, line: &str, what: &str) {
        let said = self.say(user, line).await;
        let asked = said.outcome().is_some_and(|o| o.question.is_some());
        assert!(asked, "`{line}` by {user} asked nothing: {}", said.reply());
        assert!(said.reply().contains(what), "{}", said.reply());
        assert!(said.posts().is_empty(), "{:?}", said.posts());
    }

    /// Says `line` expecting a refusal that says `why`; nothing is posted.
    pub async fn refused(&self, user: &str, line: &str, why: &str) {
        let said = self.say(user, line).await;
        assert!(
            said.refused(),
            "`{line}` by {user} was done: {}",
            said.reply()
        );
        assert!(said.reply().contains(why), "{}", said.reply());
        assert!(said.posts().is_empty(), "{:?}", said.posts());
    }

    /// Says `line` as a step the test needs done, failing unless the bot did it (neither
    /// refused nor asked a question). Its reply and posts count as heard: the step's
    /// success is what is asserted.
    pub async fn ok(&self, user: &str, line: &str) -> Said {
        let said = self.say(user, line).await;
        let outcome = said.outcome();
        assert!(
            !said.refused() && outcome.is_some_and(|o| o.question.is_none()),
            "`{line}` by {user} was not done: {}",
            said.reply()
        );
        said
    }

    /// `user` types `line`. The caller's place is kept, so an unread reply names its line.
    #[track_caller]
    pub fn say<'a>(&'a self, user: &'a str, line: &'a str) -> impl Future<Output = Said> + 'a {
        let at = Location::caller();
        async move {
            let mut said = self.say_in(COMMUNITY, user, line).await;
            said.at = Some(at);
            said
        }
    }

    /// Cohort slugs the member is actively enrolled in.
    pub async fn active_cohorts(&self, user: &str) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT c.slug FROM enrollments e JOIN cohorts c ON c.id = e.cohort_id
             JOIN members m ON m.id = e.member_id
             WHERE m.platform_user_id = $1 AND e.status = 'active' ORDER BY 1",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await
        .unwrap()
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// A fingerprint of every row of every table but the audit log, to prove nothing changed.
    pub async fn fingerprint(&self) -> String {
        let tables = [
            "communities",
            "members",
            "cohorts",
            "tracks",
            "modules",
            "module_prerequisites",
            "cohort_schedules",
            "circles",
            "mentor_groups",
            "member_roles",
            "enrollments",
            "pending_joins",
        ];
        let mut out = String::new();
        for table in tables {
            let digest: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {table} t"
            )))
            .fetch_one(&self.pool)
            .await
            .unwrap();
            out.push_str(&format!("{table}={}\n", digest.unwrap_or_default()));
        }
        out
    }
}
