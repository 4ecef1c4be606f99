//! The review queue: request, claim, feedback template, limits and escalation.

use chrono_tz::Europe::Berlin;
use cohortbot::render::Fragment;
use sqlx::PgPool;

use crate::support::TestBot;

const COHORT: &str = "spring-makers-2027";

async fn setup(bot: &TestBot) {
    bot.enroll("lena", COHORT, Some("projects")).await;
    bot.ok("lena", "/me timezone Europe/Berlin").await;
    bot.ok("lena", "/me skills sql").await;
    bot.ok("xena", "/me timezone Europe/Berlin").await;
    bot.ok("xena", "/mentor offer community 2 sql").await;
    bot.ok("ada", "/mentor approve @xena community").await;
    bot.ok("yuri", "/mentor offer community 2 excel").await;
    bot.ok("ada", "/mentor approve @yuri community").await;
    bot.ok("ada", &format!("/mentor match {COHORT}")).await;
    bot.ok("ada", &format!("/mentor match apply {COHORT}"))
        .await;
}

#[sqlx::test]
async fn a_review_is_requested_claimed_and_answered_with_the_template(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    setup(&bot).await;

    for bad in [
        "ftp://files/app",
        "url:javascript:alert(1)",
        "www.example.com",
    ] {
        let said = bot.say("lena", &format!("/review request {bad}")).await;
        assert!(
            said.reply()
                .starts_with("A review needs a link starting with `https://`"),
            "{}",
            said.reply()
        );
    }
    let said = bot
        .say("sam", "/review request https://x.example/app")
        .await;
    assert_eq!(
        said.reply(),
        "Reviews are for learners in a cohort. Join one with `/cohort join`."
    );
    assert_eq!(bot.count("reviews").await, 0);

    let said = bot
        .say(
            "lena",
            "/review request https://make.powerapps.com/app/1 canvas @here please check my gallery",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Review #1 requested and posted in `#mentors`. You'll hear here when a mentor claims it."
    );
    assert_eq!(
        said.channel_posts(),
        [(
            "mentors",
            "@xena Review #1 for lena: https://make.powerapps.com/app/1 (canvas) — @here please check my gallery. Claim it with `/review claim 1`."
        )]
    );
    let post = &said.outcome().unwrap().posts[0].message;
    assert!(
        post.0
            .contains(&Fragment::User("@here please check my gallery".into()))
    );
    assert_eq!(post.mentioned().count(), 1, "only her own mentor is pinged");

    let said = bot.say("lena", "/review claim 1").await;
    assert_eq!(
        said.reply(),
        "You can't claim your own review; a mentor will pick it up."
    );
    let said = bot.say("sam", "/review claim 1").await;
    assert_eq!(
        said.reply(),
        "Only approved mentors claim reviews. Offer with `/mentor offer`."
    );
    let said = bot.say("xena", "/review claim 9").await;
    assert_eq!(said.reply(), "There is no review #9 here.");
    let said = bot.say("xena", "/review claim 1").await;
    assert!(
        said.reply().starts_with("Review #1 is yours."),
        "{}",
        said.reply()
    );
    assert_eq!(said.dms(), [("lena", "@xena claimed your review #1.")]);
    let said = bot.say("yuri", "/review claim 1").await;
    assert_eq!(said.reply(), "Review #1 is already claimed.");

    let said = bot
        .say("yuri", "/review done 1 works:x improve:y next:z")
        .await;
    assert_eq!(
        said.reply(),
        "Review #1 isn't claimed by you. Claim it first with `/review claim 1`."
    );
    let said = bot
        .say("xena", "/review done 1 works:\"clear layout\"")
        .await;
    assert_eq!(
        said.reply(),
        "Feedback template\n• works: what works well (be specific)\n• improve: one or two things to improve\n• next: one next step the learner can take this week\nSend all three: `/review done 1 works:\"…\" improve:\"…\" next:\"…\"`"
    );
    let said = bot
        .say(
            "xena",
            "/review done 1 works:\"clear layout\" improve:\"name your controls\" next:\"add delegation-safe filters\"",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Thanks! Your feedback on review #1 went to lena."
    );
    assert_eq!(
        said.dms(),
        [(
            "lena",
            "Feedback on review #1 (https://make.powerapps.com/app/1) from xena:\nWhat works: clear layout\nTo improve: name your controls\nNext step: add delegation-safe filters"
        )]
    );
    let said = bot
        .say("xena", "/review done 1 works:a improve:b next:c")
        .await;
    assert_eq!(said.reply(), "Review #1 is already done.");
    // Claiming a finished review says it is done, to its learner too (it said a mentor
    // would pick it up).
    for who in ["lena", "xena"] {
        let said = bot.say(who, "/review claim 1").await;
        assert!(said.refused(), "{who}");
        assert_eq!(said.reply(), "Review #1 is already done.", "{who}");
    }
}

