//! Sessions mirrored as Discord scheduled events: the requests the bot sends, checked
//! against Discord's own API schema, through schedule, move, cancel, a crash between a
//! create and its record, and the guild's cap.

use chrono::{TimeZone, Utc};
use cohortbot::clock::Clock;
use serde_json::{Value, json};
use sqlx::PgPool;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, ResponseTemplate};

use super::discord_interactions::{MENTOR, spring_channel_mock, spring_lead_mentor};
use super::discord_support::{DiscordBot, GUILD};

const EVENT: &str = "1300000000000000001";

/// A validator for Discord's schema `schema`, from its OpenAPI description (the part of it
/// about scheduled events is kept in `tests/data/discord`).
fn validator(schema: &str) -> jsonschema::Validator {
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/discord/scheduled_event_schemas.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let root = json!({
        "$ref": format!("#/components/schemas/{schema}"),
        "components": spec["components"],
    });
    jsonschema::validator_for(&root).expect("Discord's schema compiles")
}

/// The scheduled-event requests the bot sent: (method, path, body, audit-log reason).
async fn event_requests(d: &DiscordBot) -> Vec<(String, String, Value, Option<String>)> {
    d.server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().contains("/scheduled-events"))
        .map(|r| {
            (
                r.method.to_string(),
                r.url.path().to_owned(),
                serde_json::from_slice(&r.body).unwrap_or(Value::Null),
                r.headers
                    .get("x-audit-log-reason")
                    .map(|v| v.to_str().unwrap().to_owned()),
            )
        })
        .collect()
}

/// Answers each create with a new event id, the first one `EVENT`.
struct NextEvent(std::sync::atomic::AtomicU64);

impl wiremock::Respond for NextEvent {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        ResponseTemplate::new(200)
            .set_body_json(json!({ "id": (1_300_000_000_000_000_001 + n).to_string() }))
    }
}

async fn event_mocks(d: &DiscordBot) {
    let events = format!("/api/v10/guilds/{GUILD}/scheduled-events");
    Mock::given(method("POST"))
        .and(path(events.clone()))
        .respond_with(NextEvent(std::sync::atomic::AtomicU64::new(0)))
        .mount(&d.server)
        .await;
    Mock::given(method("PATCH"))
        .and(path_regex(format!("^{events}/[0-9]+$")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": EVENT })))
        .mount(&d.server)
        .await;
}

pub(crate) async fn mirrored(pool: PgPool) -> DiscordBot {
    let d = DiscordBot::new(pool).await;
    spring_lead_mentor(&d).await;
    spring_channel_mock(&d).await;
    event_mocks(&d).await;
    sqlx::query("UPDATE cohorts SET discord_events = true WHERE slug = 'spring-makers-2027'")
        .execute(&d.bot.pool)
        .await
        .unwrap();
    d.bot
        .clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 9, 0, 0).unwrap());
    d
}

pub(crate) fn schedule(d: &DiscordBot, id: u64, when: &str, title: &str) -> Value {
    DiscordBot::as_member(
        d.command(
            id,
            "event",
            Some("schedule"),
            json!([
                { "name": "cohort", "type": 3, "value": "spring-makers-2027" },
                { "name": "when", "type": 3, "value": when },
                { "name": "kind", "type": 3, "value": "demo_day" },
                { "name": "title", "type": 3, "value": title },
            ]),
        ),
        MENTOR,
        "Mo",
    )
}

