//! Alumni: the circle made at the first graduation, the opt-in directory, and one
//! invitation to mentor a quarter.

use chrono_tz::Europe::Berlin;
use sqlx::PgPool;

use crate::milestones::{complete, learner};
use crate::support::TestBot;

/// Sam finishes every module and the capstone, verified by Grace, in March 2027. (The
/// shell takes the note's two lines as one.)
async fn graduate_sam(bot: &TestBot) {
    for module in ["flows-101", "data-sources", "canvas-apps", "alm-basics"] {
        complete(bot, module).await;
    }
    bot.deliver_to(&[
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "@grace",
        "@grace",
        "@grace",
        "@grace",
        "@sam",
        "@sam",
        "@sam",
        "@sam",
    ])
    .await;
    let said = bot
        .say(
            "sam",
            "/milestone submit capstone https://example.org/leave-requests Leave requests bot\nIt files the form for you.",
        )
        .await;
    assert_eq!(said.told(), ["@Grace Lindqvist"]);
    assert!(said.reply().starts_with("Submitted"), "{}", said.reply());
    let said = bot.say("grace", "/milestone verify @sam capstone").await;
    assert!(
        said.reply().ends_with("they have graduated. 🎓"),
        "{}",
        said.reply()
    );
    let invitation = said
        .dms()
        .into_iter()
        .find(|(to, text)| *to == "Sam Carter" && text.starts_with("🎓"))
        .map(|(_, text)| text.to_owned());
    assert_eq!(
        invitation.as_deref(),
        Some(
            "🎓 You graduated from Spring Makers 2027 and are now alumni. Would you help the next cohort? Offer to mentor with `/mentor offer`.\n\
             You're in the Alumni circle too (`/circle members alumni`), and `/alumni join` lists you in the alumni directory, where others find you by skill.\n\
             Will people keep using what you built? Register it with `/tool register <name> <kind> <data> <users>`, so it has an owner, a backup and a review."
        )
    );
}

#[sqlx::test]
async fn the_first_graduation_makes_the_alumni_circle_and_the_directory_is_opt_in(pool: PgPool) {
    let bot = learner(pool).await;
    let said = bot.say("priya", "/alumni list").await;
    assert_eq!(
        said.reply(),
        "No graduate is listed yet. Graduates add themselves with `/alumni join`."
    );
    graduate_sam(&bot).await;
    let said = bot.say("sam", "/circle members alumni").await;
    assert_eq!(said.reply(), "Who is in Alumni:\n• Sam Carter");
    let said = bot.say("priya", "/circle list").await;
    assert!(
        said.reply().contains(
            "• Alumni (`alumni`) · private: leads approve who joins · 1 member\n  \
             Graduates of the program: keep building together, and help the next cohort."
        ),
        "{}",
        said.reply()
    );

    // Nobody is listed unasked; only graduates may list themselves.
    let said = bot.say("priya", "/alumni list").await;
    assert!(said.reply().starts_with("No graduate is listed yet."));
    bot.refused(
        "priya",
        "/alumni join",
        "The alumni directory lists graduates: you join it once your capstone is verified.",
    )
    .await;
    bot.ok("sam", "/me skills Excel, Power Automate").await;
    let said = bot.say("sam", "/alumni join").await;
    assert_eq!(
        said.reply(),
        "🎓 You're in the alumni directory, with your skills (`/me skills`) and your capstone. Leave it any time with `/alumni leave`."
    );
    let said = bot.say("priya", "/alumni list").await;
    assert_eq!(
        said.reply(),
        "🎓 Alumni:\n• Sam Carter (Spring Makers 2027) — built Leave requests bot · excel, power automate"
    );
    let said = bot.say("priya", "/alumni list \"Power Automate\"").await;
    assert_eq!(
        said.reply(),
        "🎓 Alumni who know power automate:\n• Sam Carter (Spring Makers 2027) — built Leave requests bot · excel, power automate"
    );
    let said = bot.say("priya", "/alumni list sql").await;
    assert_eq!(
        said.reply(),
        "No listed graduate knows sql yet. `/alumni list` shows everyone listed."
    );

    let said = bot
        .say("sam", "/alumni join capstone:\"Leave request automation\"")
        .await;
    assert_eq!(said.reply(), "Your alumni listing is up to date.");
    let said = bot.say("priya", "/alumni list").await;
    assert!(
        said.reply().contains("— built Leave request automation ·"),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/alumni leave").await;
    assert_eq!(
        said.reply(),
        "You are out of the alumni directory. Come back with `/alumni join`."
    );
    bot.refused(
        "sam",
        "/alumni leave",
        "You are not in the alumni directory, so there is nothing to remove.",
    )
    .await;
}

/// The invitations to mentor delivered by a pass at `when` in Berlin (other posts of the
/// pass are only counted).
async fn invitations_at(bot: &TestBot, when: &str) -> Vec<(String, String)> {
    bot.set_local(when, Berlin);
    bot.tick().await;
    let delivered = bot.deliver().await;
    delivered
        .iter()
        .filter(|(_, text)| text.starts_with("🌱"))
        .cloned()
        .collect()
}

#[sqlx::test]
async fn alumni_are_invited_to_mentor_once_a_quarter_at_a_working_hour(pool: PgPool) {
    let bot = learner(pool).await;
    graduate_sam(&bot).await;
    bot.deliver_to(&[
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "@grace",
        "@sam",
        "@sam",
    ])
    .await;
    // The graduation's invitation was this quarter's.
    assert!(invitations_at(&bot, "2027-03-15 11:00").await.is_empty());
    // Saturday 3 April: not a working day.
    assert!(invitations_at(&bot, "2027-04-03 11:00").await.is_empty());
    let invited = invitations_at(&bot, "2027-04-05 10:30").await;
    assert_eq!(
        invited,
        [(
            "@sam".to_owned(),
            "🌱 A new quarter (2027-Q2) and a new cohort of makers. You've been where they are: would you mentor one or two of them? Offer with `/mentor offer`. No pressure: I ask once a quarter at most.".to_owned()
        )]
    );
    assert!(invitations_at(&bot, "2027-04-05 11:30").await.is_empty());
    assert!(invitations_at(&bot, "2027-05-03 11:30").await.is_empty());
    assert_eq!(invitations_at(&bot, "2027-07-05 10:30").await.len(), 1);
}
