//! The scale-out proof: three `cohortbot run` processes of the built binary on the test's
//! PostgreSQL, with Discord shards 0, 1 and 2 of 3, against a fake gateway that records
//! each IDENTIFY and a fake Discord REST API that enforces the global 50 requests a second.
//! On a shared test clock running 720 times as fast, Monday 09:00 comes to 1,000 learners
//! in six zones, hour by hour; the three share the prompts, and the leader is killed with
//! SIGKILL in the middle of them and started again. Before that, an interaction in a
//! guild and one in a DM are each answered once, by the process whose shard they reach
//! (the guild's, and shard 0 for a DM, as Discord routes them). The run writes its IDENTIFY timeline
//! and its requests per second as CSV files.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::time::Duration;

use sqlx::PgPool;
use tokio::time::Instant;

use crate::backlog;
use crate::cluster::{
    Running, each_shard_identifies, leader, log_of, start_on, start_recording_gateway, terminate,
    until, wait_exit,
};
use crate::discord_support::fixture;
use crate::fake_discord::{FakeDiscord, GLOBAL_PER_SECOND, assert_under_one_percent_429s};
use crate::support::TestBot;
use chrono::{DateTime, TimeZone, Timelike, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

const LEARNERS: i64 = 1_000;
/// The learners' zones: 09:00 in each is an hour after the one before, from 04:00 UTC.
const ZONES: [&str; 6] = [
    "Asia/Karachi",
    "Asia/Dubai",
    "Europe/Moscow",
    "Europe/Helsinki",
    "Europe/Berlin",
    "Europe/London",
];
/// The test clock's speed: the five hours of Mondays 09:00 pass in 25 s.
const RATE: f64 = 720.0;
const NAMES: [&str; 3] = ["a", "b", "c"];
/// Lets each process log the id of every post it delivered.
const LOG: (&str, &str) = ("RUST_LOG", "info,cohortbot::outbox=debug");

/// The ids of the posts a process's log says it delivered.
fn delivered_by(log: &str) -> Vec<i64> {
    log.lines()
        .filter(|line| line.contains("\"post sent\""))
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|entry| entry["fields"]["outbox_id"].as_i64())
        .collect()
}

/// `interaction` as the same person sends it in a DM with the bot: no guild, no member,
/// the user itself, and an id of its own.
fn in_a_dm(interaction: &Value) -> Value {
    let mut dm = interaction.clone();
    let user = dm["member"]["user"].clone();
    let fields = dm.as_object_mut().unwrap();
    for guild_only in [
        "guild_id",
        "guild",
        "guild_locale",
        "member",
        "app_permissions",
    ] {
        fields.remove(guild_only);
    }
    fields.insert("user".into(), user);
    fields.insert("id".into(), json!("1300000000000000002"));
    fields.insert("context".into(), json!(1));
    fields.insert("channel_id".into(), json!("700000000000000009"));
    fields.insert(
        "channel".into(),
        json!({ "id": "700000000000000009", "type": 1, "flags": 0 }),
    );
    dm["data"].as_object_mut().unwrap().remove("guild_id");
    dm
}

async fn sent(pool: &PgPool) -> i64 {
    backlog::counts(pool).await.0
}

/// A Discord community of its own with one cohort whose only schedule is the Monday 09:00
/// check-in, and `LEARNERS` learners spread over [`ZONES`], each prompted at 09:00 in
/// their own zone. (The example community beside it lives in the shell: none of its posts
/// are Discord's.)
async fn monday_cohort(pool: &PgPool, created: DateTime<Utc>) {
    let community: Uuid = sqlx::query_scalar(
        "INSERT INTO communities (id, slug, name, code_of_conduct, discord_guild_id, created_at)
         VALUES (gen_random_uuid(), 'scale-out', 'Scale-out Makers', 'Be kind.', '900000000000000009', $1)
         RETURNING id",
    )
    .bind(created)
    .fetch_one(pool)
    .await
    .unwrap();
    let cohort: Uuid = sqlx::query_scalar(
        "INSERT INTO cohorts (id, community_id, slug, name, timezone, starts_on, ends_on, channel, created_at)
         VALUES (gen_random_uuid(), $1, 'scale-out-2027', 'Scale-out 2027', 'Europe/London',
                 DATE '2027-03-01', DATE '2027-06-25', 'scale-out', $2)
         RETURNING id",
    )
    .bind(community)
    .bind(created)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO cohort_schedules (community_id, cohort_id, kind, cron)
         VALUES ($1, $2, 'checkin', '0 9 * * MON')",
    )
    .bind(community)
    .bind(cohort)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "WITH m AS (
             INSERT INTO members (id, community_id, platform, platform_user_id, display_name,
                                  timezone, coc_accepted_at, created_at)
             SELECT gen_random_uuid(), $1, 'discord', (300000000000000000 + g)::text,
                    'Learner ' || g, ($4::text[])[1 + g % 6], $3, $3
             FROM generate_series(1, $5) g RETURNING id)
         INSERT INTO enrollments (id, community_id, cohort_id, member_id, status, joined_at)
         SELECT gen_random_uuid(), $1, $2, m.id, 'active', $3 FROM m",
    )
    .bind(community)
    .bind(cohort)
    .bind(created)
    .bind(ZONES.map(str::to_owned).to_vec())
    .bind(LEARNERS as i32)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test]
