//! Inactive mentors: flagged once to leads and stewards, re-matched in one step.

use chrono_tz::Europe::Berlin;
use sqlx::PgPool;

use crate::support::TestBot;

const COHORT: &str = "spring-makers-2027";

fn flags(sent: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<_> = sent
        .into_iter()
        .filter(|(_, t)| t.contains("has not responded"))
        .collect();
    out.sort();
    out
}

#[sqlx::test]
async fn silent_mentors_are_flagged_once_and_their_learners_rematched(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    // Rotation (4-weekly) would give each mentor fresh learners mid-test; this is about silence.
    sqlx::query("DELETE FROM cohort_schedules WHERE kind = 'rotation'")
        .execute(&bot.pool)
        .await
        .unwrap();
    for (user, skills) in [("lena", "sql"), ("omar", "excel")] {
        bot.enroll(user, COHORT, Some("projects")).await;
        bot.ok(user, "/me timezone Europe/Berlin").await;
        bot.ok(user, &format!("/me skills {skills}")).await;
    }
    for (user, skills) in [("xena", "sql"), ("yuri", "excel")] {
        bot.ok(user, "/me timezone Europe/Berlin").await;
        bot.ok(user, &format!("/mentor offer community 2 {skills}"))
            .await;
        bot.ok("ada", &format!("/mentor approve @{user} community"))
            .await;
    }
    bot.ok("ada", &format!("/mentor match {COHORT}")).await;
    bot.ok("ada", &format!("/mentor match apply {COHORT}"))
        .await;

    let said = bot.say("sam", "/mentor unreachable").await;
    assert_eq!(
        said.reply(),
        "You have no mentor right now, so there is nobody to report."
    );

    bot.set_local("2027-03-02 10:00", Berlin);
    let said = bot.say("lena", "/checkin 3 built my first flow").await;
    assert!(said.reply().contains("is recorded"), "{}", said.reply());
    let said = bot.say("omar", "/mentor unreachable").await;
    assert_eq!(
        said.reply(),
        "Thanks for telling me. It stays private: your mentor is not told, and stewards will make sure you get help."
    );
    assert!(said.posts().is_empty());
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

    let xena = "xena has not responded in Spring Makers 2027 for over 14 days: 1 check-in unanswered, 0 reviews unclaimed, 0 unreachable reports. Move their learners to the best mentors with room: `/mentor rematch @xena spring-makers-2027`";
    let yuri = "yuri has not responded in Spring Makers 2027 for over 14 days: 0 check-ins unanswered, 0 reviews unclaimed, 1 unreachable report. Move their learners to the best mentors with room: `/mentor rematch @yuri spring-makers-2027`";
    let to_both = |text: &str| -> Vec<(String, String)> {
        vec![
            ("@ada".to_owned(), text.to_owned()),
            ("@grace".to_owned(), text.to_owned()),
        ]
    };

    // Yuri has been quiet since matching and a learner says he is unreachable: flagged.
    // Lena's check-in is only a week old, so xena is not.
    bot.set_local("2027-03-09 08:05", Berlin);
    bot.tick().await;
    assert_eq!(flags(bot.deliver().await.into_vec()), to_both(yuri));

    // 13 days and 22 hours after lena's check-in: still not.
    bot.set_local("2027-03-16 08:05", Berlin);
    bot.tick().await;
    assert!(flags(bot.deliver().await.into_vec()).is_empty());

    // Over 14 days: xena is flagged, and so is Grace, the lena's lead mentor from the
    // program file, who did not answer either (to Ada only: a lead is not told about
    // herself); yuri, flagged already, is not flagged again.
    bot.set_local("2027-03-17 08:05", Berlin);
    bot.tick().await;
    let grace = "Grace Lindqvist has not responded in Spring Makers 2027 for over 14 days: 1 check-in unanswered, 0 reviews unclaimed, 0 unreachable reports. Move their learners to the best mentors with room: `/mentor rematch @grace spring-makers-2027`";
    let mut expected = vec![("@ada".to_owned(), grace.to_owned())];
    expected.extend(to_both(xena));
    assert_eq!(flags(bot.deliver().await.into_vec()), expected);
    bot.set_local("2027-03-18 08:05", Berlin);
    bot.tick().await;
    assert!(flags(bot.deliver().await.into_vec()).is_empty());

    let said = bot
        .say("grace", &format!("/mentor rematch @xena {COHORT}"))
        .await;
    assert_eq!(
        said.reply(),
        "Sorry, only stewards can use `/mentor rematch`."
    );
    // Yuri is flagged too, so lena moves to wes, a newly approved mentor.
    bot.ok("wes", "/me timezone Europe/Berlin").await;
    bot.ok("wes", "/mentor offer community 2 sql").await;
    bot.ok("ada", "/mentor approve @wes community").await;
    let said = bot
        .say("ada", &format!("/mentor rematch @xena {COHORT}"))
        .await;
    assert_eq!(
        said.reply(),
        "Moved 1 of 1 learner of xena in Spring Makers 2027 to other mentors; everyone has been told."
    );
    let mut dms = said.dms();
    dms.sort();
    assert_eq!(
        dms,
        [
            (
                "lena",
                "Your mentors in Spring Makers 2027:\n• Community mentor: @wes (shares: sql; 9 h overlap)"
            ),
            (
                "wes",
                "Your learners in Spring Makers 2027:\n• @lena (shares: sql; 9 h overlap)\nSee `/mentor guide` for the playbook."
            ),
            (
                "xena",
                "Your learners in Spring Makers 2027 have moved to other mentors for now. Thank you for your help so far; when you're ready for learners again, tell a steward, who can match you with `/mentor match`."
            ),
        ]
    );
    let said = bot
        .say("ada", &format!("/mentor rematch @xena {COHORT}"))
        .await;
    assert_eq!(
        said.reply(),
        "xena mentors no learners in Spring Makers 2027."
    );
}

