//! `/badge issue`: a mentor verifies one module for several learners at once, each badge
//! carrying the mentor's narrative of that person's work; all or nothing.

use chrono::{TimeZone, Utc};
use serde_json::Value;
use sqlx::PgPool;

use super::support::TestBot;

async fn submitted(bot: &TestBot, who: &str) {
    let said = bot
        .say(
            who,
            "/milestone submit flows-101 https://example.org/flows-101",
        )
        .await;
    assert!(said.reply().starts_with("Submitted"), "{}", said.reply());
    assert_eq!(said.told(), ["@Grace Lindqvist"]);
}

#[sqlx::test]
async fn a_mentor_issues_one_module_to_several_learners_each_with_a_narrative(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    for who in ["sam", "maria"] {
        bot.enroll(who, "spring-makers-2027", Some("short-modules"))
            .await;
    }
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 9, 0, 0).unwrap());
    submitted(&bot, "sam").await;
    submitted(&bot, "maria").await;

    // Every refusal names its line, and nothing is issued.
    for (line, why) in [
        (
            "/badge issue flows-101 Sam Carter built it | María Torres: ok",
            "Entry 1 (Sam Carter built it) should be one person, a colon, then what they did: `Sam Carter: built the expenses flow`. Nothing was issued.",
        ),
        (
            "/badge issue flows-101 sam: Built it. | maria:",
            "Entry 2 names maria but says nothing after the colon: write what they did, which their credential carries. Nothing was issued.",
        ),
        (
            "/badge issue flows-101 sam: Built it. | ken: Helped.",
            "Entry 2: There is no module `flows-101` on the ladder. `/progress` lists the modules. Nothing was issued.",
        ),
        (
            "/badge issue flows-101 sam: Built it. | @sam: Again.",
            "Entry 2 names Sam Carter again; each person once. Nothing was issued.",
        ),
    ] {
        bot.refused("grace", line, why).await;
    }
    // A second Sam Carter, on Slack: a name, however full, cannot tell them apart.
    bot.add_member("slack", "U0SAM0002", "Sam Carter").await;
    for typed in ["Sam Carter", "sam carter"] {
        bot.refused(
            "grace",
            &format!("/badge issue flows-101 {typed}: Built it."),
            "Entry 1: 2 people here are called Sam Carter. Write the one you mean as their user id instead (on Slack, *Copy member ID* in their profile; on Discord, *Copy User ID*). Nothing was issued.",
        )
        .await;
    }
    sqlx::query("DELETE FROM members WHERE platform_user_id = 'U0SAM0002'")
        .execute(&bot.pool)
        .await
        .unwrap();
    bot.refused("sam", "/badge issue flows-101 maria: Nice.", "Entry 1: ")
        .await;
    assert_eq!(bot.count("badges").await, 0);

    let issued = bot
        .say(
            "grace",
            "/badge issue flows-101 sam: Automated the *expenses* intake for Finance; <@&555> saved 4 h a week. | María Torres: Rebuilt the room-booking flow with approvals.",
        )
        .await;
    assert_eq!(
        issued.reply(),
        "🏅 Verified 2 milestones at once, each badge carrying your words about their work:\n• Verified Your first cloud flow for Sam Carter.\n• Verified Your first cloud flow for María Torres."
    );
    assert_eq!(
        issued.told(),
        [
            "@Sam Carter",
            "#spring-makers",
            "@María Torres",
            "#spring-makers"
        ]
    );
    let told = bot.deliver().await;
    for who in ["@sam", "@maria"] {
        let dms = told.texts_to(who);
        assert_eq!(dms.len(), 1, "{dms:?}");
        assert!(
            dms[0].starts_with("✅ Your milestone Your first cloud flow is verified. Well done! You earned the Open Badge Flow Starter: https://bot.example.org/badges/"),
            "{dms:?}"
        );
    }
    // The welcomes, Grace's two submission notices, and the two celebrations.
    assert_eq!(told.texts_to("#spring-makers").len(), 4);
    assert_eq!(told.texts_to("@grace").len(), 2);
    assert_eq!(told.len(), 8);
    // The same issue again: each is verified already, and nothing changes.
    bot.refused(
        "grace",
        "/badge issue flows-101 sam: Again.",
        "Entry 1: Your first cloud flow is already verified. Nothing to do! Nothing was issued.",
    )
    .await;

    // Each credential carries its own narrative; the page shows it as text.
    let badges: Vec<(uuid::Uuid, String)> = sqlx::query_as(
        "SELECT b.id, m.platform_user_id FROM badges b JOIN members m ON m.id = b.member_id ORDER BY 2",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(badges.len(), 2);
    let sam = badges.iter().find(|(_, who)| who == "sam").unwrap().0;
    let (_, _, json) = super::milestones::get(&bot, &format!("/badges/{sam}.json"), None).await;
    let credential: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        credential["evidence"][0]["narrative"],
        "Automated the *expenses* intake for Finance; <@&555> saved 4 h a week."
    );
    let (_, _, page) =
        super::milestones::get(&bot, &format!("/badges/{sam}"), Some("text/html")).await;
    assert!(
        page.contains("<blockquote class=\"narrative\">Automated the *expenses* intake for Finance; &lt;@&amp;555&gt; saved 4 h a week.</blockquote>"),
        "{page}"
    );
}

/// On Discord: `/badge issue flows-101` opens a form; its multi-line submit issues the
/// badges, and the credential carries the narrative with its line breaks.
#[sqlx::test]
async fn on_discord_the_form_takes_one_line_per_person(pool: PgPool) {
    use serde_json::json;

    use super::discord_interactions::{MENTOR, spring_lead_mentor};
    use super::discord_support::{BEA, DiscordBot};
    use super::platform_knowledge::modal_submit;

    let d = DiscordBot::new(pool).await;
    spring_lead_mentor(&d).await;
    d.enroll(10, BEA, "Bea").await;
    d.bot
        .set_local("2027-03-02 10:00", chrono_tz::Europe::Berlin);
    d.submit_flows().await;

    let open = DiscordBot::as_member(
        d.command(
            21,
            "badge",
            Some("issue"),
            json!([{ "name": "module", "type": 3, "value": "flows-101" }]),
        ),
        MENTOR,
        "Mo",
    );
    let (_, modal) = d.post_signed(&open, 0).await;
    assert_eq!(modal["type"], 9, "{modal}");
    assert_eq!(modal["data"]["title"], "Issue badges");
    let input = &modal["data"]["components"][0]["components"][0];
    assert_eq!(input["custom_id"], "entries");
    assert_eq!(input["style"], 2);
    assert_eq!(input["max_length"], 4000);
    let custom_id = modal["data"]["custom_id"].as_str().unwrap().to_owned();
    let mut submit = modal_submit(
        22,
        &custom_id,
        &[(
            "entries",
            "Bea: 自动化了报销流程 🧾\n  and showed it at **demo day**",
        )],
    );
    // The form is Mo's: the submit comes from him.
    submit = DiscordBot::as_member(submit, MENTOR, "Mo");
    let reply = d.run(submit.clone()).await;
    assert_eq!(
        reply,
        "🏅 Verified 1 milestone, its badge carrying your words about the work:\n• Verified **Your first cloud flow** for Bea."
    );
    // Discord delivering the submit twice issues once, answered the same.
    assert_eq!(d.run(submit).await, reply);
    let narrative: Option<String> = sqlx::query_scalar("SELECT narrative FROM badges")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    // The indented second line continues Bea's narrative.
    assert_eq!(
        narrative.as_deref(),
        Some("自动化了报销流程 🧾\nand showed it at **demo day**")
    );
}
