//! Joining and leaving cohorts.

use sqlx::PgPool;

use crate::support::TestBot;

#[sqlx::test]
async fn joining_shows_the_code_of_conduct_and_enrolls_only_after_acceptance(pool: PgPool) {
    let bot = TestBot::new(pool).await;

    let said = bot
        .say("sam", "/cohort join spring-makers-2027 track:projects")
        .await;
    assert!(
        said.reply()
            .starts_with("Before you join Spring Makers 2027"),
        "{}",
        said.reply()
    );
    assert!(said.reply().contains("Be kind and assume good intent"));
    assert!(said.posts().is_empty());
    assert!(
        bot.active_cohorts("sam").await.is_empty(),
        "nothing is enrolled before acceptance"
    );

    let said = bot.say("sam", "/coc accept").await;
    assert!(said.reply().starts_with("Thank you for accepting the code of conduct. You're in! Welcome to Spring Makers 2027, track Project-based."), "{}", said.reply());
    assert_eq!(
        said.channel_posts(),
        [(
            "spring-makers",
            "Please welcome Sam Carter to Spring Makers 2027 (Project-based track)! 🎉"
        )]
    );
    assert_eq!(bot.active_cohorts("sam").await, ["spring-makers-2027"]);

    let said = bot.say("sam", "/coc accept").await;
    assert!(
        said.reply()
            .starts_with("You already accepted the code of conduct on 2027-02-15"),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn a_member_who_accepted_joins_at_once_and_gets_the_only_track(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", "/coc accept").await;

    let said = bot.say("sam", "/cohort join evening-builders-2027").await;
    assert!(
        said.reply()
            .contains("Welcome to Evening Builders 2027, track Short modules"),
        "{}",
        said.reply()
    );
    assert_eq!(said.channel_posts().len(), 1);
}

#[sqlx::test]
async fn several_tracks_means_the_member_chooses(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", "/coc accept").await;

    let said = bot.say("sam", "/cohort join spring-makers-2027").await;
    assert!(
        said.reply().contains("has several tracks. Choose one:"),
        "{}",
        said.reply()
    );
    assert!(
        said.reply()
            .contains("/cohort join spring-makers-2027 track:projects")
    );

    let said = bot
        .say("sam", "/cohort join spring-makers-2027 track:projcts")
        .await;
    assert_eq!(
        said.reply(),
        "Spring Makers 2027 has no track `projcts`. Did you mean `projects`?"
    );
    assert!(bot.active_cohorts("sam").await.is_empty());
}

#[sqlx::test]
async fn double_join_is_refused_and_keeps_one_enrollment(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", "/coc accept").await;
    bot.ok("sam", "/cohort join evening-builders-2027").await;

    let said = bot.say("sam", "/cohort join evening-builders-2027").await;
    assert_eq!(said.reply(), "You're already in Evening Builders 2027.");
    assert!(said.posts().is_empty());
    assert_eq!(bot.count("enrollments").await, 1);
}

#[sqlx::test]
async fn unknown_cohort_gets_a_suggestion_and_changes_nothing(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let before = bot.fingerprint().await;

    let said = bot.say("sam", "/cohort join spring-makers-2072").await;
    assert_eq!(
        said.reply(),
        "I don't know a cohort called `spring-makers-2072` here. Did you mean `spring-makers-2027`?"
    );
    let said = bot.say("sam", "/cohort join zzz").await;
    assert_eq!(
        said.reply(),
        "I don't know a cohort called `zzz` here. Type `/cohort list` to see them."
    );
    // Members are created on first contact; nothing else may change.
    assert_eq!(bot.fingerprint().await, before);
}

#[sqlx::test]
async fn leaving_keeps_history_and_rejoining_works(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot.say("sam", "/cohort leave").await;
    assert_eq!(
        said.reply(),
        "You're not enrolled in any cohort. Type `/cohort list` to find one."
    );

    bot.ok("sam", "/coc accept").await;
    bot.ok("sam", "/cohort join evening-builders-2027").await;
    bot.ok("sam", "/cohort join spring-makers-2027 track:short-modules")
        .await;

    let said = bot.say("sam", "/cohort leave").await;
    assert!(
        said.reply()
            .starts_with("You're in several cohorts. Say which one to leave:"),
        "{}",
        said.reply()
    );

    let said = bot.say("sam", "/cohort leave evening-builders-2027").await;
    assert!(
        said.reply()
            .starts_with("You've left Evening Builders 2027."),
        "{}",
        said.reply()
    );
    assert_eq!(bot.active_cohorts("sam").await, ["spring-makers-2027"]);

    let said = bot.say("sam", "/cohort leave evening-builders-2027").await;
    assert_eq!(
        said.reply(),
        "You're not enrolled in Evening Builders 2027."
    );

    bot.ok("sam", "/cohort join evening-builders-2027").await;
    assert_eq!(
        bot.active_cohorts("sam").await,
        ["evening-builders-2027", "spring-makers-2027"]
    );
    assert_eq!(
        bot.count("enrollments").await,
        3,
        "the left enrollment stays as history"
    );
}

#[sqlx::test]
async fn cohort_list_shows_tracks_and_marks_my_cohorts(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", "/coc accept").await;
    bot.ok("sam", "/cohort join evening-builders-2027").await;

    let said = bot.say("sam", "/cohort list").await;
    let lines: Vec<&str> = said.reply().lines().collect();
    assert_eq!(lines[0], "Cohorts in Acme Citizen Developers:");
    assert!(lines[1].starts_with(
        "• Spring Makers 2027 (`spring-makers-2027`) 2027-03-01 → 2027-06-25, Europe/Berlin"
    ));
    assert!(!lines[1].contains("you're in"));
    assert!(
        lines[2].starts_with("• Evening Builders 2027") && lines[2].ends_with("← you're in"),
        "{}",
        lines[2]
    );
}

#[sqlx::test]
async fn stewards_create_cohorts_with_checked_input(pool: PgPool) {
    let bot = TestBot::new(pool).await;

    let said = bot
        .say(
            "ada",
            "/cohort create fall-makers-2027 Europe/Dublin Fall Makers 2027",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Created cohort Fall Makers 2027 (`fall-makers-2027`, Europe/Dublin). Members can join with `/cohort join fall-makers-2027`.
Still to do:
• a channel for its posts: `/cohort set fall-makers-2027 channel:#…`
• its dates: `/cohort set fall-makers-2027 starts:YYYY-MM-DD ends:YYYY-MM-DD`
• a track: `/cohort track fall-makers-2027 <id> <name>`
• a weekly check-in: `/schedule set fall-makers-2027 checkin \"0 9 * * MON\"`"
    );
    assert_eq!(
        said.outcome().unwrap().clone().visibility,
        cohortbot::commands::Visibility::Public
    );

    let said = bot
        .say("ada", "/cohort create fall-makers-2027 UTC Again")
        .await;
    assert_eq!(
        said.reply(),
        "A cohort with the id `fall-makers-2027` already exists."
    );

    let said = bot.say("ada", "/cohort create Fall_Makers UTC Fall").await;
    assert!(
        said.reply().contains("is not a valid id"),
        "{}",
        said.reply()
    );

    let long = "n".repeat(1_000);
    let said = bot
        .say("ada", &format!("/cohort create long-one UTC {long}"))
        .await;
    assert!(
        said.reply()
            .contains("`name` is 1000 characters long; the limit is 100"),
        "{}",
        said.reply()
    );

    let said = bot
        .say("ada", "/cohort create ctrl-one UTC \"Bad\u{7}Name\"")
        .await;
    assert!(
        said.reply().contains("contains a control character"),
        "{}",
        said.reply()
    );

    let said = bot
        .say("ada", "/cohort create tz-one Mars/Olympus Mars")
        .await;
    assert!(
        said.reply().contains("is not a time zone I know"),
        "{}",
        said.reply()
    );

    assert_eq!(
        bot.count("cohorts").await,
        3,
        "only the first create added a cohort"
    );
}

#[sqlx::test]
async fn a_cohort_made_in_chat_is_finished_in_chat_and_archived(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.set_local("2027-08-20 10:00", chrono_tz::Europe::Berlin);
    bot.ok("ada", "/cohort create fall-makers UTC Fall Makers")
        .await;

    // Nothing that would post to its channel is accepted before it has one.
    let no_channel = "Fall Makers has no channel yet, so nobody would see that post. A steward can give it one with `/cohort set fall-makers channel:#…`.";
    let said = bot
        .say(
            "ada",
            "/event schedule fall-makers 2027-09-06T17:00 clinic Kickoff",
        )
        .await;
    assert_eq!(said.reply(), no_channel);
    let said = bot
        .say("ada", "/schedule set fall-makers digest \"0 16 * * FRI\"")
        .await;
    assert_eq!(said.reply(), no_channel);
    assert_eq!(bot.count("sessions").await, 0);

    let said = bot.say("ada", "/cohort set fall-makers").await;
    assert_eq!(
        said.reply(),
        "Say what to change, like `/cohort set fall-makers channel:#… starts:2027-09-01 ends:2027-12-15`. It also takes `timezone:` and `name:`."
    );
    let said = bot
        .say(
            "ada",
            "/cohort set fall-makers starts:2027-09-01 ends:2027-06-30",
        )
        .await;
    assert_eq!(
        said.reply(),
        "The cohort would end on 2027-06-30, before it starts on 2027-09-01. Check the dates."
    );
    let said = bot
        .say(
            "ada",
            "/cohort set fall-makers starts:2027-09-01 ends:2037-06-30",
        )
        .await;
    assert_eq!(
        said.reply(),
        "2027-09-01 to 2037-06-30 is longer than a cohort runs (at most 732 days). Check the years."
    );
    let said = bot
        .say("ada", "/cohort set fall-makers channel:<!here>")
        .await;
    assert!(
        said.reply()
            .contains("`channel` must name one channel, like `#spring-makers`"),
        "{}",
        said.reply()
    );
    let said = bot
        .say("sam", "/cohort set fall-makers channel:#fall")
        .await;
    assert_eq!(said.reply(), "Sorry, only stewards can use `/cohort set`.");

    let said = bot
        .say(
            "ada",
            "/cohort set fall-makers channel:#fall-makers starts:2027-09-01 ends:2027-12-15 timezone:Europe/Berlin",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Updated Fall Makers (`fall-makers`): Europe/Berlin, 2027-09-01 → 2027-12-15, posts to `#fall-makers`.
Still to do:
• a track: `/cohort track fall-makers <id> <name>`
• a weekly check-in: `/schedule set fall-makers checkin \"0 9 * * MON\"`"
    );
    let said = bot
        .say("ada", "/cohort track fall-makers projects Team projects")
        .await;
    assert_eq!(
        said.reply(),
        "Added the project track Team projects (`projects`) to Fall Makers. Learners pick it with `/cohort join fall-makers track:projects`."
    );
    let said = bot
        .say("ada", "/cohort track fall-makers projects Again")
        .await;
    assert_eq!(said.reply(), "Fall Makers already has a track `projects`.");
    bot.ok("ada", "/schedule set fall-makers checkin \"0 9 * * MON\"")
        .await;
    let said = bot
        .say("ada", "/cohort set fall-makers name:\"Fall Makers 2027\"")
        .await;
    assert_eq!(
        said.reply(),
        "Updated Fall Makers 2027 (`fall-makers`): Europe/Berlin, 2027-09-01 → 2027-12-15, posts to `#fall-makers`.
It has everything it needs to run."
    );

    // Sessions go inside its dates, and not years ahead.
    let said = bot
        .say(
            "ada",
            "/event schedule fall-makers 2028-01-10T17:00 clinic Late",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Mon 10 Jan 2028 17:00 (Europe/Berlin) is outside Fall Makers 2027, which runs 2027-09-01 to 2027-12-15. Pick a time within its dates."
    );
    let said = bot
        .say(
            "ada",
            "/event schedule fall-makers 2029-10-01T17:00 clinic Typo",
        )
        .await;
    assert!(
        said.reply().contains("is more than a year away"),
        "{}",
        said.reply()
    );
    let said = bot
        .say(
            "ada",
            "/event schedule fall-makers 2027-09-06T17:00 clinic Kickoff",
        )
        .await;
    assert!(said.reply().starts_with("Scheduled"), "{}", said.reply());
    let posts = said.channel_posts();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].0, "fall-makers");

    bot.ok("sam", "/coc accept").await;
    let said = bot.say("sam", "/cohort join fall-makers").await;
    assert_eq!(said.told(), ["#fall-makers"]);
    assert!(said.reply().starts_with("You're in"), "{}", said.reply());

    // Archived: its schedules stop, joins are refused, the list leaves it out.
    let said = bot.say("ada", "/cohort archive fall-makers").await;
    assert_eq!(
        said.reply(),
        "Archived Fall Makers 2027: 1 schedule stopped, and nobody new can join. Its 1 learner and their records stay."
    );
    let said = bot.say("ada", "/cohort archive fall-makers").await;
    assert_eq!(said.reply(), "Fall Makers 2027 is already archived.");
    let said = bot.say("ken", "/cohort join fall-makers").await;
    assert_eq!(
        said.reply(),
        "Fall Makers 2027 is archived: it takes no new members, sessions or schedules."
    );
    let said = bot.say("ada", "/cohort list").await;
    assert!(!said.reply().contains("Fall Makers"), "{}", said.reply());
    assert!(
        said.reply().ends_with("(1 archived cohort not shown.)"),
        "{}",
        said.reply()
    );
    bot.set_local("2027-09-13 09:00", chrono_tz::Europe::Berlin);
    bot.tick().await;
    let prompts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM checkin_prompts p JOIN cohorts c ON c.id = p.cohort_id WHERE c.slug = 'fall-makers'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert_eq!(prompts, 0, "an archived cohort's check-in does not run");
}

