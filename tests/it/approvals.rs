//! Approvals as the shell drives them: a request filed under its kind's policy, votes by the
//! approvers it names, the rule deciding, the requester told; away approvers replaced by
//! their delegates; escalation, expiry and the weekly reminder on the scheduler, once each.

use chrono::Duration;
use sqlx::PgPool;

use super::support::TestBot;

/// Sam's tool request (the example's tool policy: 2 of the steward and lead mentors).
const TOOL: &str = "/approve request tool confidential \"Expenses flow for Finance\" Finance \
    wants to submit receipts from Teams. It reads the expenses list (names, amounts). \
    links:https://example.org/design";

async fn audit_actions(bot: &TestBot) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'approval.%' ORDER BY at, id",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn a_tool_request_goes_to_its_approvers_and_two_votes_decide_it(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let filed = bot.say("sam", TOOL).await;
    assert_eq!(
        filed.reply(),
        "📨 Filed #1 Expenses flow for Finance (tool, confidential data). I asked Ada Okafor, Grace Lindqvist and María Torres to decide, by DM. It needs 2 approvers to approve; one rejection rejects it.\nYou'll hear the outcome here. Unanswered, it expires on Mon 8 Mar 2027 09:00 UTC. Follow it with `/approve show 1` or withdraw it with `/approve withdraw 1`."
    );
    let dms = filed.dms();
    let to: Vec<&str> = dms.iter().map(|(to, _)| *to).collect();
    assert_eq!(to, ["Ada Okafor", "Grace Lindqvist", "María Torres"]);
    assert_eq!(
        dms[0].1,
        "🗳️ Approval request #1 Expenses flow for Finance (tool, confidential data) from Sam Carter.\nWhy: Finance wants to submit receipts from Teams. It reads the expenses list (names, amounts).\nLinks: https://example.org/design\nIt needs 2 approvers to approve; one rejection rejects it. Open until Mon 8 Mar 2027 09:00 UTC. Or type `/approve yes 1 [note]` or `/approve no 1 <reason>`."
    );
    assert!(dms.iter().all(|(_, text)| *text == dms[0].1));

    // Nobody approves their own request; someone not asked cannot vote.
    bot.refused(
        "sam",
        "/approve yes 1",
        "Request #1 is yours, and nobody approves their own request.",
    )
    .await;
    bot.refused(
        "ken",
        "/approve yes 1",
        "You're not one of the approvers of request #1",
    )
    .await;
    bot.refused("ada", "/approve yes 9", "There is no approval request #9.")
        .await;

    let first = bot
        .say(
            "ada",
            "/approve yes 1 Fine once the list is in the EU tenant.",
        )
        .await;
    assert_eq!(
        first.reply(),
        "✅ You approved request #1. It stays open: 1 of the 2 approvals it needs so far."
    );
    assert!(first.posts().is_empty());
    bot.refused(
        "ada",
        "/approve no 1 changed my mind",
        "You already approved request #1, and each approver votes once.",
    )
    .await;

    let second = bot.say("grace", "/approve yes 1").await;
    assert_eq!(
        second.reply(),
        "✅ You approved request #1, which makes it approved. I told Sam Carter."
    );
    assert_eq!(
        second.dms(),
        [(
            "Sam Carter",
            "✅ Your request #1 Expenses flow for Finance (tool, confidential data) is approved.\n✅ Ada Okafor: Fine once the list is in the EU tenant.\n✅ Grace Lindqvist"
        )]
    );
    // A vote after the decision, from the button still in María's DM: refused, with the
    // outcome.
    bot.refused(
        "maria",
        "/approve no 1 Too late?",
        "Request #1 is already approved (since Mon 15 Feb 2027 09:00 UTC), so nothing changed.",
    )
    .await;
    let shown = bot.say("maria", "/approve show 1").await;
    assert_eq!(
        shown.reply(),
        "🗳️ #1 Expenses flow for Finance (tool, confidential data) from Sam Carter, filed Mon 15 Feb 2027 09:00 UTC: approved.\nWhy: Finance wants to submit receipts from Teams. It reads the expenses list (names, amounts).\nLinks: https://example.org/design\nIt needs 2 approvers to approve; one rejection rejects it.\n✅ Ada Okafor: Fine once the list is in the EU tenant.\n✅ Grace Lindqvist\n⏳ María Torres"
    );
    bot.refused(
        "ken",
        "/approve show 1",
        "Request #1 is shown to its requester, its approvers and stewards only.",
    )
    .await;
    assert_eq!(
        audit_actions(&bot).await,
        [
            "approval.requested",
            "approval.voted",
            "approval.voted",
            "approval.decided"
        ]
    );
    // Audit rows hold numbers and ids, never the request's words.
    let details: Vec<String> =
        sqlx::query_scalar("SELECT detail::text FROM audit_log WHERE action LIKE 'approval.%'")
            .fetch_all(&bot.pool)
            .await
            .unwrap();
    assert!(
        details
            .iter()
            .all(|d| !d.contains("Expenses") && !d.contains("EU tenant")),
        "{details:?}"
    );
    let delivered = bot.deliver().await;
    let to: Vec<&str> = delivered.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(to, ["@ada", "@grace", "@maria", "@sam"]);
}