#[sqlx::test]
async fn a_session_is_created_moved_and_cancelled_as_one_discord_event(pool: PgPool) {
    let d = mirrored(pool).await;
    let scheduled = d
        .run(schedule(
            &d,
            61,
            "2027-03-12T17:00",
            "Demo night **@everyone**",
        ))
        .await;
    assert!(scheduled.starts_with("Scheduled **\\#"), "{scheduled}");
    d.dispatch().await;
    let sent = event_requests(&d).await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    let (verb, route, body, reason) = &sent[0];
    assert_eq!(
        (verb.as_str(), route.as_str()),
        (
            "POST",
            format!("/api/v10/guilds/{GUILD}/scheduled-events").as_str()
        )
    );
    assert_eq!(
        reason.as_deref(),
        Some("cohortbot%3A%20mirrors%20a%20program%20session")
    );
    let create = validator("ExternalScheduledEventCreateRequest");
    assert!(
        create.is_valid(body),
        "{:?}",
        create.iter_errors(body).collect::<Vec<_>>()
    );
    let session: uuid::Uuid = sqlx::query_scalar("SELECT id FROM sessions WHERE number = 1")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(
        *body,
        json!({
            "name": "#1 Demo night **@everyone**",
            "description": format!(
                "Demo night \\*\\*@\u{200b}everyone\\*\\* (Demo day), Spring Makers 2027.\nRSVP: `/event rsvp 1`\ncohortbot session {session}"
            ),
            "scheduled_start_time": "2027-03-12T16:00:00Z",
            "scheduled_end_time": "2027-03-12T17:00:00Z",
            "entity_metadata": { "location": "#spring-makers" },
            "privacy_level": 2,
            "entity_type": 3,
        })
    );
    // Dispatched again: nothing new, nothing sent.
    d.dispatch().await;
    assert_eq!(event_requests(&d).await.len(), 1);
    // The scheduler's pass makes the spring lightning talks of the coming weeks, and
    // mirrors those within 14 days: one more event. Run again, it sends nothing.
    d.bot.tick().await;
    d.dispatch().await;
    let sent = event_requests(&d).await;
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert_eq!(sent[1].2["name"], "#2 Lightning talks");
    assert_eq!(sent[1].2["scheduled_start_time"], "2027-03-18T15:00:00Z");
    d.bot.tick().await;
    d.dispatch().await;
    assert_eq!(event_requests(&d).await.len(), 2);

    // A move patches the times; a cancel sets the status and keeps the event.
    let moved = d
        .run(DiscordBot::as_member(
            d.command(
                62,
                "event",
                Some("move"),
                json!([
                    { "name": "session", "type": 4, "value": 1 },
                    { "name": "when", "type": 3, "value": "2027-03-13T10:00" },
                ]),
            ),
            MENTOR,
            "Mo",
        ))
        .await;
    assert!(moved.starts_with("Moved"), "{moved}");
    d.dispatch().await;
    let cancelled = d
        .run(DiscordBot::as_member(
            d.command(
                63,
                "event",
                Some("cancel"),
                json!([{ "name": "session", "type": 4, "value": 1 }]),
            ),
            MENTOR,
            "Mo",
        ))
        .await;
    assert!(cancelled.starts_with("Cancelled"), "{cancelled}");
    d.dispatch().await;
    let sent: Vec<_> = event_requests(&d).await.into_iter().skip(2).collect();
    assert_eq!(sent.len(), 2, "{sent:#?}");
    let patch = validator("ExternalScheduledEventPatchRequestPartial");
    let event_route = format!("/api/v10/guilds/{GUILD}/scheduled-events/{EVENT}");
    assert_eq!(
        (sent[0].0.as_str(), sent[0].1.as_str()),
        ("PATCH", event_route.as_str())
    );
    assert!(patch.is_valid(&sent[0].2));
    assert_eq!(sent[0].2["scheduled_start_time"], "2027-03-13T09:00:00Z");
    assert_eq!(sent[0].2["scheduled_end_time"], "2027-03-13T10:00:00Z");
    assert_eq!(
        (sent[1].0.as_str(), sent[1].1.as_str()),
        ("PATCH", event_route.as_str())
    );
    assert_eq!(sent[1].2, json!({ "status": 4 }));
    assert!(patch.is_valid(&sent[1].2));
    d.dispatch().await;
    assert_eq!(
        event_requests(&d).await.len(),
        4,
        "nothing after the cancel"
    );
}

