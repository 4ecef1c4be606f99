//! Confidential concerns in the shell: reporting under a name, in confidence or
//! anonymously; routing to the handlers and never to anyone excluded; the conversation
//! both ways; blocking a reporter; closing with a reason; and every refusal.

use cohortbot::clock::Clock;
use sqlx::PgPool;

use super::support::TestBot;

/// Grace and Ken handle concerns; Ada, a steward, names them.
async fn name_handlers(bot: &TestBot) {
    for (who, name) in [("grace", "Grace Lindqvist"), ("ken", "Ken Watanabe")] {
        let said = bot
            .say("ada", &format!("/role grant @{who} concern_handler"))
            .await;
        assert_eq!(said.reply(), format!("{name} is now a concern handler."));
        assert_eq!(
            said.dms(),
            [(
                name,
                "Ada Okafor made you a concern handler. Type `/help` to see what you can do."
            )]
        );
    }
}

/// The relay code a reply gave, between "Your relay code is `" and "`".
fn relay_code(reply: &str) -> String {
    let start = reply.find("Your relay code is `").expect(reply) + "Your relay code is `".len();
    reply[start..].split('`').next().unwrap().to_owned()
}

#[sqlx::test]
async fn a_confidential_concern_reaches_only_the_handlers_not_excluded_and_closes_with_a_reason(
    pool: PgPool,
) {
    let bot = TestBot::new(pool).await;
    // Nobody handles concerns yet: nothing is kept, and the reporter learns whom to ask.
    let said = bot
        .say(
            "sam",
            "/concern report conduct confidential Someone keeps mocking questions.",
        )
        .await;
    assert!(said.refused());
    assert_eq!(
        said.reply(),
        "Nobody handles concerns in this community yet, so I kept nothing. Please tell the steward, Ada Okafor: they can name handlers with `/role grant @someone concern_handler`. Your text was not stored."
    );
    assert!(said.posts().is_empty(), "{:?}", said.posts());
    assert_eq!(bot.count("concerns").await, 0);
    name_handlers(&bot).await;
    // Only a steward names handlers.
    bot.refused(
        "sam",
        "/role grant @sam concern_handler",
        "Sorry, only stewards can use `/role grant`.",
    )
    .await;

    // Sam excludes Ken, the person the report is about: only Grace is told.
    let reported = bot
        .say(
            "sam",
            "/concern report conduct confidential Ken keeps mocking **beginner** questions in #help, @everyone saw it. exclude:Ken",
        )
        .await;
    assert_eq!(
        reported.reply(),
        "🛡️ Reported as concern #1 (confidential: only the handlers know it's you).\nIt went to Grace Lindqvist, and nobody else. You'll get their answers and the outcome by DM; read it all with `/concern show 1` and write to them with `/concern reply 1`."
    );
    assert_eq!(
        reported.dms(),
        [(
            "Grace Lindqvist",
            "🛡️ New concern #1 (conduct), reported in confidence by Sam Carter (keep their name among the handlers). Read it with `/concern show 1`."
        )]
    );
    // Ken, a handler, cannot tell it exists.
    for line in [
        "/concern show 1",
        "/concern reply 1 Hello?",
        "/concern close 1 Nothing to see.",
    ] {
        bot.refused(
            "ken",
            line,
            "There's no concern #1 that you can see. See the ones you can with `/concern list`.",
        )
        .await;
    }
    let ken_list = bot.say("ken", "/concern list").await;
    assert_eq!(ken_list.reply(), "No open concern that you can see.");

    // Everyone who could read it excluded: refused, and nothing kept.
    bot.refused(
        "sam",
        "/concern report other identified Another thing. exclude:\"Grace Lindqvist, ken\"",
        "Everyone who handles concerns here is someone you excluded (or you), so nobody could read it, and I kept nothing.",
    )
    .await;
    bot.refused(
        "sam",
        "/concern report other identified Another thing. exclude:gracie",
        "I can't find gracie to exclude. Write names as the community shows them, separated by commas. Did you mean Grace Lindqvist?",
    )
    .await;
    assert_eq!(bot.count("concerns").await, 1);

    // Grace reads it, the markdown and the mention shown as text.
    let shown = bot.say("grace", "/concern show #1").await;
    assert_eq!(
        shown.reply(),
        "🛡️ #1 conduct, opened Mon 15 Feb 2027\nReported in confidence by Sam Carter.\n    Ken keeps mocking **beginner** questions in #help, @everyone saw it.\nOpen.\nAnswer with `/concern reply 1`, close with `/concern close 1 <reason>`."
    );
    // She answers as the concerns team; Sam has it by DM, not her name.
    let answered = bot
        .say("grace", "/concern reply 1 Thank you. Which days was it?")
        .await;
    assert_eq!(
        answered.reply(),
        "📨 Written on concern #1 as the concerns team:\n    Thank you. Which days was it?\nThe reporter has it by DM, from the concerns team."
    );
    assert_eq!(
        answered.dms(),
        [(
            "Sam Carter",
            "🛡️ The concerns team wrote on your concern #1:\n    Thank you. Which days was it?\nAnswer with `/concern reply 1`."
        )]
    );
    let wrote = bot
        .say("sam", "/concern reply 1 Monday and Thursday.")
        .await;
    assert_eq!(
        wrote.reply(),
        "📨 Sent to the concerns team on concern #1. Their answer comes by DM."
    );
    assert_eq!(
        wrote.dms(),
        [(
            "Grace Lindqvist",
            "🛡️ The reporter of concern #1 wrote again. Read it with `/concern show 1`."
        )]
    );
    let sams_view = bot.say("sam", "/concern show 1").await;
    assert_eq!(
        sams_view.reply(),
        "🛡️ Your concern #1 conduct, opened Mon 15 Feb 2027 (confidential).\n    Ken keeps mocking **beginner** questions in #help, @everyone saw it.\nThe concerns team, Mon 15 Feb 2027:\n    Thank you. Which days was it?\nYou, Mon 15 Feb 2027:\n    Monday and Thursday.\nOpen.\nWrite to them with `/concern reply 1`."
    );
    let sams_list = bot.say("sam", "/concern list").await;
    assert_eq!(
        sams_list.reply(),
        "🛡️ Concerns you reported:\n  #1 conduct, opened Mon 15 Feb 2027, open\nAnonymous reports are not listed. Read one with `/concern show <number>`."
    );
    // Someone else's concern is nobody else's business, and handler commands are handlers'.
    bot.refused(
        "maria",
        "/concern show 1",
        "There's no concern #1 that you can see.",
    )
    .await;
    bot.refused(
        "sam",
        "/concern close 1 Solved.",
        "`/concern close` is for concern handlers. To report a concern, use `/concern report`. Stewards name handlers with `/role grant @someone concern_handler`.",
    )
    .await;
    bot.refused(
        "grace",
        "/concern show twelve",
        "twelve is neither a concern's number nor a relay code (those start with `cr-`). See yours with `/concern list`.",
    )
    .await;

    // Sam's export holds his report and his message, and only a count of the team's.
    let sam: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM members WHERE platform_user_id = 'sam'")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    let export = cohortbot::services::my_data::document::build(&bot.pool, sam, bot.clock.now())
        .await
        .unwrap();
    assert_eq!(
        export["concerns"],
        serde_json::json!([{
            "concern": 1, "category": "conduct", "mode": "confidential",
            "text": "Ken keeps mocking **beginner** questions in #help, @everyone saw it.",
            "opened": "2027-02-15", "status": "open", "closed": null, "close_reason": null,
            "your_messages": [{ "text": "Monday and Thursday.", "sent": "2027-02-15" }],
            "answers_from_the_team": 1,
        }])
    );
    assert!(!export.to_string().contains("Which days"));

    // Closing needs a reason, which Sam is told.
    bot.refused("grace", "/concern close 1", "Missing `reason`")
        .await;
    let closed = bot
        .say(
            "grace",
            "/concern close 1 We spoke with Ken; it has stopped.",
        )
        .await;
    assert_eq!(
        closed.reply(),
        "✅ Closed concern #1. The reporter has the reason by DM."
    );
    assert_eq!(
        closed.dms(),
        [(
            "Sam Carter",
            "🛡️ The concerns team closed your concern #1:\n    We spoke with Ken; it has stopped.\nThank you for raising it. Anything new, report it with `/concern report`."
        )]
    );
    bot.refused(
        "grace",
        "/concern close 1 Again.",
        "Concern #1 is closed. Closed: We spoke with Ken; it has stopped.\nSomething new? Report it with `/concern report`.",
    )
    .await;
    bot.refused(
        "sam",
        "/concern reply 1 One more thing.",
        "Concern #1 is closed.",
    )
    .await;
    let closed_list = bot.say("grace", "/concern list closed").await;
    assert_eq!(
        closed_list.reply(),
        "🛡️ The closed concerns you can see:\n  #1 conduct, opened Mon 15 Feb 2027, from Sam Carter\nRead one with `/concern show <number>`."
    );

    // Every DM reached its person, and no one else.
    bot.deliver_to(&["@grace", "@ken", "@grace", "@sam", "@grace", "@sam"])
        .await;
    let audit: Vec<(String, Option<uuid::Uuid>)> = sqlx::query_as(
        "SELECT action, actor_member_id FROM audit_log WHERE action LIKE 'concern.%' ORDER BY id",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    let actions: Vec<&str> = audit.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "concern.reported",
            "concern.answered",
            "concern.reporter_wrote",
            "concern.closed"
        ]
    );
    assert!(audit.iter().all(|(_, actor)| actor.is_some()));
}