#[sqlx::test]
async fn one_rejection_rejects_and_the_requester_reads_why(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", TOOL).await;
    let no = bot
        .say(
            "grace",
            "/approve no 1 Not with names in it. Use the anonymised list, then ask again. @everyone",
        )
        .await;
    assert_eq!(
        no.reply(),
        "❌ You rejected request #1, which makes it rejected. I told Sam Carter."
    );
    assert_eq!(
        no.dms(),
        [(
            "Sam Carter",
            "❌ Your request #1 Expenses flow for Finance (tool, confidential data) is rejected.\n❌ Grace Lindqvist: Not with names in it. Use the anonymised list, then ask again. @everyone\nChange what they asked, then ask again with `/approve request`."
        )]
    );
    // A rejection needs its reason.
    bot.refused("ada", "/approve no 1", "reason").await;
    let status: String = sqlx::query_scalar("SELECT status FROM approval_requests")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(status, "rejected");
}

#[sqlx::test]
async fn two_votes_at_once_are_both_counted_and_decide_once(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", TOOL).await;
    let (ada, grace) = tokio::join!(
        bot.say("ada", "/approve yes 1"),
        bot.say("grace", "/approve yes 1")
    );
    let mut replies = [ada.reply().to_owned(), grace.reply().to_owned()];
    replies.sort();
    assert_eq!(
        replies,
        [
            "✅ You approved request #1, which makes it approved. I told Sam Carter.",
            "✅ You approved request #1. It stays open: 1 of the 2 approvals it needs so far.",
        ]
    );
    let told: usize = ada.dms().len() + grace.dms().len();
    assert_eq!(told, 1, "the requester hears the outcome once");
    assert_eq!(bot.count("approval_votes").await, 2);
    assert_eq!(
        audit_actions(&bot)
            .await
            .iter()
            .filter(|a| *a == "approval.decided")
            .count(),
        1
    );
}

#[sqlx::test]
async fn an_away_approver_is_replaced_by_their_delegate_or_skipped(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let named = bot.say("grace", "/approve delegate ken").await;
    assert_eq!(
        named.reply(),
        "🤝 While you are away, Ken Watanabe decides the approvals that would come to you. Stop with `/approve delegate`."
    );
    assert_eq!(
        named.dms(),
        [(
            "Ken Watanabe",
            "🤝 Grace Lindqvist named you to decide their approvals while they are away. You'll get a DM when one comes."
        )]
    );
    // The same again (a double tap) tells Ken nothing more.
    let again = bot.say("grace", "/approve delegate @ken").await;
    assert_eq!(
        again.reply(),
        "Ken Watanabe is your delegate already, and was told so when you chose them. Stop with `/approve delegate`."
    );
    assert!(again.posts().is_empty());
    bot.refused(
        "grace",
        "/approve delegate grace",
        "You can't stand in for yourself.",
    )
    .await;
    bot.ok("grace", "/away 2027-02-20").await;
    // The data-usage policy: the steward and Grace, all of them.
    let filed = bot
        .say(
            "sam",
            "/approve request data_usage personal \"Survey export\" Export the survey to Excel.",
        )
        .await;
    assert!(
        filed
            .reply()
            .starts_with("📨 Filed #1 Survey export (data usage, personal data). I asked Ada Okafor and Ken Watanabe to decide, by DM. It needs every approver to approve;"),
        "{}",
        filed.reply()
    );
    let dms = filed.dms();
    assert_eq!(dms[1].0, "Ken Watanabe");
    assert!(
        dms[1].1.starts_with("🗳️ Approval request #1 Survey export (data usage, personal data) from Sam Carter. You decide in place of Grace Lindqvist, who is away.\n"),
        "{}",
        dms[1].1
    );
    let shown = bot.say("ada", "/approve show 1").await;
    assert!(
        shown
            .reply()
            .ends_with("\n⏳ Ada Okafor\n⏳ Ken Watanabe (for Grace Lindqvist)"),
        "{}",
        shown.reply()
    );

    // Without a delegate, an away approver is skipped, and a quorum that cannot be met
    // files nothing.
    bot.ok("grace", "/approve delegate").await;
    let refused = bot.say("ada", TOOL.replace("sam", "ada").as_str()).await;
    assert!(refused.refused());
    assert_eq!(
        refused.reply(),
        "A tool request needs 2 approvers to decide, and 1 can right now: you can't approve your own request, and Grace Lindqvist is away with nobody standing in. Nothing was filed. Ask a steward to change the approvers in the program file, or try again when they are back."
    );
    assert_eq!(bot.count("approval_requests").await, 1);
}