#[sqlx::test]
async fn a_crash_between_create_and_record_leaves_no_duplicate(pool: PgPool) {
    let d = mirrored(pool).await;
    d.run(schedule(&d, 61, "2027-03-12T17:00", "Demo night"))
        .await;
    let session: uuid::Uuid = sqlx::query_scalar("SELECT id FROM sessions WHERE number = 1")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    // The first attempt claimed the session and created the event, then the process died
    // before recording its id.
    sqlx::query(
        "INSERT INTO discord_events (session_id, guild_id, updated_at) VALUES ($1, $2, now())",
    )
    .bind(session)
    .bind(GUILD)
    .execute(&d.bot.pool)
    .await
    .unwrap();
    Mock::given(method("GET"))
        .and(path(format!("/api/v10/guilds/{GUILD}/scheduled-events")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            { "id": "1300000000000000009", "description": "someone else's" },
            { "id": EVENT, "description": format!("Demo night\ncohortbot session {session}") },
        ])))
        .mount(&d.server)
        .await;
    d.dispatch().await;
    let sent = event_requests(&d).await;
    let verbs: Vec<&str> = sent.iter().map(|(verb, ..)| verb.as_str()).collect();
    assert_eq!(
        verbs,
        ["GET", "PATCH"],
        "found by its marker, brought up to date, not made twice"
    );
    let recorded: Option<String> =
        sqlx::query_scalar("SELECT event_id FROM discord_events WHERE session_id = $1")
            .bind(session)
            .fetch_one(&d.bot.pool)
            .await
            .unwrap();
    assert_eq!(recorded.as_deref(), Some(EVENT));
}

/// The scheduled-event requests after the first `skip`: (method, path, event name).
async fn after_moves(d: &DiscordBot, skip: usize) -> Vec<(String, String, Option<String>)> {
    event_requests(d)
        .await
        .into_iter()
        .skip(skip)
        .map(|(verb, route, body, _)| (verb, route, body["name"].as_str().map(str::to_owned)))
        .collect()
}

#[sqlx::test]
async fn a_guild_holds_at_most_eighty_events_soonest_first(pool: PgPool) {
    let d = mirrored(pool).await;
    // 120 sessions within the horizon, made as a series makes them (no command, so the
    // hourly pass is what mirrors them).
    sqlx::query(
        "INSERT INTO sessions (id, community_id, cohort_id, number, kind, title, starts_at,
                               duration_minutes, slots, status, checkin_code, created_at)
         SELECT gen_random_uuid(), c.community_id, c.id, 100 + i, 'clinic', 'Clinic ' || i,
                $1::timestamptz + make_interval(hours => 2 * i), 30, 0, 'scheduled',
                'code' || i, $1
           FROM cohorts c, generate_series(1, 120) i
          WHERE c.slug = 'spring-makers-2027'",
    )
    .bind(d.bot.clock.now())
    .execute(&d.bot.pool)
    .await
    .unwrap();
    d.bot.tick().await;
    let report = d.dispatch().await;
    let created: Vec<Value> = event_requests(&d)
        .await
        .into_iter()
        .filter(|(verb, ..)| verb == "POST")
        .map(|(_, _, body, _)| body)
        .collect();
    assert_eq!(created.len(), 80, "{report:?}");
    let names: Vec<&str> = created
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "#101 Clinic 1");
    assert_eq!(names[79], "#180 Clinic 80", "soonest first");

    // Also after moves. The last session moved to the front takes the place of the
    // latest event (#180's, deleted); the first moved to the back gives its place to the
    // soonest left out (#180 again), at the next hourly pass.
    let events = format!("/api/v10/guilds/{GUILD}/scheduled-events");
    Mock::given(method("DELETE"))
        .and(path_regex(format!("^{events}/[0-9]+$")))
        .respond_with(ResponseTemplate::new(204))
        .mount(&d.server)
        .await;
    let move_to = |id: u64, number: i64, when: &str| {
        DiscordBot::as_member(
            d.command(
                id,
                "event",
                Some("move"),
                json!([
                    { "name": "session", "type": 4, "value": number },
                    { "name": "when", "type": 3, "value": when },
                ]),
            ),
            MENTOR,
            "Mo",
        )
    };
    let moved = d.run(move_to(90, 220, "2027-03-10T11:30")).await;
    assert!(moved.starts_with("Moved"), "{moved}");
    d.dispatch().await;
    assert_eq!(
        after_moves(&d, 80).await,
        [
            (
                "DELETE".to_owned(),
                format!("{events}/1300000000000000080"),
                None
            ),
            (
                "POST".to_owned(),
                events.clone(),
                Some("#220 Clinic 120".to_owned())
            ),
        ]
    );
    let moved = d.run(move_to(91, 101, "2027-03-22T10:00")).await;
    assert!(moved.starts_with("Moved"), "{moved}");
    d.dispatch().await;
    d.bot.clock.advance(chrono::Duration::hours(1));
    d.bot.tick().await;
    d.dispatch().await;
    assert_eq!(
        after_moves(&d, 82).await,
        [
            (
                "PATCH".to_owned(),
                format!("{events}/1300000000000000001"),
                Some("#101 Clinic 1".to_owned())
            ),
            (
                "DELETE".to_owned(),
                format!("{events}/1300000000000000001"),
                None
            ),
            (
                "POST".to_owned(),
                events.clone(),
                Some("#180 Clinic 80".to_owned())
            ),
        ]
    );
    let live: i64 =
        sqlx::query_scalar("SELECT count(*) FROM discord_events WHERE event_id IS NOT NULL")
            .fetch_one(&d.bot.pool)
            .await
            .unwrap();
    assert_eq!(live, 80);
    // An hour on, #220 (moved to 11:30, 30 minutes long) is over: its place goes to the
    // soonest left out.
    d.bot.clock.advance(chrono::Duration::hours(1));
    d.bot.tick().await;
    d.dispatch().await;
    assert_eq!(
        after_moves(&d, 85).await,
        [(
            "POST".to_owned(),
            events.clone(),
            Some("#181 Clinic 81".to_owned())
        )]
    );
}

