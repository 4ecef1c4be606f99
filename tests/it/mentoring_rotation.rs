//! The scheduled rotation: claimed once, every N weeks, with a private handover note.

use chrono_tz::Europe::Berlin;
use cohortbot::render::Fragment;
use sqlx::PgPool;

use crate::support::TestBot;

const COHORT: &str = "spring-makers-2027";

async fn setup(bot: &TestBot) {
    for (user, skills) in [("lena", "sql"), ("omar", "excel")] {
        bot.enroll(user, COHORT, Some("projects")).await;
        bot.ok(user, "/me timezone Europe/Berlin").await;
        bot.ok(user, &format!("/me skills {skills}")).await;
    }
    for (user, skills) in [("xena", "sql"), ("yuri", "excel")] {
        bot.ok(user, "/me timezone Europe/Berlin").await;
        bot.ok(user, &format!("/mentor offer community 1 {skills}"))
            .await;
        bot.ok("ada", &format!("/mentor approve @{user} community"))
            .await;
    }
    bot.ok("ada", &format!("/mentor match {COHORT}")).await;
    let said = bot
        .say("ada", &format!("/mentor match apply {COHORT}"))
        .await;
    assert!(said.reply().starts_with("Applied"), "{}", said.reply());
    // Every learner and mentor of the plan hears of it (the lead mentor too, when seeded).
    let told = said.told();
    let people = ["@lena", "@omar", "@xena", "@yuri", "@Grace Lindqvist"];
    assert!(
        told.len() >= 4 && told.iter().all(|t| people.contains(&t.as_str())),
        "{told:?}"
    );
}

/// What the dispatcher delivered about rotations (check-in prompts go out on Mondays too).
async fn rotation_posts(bot: &TestBot) -> Vec<(String, String)> {
    let mut sent: Vec<(String, String)> = bot
        .deliver()
        .await
        .into_vec()
        .into_iter()
        .filter(|(_, text)| text.contains("rotation"))
        .collect();
    sent.sort();
    sent
}

#[sqlx::test]
async fn rotation_runs_every_four_weeks_once_with_a_private_handover(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    setup(&bot).await;
    bot.tick().await;
    bot.deliver_to(&[
        "#spring-makers",
        "#spring-makers",
        "@ada",
        "@ada",
        "@grace",
        "@ken",
        "@lena",
        "@omar",
        "@xena",
        "@xena",
        "@yuri",
        "@yuri",
    ])
    .await;

    // Two weeks in: too early for anything.
    bot.set_local("2027-03-01 09:01", Berlin);
    bot.tick().await;
    assert!(rotation_posts(&bot).await.is_empty());

    // Three weeks in, a week before the rotation: each outgoing mentor learns where their
    // learners go and is asked for a handover note now. Nobody moves yet.
    bot.set_local("2027-03-08 09:01", Berlin);
    bot.tick().await;
    assert_eq!(
        rotation_posts(&bot).await,
        [
            (
                "@xena".to_owned(),
                "Mentor rotation in Spring Makers 2027 next week: lena will go to yuri. Please write a short handover now with `/mentor handover <note>`: it goes to yuri only, never to the learners.".to_owned()
            ),
            (
                "@yuri".to_owned(),
                "Mentor rotation in Spring Makers 2027 next week: omar will go to xena. Please write a short handover now with `/mentor handover <note>`: it goes to xena only, never to the learners.".to_owned()
            ),
        ]
    );
    // Asked once: the same tick again, or the next day, asks nobody again.
    bot.tick().await;
    bot.set_local("2027-03-09 09:01", Berlin);
    bot.tick().await;
    assert!(rotation_posts(&bot).await.is_empty());

    // The handover note reaches the incoming mentor only, escaped.
    let said = bot
        .say("xena", "/mentor handover lena wants @here *SQL* drills")
        .await;
    assert_eq!(said.reply(), "Thanks! Your note went to yuri only.");
    assert_eq!(
        said.dms(),
        [(
            "yuri",
            "Handover from xena (Spring Makers 2027): lena wants @here *SQL* drills"
        )]
    );
    let note = &said.outcome().unwrap().posts[0].message;
    assert!(
        note.0
            .contains(&Fragment::User("lena wants @here *SQL* drills".into()))
    );
    let said = bot.say("xena", "/mentor handover again").await;
    assert_eq!(
        said.reply(),
        "You have no rotation waiting for a handover note."
    );
    let said = bot.say("lena", "/mentor handover hi").await;
    assert_eq!(
        said.reply(),
        "You have no rotation waiting for a handover note."
    );

    // Four weeks after matching, the Monday tick rotates; the mentors were asked already.
    bot.set_local("2027-03-15 09:01", Berlin);
    bot.tick().await;
    assert_eq!(
        rotation_posts(&bot).await,
        [
            (
                "@lena".to_owned(),
                "Mentor rotation in Spring Makers 2027: your community mentor is now @yuri. Say hello!".to_owned()
            ),
            (
                "@omar".to_owned(),
                "Mentor rotation in Spring Makers 2027: your community mentor is now @xena. Say hello!".to_owned()
            ),
            (
                "@xena".to_owned(),
                "Mentor rotation in Spring Makers 2027: lena now goes to yuri. Thank you for your time with them!".to_owned()
            ),
            (
                "@xena".to_owned(),
                "Mentor rotation in Spring Makers 2027: you now mentor omar, until now with yuri. Their handover note comes here, if it hasn't already.".to_owned()
            ),
            (
                "@yuri".to_owned(),
                "Mentor rotation in Spring Makers 2027: omar now goes to xena. Thank you for your time with them!".to_owned()
            ),
            (
                "@yuri".to_owned(),
                "Mentor rotation in Spring Makers 2027: you now mentor lena, until now with xena. Their handover note comes here, if it hasn't already.".to_owned()
            ),
        ]
    );

    // The same tick again (a second process, a restart) changes nothing.
    bot.tick().await;
    assert!(rotation_posts(&bot).await.is_empty());
    // Yuri never wrote his note; he still can, and it still goes to xena only.
    let said = bot.say("yuri", "/mentor handover omar likes excel").await;
    assert_eq!(said.told(), ["@xena"]);
    assert_eq!(said.reply(), "Thanks! Your note went to xena only.");

    // The next rotation would only repeat pairs, and the preview says so.
    let said = bot
        .say("ada", &format!("/mentor rotation preview {COHORT}"))
        .await;
    assert_eq!(
        said.reply(),
        "Next rotation for Spring Makers 2027:\n\
         • xena's group (1 learner) → yuri (met before; no new choice)\n\
         • yuri's group (1 learner) → xena (met before; no new choice)"
    );
    // One week later is not yet due.
    bot.set_local("2027-03-22 09:01", Berlin);
    bot.tick().await;
    assert!(rotation_posts(&bot).await.is_empty());
}

