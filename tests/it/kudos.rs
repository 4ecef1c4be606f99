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
        said.reply,
        "Kudos are for thanking others. Who helped you this week?"
    );
    let said = bot.say("sam", "/kudos @nobody thanks").await;
    assert!(
        said.reply.starts_with("I don't know a member `@nobody`"),
        "{}",
        said.reply
    );
    let said = bot.say("ken", "/kudos @sam thanks").await;
    assert!(
        said.reply.contains("you're not in a cohort"),
        "{}",
        said.reply
    );

    let said = bot
        .say(
            "sam",
            "/kudos @ken @everyone <!channel> *thanks* for the DAX help",
        )
        .await;
    assert_eq!(
        said.reply,
        "Your kudos to Ken Watanabe are posted in `#spring-makers`."
    );
    assert_eq!(
        said.channel_posts(),
        [(
            "spring-makers",
            "🎉 Kudos to @Ken Watanabe from Sam Carter: @everyone <!channel> *thanks* for the DAX help"
        )]
    );
    let post = &said.outcome.as_ref().unwrap().posts[0].message;
    assert!(post.0.contains(&Fragment::User(
        "@everyone <!channel> *thanks* for the DAX help".into()
    )));
    assert_eq!(post.mentioned().count(), 1, "only the receiver is pinged");

    for i in 2..=5 {
        let said = bot.say("sam", &format!("/kudos @ken thanks {i}")).await;
        assert!(said.reply.starts_with("Your kudos"), "{}", said.reply);
    }
    let said = bot.say("sam", "/kudos @ken one more").await;
    assert_eq!(
        said.reply,
        "You've given 5 kudos today, the daily limit. Save the next for tomorrow!"
    );
    assert_eq!(bot.count("kudos").await, 5);

    bot.clock.advance(chrono::Duration::days(1));
    let said = bot.say("sam", "/kudos @ken a new day").await;
    assert!(said.reply.starts_with("Your kudos"), "{}", said.reply);
}
