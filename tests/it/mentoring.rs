//! The mentor pipeline, matching (optimal vs greedy), capacity, pause, do-not-match,
//! outcomes for everyone, apply with one notice each, and rotation previews.

use cohortbot::render::Fragment;
use sqlx::PgPool;

use crate::support::TestBot;

const COHORT: &str = "spring-makers-2027";

/// A member with a zone and skills who offered and was approved as a community mentor.
async fn mentor(bot: &TestBot, user: &str, zone: &str, capacity: u32, skills: &str) {
    bot.ok(user, &format!("/me timezone {zone}")).await;
    let said = bot
        .say(
            user,
            &format!("/mentor offer community {capacity} {skills}"),
        )
        .await;
    assert_eq!(said.told(), ["@Ada Okafor"]);
    assert!(said.reply().starts_with("Thank you!"), "{}", said.reply());
    let said = bot
        .say("ada", &format!("/mentor approve @{user} community"))
        .await;
    assert!(
        said.reply().contains("is now an approved"),
        "{}",
        said.reply()
    );
    assert_eq!(said.told(), [format!("@{user}")]);
}

async fn learner(bot: &TestBot, user: &str, zone: &str, skills: &str) {
    bot.enroll(user, COHORT, Some("projects")).await;
    bot.ok(user, &format!("/me timezone {zone}")).await;
    bot.ok(user, &format!("/me skills {skills}")).await;
}

#[sqlx::test]
async fn offers_are_approved_or_declined_and_bad_input_changes_nothing(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    for bad in ["0", "-2", "51"] {
        let said = bot
            .say("lin", &format!("/mentor offer community {bad} sql"))
            .await;
        assert_eq!(
            said.reply(),
            format!(
                "`capacity` must be a whole number from 1 to 50, not `{bad}` (usage: `/mentor offer [tier] [capacity] [skills…]`)"
            )
        );
    }
    // Only the program file's mentors, approved by holding their roles.
    assert_eq!(bot.count("mentor_profiles").await, 3);

    let said = bot
        .say("lin", "/mentor offer community 2 Power BI, sql")
        .await;
    assert_eq!(
        said.reply(),
        "Thank you! Your offer to mentor as a community mentor, up to 2 learners; skills: power bi, sql. A steward will look at it and you'll hear back here."
    );
    assert_eq!(
        said.dms(),
        [(
            "Ada Okafor",
            "lin offers to mentor as a community mentor, up to 2 learners; skills: power bi, sql. Approve with `/mentor approve @lin community` or decline with `/mentor decline @lin [reason]`."
        )]
    );

    let said = bot.say("sam", "/mentor approve @lin community").await;
    assert_eq!(
        said.reply(),
        "Sorry, only stewards can use `/mentor approve`."
    );
    let said = bot.say("ada", "/mentor approve @sam community").await;
    assert_eq!(
        said.reply(),
        "Sam Carter has not offered to mentor. They can with `/mentor offer`."
    );

    let said = bot.say("ada", "/mentor approve @lin community").await;
    assert_eq!(said.reply(), "lin is now an approved community mentor.");
    assert_eq!(
        said.dms(),
        [(
            "lin",
            "Ada Okafor approved you as a community mentor. Welcome aboard! Read `/mentor guide` before your first session."
        )]
    );
    let said = bot.say("ada", "/mentor approve @lin community").await;
    assert_eq!(said.reply(), "lin is already an approved community mentor.");
    let said = bot.say("ada", "/mentor decline @lin").await;
    assert_eq!(said.reply(), "lin has no offer waiting for a decision.");

    // Approval grants the role (community-wide) through the roles store.
    let said = bot.say("sam", "/mentor offer lead 1 excel").await;
    assert_eq!(said.told(), ["@Ada Okafor"]);
    assert!(said.reply().starts_with("Thank you!"));
    bot.ok("ada", "/mentor approve @sam lead").await;
    let said = bot.say("sam", "/me").await;
    assert!(said.reply().contains("lead mentor"), "{}", said.reply());

    // A decline reason is the steward's text: it reaches the member escaped, never pinging.
    bot.ok("priya", "/mentor offer community 1 finance").await;
    let said = bot
        .say("ada", "/mentor decline @priya @everyone not this term")
        .await;
    assert_eq!(
        said.reply(),
        "Declined Priya Raman's offer; they have been told."
    );
    let notice = &said.outcome().unwrap().posts[0].message;
    assert!(
        notice
            .0
            .contains(&Fragment::User("@everyone not this term".into()))
    );
    assert_eq!(notice.mentioned().count(), 0);
}

