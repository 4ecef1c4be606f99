//! A Discord harness: the TestBot's services behind the real interaction endpoint, signed
//! fixtures, and wiremock standing in for Discord REST.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cohortbot::chat::discord::endpoint::{Endpoint, routes};
use cohortbot::chat::discord::{Channels, CustomIds, DiscordSender, Handler, Rest};
use cohortbot::clock::Clock;
use cohortbot::outbox::{DispatchReport, Dispatcher};
use cohortbot::store::{communities, members};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};
use sqlx::{PgPool, Postgres, Transaction};
use tower::ServiceExt;
use wiremock::MockServer;

use super::support::TestBot;

pub const GUILD: &str = "900000000000000001";
pub const APP: &str = "1100000000000000001";
/// The cohort channel `spring-makers` on Discord.
pub const SPRING_CHANNEL: &str = "700000000000000001";
pub const TOKEN: &str = "test-token";
/// `[discord.roles]` of the test server: lead mentor 555, community mentor 556, alumni 557.
pub const LEAD_MENTOR_ROLE: u64 = 555;
pub const COMMUNITY_MENTOR_ROLE: u64 = 556;
pub const ALUMNI_ROLE: u64 = 557;

fn role_map() -> BTreeMap<cohortbot::domain::Role, serenity::model::id::RoleId> {
    use cohortbot::domain::Role;
    use serenity::model::id::RoleId;
    BTreeMap::from([
        (Role::LeadMentor, RoleId::new(LEAD_MENTOR_ROLE)),
        (Role::CommunityMentor, RoleId::new(COMMUNITY_MENTOR_ROLE)),
        (Role::Alumni, RoleId::new(ALUMNI_ROLE)),
    ])
}
/// The fixtures' member.
pub const BEA: &str = "111000000000000001";

pub struct DiscordBot {
    pub bot: TestBot,
    pub server: MockServer,
    pub rest: Arc<Rest>,
    pub handler: Arc<Handler>,
    pub ids: CustomIds,
    key: SigningKey,
    defer_after: Duration,
}

pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/data/discord/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

impl DiscordBot {
    pub async fn new(pool: PgPool) -> Self {
        // Well past the 2 s the endpoint waits in production: a loaded CI machine must not
        // turn a test's answer into a deferral. Tests of deferral set their own.
        Self::with_defer(pool, Duration::from_secs(10)).await
    }

    /// `defer_after`: how long the endpoint waits for the services before deferring.
    pub async fn with_defer(pool: PgPool, defer_after: Duration) -> Self {
        let bot = TestBot::new(pool).await;
        sqlx::query("UPDATE communities SET discord_guild_id = $1 WHERE slug = 'acme-makers'")
            .bind(GUILD)
            .execute(&bot.pool)
            .await
            .unwrap();
        let server = MockServer::start().await;
        let rest = Arc::new(
            Rest::new(
                TOKEN,
                Some(APP.parse().unwrap()),
                Some(&server.uri()),
                Default::default(),
            )
            .unwrap(),
        );
        let ids = CustomIds::new(TOKEN.as_bytes());
        let handler = Arc::new(Handler::new(
            bot.services.clone(),
            ids.clone(),
            Some(rest.clone()),
            role_map(),
        ));
        Self {
            bot,
            server,
            rest,
            handler,
            ids,
            key: SigningKey::from_bytes(&[7; 32]),
            defer_after,
        }
    }

    pub fn sender(&self) -> DiscordSender {
        DiscordSender::new(
            self.rest.clone(),
            self.bot.pool.clone(),
            Arc::new(self.bot.clock.clone()),
            self.ids.clone(),
            Channels(BTreeMap::from([(
                "spring-makers".to_owned(),
                SPRING_CHANNEL.to_owned(),
            )])),
        )
        .with_roles(role_map())
    }

    /// One dispatcher pass through the Discord sender.
    pub async fn dispatch(&self) -> DispatchReport {
        Dispatcher::new(
            self.bot.pool.clone(),
            Arc::new(self.bot.clock.clone()),
            self.sender(),
        )
        .only_platform(cohortbot::outbox::Platform::Discord)
        .run_once()
        .await
        .unwrap()
    }

    fn router(&self) -> axum::Router {
        let public = hex::encode(self.key.verifying_key().to_bytes());
        routes(Endpoint::new(self.handler.clone(), &public, self.defer_after).unwrap())
    }

    /// Signs `body` as Discord does, `age` seconds ago, and posts it to the endpoint.
    pub async fn post_signed(&self, body: &Value, age: i64) -> (StatusCode, Value) {
        let body = serde_json::to_vec(body).unwrap();
        let timestamp = (self.bot.clock.now().timestamp() - age).to_string();
        let mut signed = timestamp.as_bytes().to_vec();
        signed.extend_from_slice(&body);
        let signature = hex::encode(self.key.sign(&signed).to_bytes());
        self.post_raw(body, &timestamp, &signature).await
    }

