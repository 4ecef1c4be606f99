//! Steward-only commands and program roles.

use sqlx::PgPool;

use crate::support::TestBot;

#[sqlx::test]
async fn non_stewards_are_politely_refused_and_nothing_changes(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let audit_before = bot.count("audit_log").await;

    let said = bot.say("sam", "/cohort create x-cohort UTC X").await;
    assert_eq!(
        said.reply(),
        "Sorry, only stewards can use `/cohort create`."
    );
    let said = bot.say("grace", "/role grant @sam steward").await;
    assert_eq!(said.reply(), "Sorry, only stewards can use `/role grant`.");

    assert_eq!(bot.count("cohorts").await, 2);
    assert_eq!(bot.count("audit_log").await, audit_before);
}

#[sqlx::test]
async fn a_steward_grants_and_revokes_roles_and_the_member_is_told(pool: PgPool) {
    let bot = TestBot::new(pool).await;

    let said = bot.say("ada", "/role grant @sam community_mentor").await;
    assert_eq!(said.reply(), "Sam Carter is now a community mentor.");
    assert_eq!(
        said.dms(),
        [(
            "Sam Carter",
            "Ada Okafor made you a community mentor. Type `/help` to see what you can do."
        )]
    );

    let said = bot.say("ada", "/role grant sam mentor").await;
    assert_eq!(said.reply(), "Sam Carter is already a community mentor.");
    assert!(said.posts().is_empty());

    let said = bot
        .say("ada", "/role grant @sam lead_mentor spring-makers-2027")
        .await;
    assert_eq!(said.told(), ["@Sam Carter"]);
    assert_eq!(
        said.reply(),
        "Sam Carter is now a lead mentor in Spring Makers 2027."
    );

    let said = bot.say("sam", "/me").await;
    assert!(
        said.reply()
            .contains("Roles: community mentor, lead mentor in `spring-makers-2027`"),
        "{}",
        said.reply()
    );

    let said = bot
        .say("ada", "/role revoke @sam lead_mentor spring-makers-2027")
        .await;
    assert_eq!(
        said.reply(),
        "Sam Carter is no longer a lead mentor in Spring Makers 2027."
    );
    assert_eq!(said.dms().len(), 1);
    let said = bot
        .say("ada", "/role revoke @sam lead_mentor spring-makers-2027")
        .await;
    assert_eq!(
        said.reply(),
        "Sam Carter is not a lead mentor in Spring Makers 2027, so there is nothing to revoke."
    );

    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'role.%' ORDER BY id")
            .fetch_all(&bot.pool)
            .await
            .unwrap();
    assert_eq!(actions, ["role.grant", "role.grant", "role.revoke"]);
}

#[sqlx::test]
async fn unknown_users_and_cohorts_are_named(pool: PgPool) {
    let bot = TestBot::new(pool).await;

    let said = bot.say("ada", "/role grant @samm steward").await;
    assert_eq!(
        said.reply(),
        "I don't know a member `@samm` in this community. Did you mean `@sam`?"
    );
    let said = bot
        .say("ada", "/role grant @sam lead_mentor nowhere-2027")
        .await;
    assert!(
        said.reply()
            .starts_with("I don't know a cohort called `nowhere-2027`"),
        "{}",
        said.reply()
    );
    let said = bot.say("ada", "/role grant @sam wizard").await;
    assert!(
        said.reply().starts_with("`wizard` is not a role"),
        "{}",
        said.reply()
    );
    assert_eq!(
        bot.count("member_roles").await,
        5,
        "only the program's roles exist"
    );
}

#[sqlx::test]
async fn the_last_steward_cannot_remove_themselves(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot.say("ada", "/role revoke @ada steward").await;
    assert_eq!(
        said.reply(),
        "You're the last steward. Grant the role to someone else first, so the community keeps one."
    );

    bot.ok("ada", "/role grant @grace steward").await;
    let said = bot.say("ada", "/role revoke @ada steward").await;
    assert_eq!(said.told(), ["@Ada Okafor"]);
    assert_eq!(said.reply(), "Ada Okafor is no longer a steward.");
}

#[sqlx::test]
async fn role_messages_use_the_right_article(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot.say("ada", "/role grant @sam alumni").await;
    assert_eq!(said.told(), ["@Sam Carter"]);
    assert_eq!(said.reply(), "Sam Carter is now an alum.");
    let said = bot.say("ada", "/role grant @sam alumni").await;
    assert_eq!(said.reply(), "Sam Carter is already an alum.");
    let said = bot.say("ada", "/role revoke @sam sponsor").await;
    assert_eq!(
        said.reply(),
        "Sam Carter is not a sponsor, so there is nothing to revoke."
    );
}