#[sqlx::test]
async fn a_changed_code_of_conduct_is_accepted_again_before_the_next_join(pool: PgPool) {
    use cohortbot::clock::Clock;
    use cohortbot::program::{self, ProgramFile};
    let bot = TestBot::new(pool).await;
    bot.ok("sam", "/coc accept").await;
    let said = bot
        .say("sam", "/cohort join spring-makers-2027 track:projects")
        .await;
    assert_eq!(said.told(), ["#spring-makers"]);
    assert!(said.reply().starts_with("You're in"), "{}", said.reply());

    // A file that only adds a cohort leaves the code of conduct alone.
    let partial = ProgramFile::parse(
        r#"
[[community]]
slug = "acme-makers"
name = "Acme Citizen Developers"

  [[community.cohorts]]
  slug = "winter-lab"
  name = "Winter Lab"
  timezone = "UTC"
"#,
        "partial",
    )
    .unwrap();
    program::import(&bot.pool, &partial, bot.clock.now())
        .await
        .unwrap();
    let coc: (String, i32) = sqlx::query_as(
        "SELECT code_of_conduct, coc_version FROM communities WHERE slug = 'acme-makers'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert!(coc.0.len() > 100, "{}", coc.0);
    assert_eq!(coc.1, 1);
    let said = bot.say("sam", "/cohort join winter-lab").await;
    assert!(said.reply().starts_with("You're in"), "{}", said.reply());

    // A new text raises the version: the next join asks again first.
    let edited = crate::support::EXAMPLE.replacen(
        "code_of_conduct = \"\"\"",
        "code_of_conduct = \"\"\"\nNew: recordings of sessions stay inside the company.",
        1,
    );
    let program = ProgramFile::parse(&edited, "edited").unwrap();
    program::import(&bot.pool, &program, bot.clock.now())
        .await
        .unwrap();
    let said = bot.say("sam", "/me").await;
    assert!(
        said.reply()
            .contains("Code of conduct: accepted 2027-02-15, and it has changed since; see `/coc`"),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/cohort join evening-builders-2027").await;
    assert!(
        said.reply().starts_with(
            "The code of conduct has changed since you accepted it on 2027-02-15. Before you join Evening Builders 2027, please read the Acme Citizen Developers code of conduct:"
        ),
        "{}",
        said.reply()
    );
    assert!(
        said.reply()
            .contains("New: recordings of sessions stay inside the company."),
        "{}",
        said.reply()
    );
    assert_eq!(bot.active_cohorts("sam").await.len(), 2);
    let said = bot.say("sam", "/coc").await;
    assert!(
        said.reply().ends_with(
            "It has changed since you accepted it on 2027-02-15. Type `/coc accept` to accept this version."
        ),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/coc accept").await;
    assert_eq!(said.told(), ["#evening-builders"]);
    assert!(
        said.reply().starts_with("Thank you for accepting the code of conduct. You're in! Welcome to Evening Builders 2027"),
        "{}",
        said.reply()
    );
    assert_eq!(bot.active_cohorts("sam").await.len(), 3);
    let said = bot.say("sam", "/coc accept").await;
    assert_eq!(
        said.reply(),
        "You already accepted the code of conduct on 2027-02-15. Thank you!"
    );

    // A new community cannot leave it out.
    let new =
        ProgramFile::parse("[[community]]\nslug = \"other\"\nname = \"Other\"\n", "new").unwrap();
    let err = program::import(&bot.pool, &new, bot.clock.now())
        .await
        .unwrap_err();
    assert!(
        format!("{err:#}").contains("community `other` is new, so it needs a code_of_conduct"),
        "{err:#}"
    );
}

#[sqlx::test]
async fn a_long_cohort_list_comes_a_page_at_a_time(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    // 40 more cohorts beside the example's two: 42 in all, 10 a page.
    sqlx::query(
        "INSERT INTO cohorts (id, community_id, slug, name, timezone, created_at)
         SELECT gen_random_uuid(), c.id, 'batch-' || lpad(i::text, 2, '0'), 'Batch ' || i, 'UTC', now()
         FROM communities c, generate_series(1, 40) AS i WHERE c.slug = 'acme-makers'",
    )
    .execute(&bot.pool)
    .await
    .unwrap();
    let first = bot.say("sam", "/cohort list").await.reply().to_owned();
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines[0], "Cohorts in Acme Citizen Developers, page 1 of 5:");
    assert_eq!(lines.len(), 1 + 10 + 1, "{first}");
    assert_eq!(lines[11], "More: `/cohort list page:2`");
    let last = bot
        .say("sam", "/cohort list page:5")
        .await
        .reply()
        .to_owned();
    let lines: Vec<&str> = last.lines().collect();
    assert_eq!(lines[0], "Cohorts in Acme Citizen Developers, page 5 of 5:");
    assert_eq!(lines.len(), 1 + 2, "{last}");
    assert!(!last.contains("More:"), "{last}");
    // Every cohort shows on exactly one page.
    let mut all = format!(
        "{first}
{last}"
    );
    for page in 2..=4 {
        all.push_str(
            bot.say("sam", &format!("/cohort list page:{page}"))
                .await
                .reply(),
        );
    }
    for i in 1..=40 {
        let slug = format!("`batch-{i:02}`");
        assert_eq!(all.matches(&slug).count(), 1, "{slug}");
    }
    let said = bot.say("sam", "/cohort list page:6").await;
    assert_eq!(said.reply(), "There is no page 6: the list has 5 pages.");
}
