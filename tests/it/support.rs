//! `TestBot`: the real services on a fresh database, a manual clock, and the example program.

use std::collections::VecDeque;
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

/// What the bot said in answer to one line: the reply and every post, rendered as plain text.
#[derive(Debug)]
pub struct Said {
    pub reply: String,
    pub posts: Vec<(Destination, String)>,
    pub outcome: Option<Outcome>,
}

impl Said {
    pub fn channel_posts(&self) -> Vec<(&str, &str)> {
        self.posts
            .iter()
            .filter_map(|(to, text)| match to {
                Destination::Channel(c) => Some((c.as_str(), text.as_str())),
                Destination::Direct { .. } => None,
            })
            .collect()
    }

    pub fn dms(&self) -> Vec<(&str, &str)> {
        self.posts
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
            Err(err) => Said {
                reply: err.0,
                posts: Vec::new(),
                outcome: None,
            },
            Ok(parsed) => {
                let mut invocation = Invocation::new(caller, parsed.spec, parsed.args);
                invocation.delivery_id = delivery_id.map(str::to_owned);
                let outcome = self.services.handle(invocation).await;
                Said {
                    reply: plain::render(&outcome.reply),
                    posts: outcome
                        .posts
                        .iter()
                        .map(|p| (p.to.clone(), plain::render(&p.message)))
                        .collect(),
                    outcome: Some(outcome),
                }
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
            assert!(said.reply.contains("is no longer a"), "{}", said.reply);
        }
    }

    pub async fn enroll(&self, user: &str, cohort: &str, track: Option<&str>) {
        self.say(user, "/coc accept").await;
        let line = match track {
            Some(t) => format!("/cohort join {cohort} track:{t}"),
            None => format!("/cohort join {cohort}"),
        };
        let said = self.say(user, &line).await;
        assert!(said.reply.contains("You're in!"), "{}", said.reply);
    }

    /// Runs the dispatcher once with the recording sender; returns what it delivered.
    pub async fn deliver(&self) -> Vec<(String, String)> {
        let dispatcher = Dispatcher::new(
            self.pool.clone(),
            Arc::new(self.clock.clone()),
            self.sender.clone(),
        );
        dispatcher.run_once().await.expect("dispatch");
        self.sender.take()
    }

    pub async fn say(&self, user: &str, line: &str) -> Said {
        self.say_in(COMMUNITY, user, line).await
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