async fn three_processes_share_shards_budget_and_a_killed_leaders_posts(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let (ws_url, mut identified, sessions) = start_recording_gateway().await;
    let fake = FakeDiscord::start_for_processes(&ws_url, 3).await;
    let dir = tempfile::tempdir().unwrap();
    // Monday 03:59:30 UTC comes once the three have identified (about 11 s from now).
    let monday = Utc.with_ymd_and_hms(2027, 3, 8, 3, 59, 30).unwrap();
    let at = Utc::now() + chrono::Duration::seconds(13);
    monday_cohort(&bot.pool, monday - chrono::Duration::days(7)).await;
    sqlx::query(
        "INSERT INTO scheduler_state (id, last_run_at) VALUES (true, $1)
         ON CONFLICT (id) DO UPDATE SET last_run_at = EXCLUDED.last_run_at",
    )
    .bind(monday - chrono::Duration::minutes(30))
    .execute(&bot.pool)
    .await
    .unwrap();
    let (start_at, clock_at, rate) = (monday.to_rfc3339(), at.to_rfc3339(), RATE.to_string());
    let database_url = crate::delivery_slack::database_url(&bot.pool);
    let start = |i: usize, name: &str| {
        start_on(
            &database_url,
            dir.path(),
            &fake.url,
            &format!("{i}-{i}/3"),
            name,
            &[
                LOG,
                ("COHORTBOT__CLOCK__START", &start_at),
                ("COHORTBOT__CLOCK__AT", &clock_at),
                ("COHORTBOT__CLOCK__RATE", &rate),
            ],
        )
    };
    let mut running: Vec<Running> = NAMES.iter().enumerate().map(|(i, n)| start(i, n)).collect();
    let began = Instant::now();
    // The gateway's clock (std's) beside the fake's (tokio's).
    let gateway_began = std::time::Instant::now();

    // 1. Each shard IDENTIFYs once, 5 s apart across all three processes.
    let mut timeline = each_shard_identifies(&mut identified, 3).await;

    // 6. One leader, which registered the commands once.
    let (_, leader_pid) = until("a leader", Duration::from_secs(10), async || {
        leader(&bot.pool).await
    })
    .await;
    let registrations = || {
        fake.seen()
            .iter()
            .filter(|s| s.route == "commands" && s.status == 200)
            .count()
    };
    until(
        "the commands registered",
        Duration::from_secs(10),
        async || (registrations() == 1).then_some(()),
    )
    .await;

    // 2. An interaction is answered once, by the process whose shard has its guild (the
    // fixture's guild is on shard 1 of 3); one in a DM, by shard 0's.
    let in_guild = fixture("slash_command");
    let in_dm = in_a_dm(&in_guild);
    let owners = [(&in_guild, 1), (&in_dm, 0)];
    for (interaction, shard) in owners {
        let session = sessions.lock().unwrap()[&shard].clone();
        session
            .send(json!(["INTERACTION_CREATE", interaction]))
            .unwrap();
    }
    let answers = |id: &str| {
        let route = format!("callback {id}");
        fake.seen().iter().filter(|s| s.route == route).count()
    };
    for (interaction, _) in owners {
        let id = interaction["id"].as_str().unwrap();
        until(
            "the interaction answered",
            Duration::from_secs(10),
            async || (answers(id) > 0).then_some(()),
        )
        .await;
    }
    // A second answer, from any process, would have come by now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for (interaction, shard) in owners {
        let id = interaction["id"].as_str().unwrap();
        assert_eq!(answers(id), 1, "interaction {id} answered once");
        let field = format!("\"interaction\":\"{id}\"");
        let handled_by: Vec<&str> = NAMES
            .into_iter()
            .filter(|name| log_of(dir.path(), name).contains(&field))
            .collect();
        assert_eq!(handled_by, [NAMES[shard as usize]], "interaction {id}");
    }

    // 3. Monday 09:00 in each zone: 1,000 prompts, shared by the three.
    until("a third delivered", Duration::from_secs(90), async || {
        (sent(&bot.pool).await >= LEARNERS / 3).then_some(())
    })
    .await;

    // 4. The leader is killed mid fan-out; its leased posts go out once their leases expire.
    let killed = running
        .iter()
        .position(|r| r.id() as i32 == leader_pid)
        .expect("the leader is one of the three");
    running[killed].0.kill().unwrap();
    running[killed].0.wait().unwrap();
    let killed_at = Instant::now();
    let killed_log = log_of(dir.path(), NAMES[killed]);

    // 6. Another process leads within the TTL and an interval, and registers again.
    let (_, new_leader) = until("a new leader", Duration::from_secs(10), async || {
        leader(&bot.pool)
            .await
            .filter(|(_, pid)| *pid != leader_pid)
    })
    .await;
    let takeover = killed_at.elapsed();
    assert!(running.iter().any(|r| r.id() as i32 == new_leader));

    // The killed process is restarted once the registry has seen it die (three missed
    // beats), and takes its shard back.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let restarted_name = format!("{}2", NAMES[killed]);
    running[killed] = start(killed, &restarted_name);
    let again = tokio::time::timeout(Duration::from_secs(40), identified.recv())
        .await
        .expect("the restarted process identifies")
        .unwrap();
    assert_eq!(again.0, killed as u64, "it takes its own shard back");
    timeline.push(again);

    until("every DM delivered", Duration::from_secs(150), async || {
        (sent(&bot.pool).await == LEARNERS).then_some(())
    })
    .await;
    let done_at = Instant::now();
    assert_eq!(registrations(), 2, "commands registered once per leader");
    // Each learner's prompt was queued at 09:00 on their own Monday (by whichever process
    // ran the pass; a pass comes every 3 minutes of the test clock).
    let queued: Vec<(String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT m.timezone, o.created_at FROM outbox o JOIN members m ON m.id = o.member_id
          WHERE m.platform = 'discord'",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(queued.len(), LEARNERS as usize, "one prompt per learner");
    for (zone, at) in &queued {
        let local = at.with_timezone(&zone.parse::<chrono_tz::Tz>().unwrap());
        assert!(
            local.hour() == 9 && local.minute() < 10,
            "a prompt queued at {local} in {zone}"
        );
    }
    for child in &running {
        terminate(child);
    }
    for child in &mut running {
        let status = wait_exit(child, Duration::from_secs(20));
        assert!(status.success(), "{status}");
    }

    // 1. Consecutive IDENTIFYs, across all processes, at least 5 s apart.
    for pair in timeline.windows(2) {
        let apart = pair[1].1 - pair[0].1;
        assert!(
            apart >= Duration::from_secs(5),
            "IDENTIFYs {apart:?} apart: {timeline:?}; what the processes said of their start:\n{}",
            NAMES
                .iter()
                .map(|name| {
                    let log = log_of(dir.path(), name);
                    let start: Vec<&str> = log
                        .lines()
                        .filter(|line| line.contains("IDENTIFY") || line.contains("gateway"))
                        .collect();
                    format!("{name}: {}", start.join("\n  "))
                })
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    // 3, 4. Every DM reached Discord exactly once (the nonce stops a resend of a post the
    // killed process sent but never recorded), and every process delivered some.
    let mut per_channel: HashMap<String, usize> = HashMap::new();
    for (channel, content) in fake.messages() {
        assert!(
            content.starts_with("It's check-in time for **Scale-out 2027** (2027-W10)!"),
            "{content}"
        );
        *per_channel.entry(channel).or_default() += 1;
    }
    assert_eq!(
        per_channel.len(),
        LEARNERS as usize,
        "one DM channel per learner"
    );
    assert!(
        per_channel.values().all(|n| *n == 1),
        "no DM was sent twice"
    );
    let mut by_process = BTreeMap::new();
    for (i, name) in NAMES.iter().enumerate() {
        let log = if i == killed {
            killed_log.clone()
        } else {
            log_of(dir.path(), name)
        };
        by_process.insert(name.to_string(), delivered_by(&log));
    }
    by_process.insert(
        restarted_name.clone(),
        delivered_by(&log_of(dir.path(), &restarted_name)),
    );
    for (name, ids) in &by_process {
        assert!(!ids.is_empty(), "process {name} delivered nothing");
    }
    let mut all: Vec<i64> = by_process.values().flatten().copied().collect();
    all.sort_unstable();
    let recorded = all.len();
    all.dedup();
    assert_eq!(
        all.len(),
        recorded,
        "no post recorded as delivered by two processes"
    );

    // 5. Together they kept to the budget: under 1% 429s, and at most 50 requests in any
    // whole second.
    let seen = fake.seen();
    let limited = assert_under_one_percent_429s(&seen);
    let mut per_second: BTreeMap<u64, (usize, usize)> = BTreeMap::new();
    for s in &seen {
        let entry = per_second.entry((s.at - began).as_secs()).or_default();
        entry.0 += 1;
        if s.status == 429 {
            entry.1 += 1;
        }
    }
    let busiest = per_second.values().map(|(n, _)| *n).max().unwrap();
    assert!(
        busiest <= GLOBAL_PER_SECOND as usize,
        "{busiest} requests in one second"
    );
    let unknown: Vec<_> = seen
        .iter()
        .filter(|s| s.route.starts_with("unknown"))
        .collect();
    assert!(
        unknown.is_empty(),
        "routes the fake does not know: {unknown:?}"
    );

    // The timeline, for the README and the closing note.
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let mut identifies = std::fs::File::create(out.join("three-processes-identify.csv")).unwrap();
    writeln!(identifies, "shard,seconds_from_start").unwrap();
    for (shard, at) in &timeline {
        writeln!(
            identifies,
            "{shard},{:.3}",
            at.duration_since(gateway_began).as_secs_f64()
        )
        .unwrap();
    }
    let mut requests = std::fs::File::create(out.join("three-processes-requests.csv")).unwrap();
    writeln!(requests, "second,requests,rate_limited").unwrap();
    for (second, (n, limited)) in &per_second {
        writeln!(requests, "{second},{n},{limited}").unwrap();
    }
    // While all three ran: from the first prompt's request to the kill.
    let fanout_at = seen
        .iter()
        .filter(|s| s.route == "dm-open")
        .map(|s| s.at)
        .min()
        .unwrap();
    let together = seen
        .iter()
        .filter(|s| s.at >= fanout_at && s.at <= killed_at)
        .count() as f64
        / (killed_at - fanout_at).as_secs_f64();
    assert!(
        together >= 0.9 * GLOBAL_PER_SECOND,
        "{together:.1} requests/s together is under 90% of the budget"
    );
    let recovered = done_at - killed_at;
    // Its leases came back when its heartbeat stopped (three missed beats of 1 s), not
    // after they expired (60 s): the fan-out did not stall for them.
    let handed_back = NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != killed)
        .any(|(_, name)| log_of(dir.path(), name).contains("handed back for delivery"));
    assert!(
        handed_back,
        "a survivor handed back the killed process's posts"
    );
    let stalled = per_second
        .range((killed_at - began).as_secs()..(done_at - began).as_secs())
        .filter(|(_, (n, _))| *n == 0)
        .count();
    assert!(
        stalled <= 5,
        "{stalled} seconds without a request after the kill"
    );
    let fanout = done_at - fanout_at;
    let dm_requests = seen
        .iter()
        .filter(|s| s.at >= fanout_at && s.at <= done_at)
        .count();
    eprintln!(
        "three processes: {LEARNERS} DMs in {fanout:.1?} ({dm_requests} requests, {:.1} requests/s, {limited} 429s of {}); per process {:?}; {together:.1} requests/s while all three ran; leader taken over {takeover:.1?} after the kill, the last post {recovered:.1?} after it; busiest second {busiest}; CSVs in {}",
        dm_requests as f64 / fanout.as_secs_f64(),
        seen.len(),
        by_process
            .iter()
            .map(|(n, ids)| (n.clone(), ids.len()))
            .collect::<Vec<_>>(),
        out.display()
    );
}
