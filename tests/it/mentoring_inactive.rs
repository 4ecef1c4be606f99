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
        bot.say(user, "/me timezone Europe/Berlin").await;
        bot.say(user, &format!("/me skills {skills}")).await;
    }
    for (user, skills) in [("xena", "sql"), ("yuri", "excel")] {
        bot.say(user, "/me timezone Europe/Berlin").await;
        bot.say(user, &format!("/mentor offer community 2 {skills}"))
            .await;
        bot.say("ada", &format!("/mentor approve @{user} community"))
            .await;
    }
    bot.say("ada", &format!("/mentor match {COHORT}")).await;
    bot.say("ada", &format!("/mentor match apply {COHORT}"))
        .await;

    let said = bot.say("sam", "/mentor unreachable").await;
    assert_eq!(
        said.reply,
        "You have no mentor right now, so there is nobody to report."
    );

    bot.set_local("2027-03-02 10:00", Berlin);
    let said = bot.say("lena", "/checkin 3 built my first flow").await;
    assert!(said.reply.contains("is recorded"), "{}", said.reply);
    let said = bot.say("omar", "/mentor unreachable").await;
    assert_eq!(
        said.reply,
        "Thanks for telling me. It stays private: your mentor is not told, and stewards will make sure you get help."
    );
    assert!(said.posts.is_empty());
    bot.tick().await;
    bot.deliver().await;

    let xena = "xena has not responded in Spring Makers 2027 for over 14 days: 1 check-ins unanswered, 0 reviews unclaimed, 0 unreachable reports. Move their learners to the best mentors with room: `/mentor rematch @xena spring-makers-2027`";
    let yuri = "yuri has not responded in Spring Makers 2027 for over 14 days: 0 check-ins unanswered, 0 reviews unclaimed, 1 unreachable reports. Move their learners to the best mentors with room: `/mentor rematch @yuri spring-makers-2027`";
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
    assert_eq!(flags(bot.deliver().await), to_both(yuri));

    // 13 days and 22 hours after lena's check-in: still not.
    bot.set_local("2027-03-16 08:05", Berlin);
    bot.tick().await;
    assert!(flags(bot.deliver().await).is_empty());

    // Over 14 days: xena is flagged; yuri, flagged already, is not flagged again.
    bot.set_local("2027-03-17 08:05", Berlin);
    bot.tick().await;
    assert_eq!(flags(bot.deliver().await), to_both(xena));
    bot.set_local("2027-03-18 08:05", Berlin);
    bot.tick().await;
    assert!(flags(bot.deliver().await).is_empty());

    let said = bot
        .say("grace", &format!("/mentor rematch @xena {COHORT}"))
        .await;
    assert_eq!(
        said.reply,
        "Sorry, only stewards can use `/mentor rematch`."
    );
    let said = bot
        .say("ada", &format!("/mentor rematch @xena {COHORT}"))
        .await;
    assert_eq!(
        said.reply,
        "Moved 1 of 1 learners of xena in Spring Makers 2027 to other mentors; everyone has been told."
    );
    let mut dms = said.dms();
    dms.sort();
    assert_eq!(
        dms,
        [
            (
                "lena",
                "Your mentors in Spring Makers 2027:\n• Community mentor: @yuri (9 h overlap)"
            ),
            (
                "xena",
                "Your learners in Spring Makers 2027 have moved to other mentors for now. Thank you for your help so far; when you're ready again, `/mentor resume` or talk to a steward."
            ),
            (
                "yuri",
                "Your learners in Spring Makers 2027:\n• @lena (9 h overlap)\nSee `/mentor guide` for the playbook."
            ),
        ]
    );
    let said = bot
        .say("ada", &format!("/mentor rematch @xena {COHORT}"))
        .await;
    assert_eq!(
        said.reply,
        "xena has no community-mentor learners in Spring Makers 2027."
    );
}
