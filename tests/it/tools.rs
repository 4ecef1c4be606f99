//! The tool registry in the shell: registering (at once, or after an approval when over the
//! program's thresholds), listing, showing, confirming and retiring; reviews on the
//! scheduler, once each, and the stewards told about a review nobody answered.

use chrono::Duration;
use sqlx::PgPool;

use super::support::TestBot;

const SMALL: &str = "/tool register \"Room finder\" app internal 12 \"Power Apps: Facilities\" \
    Finds a free meeting room. backup:grace links:https://example.org/rooms";

#[sqlx::test]
async fn a_small_tool_is_registered_at_once_and_its_owner_looks_after_it(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot.say("sam", SMALL).await;
    assert_eq!(
        said.reply(),
        "🧰 Registered #1 Room finder (app, internal data, about 12 users) in Power Apps: Facilities. You own it; Grace Lindqvist is its backup. I'll ask you on Sat 14 Aug 2027 whether it is still in use and still as registered. See it with `/tool show 1`."
    );
    assert_eq!(
        said.dms(),
        [(
            "Grace Lindqvist",
            "🧰 Sam Carter named you the backup owner of #1 Room finder (app, internal data, about 12 users). You look after it when they can't, and may confirm it at its reviews (`/tool confirm 1`)."
        )]
    );
    bot.refused(
        "ken",
        "/tool register \"room FINDER\" flow public 3 Teams Another one.",
        "A tool called Room finder is already registered (#1, owned by Sam Carter). Pick another name, or ask them to name you its backup.",
    )
    .await;
    bot.refused(
        "sam",
        "/tool register Other app public 3 Teams Mine. backup:sam",
        "You own the tool already; a backup is someone else",
    )
    .await;

    let listed = bot.say("ken", "/tool list").await;
    assert_eq!(
        listed.reply(),
        "🧰 Registered tools, newest first:\n• #1 Room finder (app, internal data, about 12 users): Sam Carter (backup Grace Lindqvist), active, review Sat 14 Aug 2027\nDetails: `/tool show <number>`."
    );
    let shown = bot.say("ken", "/tool show room finder").await;
    assert_eq!(
        shown.reply(),
        "🧰 #1 Room finder (app, internal data, about 12 users): active.\nOwner: Sam Carter · backup: Grace Lindqvist · runs in Power Apps: Facilities\nWhy: Finds a free meeting room.\nLinks: https://example.org/rooms\nRegistered Mon 15 Feb 2027; next review Sat 14 Aug 2027."
    );
    bot.refused(
        "ken",
        "/tool show room fnder",
        "I don't know a tool called `room fnder` here. Did you mean `Room finder`?",
    )
    .await;
    bot.refused(
        "ken",
        "/tool confirm 1",
        "Only its owner or its backup can confirm tool #1; it belongs to Sam Carter.",
    )
    .await;
    let empty = bot.say("ken", "/tool list data:personal").await;
    assert_eq!(
        empty.reply(),
        "No tool is registered that way. Register one with `/tool register <name> <kind> <data> <users>`."
    );

    // The steward retires it; the owner is told, and the name is free again.
    let retired = bot.say("ada", "/tool retire 1").await;
    assert_eq!(
        retired.reply(),
        "🗄️ Retired #1 Room finder (app, internal data, about 12 users). Its name is free for a new tool; its record stays."
    );
    assert_eq!(
        retired.dms(),
        [(
            "Sam Carter",
            "🗄️ Ada Okafor retired your tool #1 Room finder (app, internal data, about 12 users)."
        )]
    );
    bot.refused("sam", "/tool retire 1", "Tool #1 is already retired.")
        .await;
    let again = bot
        .say(
            "ken",
            "/tool register \"Room finder\" app internal 5 Teams The new one.",
        )
        .await;
    assert!(
        again.reply().starts_with("🧰 Registered #2 Room finder"),
        "{}",
        again.reply()
    );
    let retired_list = bot.say("ken", "/tool list status:retired").await;
    assert!(
        retired_list
            .reply()
            .contains("• #1 Room finder (app, internal data, about 12 users): Sam Carter (backup Grace Lindqvist), retired\n"),
        "{}",
        retired_list.reply()
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'tool.%' ORDER BY at, id",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        ["tool.registered", "tool.retired", "tool.registered"]
    );
}

