//! A member's own profile.

use sqlx::PgPool;

use crate::support::TestBot;

#[sqlx::test]
async fn time_zone_is_validated_with_a_suggestion(pool: PgPool) {
    let bot = TestBot::new(pool).await;

    let said = bot.say("bob", "/me timezone Europe/Berln").await;
    assert_eq!(
        said.reply(),
        "`Europe/Berln` is not a time zone I know; did you mean `Europe/Berlin`? (usage: `/me timezone [zone]`)"
    );

    // 2027-02-15 09:00 UTC is 18:00 in Tokyo.
    let said = bot.say("bob", "/me timezone asia/tokyo").await;
    assert_eq!(
        said.reply(),
        "Your time zone is now Asia/Tokyo (it's 18:00 on Monday there now)."
    );
    let said = bot.say("bob", "/me").await;
    assert!(
        said.reply().contains("Time zone: Asia/Tokyo"),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn skills_are_stored_normalised(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot
        .say("bob", "/me skills Power Automate, SQL, sql,  dataverse")
        .await;
    assert_eq!(said.reply(), "Your skills: power automate, sql, dataverse.");
    let skills: Vec<String> =
        sqlx::query_scalar("SELECT skills FROM members WHERE platform_user_id = 'bob'")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(skills, ["power automate", "sql", "dataverse"]);

    let said = bot.say("bob", "/me skills ,,").await;
    assert!(
        said.reply().starts_with("List at least one skill"),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn a_new_member_sees_an_empty_profile_with_hints(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot.say("newbie", "/me").await;
    assert_eq!(
        said.reply(),
        "newbie (@newbie)\nTime zone: not set — use `/me timezone Europe/Berlin`\nSkills: none yet — use `/me skills power automate, sql`\nCode of conduct: not accepted yet\nRoles: none\nCohorts: none — see `/cohort list`"
    );
}

#[sqlx::test]
async fn help_is_generated_from_the_catalog(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot.say("bob", "/help cohort join").await;
    assert!(
        said.reply()
            .starts_with("`/cohort join <cohort> [track]`\nJoin a cohort"),
        "{}",
        said.reply()
    );
    // A group's name lists its commands.
    let said = bot.say("bob", "/help survey").await;
    assert_eq!(
        said.reply(),
        "The `/survey` commands (type `/help survey <command>` for details):\n  `/survey send <cohort> <kind> [question…]` — Ask a cohort's learners an anonymous question in a DM: an NPS or a pulse question. Stewards only.\n  `/survey answer <survey> <score> [comment…]` — Answer a survey, anonymously. The buttons in its DM do the same.\n  `/survey results [survey]` — Survey results, with groups under the privacy threshold hidden. For stewards, sponsors, lead mentors and a session's host."
    );
    let said = bot.say("bob", "/help nothing here").await;
    assert_eq!(
        said.reply(),
        "There is no command `/nothing here`. Type `/help` to see them all."
    );
    // A slip gets the command it was probably meant to be, as typing it would.
    let said = bot.say("bob", "/help chekin").await;
    assert_eq!(
        said.reply(),
        "There is no command `/chekin`. Did you mean `/help checkin`? Type `/help` to see them all."
    );
}

#[sqlx::test]
async fn the_time_zone_is_shown_and_a_join_does_not_ask_for_one_already_set(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot.say("bob", "/me timezone").await;
    assert_eq!(
        said.reply(),
        "You have not set a time zone, so prompts follow each cohort's. Set yours with `/me timezone Europe/Berlin` (any IANA zone)."
    );
    // 2027-02-15 09:00 UTC is 10:00 in Berlin.
    let said = bot.say("sam", "/me timezone").await;
    assert_eq!(
        said.reply(),
        "Your time zone is Europe/Berlin (it's 10:00 on Monday there now). Change it with `/me timezone <zone>`."
    );
    bot.ok("sam", "/coc accept").await;
    let said = bot
        .say("sam", "/cohort join spring-makers-2027 track:projects")
        .await;
    assert_eq!(said.told(), ["#spring-makers"]);
    assert_eq!(
        said.reply(),
        "You're in! Welcome to Spring Makers 2027, track Project-based. Your prompts follow your own time zone, Europe/Berlin; change it with `/me timezone`."
    );
    bot.ok("bob", "/coc accept").await;
    let said = bot
        .say("bob", "/cohort join spring-makers-2027 track:projects")
        .await;
    assert_eq!(said.told(), ["#spring-makers"]);
    assert!(
        said.reply().ends_with(
            ". Set your time zone with `/me timezone` so prompts arrive at your local time."
        ),
        "{}",
        said.reply()
    );
}