#[sqlx::test]
async fn at_most_three_open_requests_and_unclaimed_ones_escalate_once(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    setup(&bot).await;
    // The program file already made Grace the cohort's lead mentor.
    bot.refused(
        "ada",
        "/role grant @grace lead_mentor spring-makers-2027",
        "already a lead mentor",
    )
    .await;
    bot.set_local("2027-03-02 10:00", Berlin);
    bot.tick().await;
    for i in 1..=3 {
        let said = bot
            .say("lena", &format!("/review request https://x.example/{i}"))
            .await;
        assert!(said.reply().starts_with(&format!("Review #{i} requested")));
        assert_eq!(said.told(), ["#mentors"]);
    }
    let said = bot.say("lena", "/review request https://x.example/4").await;
    assert_eq!(
        said.reply(),
        "You already have 3 open review requests. Once one is done you can ask again."
    );
    bot.ok("xena", "/review claim 2").await;
    bot.deliver_to(&[
        "#mentors",
        "#mentors",
        "#mentors",
        "#spring-makers",
        "@ada",
        "@ada",
        "@grace",
        "@lena",
        "@lena",
        "@xena",
        "@xena",
        "@yuri",
    ])
    .await;

    // 23 hours on, nothing is due yet.
    bot.set_local("2027-03-03 09:00", Berlin);
    bot.tick().await;
    assert!(
        bot.deliver()
            .await
            .iter()
            .all(|(_, t)| !t.contains("Still waiting"))
    );

    // After 24 h the two unclaimed ones are re-announced and the cohort's lead is told.
    bot.set_local("2027-03-03 10:00", Berlin);
    bot.tick().await;
    let mut sent: Vec<(String, String)> = bot
        .deliver()
        .await
        .into_vec()
        .into_iter()
        .filter(|(_, t)| t.contains("review #"))
        .collect();
    sent.sort();
    assert_eq!(
        sent,
        [
            ("#mentors".to_owned(), "Still waiting after 24 h: review #1 for lena: https://x.example/1. Claim it with `/review claim 1`.".to_owned()),
            ("#mentors".to_owned(), "Still waiting after 24 h: review #3 for lena: https://x.example/3. Claim it with `/review claim 3`.".to_owned()),
            ("@grace".to_owned(), "Nobody has claimed review #1 in 24 h: lena asked about https://x.example/1. Could you pick it up or find someone?".to_owned()),
            ("@grace".to_owned(), "Nobody has claimed review #3 in 24 h: lena asked about https://x.example/3. Could you pick it up or find someone?".to_owned()),
        ]
    );
    // Once only.
    bot.set_local("2027-03-03 12:00", Berlin);
    bot.tick().await;
    assert!(
        bot.deliver()
            .await
            .iter()
            .all(|(_, t)| !t.contains("review #"))
    );
}

#[sqlx::test]
async fn a_learner_cancels_a_request_and_the_claimer_is_told(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    setup(&bot).await;
    bot.ok("lena", "/review request https://x.example/app/1")
        .await;
    bot.ok("lena", "/review request https://x.example/app/2")
        .await;
    let said = bot.say("xena", "/review cancel 1").await;
    assert_eq!(
        said.reply(),
        "Review #1 is someone else's request; only they can cancel it."
    );
    let said = bot.say("lena", "/review cancel 1").await;
    assert_eq!(
        said.reply(),
        "Cancelled review #1. Mentors won't be asked about it again."
    );
    assert!(said.posts().is_empty(), "{:?}", said.posts());
    let said = bot.say("xena", "/review claim 1").await;
    assert_eq!(
        said.reply(),
        "Review #1 was cancelled by the learner; there is nothing to do."
    );
    assert_eq!(bot.count("reviews WHERE status = 'cancelled'").await, 1);

    bot.ok("xena", "/review claim 2").await;
    let said = bot.say("lena", "/review cancel 2").await;
    assert_eq!(
        said.reply(),
        "Cancelled review #2. The mentor who claimed it has been told."
    );
    assert_eq!(
        said.dms(),
        [(
            "xena",
            "lena cancelled review #2; there is nothing more to do for it. Thank you!"
        )]
    );
    let said = bot.say("lena", "/review cancel 2").await;
    assert_eq!(
        said.reply(),
        "Review #2 is already cancelled, so there is nothing to cancel."
    );
    // A cancelled request no longer counts toward the limit of open ones.
    let said = bot
        .say("lena", "/review request https://x.example/app/3")
        .await;
    assert_eq!(said.told(), ["#mentors"]);
    assert!(said.reply().contains("#3"), "{}", said.reply());
}