#[sqlx::test]
async fn a_tool_with_personal_data_waits_for_its_approval(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot
        .say(
            "sam",
            "/tool register \"Leave tracker\" flow personal 8 \"Power Automate: HR\" Tracks who is on leave.",
        )
        .await;
    assert_eq!(
        said.reply(),
        "🧰 Registered #1 Leave tracker (flow, personal data, about 8 users), waiting for approval because it touches personal data. It becomes active once approved.\n📨 Filed #1 Register tool: Leave tracker (tool, personal data). I asked Ada Okafor, Grace Lindqvist and María Torres to decide, by DM. It needs 2 approvers to approve; one rejection rejects it.\nYou'll hear the outcome here. Unanswered, it expires on Mon 8 Mar 2027 09:00 UTC. Follow it with `/approve show 1` or withdraw it with `/approve withdraw 1`."
    );
    assert_eq!(
        said.told(),
        ["@Ada Okafor", "@Grace Lindqvist", "@María Torres"]
    );
    let pending = bot.say("ken", "/tool list status:pending_approval").await;
    assert!(
        pending
            .reply()
            .contains("• #1 Leave tracker (flow, personal data, about 8 users): Sam Carter, waiting for approval\n"),
        "{}",
        pending.reply()
    );
    bot.refused(
        "sam",
        "/tool confirm 1",
        "Tool #1 is waiting for approval, so there is nothing to confirm.",
    )
    .await;
    bot.ok("ada", "/approve yes 1").await;
    let decided = bot.say("grace", "/approve yes 1").await;
    assert_eq!(
        decided.reply(),
        "✅ You approved request #1, which makes it approved. I told Sam Carter."
    );
    assert_eq!(
        decided.dms(),
        [(
            "Sam Carter",
            "✅ Your request #1 Register tool: Leave tracker (tool, personal data) is approved.\n✅ Ada Okafor\n✅ Grace Lindqvist\nTool #1 is registered and active now."
        )]
    );
    let shown = bot.say("sam", "/tool show 1").await;
    assert!(
        shown
            .reply()
            .starts_with("🧰 #1 Leave tracker (flow, personal data, about 8 users): active.\n"),
        "{}",
        shown.reply()
    );
    assert!(
        shown.reply().ends_with("Its approval: `/approve show 1`."),
        "{}",
        shown.reply()
    );

    // A large tool whose approval is withdrawn stays unregistered.
    let big = bot
        .say(
            "ken",
            "/tool register Dashboard report internal 300 \"Power BI\" For the whole plant.",
        )
        .await;
    assert!(
        big.reply()
            .contains("waiting for approval because more than 20 people use it."),
        "{}",
        big.reply()
    );
    assert_eq!(big.told().len(), 3);
    bot.ok("ken", "/approve withdraw 2").await;
    let status: String = sqlx::query_scalar("SELECT status FROM tools WHERE number = 2")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(status, "not_approved");
}

#[sqlx::test]
async fn reviews_ask_the_owners_once_then_tell_the_stewards_once(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", SMALL).await;
    bot.deliver_to(&["@grace"]).await;
    bot.clock.advance(Duration::days(179));
    bot.tick().await;
    assert!(bot.deliver().await.is_empty());
    bot.clock.advance(Duration::days(1));
    let (a, b) = tokio::join!(bot.tick(), bot.tick());
    let _ = (a, b);
    let review = "🔁 Review time for #1 Room finder (app, internal data, about 12 users) in Power Apps: Facilities: is it still in use, and still as registered? `/tool confirm 1` keeps it for another 180 days; `/tool retire 1` if it is gone. Unanswered for 30 days, the stewards are told.";
    assert_eq!(
        *bot.deliver().await,
        [
            ("@sam".to_owned(), review.to_owned()),
            ("@grace".to_owned(), review.to_owned()),
        ]
    );
    bot.tick().await;
    assert!(bot.deliver().await.is_empty());

    // Thirty days unanswered: the stewards hear of it, once.
    bot.clock.advance(Duration::days(30));
    tokio::join!(bot.tick(), bot.tick());
    // (A circle's weekly conversation falls on that day too.)
    let (dms, channels): (Vec<_>, Vec<_>) = bot
        .deliver()
        .await
        .into_vec()
        .into_iter()
        .partition(|(to, _)| to.starts_with('@'));
    assert!(
        channels.iter().all(|(to, _)| to == "#data-literacy"),
        "{channels:?}"
    );
    assert_eq!(
        dms,
        [(
            "@ada".to_owned(),
            "🧰 Nobody confirmed #1 Room finder (app, internal data, about 12 users) at its review. Owner: Sam Carter, backup: Grace Lindqvist. They may have moved on: find it a new owner, or retire it with `/tool retire 1`.".to_owned()
        )]
    );
    bot.tick().await;
    assert!(bot.deliver().await.is_empty());

    // The backup confirms: the next review is an interval away.
    let confirmed = bot.say("grace", "/tool confirm 1").await;
    assert_eq!(
        confirmed.reply(),
        "✅ Thanks: #1 Room finder (app, internal data, about 12 users) stays registered. Its next review is on Sat 11 Mar 2028."
    );
}