#[sqlx::test]
async fn escalation_and_expiry_each_happen_once(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok(
        "sam",
        "/approve request data_usage internal \"Team list\" Read the team list.",
    )
    .await;
    bot.deliver_to(&["@ada", "@grace"]).await;
    // 47 hours on, nothing; at 48 the sponsor is asked too, and Sam is told.
    bot.clock.advance(Duration::hours(47));
    bot.tick().await;
    assert!(bot.deliver().await.is_empty());
    bot.clock.advance(Duration::hours(1));
    // Two scheduler passes at once (two processes): one escalation.
    let (a, b) = tokio::join!(bot.tick(), bot.tick());
    assert_eq!(a.posts + b.posts, 2, "{a:?} {b:?}");
    let delivered = bot.deliver().await.into_vec();
    assert_eq!(delivered.len(), 2, "{delivered:#?}");
    assert_eq!(delivered[0].0, "@priya");
    assert!(
        delivered[0].1.starts_with("🗳️ Approval request #1 Team list (data usage, internal data) from Sam Carter. It has waited since Mon 15 Feb 2027 09:00 UTC without a decision, so it comes to you too.\n"),
        "{}",
        delivered[0].1
    );
    assert_eq!(
        delivered[1],
        (
            "@sam".to_owned(),
            "⏫ Your request #1 Team list (data usage, internal data) has waited long enough without a decision, so I asked Priya Raman too.".to_owned()
        )
    );
    bot.tick().await;
    assert!(bot.deliver().await.is_empty());

    // Priya can vote now; under `all`, everyone asked must approve.
    let priya = bot.say("priya", "/approve yes 1").await;
    assert_eq!(
        priya.reply(),
        "✅ You approved request #1. It stays open: 1 of the 3 approvals it needs so far."
    );

    // Fourteen days after filing, it expires, once.
    bot.clock.advance(Duration::days(12));
    tokio::join!(bot.tick(), bot.tick());
    assert_eq!(
        *bot.deliver().await,
        [(
            "@sam".to_owned(),
            "⌛ Your request #1 Team list (data usage, internal data) expired without a decision (1 approval by then). If it is still needed, ask again with `/approve request`.".to_owned()
        )]
    );
    bot.tick().await;
    assert!(bot.deliver().await.is_empty());
    bot.refused("ada", "/approve yes 1", "Request #1 is already expired")
        .await;
    assert_eq!(
        audit_actions(&bot).await,
        [
            "approval.requested",
            "approval.escalated",
            "approval.voted",
            "approval.expired"
        ]
    );
}

#[sqlx::test]
async fn lists_withdrawal_and_the_weekly_reminder(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    // A kind with no policy in the file: any one steward decides.
    let filed = bot
        .say(
            "sam",
            "/approve request scope internal \"Capstone: onboarding bot\" A bot that greets new joiners.",
        )
        .await;
    assert_eq!(filed.told(), ["@Ada Okafor"]);
    assert!(
        filed
            .reply()
            .contains("It needs any one approver to approve")
    );
    bot.ok("sam", TOOL).await;
    let pending = bot.say("ada", "/approve list").await;
    assert_eq!(
        pending.reply(),
        "🗳️ Waiting for your vote:\n• #2 Expenses flow for Finance (tool, confidential data) from Sam Carter: open, until Mon 8 Mar 2027 09:00 UTC\n• #1 Capstone: onboarding bot (project scope, internal data) from Sam Carter: open, until Mon 1 Mar 2027 09:00 UTC\nDetails: `/approve show <number>`."
    );
    bot.refused(
        "sam",
        "/approve list open",
        "Only stewards see every open request.",
    )
    .await;
    let nothing = bot.say("grace", "/approve list mine").await;
    assert_eq!(
        nothing.reply(),
        "You have not asked for any approval. Ask with `/approve request <kind> <data>`."
    );

    bot.refused(
        "ada",
        "/approve withdraw 2",
        "Only the person who filed request #2 can withdraw it.",
    )
    .await;
    let withdrawn = bot.say("sam", "/approve withdraw 2").await;
    assert_eq!(
        withdrawn.reply(),
        "↩️ You withdrew request #2. I told the approvers who had not voted."
    );
    assert_eq!(
        withdrawn.told(),
        ["@Ada Okafor", "@Grace Lindqvist", "@María Torres"]
    );
    assert_eq!(
        withdrawn.dms()[0].1,
        "Sam Carter withdrew request #2 Expenses flow for Finance (tool, confidential data): nothing to decide."
    );
    let mine = bot.say("sam", "/approve list mine").await;
    assert!(
        mine.reply().contains(
            "• #2 Expenses flow for Finance (tool, confidential data) from Sam Carter: withdrawn\n"
        ),
        "{}",
        mine.reply()
    );
    bot.deliver_to(&[
        "@ada", "@ada", "@grace", "@maria", "@ada", "@grace", "@maria",
    ])
    .await;

    // The next Monday at 09:00 UTC, the stewards (the scope policy's leads) hear about
    // request #1, once.
    bot.clock.advance(Duration::days(7));
    bot.tick().await;
    bot.tick().await;
    assert_eq!(
        *bot.deliver().await,
        [(
            "@ada".to_owned(),
            "⏳ Approval requests still waiting for an answer:\n• #1 Capstone: onboarding bot, since Mon 15 Feb 2027 09:00 UTC: no answer from Ada Okafor\nA word from you may help. Details: `/approve show <number>`.".to_owned()
        )]
    );
}