    pub async fn post_raw(
        &self,
        body: Vec<u8>,
        timestamp: &str,
        signature: &str,
    ) -> (StatusCode, Value) {
        let request = Request::post("/discord/interactions")
            .header("content-type", "application/json")
            .header("x-signature-ed25519", signature)
            .header("x-signature-timestamp", timestamp)
            .body(Body::from(body))
            .unwrap();
        let response = self.router().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, json)
    }

    /// A slash command from the fixture's member: `/name [sub] options…` with a fresh id.
    pub fn command(&self, id: u64, name: &str, sub: Option<&str>, options: Value) -> Value {
        let mut body = fixture("slash_command");
        body["id"] = json!(id.to_string());
        body["data"]["name"] = json!(name);
        body["data"]["options"] = match sub {
            Some(sub) => json!([{ "name": sub, "type": 1, "options": options }]),
            None => options,
        };
        body
    }

    /// The same command as another member.
    pub fn as_member(mut body: Value, user_id: &str, nick: &str) -> Value {
        body["member"]["user"]["id"] = json!(user_id);
        body["member"]["user"]["username"] = json!(nick.to_lowercase());
        body["member"]["nick"] = json!(nick);
        body
    }

    /// `body` (a command with a user option) with that user resolved as Discord sends it:
    /// a user with no server nickname, shown by `global_name`.
    pub fn with_resolved_user(mut body: Value, user_id: &str, global_name: &str) -> Value {
        body["data"]["resolved"] = json!({ "users": { user_id: {
            "id": user_id, "username": global_name.to_lowercase(), "discriminator": "0",
            "global_name": global_name, "avatar": null, "public_flags": 0
        }}});
        body
    }

    /// A DM fixture (`button_dm`, `modal_submit_dm`: no guild, no member) from `user_id`.
    pub fn in_dm(fixture_name: &str, user_id: &str) -> Value {
        let mut body = fixture(fixture_name);
        assert!(
            body.get("guild_id").is_none(),
            "{fixture_name} is not a DM payload"
        );
        body["user"]["id"] = json!(user_id);
        body["channel"]["recipients"][0]["id"] = json!(user_id);
        body
    }

    /// Posts a command and returns the reply's content.
    pub async fn run(&self, body: Value) -> String {
        let (status, reply) = self.post_signed(&body, 0).await;
        assert_eq!(status, StatusCode::OK, "{reply}");
        reply["data"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The command's default member submits `flows-101` with `/milestone submit` (as
    /// interaction 20), and is told it was submitted.
    pub async fn submit_flows(&self) {
        let submit = self.command(
            20,
            "milestone",
            Some("submit"),
            json!([
                { "name": "module", "type": 3, "value": "flows-101" },
                { "name": "evidence", "type": 3, "value": "https://example.org/flow" },
            ]),
        );
        assert!(self.run(submit).await.starts_with("Submitted"));
    }

    /// The demo community's id (the fixtures' guild).
    pub async fn community_id(&self) -> uuid::Uuid {
        communities::by_slug(&self.bot.pool, "acme-makers")
            .await
            .unwrap()
            .unwrap()
            .id
    }

    /// The member behind Discord user `user_id` in the demo community, as stored now.
    pub async fn member(&self, user_id: &str) -> members::Member {
        let community_id = self.community_id().await;
        members::find(&self.bot.pool, community_id, "discord", user_id)
            .await
            .unwrap()
            .unwrap()
    }

    /// Claims delivery `id` in an open transaction, so a service handling it waits on the
    /// row lock until the returned transaction ends (a slow service, on demand).
    pub async fn hold_delivery(&self, id: &str) -> Transaction<'static, Postgres> {
        let community_id = self.community_id().await;
        let mut held = self.bot.pool.begin().await.unwrap();
        sqlx::query(
            "INSERT INTO invocations (community_id, delivery_id, received_at) VALUES ($1, $2, $3)",
        )
        .bind(community_id)
        .bind(id)
        .bind(self.bot.clock.now())
        .execute(&mut *held)
        .await
        .unwrap();
        held
    }

    /// Marks every queued post as sent: for tests about the posts that come after (the
    /// join welcomes are covered elsewhere).
    pub async fn forget_outbox(&self) {
        sqlx::query("UPDATE outbox SET status = 'sent' WHERE status = 'pending'")
            .execute(&self.bot.pool)
            .await
            .unwrap();
    }

    /// Enrolls the member of `body`'s shape (`user_id`, `nick`) in spring-makers-2027.
    /// Records that the bot prompted this Discord user in Spring Makers for `period`, as the
    /// scheduler does: a Check in button or form is only good for a prompt that went out.
    pub async fn prompted(&self, user_id: &str, period: &str) {
        sqlx::query(
            "INSERT INTO checkin_prompts (community_id, cohort_id, member_id, period, sent_at)
             SELECT k.community_id, k.id, m.id, $2, now()
               FROM cohorts k JOIN members m ON m.community_id = k.community_id
              WHERE k.slug = 'spring-makers-2027' AND m.platform = 'discord'
                AND m.platform_user_id = $1",
        )
        .bind(user_id)
        .bind(period)
        .execute(&self.bot.pool)
        .await
        .unwrap();
    }

    pub async fn enroll(&self, id: u64, user_id: &str, nick: &str) {
        let accept = Self::as_member(
            self.command(id, "coc", Some("accept"), json!([])),
            user_id,
            nick,
        );
        self.run(accept).await;
        let join = Self::as_member(
            self.command(
                id + 1,
                "cohort",
                Some("join"),
                json!([
                    { "name": "cohort", "type": 3, "value": "spring-makers-2027" },
                    { "name": "track", "type": 3, "value": "short-modules" }
                ]),
            ),
            user_id,
            nick,
        );
        let reply = self.run(join).await;
        assert!(reply.contains("You're in!"), "{reply}");
    }
}