#[sqlx::test]
async fn reconciliation_repairs_drift_remakes_lost_events_and_deletes_orphans(pool: PgPool) {
    let d = mirrored(pool).await;
    d.run(schedule(&d, 61, "2027-03-12T17:00", "Demo night"))
        .await;
    d.run(schedule(&d, 62, "2027-03-15T17:00", "Review night"))
        .await;
    d.dispatch().await;
    let created = event_requests(&d).await;
    assert_eq!(created.len(), 2, "{created:#?}");
    let demo = created
        .iter()
        .find(|(.., body, _)| body["name"] == "#1 Demo night")
        .unwrap()
        .2
        .clone();

    // On Discord: a moderator renamed #1, deleted #2 by hand; an event of the bot's whose
    // session is gone; and someone else's event, which the bot never touches.
    let renamed = {
        let mut event = demo.clone();
        event["id"] = json!(EVENT);
        event["status"] = json!(1);
        event["name"] = json!("Demo night (moved to the big room?)");
        event
    };
    let gone = uuid::Uuid::new_v4();
    let orphan = format!("/api/v10/guilds/{GUILD}/scheduled-events/1300000000000000050");
    Mock::given(method("GET"))
        .and(path(format!("/api/v10/guilds/{GUILD}/scheduled-events")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            renamed,
            { "id": "1300000000000000050", "name": "Old", "status": 1,
              "description": format!("Old\ncohortbot session {gone}") },
            { "id": "1300000000000000060", "name": "Meetup", "status": 1,
              "description": "Community meetup, bring snacks" },
        ])))
        .mount(&d.server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(orphan.clone()))
        .respond_with(ResponseTemplate::new(204))
        .mount(&d.server)
        .await;
    let now = d.bot.clock.now();
    let queued =
        cohortbot::services::events::mirror::queue_reconcile(&d.bot.pool, now, "2027-03-10")
            .await
            .unwrap();
    assert_eq!(queued, 1);
    // Queued again the same day: still one.
    cohortbot::services::events::mirror::queue_reconcile(&d.bot.pool, now, "2027-03-10")
        .await
        .unwrap();
    d.dispatch().await;
    let mut sent: Vec<(String, String, Value)> = event_requests(&d)
        .await
        .into_iter()
        .skip(2)
        .map(|(verb, route, body, _)| (verb, route, body))
        .collect();
    sent.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let events = format!("/api/v10/guilds/{GUILD}/scheduled-events");
    let verbs: Vec<(&str, &str)> = sent
        .iter()
        .map(|(verb, route, _)| (verb.as_str(), route.as_str()))
        .collect();
    let patched = format!("{events}/{EVENT}");
    assert_eq!(
        verbs,
        [
            ("DELETE", orphan.as_str()),
            ("GET", events.as_str()),
            ("PATCH", patched.as_str()),
            ("POST", events.as_str()),
        ],
        "{sent:#?}"
    );
    assert_eq!(sent[2].2["name"], "#1 Demo night", "the name put back");
    assert_eq!(
        sent[3].2["name"], "#2 Review night",
        "the lost event made again"
    );
}