#[sqlx::test]
async fn an_inactive_lead_mentors_group_moves_to_another_lead(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    bot.enroll("lena", COHORT, Some("projects")).await;
    bot.ok("lena", "/me timezone Europe/Berlin").await;
    for user in ["lea", "leo"] {
        bot.ok(user, "/me timezone Europe/Berlin").await;
        bot.ok(user, "/mentor offer lead 3 sql").await;
        bot.ok("ada", &format!("/mentor approve @{user} lead"))
            .await;
    }
    bot.ok("ada", &format!("/mentor match {COHORT}")).await;
    bot.ok("ada", &format!("/mentor match apply {COHORT}"))
        .await;
    let lead_of = async || -> String {
        sqlx::query_scalar(
            "SELECT m.platform_user_id FROM mentorships s JOIN members m ON m.id = s.mentor_id
              WHERE s.tier = 'lead' AND s.ended_at IS NULL",
        )
        .fetch_one(&bot.pool)
        .await
        .unwrap()
    };
    let before = lead_of().await;
    let other = if before == "lea" { "leo" } else { "lea" };
    let said = bot
        .say("ada", &format!("/mentor rematch @{before} {COHORT}"))
        .await;
    assert_eq!(said.told(), ["@lena", "@leo", "@lea"]);
    assert_eq!(
        said.reply(),
        format!(
            "Moved 1 of 1 learner of {before} in Spring Makers 2027 to other mentors; everyone has been told."
        )
    );
    assert_eq!(lead_of().await, other);
    let group_lead: String = sqlx::query_scalar(
        "SELECT m.platform_user_id FROM enrollments e JOIN mentor_groups g ON g.id = e.mentor_group_id
           JOIN members m ON m.id = g.lead_member_id
          WHERE e.member_id = (SELECT id FROM members WHERE platform_user_id = 'lena')",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert_eq!(group_lead, other);
}
