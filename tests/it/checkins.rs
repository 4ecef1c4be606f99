//! Weekly check-ins: prompts, answers, escalation, replies, privacy, nudges and digests.

use chrono_tz::Europe::Berlin;
use cohortbot::render::ActionKind;
use sqlx::PgPool;

use crate::support::TestBot;

const SPRING: &str = "spring-makers-2027";

/// Sam and Lee in Spring Makers (Berlin), prompted on Monday 2027-03-08 09:00.
async fn spring_week(pool: PgPool) -> TestBot {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", SPRING, Some("short-modules")).await;
    bot.enroll("lee", SPRING, Some("projects")).await;
    // The scheduler starts after the 08:30 mentor digest, so only the prompts are due.
    bot.set_local("2027-03-08 08:45", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-08 09:00", Berlin);
    let report = bot.tick().await;
    assert_eq!(report.posts, 2, "{report:?}");
    bot
}

#[sqlx::test]
async fn the_prompt_reaches_each_learner_once(pool: PgPool) {
    let bot = spring_week(pool).await;
    let mut delivered = bot.deliver().await.into_vec();
    delivered.sort();
    assert_eq!(
        delivered
            .iter()
            .map(|(to, _)| to.as_str())
            .collect::<Vec<_>>(),
        ["#spring-makers", "#spring-makers", "@lee", "@sam"]
    );
    let prompt = &delivered.iter().find(|(to, _)| to == "@sam").unwrap().1;
    assert!(
        prompt.starts_with("It's check-in time for Spring Makers 2027 (2027-W10)!"),
        "{prompt}"
    );

    // The same tick again (a second process, or a restart) sends nothing new.
    let again = bot.tick().await;
    assert_eq!(again.posts, 0);
    assert!(bot.deliver().await.is_empty());
}

#[sqlx::test]
async fn checking_in_outside_any_cohort_is_explained(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot.say("nobody", "/checkin 4 did things").await;
    assert_eq!(
        said.reply(),
        "You're not in a cohort, so there is nothing to check in to. Type `/cohort list` to find one."
    );
    assert_eq!(bot.count("checkins").await, 0);
}

#[sqlx::test]
async fn a_blocker_notifies_the_lead_mentor_who_replies(pool: PgPool) {
    let bot = spring_week(pool).await;
    bot.deliver_to(&["#spring-makers", "#spring-makers", "@lee", "@sam"])
        .await;

    let said = bot
        .say(
            "sam",
            "/checkin 4 built my first flow blockers:\"no licence for premium connectors\" hours:3",
        )
        .await;
    assert_eq!(said.told(), ["@Grace Lindqvist"]);
    assert_eq!(
        said.reply(),
        "Thanks! Your check-in for Spring Makers 2027, 2027-W10, is recorded: confidence 4/5, 3 h. Your lead mentor will get in touch about what's blocking you."
    );
    let delivered = bot.deliver().await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].0, "@grace");
    assert!(
        delivered[0]
            .1
            .contains("a blocker: no licence for premium connectors"),
        "{}",
        delivered[0].1
    );

    let said = bot
        .say("grace", "/checkin reply @sam Let's pair on Thursday")
        .await;
    assert_eq!(said.told(), ["@Sam Carter"]);
    assert_eq!(
        said.reply(),
        "Sent to Sam Carter, on their check-in for 2027-W10."
    );
    assert_eq!(
        bot.deliver().await,
        [(
            "@sam".to_owned(),
            "Grace Lindqvist replied to your check-in for 2027-W10:\nLet's pair on Thursday"
                .to_owned()
        )]
    );

    let said = bot.say("sam", "/checkin history").await;
    assert!(
        said.reply()
            .contains("↳ Grace Lindqvist: Let's pair on Thursday"),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn low_confidence_alone_escalates_and_a_good_week_does_not(pool: PgPool) {
    let bot = spring_week(pool).await;
    bot.deliver_to(&["#spring-makers", "#spring-makers", "@lee", "@sam"])
        .await;
    bot.ok("sam", "/checkin 2 lost").await;
    bot.ok("lee", "/checkin 5 flying").await;
    let delivered = bot.deliver().await;
    assert_eq!(delivered.len(), 1);
    assert!(
        delivered[0].1.contains(
            "Sam Carter (Spring Makers 2027) checked in for 2027-W10 with confidence 2/5."
        ),
        "{}",
        delivered[0].1
    );
}

#[sqlx::test]
async fn check_ins_are_private_to_the_learner_and_their_mentors(pool: PgPool) {
    let bot = spring_week(pool).await;
    bot.ok("sam", "/checkin 3 private progress blockers:\"my manager\"")
        .await;

    let said = bot.say("lee", "/checkin history @sam").await;
    assert!(
        said.reply().starts_with("You're not a mentor of `@sam`."),
        "{}",
        said.reply()
    );
    let said = bot.say("ada", "/checkin history @sam").await;
    assert!(
        said.reply().starts_with("You're not a mentor of `@sam`."),
        "stewards see aggregates only: {}",
        said.reply()
    );
    let said = bot.say("lee", "/checkin reply @sam hi").await;
    assert!(
        said.reply().starts_with("You're not a mentor of `@sam`."),
        "{}",
        said.reply()
    );

    let said = bot.say("grace", "/checkin history @sam").await;
    assert!(
        said.reply().contains("private progress") && said.reply().contains("Blocker: my manager"),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn a_second_answer_replaces_the_first_after_confirmation_and_keeps_history(pool: PgPool) {
    let bot = spring_week(pool).await;
    bot.ok("sam", "/checkin 3 first answer").await;

    let said = bot.say("sam", "/yes").await;
    assert_eq!(
        said.reply(),
        "I haven't asked you anything, so there is nothing to answer."
    );
    let said = bot.say("sam", "/checkin 5 second answer").await;
    assert_eq!(
        said.reply(),
        "You already checked in for 2027-W10 (confidence 3/5). Replace it with this one? Answer `/yes` or `/no`."
    );
    let outcome = said.outcome().unwrap().clone();
    let question = outcome.question.clone().expect("a kept question");
    assert_eq!(
        outcome
            .reply
            .actions()
            .map(|a| (a.label.as_str(), a.kind.clone()))
            .collect::<Vec<_>>(),
        [
            (
                "Yes",
                ActionKind::Answer {
                    question: question.clone(),
                    yes: true
                }
            ),
            (
                "No",
                ActionKind::Answer {
                    question: question.clone(),
                    yes: false
                }
            ),
        ]
    );
    let (progress,): (String,) = sqlx::query_as("SELECT progress FROM checkins")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(progress, "first answer", "nothing changes before yes");
    // Someone else's yes does not answer it.
    let said = bot.say("lee", "/yes").await;
    assert!(
        said.reply().starts_with("I haven't asked you"),
        "{}",
        said.reply()
    );

    let said = bot.say("sam", "/yes").await;
    assert!(
        said.reply().contains("is updated: confidence 5/5"),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", &format!("/yes question:{question}")).await;
    assert_eq!(
        said.reply(),
        "That question has expired or was already answered, so nothing changed. Run the command again if you still want to."
    );
    assert_eq!(bot.count("checkins").await, 1);
    let revisions: Vec<String> = sqlx::query_scalar("SELECT progress FROM checkin_revisions")
        .fetch_all(&bot.pool)
        .await
        .unwrap();
    assert_eq!(revisions, ["first answer"]);
}

#[sqlx::test]
async fn one_nudge_for_an_unanswered_prompt_and_none_for_an_answered_one(pool: PgPool) {
    let bot = spring_week(pool).await;
    bot.ok("lee", "/checkin 4 done early").await;
    bot.deliver_to(&["#spring-makers", "#spring-makers", "@lee", "@sam"])
        .await;

    bot.set_local("2027-03-10 09:00", Berlin); // the nudge schedule: Wednesday 09:00
    let report = bot.tick().await;
    assert_eq!(report.posts, 1);
    let delivered = bot.deliver().await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].0, "@sam");
    assert!(delivered[0].1.starts_with(
        "A gentle reminder: your Spring Makers 2027 check-in for 2027-W10 is still open."
    ));

    // A re-run of the tick, or a later pass, never nudges twice.
    sqlx::query("DELETE FROM trigger_ticks WHERE trigger_key LIKE 'nudge:%'")
        .execute(&bot.pool)
        .await
        .unwrap();
    bot.set_local("2027-03-10 08:59", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-10 09:00", Berlin);
    assert_eq!(bot.tick().await.posts, 0);
}

/// Marks `user`'s member row erased (a tombstone) without the erasure job, which would
/// also end their enrollments: the fan-outs must leave a tombstone out by themselves.
async fn tombstone(bot: &TestBot, user: &str) {
    sqlx::query("UPDATE members SET erased_at = now() WHERE platform_user_id = $1")
        .bind(user)
        .execute(&bot.pool)
        .await
        .unwrap();
}

/// The outbox checks each row for a tombstone except the weekly fan-outs', whose own
/// statement leaves tombstones out (migration 0064): a tombstone still enrolled gets no
/// prompt and no nudge, and the others get theirs.
#[sqlx::test]
async fn the_weekly_fan_outs_skip_a_tombstone_still_enrolled(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    for user in ["sam", "lee", "kim"] {
        bot.enroll(user, SPRING, Some("projects")).await;
    }
    // The three welcomes in the cohort's channel.
    bot.deliver_to(&["#spring-makers"; 3]).await;
    tombstone(&bot, "sam").await;
    bot.set_local("2027-03-08 08:45", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-08 09:00", Berlin);
    assert_eq!(bot.tick().await.posts, 2);
    bot.deliver_to(&["@kim", "@lee"]).await;
    let prompted: Vec<String> = sqlx::query_scalar(
        "SELECT m.platform_user_id FROM checkin_prompts p JOIN members m ON m.id = p.member_id
         ORDER BY 1",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(prompted, ["kim", "lee"]);

    // Lee becomes a tombstone after the prompt: Wednesday's nudge goes to Kim alone.
    tombstone(&bot, "lee").await;
    bot.set_local("2027-03-10 09:00", Berlin);
    assert_eq!(bot.tick().await.posts, 1);
    let delivered = bot.deliver().await.into_vec();
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert_eq!(delivered[0].0, "@kim");
    assert!(
        delivered[0].1.starts_with(
            "A gentle reminder: your Spring Makers 2027 check-in for 2027-W10 is still open."
        ),
        "{}",
        delivered[0].1
    );
}

#[sqlx::test]
async fn the_cohort_digest_has_figures_and_shout_outs_but_no_private_text(pool: PgPool) {
    let bot = spring_week(pool).await;
    bot.ok(
        "sam",
        "/checkin 2 secret progress blockers:\"secret blocker\"",
    )
    .await;
    bot.set_local("2027-03-12 16:00", Berlin);
    bot.tick().await;
    let delivered = bot.deliver().await;
    let digest = &delivered
        .iter()
        .find(|(to, t)| to == "#spring-makers" && t.starts_with("📊"))
        .expect("digest")
        .1;
    assert_eq!(
        digest,
        "📊 Spring Makers 2027 — 2027-W10\nCheck-ins: 1 of 2 learners (50%)\nOpen blockers: 1\nConfidence: 2.0 average\n📅 Coming up:\n  #1 Lightning talks, Thu 18 Mar 2027 16:00 Europe/Berlin (15:00 UTC)"
    );
    assert!(!digest.contains("secret"));

    // The second week: Sam checks in again; Kim joins and checks in only this week, so
    // only Sam checked in every week this month.
    bot.enroll("kim", SPRING, Some("projects")).await;
    bot.set_local("2027-03-15 09:00", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-16 10:00", Berlin);
    bot.ok("sam", "/checkin 4 second week").await;
    bot.ok("kim", "/checkin 4 first week here").await;
    bot.set_local("2027-03-19 16:00", Berlin);
    bot.tick().await;
    let delivered = bot.deliver().await;
    let digest = &delivered
        .iter()
        .find(|(to, t)| to == "#spring-makers" && t.starts_with("📊 Spring Makers 2027 — 2027-W11"))
        .expect("the second digest")
        .1;
    assert!(
        digest
            .lines()
            .any(|l| l == "🙌 Checked in every week this month (2 weeks so far): Sam Carter"),
        "{digest}"
    );
}

#[sqlx::test]
async fn a_fresh_blocker_is_worth_a_conversation_in_the_mentor_digest(pool: PgPool) {
    let bot = spring_week(pool).await;
    // Confident, but blocked: learner health counts a blocker only after a week, yet the
    // digest must not tell Grace that nobody is stuck.
    bot.ok("sam", "/checkin 4 fine blockers:\"no licence\"")
        .await;
    bot.set_local("2027-03-15 08:30", Berlin);
    bot.tick().await;
    let delivered = bot.deliver().await;
    let digest = &delivered
        .iter()
        .find(|(to, t)| to == "@grace" && t.starts_with("Your learners"))
        .expect("mentor digest")
        .1;
    assert_eq!(
        digest,
        "Your learners in Spring Makers 2027, 2027-W10: 1 of 2 checked in.\nWorth a conversation:\n• Sam Carter — blocker open 6 days"
    );
}

#[sqlx::test]
async fn the_mentor_digest_lists_who_is_at_risk_and_why(pool: PgPool) {
    let bot = spring_week(pool).await;
    bot.ok("sam", "/checkin 4 fine blockers:\"waiting for IT\"")
        .await;
    // Week 2: a new prompt; Lee misses both weeks, Sam's blocker stays open.
    bot.set_local("2027-03-15 09:00", Berlin);
    bot.tick().await;
    bot.ok(
        "sam",
        "/checkin 2 still waiting blockers:\"waiting for IT\"",
    )
    .await;
    bot.deliver_to(&[
        "#spring-makers",
        "#spring-makers",
        "@grace",
        "@grace",
        "@grace",
        "@lee",
        "@sam",
    ])
    .await;

    bot.set_local("2027-03-22 08:30", Berlin);
    bot.tick().await;
    let delivered = bot.deliver().await;
    let digest = &delivered
        .iter()
        .find(|(to, t)| to == "@grace" && t.starts_with("Your learners"))
        .expect("mentor digest")
        .1;
    assert!(
        digest.starts_with("Your learners in Spring Makers 2027, 2027-W11: 1 of 2 checked in."),
        "{digest}"
    );
    assert!(
        digest.contains("• lee — missed 2 check-ins in a row"),
        "{digest}"
    );
    assert!(
        digest.contains("• Sam Carter — confidence 2/5, blocker open 13 days"),
        "{digest}"
    );
    assert!(
        !digest.contains("waiting for IT"),
        "no blocker text in digests"
    );
    // A Reply button for each at-risk learner with a check-in to answer (lee has none).
    let labels: Vec<String> = sqlx::query_scalar(
        "SELECT f->'Action'->>'label' FROM outbox o, jsonb_array_elements(o.body) f
          WHERE o.idempotency_key LIKE 'mentor-digest:%' AND f ? 'Action'
            AND o.created_at >= '2027-03-22'",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(labels, ["Reply to Sam Carter"]);
}

#[sqlx::test]
async fn an_early_check_in_gets_no_prompt_or_nudge(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", SPRING, Some("short-modules")).await;
    bot.enroll("lee", SPRING, Some("projects")).await;
    bot.set_local("2027-03-08 08:40", Berlin);
    let said = bot.say("sam", "/checkin 4 started early").await;
    assert!(
        said.reply().contains("2027-W10, is recorded"),
        "{}",
        said.reply()
    );
    bot.set_local("2027-03-08 08:45", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-08 09:00", Berlin);
    bot.tick().await;
    let prompted: Vec<String> = bot
        .deliver()
        .await
        .into_vec()
        .into_iter()
        .filter(|(to, _)| to.starts_with('@'))
        .map(|(to, _)| to)
        .collect();
    assert_eq!(prompted, ["@lee"]);
    // The nudge day: lee still has not answered, sam has.
    bot.set_local("2027-03-10 09:00", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-11 09:00", Berlin);
    bot.tick().await;
    let nudged: Vec<String> = bot
        .deliver()
        .await
        .into_vec()
        .into_iter()
        .filter(|(to, text)| to.starts_with('@') && text.contains("reminder"))
        .map(|(to, _)| to)
        .collect();
    assert_eq!(nudged, ["@lee"]);
}

#[sqlx::test]
async fn a_learner_in_two_cohorts_checks_in_to_the_one_that_prompted(pool: PgPool) {
    let bot = spring_week(pool).await;
    bot.enroll("sam", "evening-builders-2027", None).await;
    let said = bot
        .say("sam", "/checkin 4 automated the leave request")
        .await;
    assert_eq!(
        said.reply(),
        "Thanks! Your check-in for Spring Makers 2027, 2027-W10, is recorded: confidence 4/5."
    );
    // Once both take check-ins (Evening Builders from 2027-03-22) and no prompt is open,
    // the cohort has to be named.
    bot.set_local("2027-03-23 10:00", Berlin);
    let said = bot.say("sam", "/checkin 3 and more").await;
    assert!(said.refused());
    assert_eq!(
        said.reply(),
        "You're in several cohorts. Say which one with `cohort:`, e.g.:\n  `/checkin 4 my progress cohort:evening-builders-2027`\n  `/checkin 4 my progress cohort:spring-makers-2027`"
    );
}

#[sqlx::test]
async fn with_no_lead_mentor_a_blocker_reaches_the_stewards(pool: PgPool) {
    let bot = spring_week(pool).await;
    bot.without_seeded_mentors().await;
    let said = bot
        .say("sam", "/checkin 2 stuck blockers:\"no licence\"")
        .await;
    assert_eq!(
        said.reply(),
        "Thanks! Your check-in for Spring Makers 2027, 2027-W10, is recorded: confidence 2/5. Your cohort has no lead mentor right now, so the stewards have been told and will get in touch."
    );
    assert_eq!(
        said.dms(),
        [(
            "Ada Okafor",
            "Sam Carter (Spring Makers 2027) checked in for 2027-W10 with confidence 2/5 and a blocker: no licence\nTheir cohort has no lead mentor, so this comes to you: please reach out to them. A lead mentor would hear it next time: `/role grant @someone lead_mentor spring-makers-2027`."
        )]
    );
}

#[sqlx::test]
async fn a_check_in_long_before_the_start_or_after_the_end_is_refused(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", "spring-makers-2027", Some("projects"))
        .await;
    bot.set_local("2027-02-10 09:00", chrono_tz::Europe::Berlin);
    let said = bot.say("sam", "/checkin 4 getting ready").await;
    assert_eq!(
        said.reply(),
        "Spring Makers 2027 starts on 2027-03-01, and check-ins open on 2027-02-15. Your first prompt comes in its first week."
    );
    assert!(said.posts().is_empty());
    bot.set_local("2027-07-05 09:00", chrono_tz::Europe::Berlin);
    let said = bot.say("sam", "/checkin 4 still going").await;
    assert_eq!(
        said.reply(),
        "Spring Makers 2027 ended on 2027-06-25, so it takes no more check-ins. Thank you for taking part!"
    );
    assert_eq!(bot.count("checkins").await, 0);
    // Inside the window, onboarding week included, it is recorded.
    bot.set_local("2027-02-16 09:00", chrono_tz::Europe::Berlin);
    let said = bot.say("sam", "/checkin 4 getting ready").await;
    assert!(said.reply().starts_with("Thanks!"), "{}", said.reply());
    assert_eq!(bot.count("checkins").await, 1);
}

#[sqlx::test]
async fn another_command_drops_an_open_question_and_says_so(pool: PgPool) {
    let bot = spring_week(pool).await;
    bot.ok("sam", "/checkin 3 first answer").await;
    bot.asks(
        "sam",
        "/checkin 5 second answer",
        "Replace it with this one?",
    )
    .await;
    let said = bot.say("sam", "/progress").await;
    assert!(
        said.reply()
            .starts_with("(I dropped my unanswered question about `/checkin`.)\n"),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/yes").await;
    assert_eq!(
        said.reply(),
        "I haven't asked you anything, so there is nothing to answer."
    );
    // No keeps the first answer; a question expires after 15 minutes.
    bot.asks(
        "sam",
        "/checkin 5 second answer",
        "Replace it with this one?",
    )
    .await;
    let said = bot.say("sam", "/no").await;
    assert_eq!(said.reply(), "OK, nothing changed.");
    bot.asks(
        "sam",
        "/checkin 5 second answer",
        "Replace it with this one?",
    )
    .await;
    bot.clock.advance(chrono::Duration::minutes(16));
    let said = bot.say("sam", "/yes").await;
    assert!(
        said.reply().starts_with("I haven't asked you"),
        "{}",
        said.reply()
    );
    let progress: String = sqlx::query_scalar("SELECT progress FROM checkins")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(progress, "first answer");
}

#[sqlx::test]
async fn a_refused_command_and_a_new_question_drop_the_open_question_too(pool: PgPool) {
    let bot = spring_week(pool).await;
    bot.ok("sam", "/checkin 3 first answer").await;
    bot.asks(
        "sam",
        "/checkin 5 second answer",
        "Replace it with this one?",
    )
    .await;
    // A refusal rolls its transaction back, and the question is dropped all the same.
    let said = bot.say("sam", "/cohort join no-such-cohort").await;
    assert!(said.refused(), "{}", said.reply());
    assert_eq!(
        said.reply(),
        "(I dropped my unanswered question about `/checkin`.)\n\
         I don't know a cohort called `no-such-cohort` here. Type `/cohort list` to see them."
    );
    let said = bot.say("sam", "/yes").await;
    assert_eq!(
        said.reply(),
        "I haven't asked you anything, so there is nothing to answer."
    );
    // A command that asks a new question replaces the open one, and says so.
    bot.asks(
        "sam",
        "/checkin 5 second answer",
        "Replace it with this one?",
    )
    .await;
    let said = bot.say("sam", "/checkin 4 third answer").await;
    assert_eq!(
        said.reply(),
        "(I dropped my unanswered question about `/checkin`.)\n\
         You already checked in for 2027-W10 (confidence 3/5). Replace it with this one? \
         Answer `/yes` or `/no`."
    );
    let said = bot.say("sam", "/yes").await;
    assert!(said.reply().starts_with("Thanks!"), "{}", said.reply());
    let progress: String = sqlx::query_scalar("SELECT progress FROM checkins")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(progress, "third answer");
}

#[sqlx::test]
async fn a_multi_line_answer_stays_under_its_bullet_in_the_history(pool: PgPool) {
    let bot = spring_week(pool).await;
    bot.deliver_to(&["#spring-makers", "#spring-makers", "@lee", "@sam"])
        .await;
    let said = bot
        .say("sam", "/checkin 4 \"built the flow\nwrote the docs\"")
        .await;
    assert!(said.reply().starts_with("Thanks!"), "{}", said.reply());
    let said = bot.say("sam", "/checkin history").await;
    assert_eq!(
        said.reply(),
        "Check-ins of Sam Carter:\n• 2027-W10 Spring Makers 2027 · confidence 4/5\n  built the flow\n  wrote the docs"
    );
    let said = bot.say("lee", "/checkin history").await;
    assert!(
        said.reply().starts_with("You haven't checked in yet."),
        "{}",
        said.reply()
    );
}

/// Joining next term's cohort does not make this term's `/checkin` ask which cohort, and an
/// archived cohort says so wherever it is named, never that its first prompt is coming.
#[sqlx::test]
async fn a_cohort_that_takes_no_checkin_today_is_not_the_one_meant(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", SPRING, Some("short-modules")).await;
    bot.enroll("sam", "evening-builders-2027", None).await;
    // Before either takes check-ins: the one opening first says when, in one step.
    bot.set_local("2027-02-10 10:00", Berlin);
    let said = bot.say("sam", "/checkin 4 too early").await;
    assert!(said.refused());
    assert_eq!(
        said.reply(),
        "Spring Makers 2027 starts on 2027-03-01, and check-ins open on 2027-02-15. Your first prompt comes in its first week."
    );
    // Before Evening Builders' check-ins open (2027-03-22), and before any prompt.
    bot.set_local("2027-03-10 10:00", Berlin);
    let said = bot.ok("sam", "/checkin 4 first flow").await;
    assert_eq!(
        said.reply(),
        "Thanks! Your check-in for Spring Makers 2027, 2027-W10, is recorded: confidence 4/5."
    );

    let said = bot.ok("ada", "/cohort archive spring-makers-2027").await;
    assert_eq!(
        said.reply(),
        "Archived Spring Makers 2027: 9 schedules stopped, and nobody new can join. Its 1 learner and their records stay."
    );
    let said = bot
        .say("sam", "/checkin 4 more cohort:spring-makers-2027")
        .await;
    assert!(said.refused());
    assert_eq!(
        said.reply(),
        "Spring Makers 2027 is archived, so it takes no more check-ins. Thank you for taking part!"
    );
    let said = bot.say("sam", "/me").await;
    assert_eq!(
        said.reply(),
        "Sam Carter (@sam)\nTime zone: Europe/Berlin\nSkills: excel\nCode of conduct: accepted 2027-02-15\nRoles: none\nCohorts: Evening Builders 2027 (Short modules), joined 2027-02-15; Spring Makers 2027 (Short modules), joined 2027-02-15, archived"
    );
    let said = bot.ok("sam", "/cohort leave spring-makers-2027").await;
    assert_eq!(
        said.reply(),
        "You've left Spring Makers 2027. It is archived; your check-ins and milestones in it are kept."
    );
    assert!(said.posts().is_empty(), "{:?}", said.posts());
}