#[sqlx::test]
async fn taking_interest_back_withdraws_only_the_rsvp_it_made(pool: PgPool) {
    use super::discord_support::BEA;
    let d = mirrored(pool).await;
    sqlx::query("UPDATE cohorts SET interested_is_rsvp = true WHERE slug = 'spring-makers-2027'")
        .execute(&d.bot.pool)
        .await
        .unwrap();
    d.run(schedule(&d, 61, "2027-03-12T17:00", "Demo night"))
        .await;
    d.dispatch().await;
    let services = &d.bot.services;
    services.interest(GUILD, EVENT, BEA, true).await.unwrap();
    // Mo typed his RSVP; marking and unmarking Interested leaves it.
    let typed = d
        .run(DiscordBot::as_member(
            d.command(
                62,
                "event",
                Some("rsvp"),
                json!([{ "name": "session", "type": 4, "value": 1 }]),
            ),
            MENTOR,
            "Mo",
        ))
        .await;
    assert!(typed.starts_with("You're on the list"), "{typed}");
    services.interest(GUILD, EVENT, MENTOR, true).await.unwrap();
    services
        .interest(GUILD, EVENT, MENTOR, false)
        .await
        .unwrap();
    services.interest(GUILD, EVENT, BEA, false).await.unwrap();
    // Interest in an event the bot did not make changes nothing.
    services
        .interest(GUILD, "1300000000000000999", BEA, true)
        .await
        .unwrap();
    let rsvps: Vec<(String, bool)> = sqlx::query_as(
        "SELECT m.platform_user_id, r.via_interest FROM session_rsvps r
           JOIN members m ON m.id = r.member_id",
    )
    .fetch_all(&d.bot.pool)
    .await
    .unwrap();
    assert_eq!(rsvps, [(MENTOR.to_owned(), false)]);
    let dms: Vec<(String, Value)> = sqlx::query_as(
        "SELECT m.platform_user_id, o.body FROM outbox o JOIN members m ON m.id = o.member_id
          WHERE o.idempotency_key LIKE 'interest:%' ORDER BY o.id",
    )
    .fetch_all(&d.bot.pool)
    .await
    .unwrap();
    let said: Vec<(String, String)> = dms
        .into_iter()
        .map(|(who, body)| {
            let message: cohortbot::render::Message = serde_json::from_value(body).unwrap();
            (who, cohortbot::render::plain::render(&message))
        })
        .collect();
    assert_eq!(
        said,
        [
            (
                BEA.to_owned(),
                "⭐ You marked Interested, so you're on the list for #1 Demo night (Demo day), Fri 12 Mar 2027 17:00 (Europe/Berlin). I'll remind you a day and an hour before. Changed your mind? Remove your interest, or `/event unrsvp 1`.".to_owned()
            ),
            (
                BEA.to_owned(),
                "You removed your interest, so you're off the list for #1 Demo night (Demo day). `/event rsvp 1` puts you back.".to_owned()
            ),
        ]
    );
}

