//! `/kudos`: public, escaped, never to yourself, five a day.

use cohortbot::render::Fragment;
use sqlx::PgPool;

use crate::support::TestBot;

#[sqlx::test]
async fn kudos_are_posted_escaped_and_limited(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", "spring-makers-2027", Some("projects"))
        .await;

    let said = bot.say("sam", "/kudos @sam great job me").await;
    assert_eq!(
        said.reply(),
        "Kudos are for thanking others. Who helped you this week?"
    );
    let said = bot.say("sam", "/kudos @nobody thanks").await;
    assert!(
        said.reply().starts_with("I don't know a member `@nobody`"),
        "{}",
        said.reply()
    );
    // A mentor who is not enrolled thanks a learner in the learner's channel.
    let said = bot
        .say("ken", "/kudos @sam thanks for the clear question")
        .await;
    assert_eq!(
        said.reply(),
        "Your kudos to Sam Carter are posted in `#spring-makers`."
    );
    assert_eq!(said.channel_posts().len(), 1);
    // With neither in a cohort there is nowhere to post.
    bot.ok("bob", "/help").await;
    let said = bot.say("lin", "/kudos @bob thanks").await;
    assert!(
        said.reply().contains("neither of you is in a cohort"),
        "{}",
        said.reply()
    );

    let said = bot
        .say(
            "sam",
            "/kudos @ken @everyone <!channel> *thanks* for the DAX help",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Your kudos to Ken Watanabe are posted in `#spring-makers`."
    );
    assert_eq!(
        said.channel_posts(),
        [(
            "spring-makers",
            "🎉 Kudos to @Ken Watanabe from Sam Carter: @everyone <!channel> *thanks* for the DAX help"
        )]
    );
    let post = &said.outcome().unwrap().posts[0].message;
    assert!(post.0.contains(&Fragment::User(
        "@everyone <!channel> *thanks* for the DAX help".into()
    )));
    assert_eq!(post.mentioned().count(), 1, "only the receiver is pinged");

    for i in 2..=5 {
        let said = bot.say("sam", &format!("/kudos @ken thanks {i}")).await;
        assert_eq!(said.told(), ["#spring-makers"]);
        assert!(said.reply().starts_with("Your kudos"), "{}", said.reply());
    }
    let said = bot.say("sam", "/kudos @ken one more").await;
    assert_eq!(
        said.reply(),
        "You've given 5 kudos today, the daily limit. Save the next for tomorrow!"
    );
    // Sam's five, and Ken's one to Sam.
    assert_eq!(bot.count("kudos").await, 6);

    bot.clock.advance(chrono::Duration::days(1));
    let said = bot.say("sam", "/kudos @ken a new day").await;
    assert_eq!(said.told(), ["#spring-makers"]);
    assert!(said.reply().starts_with("Your kudos"), "{}", said.reply());
}

