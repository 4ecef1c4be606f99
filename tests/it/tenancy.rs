//! One community never sees another's data.

use sqlx::PgPool;

use cohortbot::program::{self, ProgramFile};

use crate::support::TestBot;

pub(crate) const OTHER: &str = r#"
[[community]]
slug = "globex-builders"
name = "Globex Builders"
code_of_conduct = "Be excellent to each other."

  [[community.people]]
  user_id = "hank"
  name = "Hank Scorpio"
  roles = ["steward"]

  [[community.cohorts]]
  slug = "globex-secret-2027"
  name = "Globex Secret Cohort"
  timezone = "America/Chicago"
"#;

#[sqlx::test]
async fn members_cannot_see_or_join_another_communitys_cohorts(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let other = ProgramFile::parse(OTHER, "other").unwrap();
    program::import(&bot.pool, &other, bot.clock.now())
        .await
        .unwrap();

    let said = bot.say("sam", "/cohort list").await;
    assert!(!said.reply().contains("Globex"), "{}", said.reply());

    bot.ok("sam", "/coc accept").await;
    let said = bot.say("sam", "/cohort join globex-secret-2027").await;
    assert!(
        said.reply()
            .starts_with("I don't know a cohort called `globex-secret-2027` here."),
        "{}",
        said.reply()
    );
    assert!(bot.active_cohorts("sam").await.is_empty());

    // A steward of one community is nobody in the other.
    let said = bot
        .say_in("globex-builders", "ada", "/cohort create x-cohort UTC X")
        .await;
    assert_eq!(
        said.reply(),
        "Sorry, only stewards can use `/cohort create`."
    );
    let said = bot
        .say_in("globex-builders", "hank", "/role grant @sam steward")
        .await;
    assert!(
        said.reply().starts_with("I don't know a member `@sam`"),
        "{}",
        said.reply()
    );

    // The same handle in two communities is two members.
    let said = bot.say_in("globex-builders", "sam", "/me").await;
    assert!(
        said.reply().contains("Code of conduct: not accepted yet"),
        "{}",
        said.reply()
    );
}

use cohortbot::clock::Clock;