#[sqlx::test]
async fn event_mirror_reports_the_counts_and_repairs_for_stewards(pool: PgPool) {
    use super::discord_interactions::bea_is_steward;
    use super::discord_support::BEA;
    let d = mirrored(pool).await;
    bea_is_steward(&d).await;
    sqlx::query("UPDATE cohorts SET interested_is_rsvp = true WHERE slug = 'spring-makers-2027'")
        .execute(&d.bot.pool)
        .await
        .unwrap();
    d.run(schedule(&d, 61, "2027-03-12T17:00", "Demo night"))
        .await;
    // Beyond the 14 days: not mirrored yet.
    d.run(schedule(&d, 62, "2027-03-30T17:00", "Review night"))
        .await;
    let mirror = |id: u64, user: &str, action: Option<&str>| {
        let options = match action {
            Some(action) => json!([{ "name": "action", "type": 3, "value": action }]),
            None => json!([]),
        };
        DiscordBot::as_member(d.command(id, "event", Some("mirror"), options), user, "Bea")
    };
    assert_eq!(
        d.run(mirror(70, BEA, None)).await,
        "**Discord events**: the bot has 0 live in the server (it keeps at most 80 of Discord's 100).\n• Spring Makers 2027 (`spring-makers-2027`): 0 of 1 session in the next 14 days mirrored; Interested counts as an RSVP (0 RSVPs so far).\nWrites waiting: 2. Failed: 0.\nNot compared with Discord yet. `/event mirror repair` compares now."
    );
    d.dispatch().await;
    d.bot
        .services
        .interest(GUILD, EVENT, BEA, true)
        .await
        .unwrap();
    assert_eq!(
        d.run(mirror(71, BEA, Some("status"))).await,
        "**Discord events**: the bot has 1 live in the server (it keeps at most 80 of Discord's 100).\n• Spring Makers 2027 (`spring-makers-2027`): 1 of 1 session in the next 14 days mirrored; Interested counts as an RSVP (1 RSVP so far).\nWrites waiting: 0. Failed: 0.\nNot compared with Discord yet. `/event mirror repair` compares now."
    );
    // A lead mentor is not a steward.
    assert_eq!(
        d.run(mirror(72, MENTOR, None)).await,
        "Sorry, only stewards can use `/event mirror`."
    );
    // Repair: the guild's events are listed and compared; the one event matches.
    let created = event_requests(&d).await[0].2.clone();
    let listed = {
        let mut event = created;
        event["id"] = json!(EVENT);
        event["status"] = json!(1);
        event
    };
    Mock::given(method("GET"))
        .and(path(format!("/api/v10/guilds/{GUILD}/scheduled-events")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([listed])))
        .mount(&d.server)
        .await;
    assert_eq!(
        d.run(mirror(73, BEA, Some("repair"))).await,
        "Comparing the server's events with the sessions now: edits are put back, events deleted by hand are made again while their session is on, and the bot's orphans are deleted. `/event mirror` shows the result in a minute."
    );
    d.dispatch().await;
    let verbs: Vec<String> = event_requests(&d)
        .await
        .into_iter()
        .skip(1)
        .map(|(verb, ..)| verb)
        .collect();
    assert_eq!(verbs, ["GET"], "listed, nothing to repair");
    let status = d.run(mirror(74, BEA, None)).await;
    assert!(
        status.ends_with("Last compared with Discord: Wed 10 Mar 2027 09:00 (UTC). `/event mirror repair` compares now."),
        "{status}"
    );
}

#[sqlx::test]
async fn a_429_on_an_event_write_is_honoured_and_uses_no_attempt(pool: PgPool) {
    let d = mirrored(pool).await;
    // Discord's answer to a create made too soon, with its real headers.
    Mock::given(method("POST"))
        .and(path(format!("/api/v10/guilds/{GUILD}/scheduled-events")))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .insert_header("x-ratelimit-limit", "5")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset-after", "0.300")
                .insert_header("x-ratelimit-bucket", "f3f8f0e1c2b4a5d6")
                .insert_header("x-ratelimit-scope", "user")
                .set_body_json(json!({
                    "message": "You are being rate limited.", "retry_after": 0.3, "global": false
                })),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&d.server)
        .await;
    // The retry first looks for an event the refused attempt might have made: none.
    Mock::given(method("GET"))
        .and(path(format!("/api/v10/guilds/{GUILD}/scheduled-events")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&d.server)
        .await;
    d.run(schedule(&d, 61, "2027-03-12T17:00", "Demo night"))
        .await;
    let report = d.dispatch().await;
    assert_eq!(report.rate_limited, 1, "{report:?}");
    let row = || async {
        sqlx::query_as::<_, (String, i32, Option<String>)>(
            "SELECT status, attempts, last_error FROM outbox WHERE channel = 'discord-events'",
        )
        .fetch_one(&d.bot.pool)
        .await
        .unwrap()
    };
    let (status, attempts, error) = row().await;
    assert_eq!(
        (status.as_str(), attempts),
        ("pending", 0),
        "a 429 uses no attempt"
    );
    assert!(error.unwrap().contains("429"));
    // The bucket is held in real time, as Discord holds it; then the create goes through.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    d.bot.clock.advance(chrono::Duration::seconds(1));
    d.dispatch().await;
    let (status, _, error) = row().await;
    assert_eq!(status, "sent", "{error:?}");
    let verbs: Vec<String> = event_requests(&d)
        .await
        .into_iter()
        .map(|(verb, ..)| verb)
        .collect();
    assert_eq!(
        verbs,
        ["POST", "GET", "POST"],
        "refused, looked for, created once"
    );
    let mapped: Option<String> = sqlx::query_scalar("SELECT event_id FROM discord_events")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(mapped.as_deref(), Some(EVENT));
}