#[sqlx::test]
async fn an_anonymous_concern_is_answered_through_its_relay_code_and_can_be_blocked(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    name_handlers(&bot).await;
    let reported = bot
        .say(
            "maria",
            "/concern report safety anonymous The lab's power strip sparks 🔌 and nobody reports it.",
        )
        .await;
    let code = relay_code(reported.reply());
    assert_eq!(
        reported.reply(),
        format!(
            "🛡️ Reported anonymously as concern #1. It went to Grace Lindqvist and Ken Watanabe, who can't tell who wrote it: nor can I.\nYour relay code is `{code}`. Keep it somewhere safe: it is the only way back to this report, and I can't show it again or send you answers. Read answers with `/concern show {code}` and write to the concerns team with `/concern reply {code}`."
        )
    );
    assert_eq!(
        reported.dms(),
        [
            (
                "Grace Lindqvist",
                "🛡️ New concern #1 (safety), reported anonymously. Read it with `/concern show 1`."
            ),
            (
                "Ken Watanabe",
                "🛡️ New concern #1 (safety), reported anonymously. Read it with `/concern show 1`."
            ),
        ]
    );
    let (reporter, relay_hash): (Option<uuid::Uuid>, Option<Vec<u8>>) =
        sqlx::query_as("SELECT reporter_id, relay_hash FROM concerns")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(reporter, None);
    assert_eq!(relay_hash.map(|h| h.len()), Some(32));
    // Not even María's own list shows it.
    let listed = bot.say("maria", "/concern list").await;
    assert_eq!(
        listed.reply(),
        "You have reported no concern under your name. Anonymous reports are not listed: nobody can tell they are yours. Read one with `/concern show <relay code>`."
    );

    let answered = bot
        .say("grace", "/concern reply 1 Which lab? We'll check today.")
        .await;
    assert_eq!(
        answered.reply(),
        "📨 Written on concern #1 as the concerns team:\n    Which lab? We'll check today.\nThe reporter is anonymous: they read it when they look, with their relay code. I can't tell them."
    );
    assert!(answered.dms().is_empty());
    // The code works typed in capitals; anyone holding it is the reporter.
    let read = bot
        .say("maria", &format!("/concern show {}", code.to_uppercase()))
        .await;
    assert_eq!(
        read.reply(),
        format!(
            "🛡️ Your concern #1 safety, opened Mon 15 Feb 2027 (anonymous).\n    The lab's power strip sparks 🔌 and nobody reports it.\nThe concerns team, Mon 15 Feb 2027:\n    Which lab? We'll check today.\nOpen.\nWrite to them with `/concern reply {}`.",
            code.to_uppercase()
        )
    );
    let wrote = bot
        .say(
            "maria",
            &format!("/concern reply {code} Lab 2, by the window."),
        )
        .await;
    assert_eq!(
        wrote.reply(),
        "📨 Sent to the concerns team on concern #1. Check for their answer with your relay code."
    );
    assert_eq!(
        wrote.dms(),
        [
            (
                "Grace Lindqvist",
                "🛡️ The reporter of concern #1 wrote again. Read it with `/concern show 1`."
            ),
            (
                "Ken Watanabe",
                "🛡️ The reporter of concern #1 wrote again. Read it with `/concern show 1`."
            ),
        ]
    );
    let handler_view = bot.say("ken", "/concern show 1").await;
    assert_eq!(
        handler_view.reply(),
        "🛡️ #1 safety, opened Mon 15 Feb 2027\nReported anonymously.\n    The lab's power strip sparks 🔌 and nobody reports it.\nGrace Lindqvist, Mon 15 Feb 2027:\n    Which lab? We'll check today.\nThe reporter, Mon 15 Feb 2027:\n    Lab 2, by the window.\nOpen.\nAnswer with `/concern reply 1`, close with `/concern close 1 <reason>`."
    );
    bot.refused(
        "maria",
        "/concern show cr-aaaaa-bbbbb-ccccc-ddddd",
        "That relay code matches no report. Check it letter by letter: it looks like `cr-abcde-fghjk-mnpqr-stuvw`.",
    )
    .await;
    // The number alone is no way in for the reporter: nobody knows it is hers.
    bot.refused(
        "maria",
        "/concern show 1",
        "There's no concern #1 that you can see.",
    )
    .await;

    // Ken blocks the relay: no more messages, and still nobody knows who it was.
    bot.refused(
        "maria",
        "/concern block 1",
        "`/concern block` is for concern handlers.",
    )
    .await;
    let blocked = bot.say("ken", "/concern block 1").await;
    assert_eq!(
        blocked.reply(),
        "🚫 The reporter of concern #1 can no longer write on it. You still can't know who they are, and neither can I."
    );
    bot.refused(
        "ken",
        "/concern block 1",
        "The reporter of concern #1 is blocked already.",
    )
    .await;
    bot.refused(
        "maria",
        &format!("/concern reply {code} Hello again"),
        "The concerns team has stopped taking messages on concern #1.",
    )
    .await;
    let closed = bot
        .say("ken", "/concern close 1 Lab 2's power strip was replaced.")
        .await;
    assert_eq!(
        closed.reply(),
        "✅ Closed concern #1. The reporter sees the reason when they look with their relay code."
    );
    assert!(closed.dms().is_empty());
    let last = bot.say("maria", &format!("/concern show {code}")).await;
    assert_eq!(
        last.reply(),
        "🛡️ Your concern #1 safety, opened Mon 15 Feb 2027 (anonymous).\n    The lab's power strip sparks 🔌 and nobody reports it.\nThe concerns team, Mon 15 Feb 2027:\n    Which lab? We'll check today.\nYou, Mon 15 Feb 2027:\n    Lab 2, by the window.\nClosed: Lab 2's power strip was replaced."
    );

    bot.deliver_to(&["@grace", "@ken", "@grace", "@ken", "@grace", "@ken"])
        .await;
    // The reporter's own audit rows have no actor and their day only.
    let audit: Vec<(String, Option<uuid::Uuid>, chrono::DateTime<chrono::Utc>)> =
        sqlx::query_as(
            "SELECT action, actor_member_id, at FROM audit_log WHERE action LIKE 'concern.%' ORDER BY id",
        )
        .fetch_all(&bot.pool)
        .await
        .unwrap();
    let reporter_rows: Vec<_> = audit
        .iter()
        .filter(|(action, _, _)| action == "concern.reported" || action == "concern.reporter_wrote")
        .collect();
    assert_eq!(reporter_rows.len(), 2);
    for (_, actor, at) in reporter_rows {
        assert_eq!(*actor, None);
        assert_eq!(at.to_rfc3339(), "2027-02-15T00:00:00+00:00");
    }
}