#[sqlx::test]
async fn the_monthly_recognition_credits_mentors_and_respects_opt_outs(pool: PgPool) {
    use chrono_tz::Europe::Berlin;

    let bot = TestBot::new(pool).await;
    let cohort = "spring-makers-2027";
    bot.enroll("lena", cohort, Some("projects")).await;
    bot.enroll("omar", cohort, Some("projects")).await;
    for (user, skills) in [("lena", "sql"), ("omar", "excel")] {
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
    bot.ok("ada", &format!("/mentor match {cohort}")).await;
    bot.ok("ada", &format!("/mentor match apply {cohort}"))
        .await;
    let said = bot.say("yuri", "/mentor recognition off").await;
    assert_eq!(
        said.reply(),
        "The monthly recognition post won't name you; your work still counts."
    );

    // March: lena thanks xena twice and yuri once; xena finishes a review.
    bot.set_local("2027-03-10 12:00", Berlin);
    bot.ok("lena", "/kudos @xena thanks for the SQL help").await;
    bot.ok("lena", "/kudos @xena and for the joins").await;
    bot.ok("omar", "/kudos @yuri great pivot tables").await;
    bot.ok("lena", "/review request https://x.example/app")
        .await;
    bot.ok("xena", "/review claim 1").await;
    bot.ok("xena", "/review done 1 works:a improve:b next:c")
        .await;
    let said = bot.say("xena", "/mentor stats").await;
    assert_eq!(
        said.reply(),
        "community mentor: 1 active learners, capacity 1 learner.\nReviews: 1 done, 0 open, claimed after 0.0 h on average.\nPairing sessions: 0. Kudos received: 2.\nLearners: lena"
    );

    bot.set_local("2027-03-31 12:00", Berlin);
    bot.tick().await;
    bot.deliver_to(&[
        "#mentors",
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "@ada",
        "@ada",
        "@grace",
        "@lena",
        "@lena",
        "@lena",
        "@omar",
        "@xena",
        "@xena",
        "@yuri",
        "@yuri",
    ])
    .await;
    bot.set_local("2027-04-01 10:05", Berlin);
    bot.tick().await;
    let posts: Vec<(String, String)> = bot
        .deliver()
        .await
        .into_vec()
        .into_iter()
        .filter(|(_, t)| t.contains("Thank you, mentors"))
        .collect();
    assert_eq!(
        posts,
        [(
            "#spring-makers".to_owned(),
            "🌟 Thank you, mentors of Spring Makers 2027, for March 2027:\n• xena: 0 check-in replies, 1 review, 0 pairing sessions, 2 kudos received\n…and 1 more mentor who prefers not to be named.".to_owned()
        )]
    );
    // Claimed once: another pass the same day posts nothing more.
    bot.tick().await;
    assert!(
        bot.deliver()
            .await
            .iter()
            .all(|(_, t)| !t.contains("Thank you, mentors"))
    );
}

/// People name each other as they see them: a handle in any case, or a name as shown
/// when only one member is shown by it.
#[sqlx::test]
async fn members_are_found_by_handle_in_any_case_or_by_their_name(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", "spring-makers-2027", Some("projects"))
        .await;
    let said = bot.say("sam", "/kudos Grace thanks for the review").await;
    assert_eq!(
        said.reply(),
        "Your kudos to Grace Lindqvist are posted in `#spring-makers`."
    );
    assert_eq!(
        said.channel_posts(),
        [(
            "spring-makers",
            "🎉 Kudos to @Grace Lindqvist from Sam Carter: thanks for the review"
        )]
    );
    let said = bot.say("grace", "/badges \"sam  CARTER\"").await;
    assert_eq!(said.reply(), "Sam Carter has no badges yet.");
    // Two members shown by one name: neither is guessed.
    bot.add_member("shell", "sam2", "Sam Carter").await;
    let said = bot.say("grace", "/badges \"Sam Carter\"").await;
    assert_eq!(
        said.reply(),
        "Several members are shown as Sam Carter. Please name one by their handle: @sam, @sam2."
    );
}

/// The same thanks sent twice at once (a double tap) is posted once; the second send says
/// so. New words, or the same ones later, are new thanks.
#[sqlx::test]
async fn the_same_kudos_twice_at_once_are_posted_once(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", "spring-makers-2027", Some("projects"))
        .await;
    let (a, b) = tokio::join!(
        bot.say("sam", "/kudos @grace thanks for the fast review!"),
        bot.say("sam", "/kudos @grace Thanks for the  fast review!")
    );
    let mut said = [a, b];
    said.sort_by_key(|s| s.reply().starts_with("You sent"));
    assert_eq!(
        said[0].reply(),
        "Your kudos to Grace Lindqvist are posted in `#spring-makers`."
    );
    assert_eq!(said[0].channel_posts().len(), 1);
    assert_eq!(
        said[1].reply(),
        "You sent Grace Lindqvist these very kudos a moment ago, so I posted them once."
    );
    assert!(said[1].posts().is_empty());
    assert_eq!(bot.count("kudos").await, 1);
    let said = bot.say("sam", "/kudos @grace and for the pairing").await;
    assert_eq!(
        said.reply(),
        "Your kudos to Grace Lindqvist are posted in `#spring-makers`."
    );
    assert_eq!(said.told(), ["#spring-makers"]);
    assert_eq!(bot.count("kudos").await, 2);
}
