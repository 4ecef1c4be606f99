//! `/pair`: matched by skill and zone, a time in each person's zone, one follow-up.

use chrono_tz::Europe::Berlin;
use sqlx::PgPool;

use crate::support::TestBot;

#[sqlx::test]
async fn pairing_across_time_zones_with_one_follow_up(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    let said = bot.say("sam", "/pair request sql").await;
    assert_eq!(
        said.reply(),
        "Pairing is for learners in a cohort. Join one with `/cohort join`."
    );
    bot.enroll("sam", "spring-makers-2027", Some("projects"))
        .await;
    let said = bot.say("sam", "/pair request sql").await;
    assert_eq!(
        said.reply(),
        "No community mentor is available for pairing right now. Please try again later."
    );
    // Two mentors: nina in New York knows power automate; kai in Tokyo shares no hours.
    for (user, zone, skills) in [
        ("nina", "America/New_York", "power automate"),
        ("kai", "Asia/Tokyo", "power automate, excel"),
    ] {
        bot.ok(user, &format!("/me timezone {zone}")).await;
        bot.ok(user, &format!("/mentor offer community 2 {skills}"))
            .await;
        bot.ok("ada", &format!("/mentor approve @{user} community"))
            .await;
    }
    bot.set_local("2027-03-01 08:20", Berlin);
    let said = bot.say("sam", "/pair request power-automate").await;
    assert_eq!(
        said.reply(),
        "Pairing #1 is set up with nina. You both have the details by DM."
    );
    assert_eq!(
        said.dms(),
        [
            (
                "Sam Carter",
                "Pairing #1 on power-automate with @nina (shares: power automate; 3 h overlap): proposed for Tue 2 Mar 15:00 (Europe/Berlin). Agree the details together."
            ),
            (
                "nina",
                "@Sam Carter asked to pair on power-automate (pairing #1): proposed for Tue 2 Mar 09:00 (America/New_York). Agree the details together."
            ),
        ]
    );
    let said = bot
        .say("sam", "/pair request sql when:2027-02-01T10:00")
        .await;
    assert_eq!(
        said.reply(),
        "That time has passed; pick one in the future, like `2027-03-02T15:00`."
    );
    // "We met" before the proposed time is refused, saying when it is.
    bot.refused(
        "sam",
        "/pair met 1 yes",
        "Pairing #1 is on Tue 2 Mar 15:00 (Europe/Berlin), so it cannot have happened yet. Say how it went after it with `/pair met 1 yes` or `no`; to call it off, `/pair cancel 1`.",
    )
    .await;

    // A day after the proposed time, both are asked once.
    bot.tick().await;
    bot.deliver_to(&[
        "#spring-makers",
        "@ada",
        "@ada",
        "@grace",
        "@kai",
        "@ken",
        "@nina",
        "@nina",
        "@sam",
    ])
    .await;
    bot.set_local("2027-03-03 15:40", Berlin);
    bot.tick().await;
    let mut asked: Vec<(String, String)> = bot
        .deliver()
        .await
        .into_vec()
        .into_iter()
        .filter(|(_, t)| t.starts_with("Did you meet"))
        .collect();
    asked.sort();
    assert_eq!(
        asked,
        [
            ("@nina".to_owned(), "Did you meet for pairing #1 on power-automate with Sam Carter? Answer `/pair met 1 yes` or `/pair met 1 no`.".to_owned()),
            ("@sam".to_owned(), "Did you meet for pairing #1 on power-automate with nina? Answer `/pair met 1 yes` or `/pair met 1 no`.".to_owned()),
        ]
    );
    bot.set_local("2027-03-03 18:40", Berlin);
    bot.tick().await;
    assert!(
        bot.deliver()
            .await
            .iter()
            .all(|(_, t)| !t.starts_with("Did you meet"))
    );

    let said = bot.say("ada", "/pair met 1 yes").await;
    assert_eq!(said.reply(), "Pairing #1 is not yours to answer.");
    let said = bot.say("sam", "/pair met 1 no").await;
    assert_eq!(
        said.reply(),
        "Sorry it didn't happen. Ask for a new match any time with `/pair request power-automate`."
    );
    let said = bot.say("sam", "/pair met 1 yes").await;
    assert_eq!(said.reply(), "You already answered for pairing #1.");
    // Conflicting answers are not a session.
    let said = bot.say("nina", "/pair met 1 yes").await;
    assert_eq!(
        said.reply(),
        "Thanks. The other side said it didn't happen, so it doesn't count as a session; please talk it over."
    );
    let said = bot.say("nina", "/mentor stats").await;
    assert!(
        said.reply().contains("Pairing sessions: 0."),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn a_pair_that_did_not_meet_is_rematched_with_someone_else(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", "spring-makers-2027", Some("projects"))
        .await;
    bot.ok("sam", "/me timezone Europe/Berlin").await;
    for (user, zone) in [("nina", "America/New_York"), ("lars", "America/Chicago")] {
        bot.ok(user, &format!("/me timezone {zone}")).await;
        bot.ok(user, "/mentor offer community 2 power automate")
            .await;
        bot.ok("ada", &format!("/mentor approve @{user} community"))
            .await;
    }
    bot.set_local("2027-03-01 08:20", Berlin);
    // New York overlaps Berlin's day more than Chicago does: nina first.
    let said = bot.say("sam", "/pair request power-automate").await;
    assert_eq!(said.told(), ["@Sam Carter", "@nina"]);
    assert!(said.reply().contains("with nina"), "{}", said.reply());
    bot.set_local("2027-03-03 16:00", Berlin);
    bot.tick().await;
    bot.ok("sam", "/pair met 1 no").await;

    let said = bot.say("sam", "/pair request power-automate").await;
    assert_eq!(said.told(), ["@Sam Carter", "@lars"]);
    assert!(
        said.reply().contains("#2 is set up with lars"),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/me").await;
    assert!(
        said.reply()
            .contains("Pairing sessions: 2 requested, 0 met"),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn the_follow_up_asks_only_who_has_not_answered_and_a_yes_counts(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    bot.enroll("sam", "spring-makers-2027", Some("projects"))
        .await;
    bot.ok("sam", "/me timezone Europe/Berlin").await;
    bot.ok("nina", "/me timezone America/New_York").await;
    bot.ok("nina", "/mentor offer community 2 power automate")
        .await;
    bot.ok("ada", "/mentor approve @nina community").await;
    bot.set_local("2027-03-01 08:20", Berlin);
    let said = bot.say("sam", "/pair request power-automate").await;
    assert_eq!(said.told(), ["@Sam Carter", "@nina"]);
    assert!(said.reply().starts_with("Pairing #1"), "{}", said.reply());
    bot.tick().await;
    bot.deliver_to(&[
        "#spring-makers",
        "@ada",
        "@grace",
        "@ken",
        "@nina",
        "@nina",
        "@sam",
    ])
    .await;
    // Sam says so right after the session, before the follow-up.
    bot.set_local("2027-03-02 17:00", Berlin);
    let said = bot.say("sam", "/pair met 1 yes").await;
    assert_eq!(
        said.reply(),
        "Great, thanks! It counts toward the mentor's sessions."
    );
    bot.set_local("2027-03-03 15:40", Berlin);
    bot.tick().await;
    let asked: Vec<(String, String)> = bot
        .deliver()
        .await
        .into_vec()
        .into_iter()
        .filter(|(_, t)| t.starts_with("Did you meet"))
        .collect();
    assert_eq!(
        asked,
        [(
            "@nina".to_owned(),
            "Did you meet for pairing #1 on power-automate with Sam Carter? Answer `/pair met 1 yes` or `/pair met 1 no`.".to_owned()
        )]
    );
    let said = bot.say("nina", "/mentor stats").await;
    assert!(
        said.reply().contains("Pairing sessions: 1."),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn either_side_can_call_off_a_pairing_before_it_happens(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    bot.enroll("sam", "spring-makers-2027", Some("projects"))
        .await;
    bot.ok("nina", "/me timezone America/New_York").await;
    bot.ok("nina", "/mentor offer community 2 power automate")
        .await;
    bot.ok("ada", "/mentor approve @nina community").await;
    bot.set_local("2027-03-01 08:20", Berlin);
    bot.ok("sam", "/pair request power-automate").await;
    bot.ok("sam", "/pair request sql").await;
    bot.deliver_to(&[
        "#spring-makers",
        "@ada",
        "@grace",
        "@ken",
        "@nina",
        "@nina",
        "@nina",
        "@sam",
        "@sam",
    ])
    .await;

    let said = bot.say("ada", "/pair cancel 1").await;
    assert_eq!(
        said.reply(),
        "Pairing #1 is not yours; only its learner or mentor can call it off."
    );
    let said = bot.say("sam", "/pair cancel 9").await;
    assert_eq!(said.reply(), "There is no pairing #9 here.");
    // The learner calls #1 off: the mentor is told, once.
    let said = bot.say("sam", "/pair cancel 1").await;
    assert_eq!(said.reply(), "Pairing #1 is called off. I've told nina.");
    assert_eq!(
        said.dms(),
        [(
            "nina",
            "Sam Carter called off pairing #1 on power-automate. Nothing else to do."
        )]
    );
    let said = bot.say("sam", "/pair cancel 1").await;
    assert_eq!(said.reply(), "Pairing #1 was called off.");
    assert!(said.dms().is_empty());
    let said = bot.say("nina", "/pair met 1 yes").await;
    assert_eq!(said.reply(), "Pairing #1 was called off.");
    // The mentor calls #2 off: the learner is told how to ask again.
    let said = bot.say("nina", "/pair cancel 2").await;
    assert_eq!(
        said.reply(),
        "Pairing #2 is called off. I've told Sam Carter."
    );
    assert_eq!(
        said.dms(),
        [(
            "Sam Carter",
            "nina called off pairing #2 on sql. Ask for another match any time with `/pair request sql`."
        )]
    );

    // Nobody is asked whether a called-off session happened, and it counts nowhere.
    bot.set_local("2027-03-04 16:00", Berlin);
    bot.tick().await;
    assert!(
        bot.deliver()
            .await
            .iter()
            .all(|(_, t)| !t.starts_with("Did you meet")),
    );
    let said = bot.say("sam", "/me").await;
    assert!(
        !said.reply().contains("Pairing sessions"),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn a_pairing_whose_time_passed_is_answered_not_cancelled(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    bot.enroll("sam", "spring-makers-2027", Some("projects"))
        .await;
    bot.ok("nina", "/mentor offer community 2 power automate")
        .await;
    bot.ok("ada", "/mentor approve @nina community").await;
    bot.set_local("2027-03-01 08:20", Berlin);
    bot.ok("sam", "/pair request power-automate").await;
    bot.set_local("2027-03-05 08:20", Berlin);
    let said = bot.say("sam", "/pair cancel 1").await;
    assert_eq!(
        said.reply(),
        "Pairing #1's time has passed, so there is nothing to call off. If it didn't happen, say so with `/pair met 1 no`."
    );
    assert!(said.dms().is_empty());
}

#[sqlx::test]
async fn a_topic_of_several_words_needs_no_quotes(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    bot.enroll("sam", "spring-makers-2027", Some("projects"))
        .await;
    bot.ok("nina", "/me timezone Europe/Berlin").await;
    bot.ok("nina", "/mentor offer community 2 dataverse").await;
    bot.ok("ada", "/mentor approve @nina community").await;
    bot.set_local("2027-03-01 08:20", Berlin);
    let said = bot
        .say("sam", "/pair request Dataverse relationships")
        .await;
    assert_eq!(
        said.reply(),
        "Pairing #1 is set up with nina. You both have the details by DM."
    );
    assert_eq!(
        said.dms(),
        [
            (
                "Sam Carter",
                "Pairing #1 on Dataverse relationships with @nina (9 h overlap): proposed for Tue 2 Mar 09:00 (Europe/Berlin). Agree the details together."
            ),
            (
                "nina",
                "@Sam Carter asked to pair on Dataverse relationships (pairing #1): proposed for Tue 2 Mar 09:00 (Europe/Berlin). Agree the details together."
            ),
        ]
    );
}