#[sqlx::test]
async fn pause_and_resume_with_learners_told_who_covers(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot.say("sam", "/mentor pause").await;
    assert_eq!(
        said.reply(),
        "You are not an approved mentor yet. Offer with `/mentor offer`."
    );
    mentor(&bot, "xena", "Europe/Berlin", 2, "sql").await;
    learner(&bot, "lena", "Europe/Berlin", "sql").await;
    bot.ok("ada", &format!("/mentor match {COHORT}")).await;
    bot.ok("ada", &format!("/mentor match apply {COHORT}"))
        .await;

    let said = bot.say("xena", "/mentor pause 2027-02-01").await;
    assert_eq!(
        said.reply(),
        "That day has passed; give today or a later date, like `2027-04-30`."
    );
    let said = bot.say("xena", "/mentor pause 2027-03-14").await;
    assert_eq!(
        said.reply(),
        "Paused. You won't be matched or prompted through Sun 14 Mar 2027. Your learners have been told who covers for you."
    );
    assert_eq!(
        said.dms(),
        [(
            "lena",
            "xena is taking a break through Sun 14 Mar. Until then, @Grace Lindqvist covers for them."
        )]
    );

    // Paused mentors are skipped, with that outcome named (the program file's mentors,
    // who would be matched, lose their roles first).
    bot.without_seeded_mentors().await;
    let said = bot.say("ada", &format!("/mentor match {COHORT}")).await;
    assert_eq!(
        said.reply(),
        "There are no approved mentors to match Spring Makers 2027 with: all 1 are paused."
    );

    let said = bot.say("xena", "/mentor resume").await;
    assert_eq!(said.told(), ["@lena"]);
    assert_eq!(
        said.reply(),
        "Welcome back! You can be matched and prompted again."
    );
    let said = bot.say("xena", "/mentor resume").await;
    assert_eq!(said.reply(), "You are not paused.");
}

#[sqlx::test]
async fn the_optimal_matching_beats_greedy_and_apply_tells_everyone_once(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    // Greedy gives lena (first) her best mentor xena and leaves omar with yuri, with whom
    // he shares nothing; the optimum swaps them.
    learner(&bot, "lena", "Europe/Berlin", "sql, excel").await;
    learner(&bot, "omar", "Europe/Berlin", "sql, power apps").await;
    mentor(&bot, "xena", "Europe/Berlin", 1, "sql, excel, power apps").await;
    mentor(&bot, "yuri", "Europe/Paris", 1, "excel").await;

    let said = bot.say("lena", &format!("/mentor match {COHORT}")).await;
    assert_eq!(
        said.reply(),
        "Sorry, only stewards can use `/mentor match`."
    );

    let said = bot.say("ada", &format!("/mentor match {COHORT}")).await;
    assert_eq!(
        said.reply(),
        "Proposed mentor matching for Spring Makers 2027:\n\
         Community mentors: score 66 (greedy baseline 56)\n\
         • xena: omar (shares: sql, power apps; 9 h overlap)\n\
         • yuri: lena (shares: excel; 9 h overlap)\n\
         Commit it with `/mentor match apply spring-makers-2027`; everyone is told once."
    );
    assert!(said.posts().is_empty(), "a proposal tells nobody");
    assert_eq!(bot.count("mentorships").await, 0);

    let said = bot
        .say("ada", &format!("/mentor match apply {COHORT}"))
        .await;
    assert_eq!(
        said.reply(),
        "Applied the matching for Spring Makers 2027: 2 placements, 0 waitlisted. Everyone has been told."
    );
    let mut dms = said.dms();
    dms.sort();
    assert_eq!(
        dms,
        [
            (
                "lena",
                "Your mentors in Spring Makers 2027:\n• Community mentor: @yuri (shares: excel; 9 h overlap)"
            ),
            (
                "omar",
                "Your mentors in Spring Makers 2027:\n• Community mentor: @xena (shares: sql, power apps; 9 h overlap)"
            ),
            (
                "xena",
                "Your learners in Spring Makers 2027:\n• @omar (shares: sql, power apps; 9 h overlap)\nSee `/mentor guide` for the playbook."
            ),
            (
                "yuri",
                "Your learners in Spring Makers 2027:\n• @lena (shares: excel; 9 h overlap)\nSee `/mentor guide` for the playbook."
            ),
        ]
    );
    let said = bot
        .say("ada", &format!("/mentor match apply {COHORT}"))
        .await;
    assert!(
        said.reply().starts_with("There is no new proposal"),
        "{}",
        said.reply()
    );

    // History is kept: the next run prefers new pairs, here enough to swap them back.
    let said = bot.say("ada", &format!("/mentor match {COHORT}")).await;
    assert!(
        said.reply()
            .contains("• xena: lena (shares: sql, excel; 9 h overlap)\n• yuri: omar (9 h overlap)"),
        "{}",
        said.reply()
    );
    bot.ok("ada", &format!("/mentor match apply {COHORT}"))
        .await;
    let rows: (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE ended_at IS NULL) FROM mentorships",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert_eq!(rows, (4, 2));
}

