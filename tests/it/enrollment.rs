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
        said.reply.starts_with("Before you join Spring Makers 2027"),
        "{}",
        said.reply
    );
    assert!(said.reply.contains("Be kind and assume good intent"));
    assert!(said.posts.is_empty());
    assert!(
        bot.active_cohorts("sam").await.is_empty(),
        "nothing is enrolled before acceptance"
    );

    let said = bot.say("sam", "/coc accept").await;
    assert!(said.reply.starts_with("Thank you for accepting the code of conduct. You're in! Welcome to Spring Makers 2027, track Project-based."), "{}", said.reply);
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
        said.reply
            .starts_with("You already accepted the code of conduct on 2027-02-15"),
        "{}",
        said.reply
    );
}

#[sqlx::test]
async fn a_member_who_accepted_joins_at_once_and_gets_the_only_track(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.say("sam", "/coc accept").await;

    let said = bot.say("sam", "/cohort join evening-builders-2027").await;
    assert!(
        said.reply
            .contains("Welcome to Evening Builders 2027, track Short modules"),
        "{}",
        said.reply
    );
    assert_eq!(said.channel_posts().len(), 1);
}

#[sqlx::test]
async fn several_tracks_means_the_member_chooses(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.say("sam", "/coc accept").await;

    let said = bot.say("sam", "/cohort join spring-makers-2027").await;
    assert!(
        said.reply.contains("has several tracks. Choose one:"),
        "{}",
        said.reply
    );
    assert!(
        said.reply
            .contains("/cohort join spring-makers-2027 track:projects")
    );

    let said = bot
        .say("sam", "/cohort join spring-makers-2027 track:projcts")
        .await;
    assert_eq!(
        said.reply,
        "Spring Makers 2027 has no track `projcts`. Did you mean `projects`?"
    );
    assert!(bot.active_cohorts("sam").await.is_empty());
}

#[sqlx::test]
async fn double_join_is_refused_and_keeps_one_enrollment(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.say("sam", "/coc accept").await;
    bot.say("sam", "/cohort join evening-builders-2027").await;

    let said = bot.say("sam", "/cohort join evening-builders-2027").await;
    assert_eq!(said.reply, "You're already in Evening Builders 2027.");
    assert!(said.posts.is_empty());
    assert_eq!(bot.count("enrollments").await, 1);
}

#[sqlx::test]
async fn unknown_cohort_gets_a_suggestion_and_changes_nothing(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let before = bot.fingerprint().await;

    let said = bot.say("sam", "/cohort join spring-makers-2072").await;
    assert_eq!(
        said.reply,
        "I don't know a cohort called `spring-makers-2072` here. Did you mean `spring-makers-2027`?"
    );
    let said = bot.say("sam", "/cohort join zzz").await;
    assert_eq!(
        said.reply,
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
        said.reply,
        "You're not enrolled in any cohort. Type `/cohort list` to find one."
    );

    bot.say("sam", "/coc accept").await;
    bot.say("sam", "/cohort join evening-builders-2027").await;
    bot.say("sam", "/cohort join spring-makers-2027 track:short-modules")
        .await;

    let said = bot.say("sam", "/cohort leave").await;
    assert!(
        said.reply
            .starts_with("You're in several cohorts. Say which one to leave:"),
        "{}",
        said.reply
    );

    let said = bot.say("sam", "/cohort leave evening-builders-2027").await;
    assert!(
        said.reply.starts_with("You've left Evening Builders 2027."),
        "{}",
        said.reply
    );
    assert_eq!(bot.active_cohorts("sam").await, ["spring-makers-2027"]);

    let said = bot.say("sam", "/cohort leave evening-builders-2027").await;
    assert_eq!(said.reply, "You're not enrolled in Evening Builders 2027.");

    bot.say("sam", "/cohort join evening-builders-2027").await;
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
    bot.say("sam", "/coc accept").await;
    bot.say("sam", "/cohort join evening-builders-2027").await;

    let said = bot.say("sam", "/cohort list").await;
    let lines: Vec<&str> = said.reply.lines().collect();
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
        said.reply,
        "Created cohort Fall Makers 2027 (`fall-makers-2027`, Europe/Dublin). Members can join with `/cohort join fall-makers-2027`."
    );
    assert_eq!(
        said.outcome.unwrap().visibility,
        cohortbot::commands::Visibility::Public
    );

    let said = bot
        .say("ada", "/cohort create fall-makers-2027 UTC Again")
        .await;
    assert_eq!(
        said.reply,
        "A cohort with the id `fall-makers-2027` already exists."
    );

    let said = bot.say("ada", "/cohort create Fall_Makers UTC Fall").await;
    assert!(said.reply.contains("is not a valid id"), "{}", said.reply);

    let long = "n".repeat(1_000);
    let said = bot
        .say("ada", &format!("/cohort create long-one UTC {long}"))
        .await;
    assert!(
        said.reply
            .contains("`name` is 1000 characters long; the limit is 100"),
        "{}",
        said.reply
    );

    let said = bot
        .say("ada", "/cohort create ctrl-one UTC \"Bad\u{7}Name\"")
        .await;
    assert!(
        said.reply.contains("contains a control character"),
        "{}",
        said.reply
    );

    let said = bot
        .say("ada", "/cohort create tz-one Mars/Olympus Mars")
        .await;
    assert!(
        said.reply.contains("is not a time zone I know"),
        "{}",
        said.reply
    );

    assert_eq!(
        bot.count("cohorts").await,
        3,
        "only the first create added a cohort"
    );
}