#[sqlx::test]
async fn a_paused_mentors_group_is_not_rotated(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    setup(&bot).await;
    bot.ok("yuri", "/mentor pause").await;
    let said = bot
        .say("ada", &format!("/mentor rotation preview {COHORT}"))
        .await;
    assert_eq!(
        said.reply(),
        "Next rotation for Spring Makers 2027:\n\
         • xena's group (1 learner) → stays with xena (no other choice)"
    );
}

#[sqlx::test]
async fn a_group_nobody_can_take_waits_instead_of_overfilling_a_mentor(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    setup(&bot).await;
    bot.tick().await;
    bot.deliver_to(&[
        "#spring-makers",
        "#spring-makers",
        "@ada",
        "@ada",
        "@grace",
        "@ken",
        "@lena",
        "@omar",
        "@xena",
        "@xena",
        "@yuri",
        "@yuri",
    ])
    .await;
    // After matching, lena privately rules out both mentors.
    bot.ok("lena", "/mentor avoid @xena").await;
    bot.ok("lena", "/mentor avoid @yuri").await;
    let said = bot
        .say("ada", &format!("/mentor rotation preview {COHORT}"))
        .await;
    assert_eq!(
        said.reply(),
        "Next rotation for Spring Makers 2027:\n\
         • xena's group (1 learner) → nobody available\n\
         • yuri's group (1 learner) → xena (new pair)"
    );
    bot.set_local("2027-03-15 09:01", Berlin);
    bot.tick().await;
    let sent = rotation_posts(&bot).await;
    assert!(
        sent.contains(&(
            "@lena".to_owned(),
            "Mentor rotation in Spring Makers 2027: no community mentor could take you this time. A steward will match you soon; your lead mentor is there meanwhile.".to_owned()
        )),
        "{sent:?}"
    );
    let active: Vec<(String, String)> = sqlx::query_as(
        "SELECT l.platform_user_id, m.platform_user_id FROM mentorships s
         JOIN members l ON l.id = s.learner_id JOIN members m ON m.id = s.mentor_id
         WHERE s.ended_at IS NULL AND s.tier = 'community' ORDER BY 1",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(active, [("omar".to_owned(), "xena".to_owned())]);
}

#[sqlx::test]
async fn a_late_joiner_does_not_push_the_cohorts_rotation_back(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    setup(&bot).await;
    bot.tick().await;
    bot.deliver_to(&[
        "#spring-makers",
        "#spring-makers",
        "@ada",
        "@ada",
        "@grace",
        "@lena",
        "@omar",
        "@xena",
        "@xena",
        "@yuri",
        "@yuri",
    ])
    .await;

    // Three weeks in, a new mentor is approved and a late joiner is placed with them.
    bot.set_local("2027-03-08 09:01", Berlin);
    bot.ok("wes", "/me timezone Europe/Berlin").await;
    bot.ok("wes", "/mentor offer community 1 excel").await;
    bot.ok("ada", "/mentor approve @wes community").await;
    bot.enroll("zoe", COHORT, Some("projects")).await;
    let late: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM mentorships WHERE tier = 'community' AND ended_at IS NULL
           AND started_at > '2027-03-01'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert_eq!(late, 1, "zoe is placed with wes");
    bot.tick().await;
    let notices = rotation_posts(&bot).await;
    assert!(
        !notices.is_empty() && notices.iter().all(|(_, t)| t.contains("next week")),
        "a week ahead, only the handover asks: {notices:?}"
    );

    // Four weeks after the match, the rotation runs on time all the same.
    bot.set_local("2027-03-15 09:01", Berlin);
    bot.tick().await;
    let posts = rotation_posts(&bot).await;
    assert!(
        posts.iter().any(|(to, _)| to == "@lena"),
        "the rotation ran: {posts:?}"
    );
    // And the clock restarts there: a week later nothing moves again.
    bot.set_local("2027-03-22 09:01", Berlin);
    bot.tick().await;
    assert!(rotation_posts(&bot).await.is_empty());
}

/// The real binary on the embedded database: moving the shell's clock asks for handovers,
/// rotates the community mentors and escalates an unclaimed review.
#[cfg(feature = "embedded")]
#[test]
fn in_the_shell_moving_the_clock_rotates_mentors_and_escalates_reviews() {
    let mut script = String::from("/clock set 2027-02-15T10:00 Europe/Berlin\n");
    for (user, skills) in [("lena", "sql"), ("omar", "excel")] {
        script += &format!(
            "/as {user}\n/coc accept\n/cohort join {COHORT} track:projects\n\
             /me timezone Europe/Berlin\n/me skills {skills}\n"
        );
    }
    for (user, skills) in [("xena", "sql"), ("yuri", "excel")] {
        script += &format!(
            "/as {user}\n/me timezone Europe/Berlin\n/mentor offer community 1 {skills}\n\
             /as ada\n/mentor approve @{user} community\n"
        );
    }
    // Ken, the program file's community mentor, would join the rotation: this one is
    // between xena and yuri.
    script += "/role revoke @ken community_mentor\n";
    script += &format!(
        "/mentor match {COHORT}\n/mentor match apply {COHORT}\n\
         /clock set 2027-03-08T09:01 Europe/Berlin\n\
         /as xena\n/mentor handover lena wants SQL drills\n\
         /clock advance 7d\n\
         /as lena\n/review request https://x.example/app\n\
         /clock advance 25h\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = crate::embedded::run_shell(dir.path(), &script);

    for line in [
        // A week ahead: the handover ask, and the note reaching the incoming mentor only.
        "[DM → xena] Mentor rotation in Spring Makers 2027 next week: lena will go to yuri.",
        "[only you] Thanks! Your note went to yuri only.",
        "[DM → yuri] Handover from xena (Spring Makers 2027): lena wants SQL drills",
        // `/clock advance 7d`: the rotation.
        "[DM → lena] Mentor rotation in Spring Makers 2027: your community mentor is now @yuri. Say hello!",
        "[DM → xena] Mentor rotation in Spring Makers 2027: lena now goes to yuri. Thank you for your time with them!",
        // `/clock advance 25h`: the unclaimed review is re-announced and escalated.
        "[#mentors] Still waiting after 24 h: review #1 for lena: https://x.example/app.",
        "[DM → Grace Lindqvist] Nobody has claimed review #1 in 24 h: lena asked about https://x.example/app.",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    assert_eq!(out.matches("Mentor rotation in").count(), 8, "{out}");
}