#[sqlx::test]
async fn capacity_pause_and_do_not_match_give_everyone_an_outcome(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    learner(&bot, "lena", "Europe/Berlin", "sql").await;
    learner(&bot, "omar", "Europe/Berlin", "sql").await;
    learner(&bot, "tomo", "Asia/Tokyo", "sql").await;
    mentor(&bot, "xena", "Europe/Berlin", 1, "sql").await;
    mentor(&bot, "yuri", "Europe/Berlin", 3, "sql").await;
    mentor(&bot, "zoe", "Europe/Berlin", 3, "sql").await;
    bot.ok("zoe", "/mentor pause").await;

    // Lena privately never wants yuri; yuri is not told, and only lena sees her list.
    let said = bot.say("lena", "/mentor avoid @yuri").await;
    assert_eq!(
        said.reply(),
        "Noted privately: you won't be paired with yuri. Nobody else is told."
    );
    assert!(said.posts().is_empty());
    let said = bot.say("lena", "/mentor avoid").await;
    assert_eq!(said.reply(), "Your private do-not-match list: yuri.");
    let said = bot.say("yuri", "/mentor avoid").await;
    assert!(said.reply().starts_with("Your do-not-match list is empty"));
    let said = bot.say("yuri", "/mentor avoid of:@lena").await;
    assert_eq!(
        said.reply(),
        "A do-not-match list is private: only its owner and stewards can see it."
    );
    let said = bot.say("ada", "/mentor avoid of:@lena").await;
    assert_eq!(said.reply(), "lena's do-not-match list: yuri.");
    let said = bot.say("lena", "/mentor avoid @lena").await;
    assert_eq!(said.reply(), "You can't be matched with yourself anyway.");

    let said = bot.say("ada", &format!("/mentor match {COHORT}")).await;
    assert_eq!(
        said.reply(),
        "Proposed mentor matching for Spring Makers 2027:\n\
         Community mentors: score 56 (greedy baseline 56)\n\
         • xena: lena (shares: sql; 9 h overlap)\n\
         • yuri: omar (shares: sql; 9 h overlap)\n\
         • waitlisted: tomo (no mentor shares 2 or more waking hours, or all are excluded)\n\
         Skipped, paused: zoe.\n\
         Commit it with `/mentor match apply spring-makers-2027`; everyone is told once."
    );

    // With yuri also paused, there are fewer slots than learners: the message says so.
    bot.ok("yuri", "/mentor pause").await;
    bot.ok("tomo", "/me timezone Europe/Berlin").await;
    let said = bot.say("ada", &format!("/mentor match {COHORT}")).await;
    assert!(
        said.reply()
            .contains("2 slots missing: 3 learners, 1 places. As many as possible are placed."),
        "{}",
        said.reply()
    );
    assert_eq!(
        said.reply()
            .matches("every suitable mentor is full")
            .count(),
        2,
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn matching_needs_learners_and_approved_mentors(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    let said = bot.say("ada", &format!("/mentor match {COHORT}")).await;
    assert_eq!(
        said.reply(),
        "Spring Makers 2027 has no active learners to match yet."
    );
    learner(&bot, "lena", "Europe/Berlin", "sql").await;
    bot.ok("ken", "/mentor offer community 2 sql").await;
    let said = bot.say("ada", &format!("/mentor match {COHORT}")).await;
    assert_eq!(
        said.reply(),
        "There are no approved mentors to match Spring Makers 2027 with. Members offer with `/mentor offer` and stewards approve with `/mentor approve`."
    );
    let said = bot.say("ada", "/mentor match apply").await;
    assert_eq!(
        said.reply(),
        "Say which cohort's proposal to apply: `/mentor match apply <cohort>`."
    );
    let said = bot.say("ada", "/mentor match nowhere").await;
    assert!(
        said.reply()
            .starts_with("I don't know a cohort called `nowhere`")
    );
}

#[sqlx::test]
async fn rotation_preview_moves_mentors_to_new_learners(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    learner(&bot, "lena", "Europe/Berlin", "sql").await;
    learner(&bot, "omar", "Europe/Berlin", "excel").await;
    mentor(&bot, "xena", "Europe/Berlin", 1, "sql").await;
    mentor(&bot, "yuri", "Europe/Berlin", 1, "excel").await;
    let said = bot
        .say("ada", &format!("/mentor rotation preview {COHORT}"))
        .await;
    assert!(
        said.reply().contains("has no community-mentor groups"),
        "{}",
        said.reply()
    );

    bot.ok("ada", &format!("/mentor match {COHORT}")).await;
    bot.ok("ada", &format!("/mentor match apply {COHORT}"))
        .await;
    let said = bot
        .say("ada", &format!("/mentor rotation preview {COHORT}"))
        .await;
    assert_eq!(
        said.reply(),
        "Next rotation for Spring Makers 2027:\n\
         • xena's group (1 learner) → yuri (new pair)\n\
         • yuri's group (1 learner) → xena (new pair)"
    );
}

#[sqlx::test]
async fn stats_guide_and_department(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot.say("sam", "/me department Finance & Ops").await;
    assert_eq!(
        said.reply(),
        "Your department is now Finance & Ops. Matching favours mentors from other departments."
    );
    let said = bot.say("sam", "/mentor guide").await;
    assert!(
        said.reply().starts_with("Mentor playbook\n"),
        "{}",
        said.reply()
    );
    mentor(&bot, "xena", "Europe/Berlin", 2, "sql").await;
    let said = bot.say("xena", "/mentor stats").await;
    assert_eq!(
        said.reply(),
        "community mentor: 0 active learners, capacity 2 learners.\nReviews: 0 done, 0 open.\nPairing sessions: 0. Kudos received: 0."
    );
}

#[sqlx::test]
async fn late_joiners_are_placed_by_the_same_scorer_into_a_group_with_room(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    learner(&bot, "lena", "Europe/Berlin", "sql").await;
    mentor(&bot, "xena", "Europe/Berlin", 1, "sql").await;
    mentor(&bot, "yuri", "Europe/Berlin", 2, "excel").await;
    bot.ok("gina", "/me timezone Europe/Berlin").await;
    bot.ok("gina", "/mentor offer lead 1 excel, sql").await;
    bot.ok("ada", "/mentor approve @gina lead").await;
    bot.ok("ada", &format!("/mentor match {COHORT}")).await;
    bot.ok("ada", &format!("/mentor match apply {COHORT}"))
        .await;

    // Omar shares sql with full xena, so yuri (room left) takes him; gina's group has room.
    bot.ok("omar", "/me timezone Europe/Berlin").await;
    bot.ok("omar", "/me skills sql").await;
    bot.ok("omar", "/coc accept").await;
    let said = bot
        .say("omar", &format!("/cohort join {COHORT} track:projects"))
        .await;
    assert!(said.reply().contains("You're in!"), "{}", said.reply());
    let mut dms = said.dms();
    dms.sort();
    assert_eq!(
        dms,
        [
            (
                "gina",
                "Your learners in Spring Makers 2027:\n• @omar (shares: sql; 9 h overlap)\nSee `/mentor guide` for the playbook."
            ),
            (
                "omar",
                "Your mentors in Spring Makers 2027:\n• Lead mentor: @gina, in gina's group (shares: sql; 9 h overlap)\n• Community mentor: @yuri (9 h overlap)"
            ),
            (
                "yuri",
                "Your learners in Spring Makers 2027:\n• @omar (9 h overlap)\nSee `/mentor guide` for the playbook."
            ),
        ]
    );
    let groups: Vec<(String, i64)> = sqlx::query_as(
        "SELECT g.name, count(*) FROM enrollments e JOIN mentor_groups g ON g.id = e.mentor_group_id
         WHERE e.status = 'active' GROUP BY g.name",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(groups, [("gina's group".to_owned(), 2)]);
}

#[sqlx::test]
async fn a_paused_lead_gets_no_notices_and_the_community_mentor_covers(pool: PgPool) {
    use chrono_tz::Europe::Berlin;
    let bot = TestBot::new(pool).await;
    mentor(&bot, "xena", "Europe/Berlin", 2, "sql").await;
    learner(&bot, "lena", "Europe/Berlin", "sql").await;
    bot.ok("ada", &format!("/mentor match {COHORT}")).await;
    bot.ok("ada", &format!("/mentor match apply {COHORT}"))
        .await;
    // Grace leads the cohort's mentor group (program file) and pauses until the end of April.
    bot.ok("grace", "/mentor offer lead 3 sql").await;
    bot.refused(
        "ada",
        "/mentor approve @grace lead",
        "already an approved lead mentor",
    )
    .await;
    let said = bot.say("grace", "/mentor pause 2027-04-30").await;
    assert!(said.reply().starts_with("Paused."), "{}", said.reply());
    assert_eq!(
        said.dms(),
        [(
            "lena",
            "Grace Lindqvist is taking a break through Fri 30 Apr. Until then, @xena covers for them."
        )]
    );
    bot.deliver_to(&[
        "@ada",
        "@xena",
        "#spring-makers",
        "@lena",
        "@grace",
        "@lena",
        "@xena",
    ])
    .await;

    bot.set_local("2027-03-08 08:45", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-08 09:00", Berlin);
    bot.tick().await;
    bot.deliver_to(&["@xena", "@lena"]).await;
    let said = bot
        .say("lena", "/checkin 2 stuck blockers:\"no licence\"")
        .await;
    assert!(
        said.reply().contains(
            "Your lead mentor is away, so the mentor covering for them will get in touch."
        ),
        "{}",
        said.reply()
    );
    assert_eq!(
        said.dms(),
        [(
            "xena",
            "lena (Spring Makers 2027) checked in for 2027-W10 with confidence 2/5 and a blocker: no licence\nTheir lead mentor is paused and you're covering: please reach out to them directly."
        )]
    );

    // The Monday mentor digest skips the paused lead; after resuming she gets it again.
    bot.set_local("2027-03-15 08:30", Berlin);
    bot.tick().await;
    let delivered = bot.deliver().await;
    assert!(
        !delivered.iter().any(|(to, _)| to == "@grace"),
        "{delivered:?}"
    );
    bot.ok("grace", "/mentor resume").await;
    bot.set_local("2027-03-22 08:30", Berlin);
    bot.tick().await;
    let delivered = bot.deliver().await;
    assert!(
        delivered
            .iter()
            .any(|(to, t)| to == "@grace" && t.starts_with("Your learners")),
        "{delivered:?}"
    );
}

#[sqlx::test]
async fn the_same_offer_or_pause_again_tells_nobody_twice_and_a_return_is_announced(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    let said = bot.say("lin", "/mentor offer community 2 sql").await;
    assert!(said.reply().starts_with("Thank you!"), "{}", said.reply());
    assert_eq!(said.told(), ["@Ada Okafor"], "the steward hears once");
    let said = bot.say("lin", "/mentor offer community 2 sql").await;
    assert_eq!(
        said.reply(),
        "Your offer to mentor as a community mentor, up to 2 learners; skills: sql is already waiting for a steward; you'll hear back here."
    );
    assert!(said.posts().is_empty(), "{:?}", said.posts());

    mentor(&bot, "xena", "Europe/Berlin", 2, "sql").await;
    learner(&bot, "lena", "Europe/Berlin", "sql").await;
    bot.ok("ada", &format!("/mentor match {COHORT}")).await;
    bot.ok("ada", &format!("/mentor match apply {COHORT}"))
        .await;
    let said = bot.say("xena", "/mentor pause 2027-03-14").await;
    assert!(said.reply().contains("Sun 14 Mar 2027"), "{}", said.reply());
    assert_eq!(said.dms().len(), 1, "{:?}", said.dms());
    let said = bot.say("xena", "/mentor pause 2027-03-21").await;
    assert_eq!(
        said.reply(),
        "Your break now runs through Sun 21 Mar 2027. Your learners already know who covers, so they were not told again."
    );
    assert!(said.posts().is_empty(), "{:?}", said.posts());
    let said = bot.say("xena", "/mentor resume").await;
    assert!(said.reply().starts_with("Welcome back"), "{}", said.reply());
    assert_eq!(
        said.dms(),
        [(
            "lena",
            "xena is back from their break and mentoring you again."
        )]
    );
}

#[sqlx::test]
async fn a_rematch_with_no_room_tells_the_learner_where_they_stand(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    mentor(&bot, "xena", "Europe/Berlin", 2, "sql").await;
    learner(&bot, "lena", "Europe/Berlin", "sql").await;
    bot.ok("ada", &format!("/mentor match {COHORT}")).await;
    bot.ok("ada", &format!("/mentor match apply {COHORT}"))
        .await;
    let said = bot
        .say("ada", &format!("/mentor rematch @xena {COHORT}"))
        .await;
    assert_eq!(
        said.reply(),
        "Moved 0 of 1 learner of xena in Spring Makers 2027 to other mentors; 1 learner could not be placed and is waitlisted (they have been told)."
    );
    assert_eq!(
        said.dms(),
        [
            (
                "lena",
                "Your mentors in Spring Makers 2027:\n• Community mentor: none yet, you are on the waitlist (no other mentor of this kind is available right now; a steward has been told)."
            ),
            (
                "xena",
                "Your learners in Spring Makers 2027 have moved to other mentors for now. Thank you for your help so far; when you're ready for learners again, tell a steward, who can match you with `/mentor match`."
            ),
        ]
    );
}

#[sqlx::test]
async fn stewards_see_waiting_offers_and_mentors_their_learners(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    let said = bot.say("ada", "/mentor offers").await;
    assert_eq!(
        said.reply(),
        "No offers to mentor are waiting for a decision."
    );
    bot.ok("lin", "/me name Lin Park").await;
    bot.ok("lin", "/mentor offer community 2 sql, excel").await;
    let said = bot.say("ada", "/mentor offers").await;
    assert_eq!(
        said.reply(),
        "Offers to mentor waiting for a decision:\n• Lin Park, since 2027-02-15: community mentor, up to 2 learners; skills: sql, excel. `/mentor approve @lin community`"
    );
    let said = bot.say("sam", "/mentor offers").await;
    assert_eq!(
        said.reply(),
        "Sorry, only stewards can use `/mentor offers`."
    );

    mentor(&bot, "xena", "Europe/Berlin", 2, "sql").await;
    learner(&bot, "lena", "Europe/Berlin", "sql").await;
    learner(&bot, "omar", "Europe/Berlin", "sql").await;
    bot.ok("ada", &format!("/mentor match {COHORT}")).await;
    bot.ok("ada", &format!("/mentor match apply {COHORT}"))
        .await;
    bot.set_local("2027-03-02 10:00", chrono_tz::Europe::Berlin);
    bot.ok(
        "lena",
        "/checkin 2 built the approval flow and tested it blockers:\"no licence\"",
    )
    .await;
    let said = bot.say("xena", "/mentor learners").await;
    assert_eq!(
        said.reply(),
        "Your 2 learners:\n• lena (Spring Makers 2027, you are their community mentor): 🟠 needs a check-in · 2027-W09, confidence 2/5: built the approval flow and tested it · blocker: no licence\n• omar (Spring Makers 2027, you are their community mentor): ⚪ too early to tell · no check-in yet"
    );
    let said = bot.say("sam", "/mentor learners").await;
    assert_eq!(
        said.reply(),
        "You are not an approved mentor yet. Offer with `/mentor offer`."
    );
}

/// A cohort's lead mentor hears every blocker of its learners in no mentor group, so
/// `/mentor learners` lists them too, matched or not, a page at a time.
#[sqlx::test]
async fn a_lead_mentor_by_role_sees_the_cohorts_learners_a_page_at_a_time(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    for i in 1..=11 {
        learner(&bot, &format!("learner{i:02}"), "Europe/Berlin", "sql").await;
    }
    bot.set_local("2027-03-02 10:00", chrono_tz::Europe::Berlin);
    bot.ok("learner01", "/checkin 4 first flow blockers:\"no licence\"")
        .await;
    let said = bot.say("grace", "/mentor learners").await;
    assert_eq!(
        said.reply(),
        "Your 11 learners, page 1 of 2:\n• learner01 (Spring Makers 2027, you are their lead mentor): ⚪ too early to tell · 2027-W09, confidence 4/5: first flow · blocker: no licence\n• learner02 (Spring Makers 2027, you are their lead mentor): ⚪ too early to tell · no check-in yet\n• learner03 (Spring Makers 2027, you are their lead mentor): ⚪ too early to tell · no check-in yet\n• learner04 (Spring Makers 2027, you are their lead mentor): ⚪ too early to tell · no check-in yet\n• learner05 (Spring Makers 2027, you are their lead mentor): ⚪ too early to tell · no check-in yet\n• learner06 (Spring Makers 2027, you are their lead mentor): ⚪ too early to tell · no check-in yet\n• learner07 (Spring Makers 2027, you are their lead mentor): ⚪ too early to tell · no check-in yet\n• learner08 (Spring Makers 2027, you are their lead mentor): ⚪ too early to tell · no check-in yet\n• learner09 (Spring Makers 2027, you are their lead mentor): ⚪ too early to tell · no check-in yet\n• learner10 (Spring Makers 2027, you are their lead mentor): ⚪ too early to tell · no check-in yet\nMore: `/mentor learners page:2`"
    );
    let said = bot.say("grace", "/mentor learners page:2").await;
    assert_eq!(
        said.reply(),
        "Your 11 learners, page 2 of 2:\n• learner11 (Spring Makers 2027, you are their lead mentor): ⚪ too early to tell · no check-in yet"
    );
    let said = bot.say("grace", "/mentor learners page:3").await;
    assert!(said.refused());
    assert_eq!(said.reply(), "There is no page 3: the list has 2 pages.");
}

/// A steward who approved the wrong tier approves again with the right one: the mentor
/// holds one mentor role, is told of the change, and is not welcomed twice.
#[sqlx::test]
async fn approving_again_with_the_other_tier_changes_the_tier(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    mentor(&bot, "omar", "Europe/Berlin", 2, "excel").await;
    let said = bot.say("ada", "/mentor approve @omar lead").await;
    assert_eq!(
        said.reply(),
        "omar is now a lead mentor, no longer a community mentor."
    );
    assert_eq!(
        said.dms(),
        [(
            "omar",
            "Ada Okafor changed your mentor role: you are now a lead mentor. Your learners and offer stay as they are."
        )]
    );
    let said = bot.say("omar", "/me").await;
    assert_eq!(
        said.reply(),
        "omar (@omar)\nTime zone: Europe/Berlin\nSkills: none yet — use `/me skills power automate, sql`\nCode of conduct: not accepted yet\nRoles: lead mentor\nCohorts: none — see `/cohort list`"
    );
    let said = bot.say("ada", "/mentor approve @omar lead").await;
    assert!(said.refused());
    assert_eq!(said.reply(), "omar is already an approved lead mentor.");
    assert!(said.posts().is_empty(), "{:?}", said.posts());
}