/// `/concern space` in a community on neither platform, by someone who is no handler, on
/// a concern excluded from or closed, and on Discord with no channel for its threads:
/// each refused with what to do, and nothing queued.
#[sqlx::test]
async fn a_private_space_is_refused_where_it_cannot_open_and_to_those_who_may_not_ask(
    pool: PgPool,
) {
    let bot = TestBot::new(pool).await;
    name_handlers(&bot).await;
    let reported = bot
        .say(
            "sam",
            "/concern report conduct identified Ken said \"just google it\" to a beginner. exclude:Ken Watanabe",
        )
        .await;
    assert!(reported.reply().starts_with("🛡️ Reported as concern #1"));
    assert_eq!(reported.dms().len(), 1);
    // The full name after `exclude:` is one person, and the text before it is kept whole.
    let shown = bot.say("grace", "/concern show 1").await;
    assert_eq!(
        shown.reply(),
        "🛡️ #1 conduct, opened Mon 15 Feb 2027\nReported by Sam Carter.\n    Ken said \"just google it\" to a beginner.\nOpen.\nAnswer with `/concern reply 1`, close with `/concern close 1 <reason>`."
    );
    bot.refused(
        "sam",
        "/concern space 1",
        "`/concern space` is for concern handlers. To report a concern, use `/concern report`. Stewards name handlers with `/role grant @someone concern_handler`.",
    )
    .await;
    // Ken is excluded: for him there is no concern #1.
    bot.refused(
        "ken",
        "/concern space 1",
        "There's no concern #1 that you can see. See the ones you can with `/concern list`.",
    )
    .await;
    bot.refused(
        "grace",
        "/concern space 1",
        "This community is on neither Discord nor Slack, so there is nowhere to open a private space. Handlers read the concern with `/concern show` and answer the reporter with `/concern reply`.",
    )
    .await;
    bot.refused(
        "grace",
        "/concern space x",
        "`concern` must be a whole number from 1 to 1,000,000, not `x` (usage: `/concern space <concern>`)",
    )
    .await;
    sqlx::query("UPDATE communities SET discord_guild_id = '900000000000000001'")
        .execute(&bot.pool)
        .await
        .unwrap();
    bot.refused(
        "grace",
        "/concern space 1",
        "On Discord a private space is a private thread, and it needs a channel to open in: the program file names none. A steward sets `concern_space_channel = \"…\"` for the community (a channel every handler can see, ideally a private one), imports the file, and you ask again.",
    )
    .await;
    let closed = bot.say("grace", "/concern close 1 Talked to Ken.").await;
    assert_eq!(
        closed.reply(),
        "✅ Closed concern #1. The reporter has the reason by DM."
    );
    assert_eq!(closed.dms().len(), 1);
    sqlx::query("UPDATE communities SET concern_space_channel = '700000000000000009'")
        .execute(&bot.pool)
        .await
        .unwrap();
    bot.refused(
        "grace",
        "/concern space 1",
        "Concern #1 is closed, so it gets no private space now.",
    )
    .await;
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE action IS NOT NULL AND action->>'kind' = 'concern_space'")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(queued, 0);
    bot.deliver_to(&["@grace", "@grace", "@ken", "@sam"]).await;
}
