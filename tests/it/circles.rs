//! `/circle`: circles of practice, who may join them, their weekly prompt and intros.

use chrono_tz::Europe;
use sqlx::PgPool;

use crate::support::TestBot;

#[sqlx::test]
async fn anyone_joins_a_public_circle_sees_who_is_in_it_and_leaves(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot.say("sam", "/circle list").await;
    assert_eq!(
        said.reply(),
        "Circles of practice in acme-makers:\n\
         • Automation Governance Circle (`automation-governance`) · private: leads approve who joins · 1 member\n  \
         Environments, DLP policies, ownership and support for citizen-built automations.\n\
         • Data Literacy Circle (`data-literacy`) · public · 1 member\n  \
         Reading dashboards critically, cleaning data, and telling honest stories with numbers.\n\
         Join one with `/circle join <circle>`; see who is in it with `/circle members <circle>`."
    );

    // By its name, in any case, as well as by its id.
    let said = bot.say("sam", "/circle join data literacy circle").await;
    assert_eq!(
        said.reply(),
        "Welcome to Data Literacy Circle! Say hello in `#data-literacy`."
    );
    assert_eq!(
        said.channel_posts(),
        [(
            "data-literacy",
            "👋 Sam Carter joined Data Literacy Circle."
        )]
    );
    bot.refused(
        "sam",
        "/circle join data-literacy",
        "You are already in Data Literacy Circle. To leave it, type `/circle leave data-literacy`.",
    )
    .await;

    let said = bot.say("priya", "/circle members data-literacy").await;
    assert_eq!(
        said.reply(),
        "Who is in Data Literacy Circle:\n• Ken Watanabe (lead)\n• Sam Carter"
    );
    let said = bot.say("sam", "/circle list").await;
    assert!(
        said.reply().contains("· public · 2 members ← you're in\n"),
        "{}",
        said.reply()
    );

    // The id with spaces for its hyphens names it too.
    let said = bot.say("sam", "/circle leave data literacy").await;
    assert_eq!(said.reply(), "You left Data Literacy Circle.");
    bot.refused(
        "sam",
        "/circle leave data-literacy",
        "You are not in Data Literacy Circle, so there is nothing to leave.",
    )
    .await;
    bot.refused(
        "sam",
        "/circle join data-literacey",
        "I don't know a circle called `data-literacey` here. Did you mean `data-literacy`?",
    )
    .await;
}

#[sqlx::test]
async fn a_private_circle_asks_its_leads_and_hides_its_members(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.refused(
        "sam",
        "/circle members automation-governance",
        "Automation Governance Circle is private: only its members see who is in it.",
    )
    .await;

    let said = bot.say("sam", "/circle join automation-governance").await;
    assert_eq!(
        said.reply(),
        "Automation Governance Circle is private, so I asked Ada Okafor to let you in. You will get a DM with their answer."
    );
    assert_eq!(
        said.dms(),
        [(
            "Ada Okafor",
            "🙋 Sam Carter asks to join Automation Governance Circle.\n\
             Approve with `/circle approve automation-governance @sam` or decline with `/circle decline automation-governance @sam`."
        )]
    );
    bot.refused(
        "sam",
        "/circle join automation-governance",
        "You already asked to join Automation Governance Circle: you will get a DM when a lead answers.",
    )
    .await;
    // Sam withdraws; the lead's answer that comes later says so, then Sam asks again.
    let said = bot.say("sam", "/circle leave automation-governance").await;
    assert_eq!(
        said.reply(),
        "I withdrew your request to join Automation Governance Circle."
    );
    bot.refused(
        "ada",
        "/circle decline automation-governance sam",
        "Sam Carter withdrew their request to join Automation Governance Circle, so there is nothing to answer.",
    )
    .await;
    let said = bot.say("sam", "/circle join automation-governance").await;
    assert!(
        said.reply()
            .starts_with("Automation Governance Circle is private, so I asked")
    );
    assert_eq!(said.told(), ["@Ada Okafor"]);
    // Only the circle's leads (and stewards) answer.
    bot.refused(
        "ken",
        "/circle approve automation-governance sam",
        "Sorry, only the leads of Automation Governance Circle (and stewards) can do that.",
    )
    .await;

    let said = bot
        .say("ada", "/circle approve automation-governance sam")
        .await;
    assert_eq!(
        said.reply(),
        "✅ Sam Carter is now in Automation Governance Circle. I told them."
    );
    assert_eq!(
        said.told(),
        ["@Sam Carter", "#automation-governance"],
        "{:?}",
        said.posts()
    );
    assert_eq!(
        said.dms()[0].1,
        "✅ Ada Okafor let you into Automation Governance Circle. Say hello in `#automation-governance`."
    );
    // The same button pressed twice (or a second lead answering): nothing left to answer.
    bot.refused(
        "ada",
        "/circle approve automation-governance sam",
        "Sam Carter is already in Automation Governance Circle: you let them in.",
    )
    .await;
    let said = bot
        .say("sam", "/circle members automation-governance")
        .await;
    assert_eq!(
        said.reply(),
        "Who is in Automation Governance Circle:\n• Ada Okafor (lead)\n• Sam Carter"
    );

    // A declined request is told, politely, and can be asked again.
    bot.ok("priya", "/circle join automation-governance").await;
    let said = bot
        .say("ada", "/circle decline automation-governance priya")
        .await;
    assert_eq!(
        said.reply(),
        "Declined Priya Raman's request to join Automation Governance Circle. I told them."
    );
    assert_eq!(
        said.dms(),
        [(
            "Priya Raman",
            "Your request to join Automation Governance Circle was not accepted this time. A steward can tell you more."
        )]
    );
}

#[sqlx::test]
async fn a_secret_circle_is_by_invitation_and_unseen_by_everyone_else(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.refused(
        "sam",
        "/circle create people-leads \"People Leads\"",
        "Sorry, only stewards can use `/circle create`.",
    )
    .await;
    let said = bot
        .say(
            "ada",
            "/circle create people-leads People Leads visibility:secret lead:grace description:\"Managers who sponsor makers\"",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Created People Leads (`people-leads`), secret: by invitation. Its lead is Grace Lindqvist."
    );
    assert_eq!(
        said.dms(),
        [(
            "Grace Lindqvist",
            "You now lead People Leads. Invite people with `/circle invite people-leads @someone`; requests to join come to you by DM."
        )]
    );
    bot.refused(
        "ada",
        "/circle create people-leads Again",
        "A circle with the id `people-leads` exists already.",
    )
    .await;
    bot.refused(
        "ada",
        "/circle create People_Leads Again",
        "That circle id won't work:",
    )
    .await;

    // Unseen in the list, never suggested, its members unknown.
    let said = bot.say("sam", "/circle list").await;
    assert!(!said.reply().contains("People Leads"), "{}", said.reply());
    bot.refused(
        "sam",
        "/circle members people-leads",
        "I don't know a circle called `people-leads` here. Type `/circle list` to see them.",
    )
    .await;
    bot.refused(
        "sam",
        "/circle members people-lead",
        "I don't know a circle called `people-lead` here. Type `/circle list` to see them.",
    )
    .await;
    // Asked for by its id, the refusal says why.
    bot.refused(
        "sam",
        "/circle join people-leads",
        "People Leads is by invitation only: ask one of its leads to invite you.",
    )
    .await;

    let said = bot.say("grace", "/circle invite people-leads sam").await;
    assert_eq!(
        said.reply(),
        "I invited Sam Carter to People Leads: they get a DM with a Join button."
    );
    assert_eq!(
        said.dms(),
        [(
            "Sam Carter",
            "✉️ Grace Lindqvist invites you to join People Leads.\n\
             Managers who sponsor makers\n\
             Join with `/circle join people-leads`, or say no with `/circle leave people-leads`."
        )]
    );
    let said = bot.say("sam", "/circle list").await;
    assert!(
        said.reply().contains(
            "• People Leads (`people-leads`) · secret: by invitation · 1 member ← you're invited"
        ),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/circle join people-leads").await;
    assert_eq!(said.reply(), "Welcome to People Leads!");
    let said = bot.say("sam", "/circle members people-leads").await;
    assert_eq!(
        said.reply(),
        "Who is in People Leads:\n• Grace Lindqvist (lead)\n• Sam Carter"
    );
    bot.refused(
        "grace",
        "/circle invite people-leads sam",
        "Sam Carter is already in People Leads.",
    )
    .await;

    // The lead passes the circle on and leaves; its members stay.
    let said = bot.say("grace", "/circle lead people-leads sam").await;
    assert_eq!(
        said.reply(),
        "⭐ Sam Carter now leads People Leads. I told them."
    );
    assert_eq!(
        said.dms(),
        [(
            "Sam Carter",
            "You now lead People Leads. Invite people with `/circle invite people-leads @someone`; requests to join come to you by DM."
        )]
    );
    bot.refused(
        "grace",
        "/circle lead people-leads sam",
        "Sam Carter already leads People Leads.",
    )
    .await;
    let said = bot.say("grace", "/circle leave people-leads").await;
    assert_eq!(said.reply(), "You left People Leads.");
    let said = bot.say("sam", "/circle leave people-leads").await;
    assert_eq!(
        said.reply(),
        "You left People Leads. You were its last lead: a steward can name a new one with `/circle lead <circle> @someone`."
    );
}

/// The prompts posted to #data-literacy by ticks at each of `mondays` 10:00 London time.
async fn prompts_on(bot: &TestBot, mondays: &[&str]) -> Vec<String> {
    let mut posted = Vec::new();
    for day in mondays {
        bot.set_local(&format!("{day} 10:00"), Europe::London);
        bot.tick().await;
        // A second pass at the same time fires nothing more.
        bot.tick().await;
        let delivered = bot.deliver().await;
        for (to, text) in &delivered {
            assert_eq!(to, "#data-literacy");
            posted.push(text.clone());
        }
    }
    posted
}

#[sqlx::test]
async fn the_weekly_prompt_rotates_and_fires_once_a_week_across_the_clock_change(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.set_local("2027-03-21 12:00", Europe::London);
    bot.tick().await;
    // 28 March 2027 is the night Britain's clocks go forward: Monday 29th is on BST.
    let posted = prompts_on(
        &bot,
        &["2027-03-22", "2027-03-29", "2027-04-05", "2027-04-12"],
    )
    .await;
    assert_eq!(
        posted,
        [
            "💬 Data Literacy Circle: this week's conversation\nShare a chart that misled you this week. What gave it away?",
            "💬 Data Literacy Circle: this week's conversation\nWhich data source do you trust least, and how do you check it?",
            "💬 Data Literacy Circle: this week's conversation\nShow a before-and-after of a dataset you cleaned.",
            "💬 Data Literacy Circle: this week's conversation\nShare a chart that misled you this week. What gave it away?",
        ]
    );
    let fired: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM trigger_ticks WHERE trigger_key LIKE 'circle_prompt:%'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert_eq!(fired, 4);
}

#[sqlx::test]
async fn intros_pair_a_circles_members_by_the_pair_scorer_new_pairs_first(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    // Ken (Tokyo) leads; Sam and Grace (Berlin), Ada (London) and María (Denver) join.
    // Working hours from 09:00 to 18:00: Ken shares two hours with Berlin, one with London
    // and none with Denver; Denver shares two with London and one with Berlin. Pairs
    // sharing fewer than two are never made.
    for who in ["sam", "grace", "ada", "maria"] {
        bot.ok(who, "/circle join data-literacy").await;
    }
    bot.deliver_to(&["#data-literacy"; 4]).await;
    bot.ok("sam", "/me skills excel, sql").await;
    bot.set_local("2027-03-31 09:00", Europe::London);
    bot.tick().await;
    bot.set_local("2027-04-01 09:00", Europe::London);
    bot.tick().await;
    let delivered = bot.deliver().await;
    let mut dms: Vec<(String, String)> = delivered.into_vec();
    dms.sort();
    assert_eq!(dms.len(), 4, "two pairs, both told: {dms:#?}");
    let told: Vec<&str> = dms.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(told, ["@ada", "@grace", "@maria", "@sam"]);
    let sam = dms.iter().find(|(to, _)| to == "@sam").unwrap();
    assert_eq!(
        sam.1,
        "👋 An intro from Data Literacy Circle: meet @Grace Lindqvist.\n\
         You both know sql.\n\
         Your working days overlap by 9 hours.\n\
         Send them a message and find half an hour to compare notes."
    );
    let made: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.platform_user_id, b.platform_user_id FROM circle_intros i
           JOIN members a ON a.id = i.a JOIN members b ON b.id = i.b ORDER BY 1",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    // Sam and Grace share a skill and a whole working day; Ada and María share a skill
    // and two hours. Ken sits this one out: his possible partners were taken.
    let mut made: Vec<(String, String)> = made
        .into_iter()
        .map(|(a, b)| if a < b { (a, b) } else { (b, a) })
        .collect();
    made.sort();
    assert_eq!(
        made,
        [
            ("ada".to_owned(), "maria".to_owned()),
            ("grace".to_owned(), "sam".to_owned())
        ]
    );

    // A month on, the pairs that met are not repeated while new ones are possible.
    bot.set_local("2027-05-01 09:00", Europe::London);
    bot.tick().await;
    let delivered = bot.deliver().await;
    assert_eq!(delivered.len(), 4, "{:#?}", *delivered);
    let again: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.platform_user_id, b.platform_user_id FROM circle_intros i
           JOIN members a ON a.id = i.a JOIN members b ON b.id = i.b
          WHERE i.tick > '2027-04-15' ORDER BY 1",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(again.len(), 2);
    for (a, b) in &again {
        let pair = if a < b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        assert!(!made.contains(&pair), "{pair:?} met in April already");
    }
}

#[sqlx::test]
async fn a_circle_lead_schedules_a_session_its_members_list_rsvp_and_are_reminded_of(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.refused(
        "sam",
        "/circle schedule data-literacy 2027-03-10T12:00 clinic Dashboard clinic",
        "Sorry, only the leads of Data Literacy Circle (and stewards) can do that.",
    )
    .await;
    let said = bot
        .say(
            "ken",
            "/circle schedule data-literacy 2027-03-10T12:00 clinic Dashboard clinic",
        )
        .await;
    let reply = said.reply().to_owned();
    assert!(
        reply.starts_with("Scheduled #1 Dashboard clinic (Problem-solving clinic) for Data Literacy Circle: Wed 10 Mar 2027 12:00 Europe/London (12:00 UTC), 60 min"),
        "{reply}"
    );
    let posts = said.channel_posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].0, "data-literacy");
    assert!(
        posts[0].1.starts_with("📅 New session #1"),
        "{}",
        posts[0].1
    );

    // Members of the circle see it among their sessions and sign up; others do not.
    bot.ok("sam", "/circle join data-literacy").await;
    let said = bot.say("sam", "/event list").await;
    assert!(said.reply().contains("#1"), "{}", said.reply());
    assert!(
        said.reply().contains("Dashboard clinic"),
        "{}",
        said.reply()
    );
    let said = bot.say("priya", "/event list").await;
    assert!(
        !said.reply().contains("Dashboard clinic"),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/event rsvp 1").await;
    assert!(
        said.reply()
            .contains("Wed 10 Mar 2027 13:00 (Europe/Berlin)"),
        "{}",
        said.reply()
    );

    // The lead moves it; the day before, the reminders go to Sam and the circle's channel.
    let said = bot.say("ken", "/event move 1 2027-03-10T13:00").await;
    assert!(said.reply().starts_with("Moved #1"), "{}", said.reply());
    assert_eq!(said.told(), ["@Sam Carter", "#data-literacy"]);
    bot.set_local("2027-03-09 12:50", Europe::London);
    bot.tick().await;
    bot.deliver_to(&["#data-literacy", "#data-literacy", "#data-literacy", "@sam"])
        .await;
    bot.set_local("2027-03-09 13:00", Europe::London);
    bot.tick().await;
    let delivered = bot.deliver().await;
    let mut to: Vec<&str> = delivered.iter().map(|(to, _)| to.as_str()).collect();
    to.sort_unstable();
    assert_eq!(to, ["#data-literacy", "@sam"], "{:#?}", *delivered);

    // The circle's own secret calendar has the session, at its new time; members only.
    let said = bot.say("sam", "/event ical circle:data-literacy").await;
    let path = crate::talks::ical_path(said.reply());
    assert!(
        path.starts_with("/ical/acme-makers/circles/data-literacy.ics?key="),
        "{path}"
    );
    let (status, body) = crate::talks::get(&bot, &path).await;
    assert_eq!(status, axum::http::StatusCode::OK);
    assert!(body.contains("SUMMARY:Dashboard clinic"), "{body}");
    assert!(body.contains("DTSTART:20270310T130000Z"), "{body}");
    let (status, _) = crate::talks::get(&bot, &path.replace("key=", "key=x")).await;
    assert_eq!(status, axum::http::StatusCode::NOT_FOUND);
    bot.refused(
        "priya",
        "/event ical circle:data-literacy",
        "The calendar of Data Literacy Circle is for its members and hosts.",
    )
    .await;

    // At the session, the circle's clinic keeps a queue like any other.
    bot.set_local("2027-03-10 12:45", Europe::London);
    let said = bot.say("sam", "/clinic join 1 a misleading chart").await;
    assert!(
        said.reply()
            .starts_with("🙋 You're in the queue for #1 Dashboard clinic: number 1 in line"),
        "{}",
        said.reply()
    );
    assert_eq!(said.told(), ["@Ken Watanabe"]);
    let said = bot.ok("ken", "/clinic next 1").await;
    assert_eq!(said.told(), ["@Sam Carter"]);
    // A note from a circle's clinic belongs to the circle.
    let said = bot
        .ok(
            "ken",
            "/clinic done note:\"Start the axis at zero.\" save:kb",
        )
        .await;
    assert!(
        said.reply().starts_with("✅ Done with Sam Carter."),
        "{}",
        said.reply()
    );
    let circle: String = sqlx::query_scalar(
        "SELECT c.slug FROM kb_entries e JOIN circles c ON c.id = e.circle_id
          WHERE e.kind = 'clinic_note'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert_eq!(circle, "data-literacy");
}

#[sqlx::test]
async fn a_question_asked_of_a_circle_goes_to_its_people_and_any_of_them_answers(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", "/circle join data-literacy").await;
    bot.ok("grace", "/circle join data-literacy").await;
    bot.deliver_to(&["#data-literacy", "#data-literacy"]).await;
    let said = bot
        .say(
            "priya",
            "/kb ask How do I spot a truncated axis? circle:data-literacy",
        )
        .await;
    assert_eq!(
        said.reply(),
        "❓ Nothing in the knowledge base answers that yet, so I asked 3 members of Data Literacy Circle (question #1). The answer comes to you by DM."
    );
    // Its lead first, then its members (by when they joined, then by name).
    assert_eq!(
        said.told(),
        ["@Ken Watanabe", "@Grace Lindqvist", "@Sam Carter"]
    );
    assert!(
        said.dms()[1]
            .1
            .starts_with("❓ Question #1 from Priya Raman to Data Literacy Circle: How do I spot a truncated axis?"),
        "{}",
        said.dms()[1].1
    );
    bot.refused(
        "priya",
        "/kb ask Who approves a connector? circle:automation-governance",
        "Automation Governance Circle is private: join it to ask its members, or ask the mentors without `circle:`.",
    )
    .await;

    // Sam is no mentor, but a member of the circle asked.
    let said = bot
        .say(
            "sam",
            "/kb answer 1 Check where the y axis starts: zero, or not?",
        )
        .await;
    assert!(said.reply().starts_with("💡 Thanks!"), "{}", said.reply());
    assert_eq!(said.told(), ["@Priya Raman"]);
    // The draft keeps the circle it came from.
    let said = bot
        .say("sam", "/kb show how-do-i-spot-a-truncated-axis")
        .await;
    assert_eq!(
        said.reply(),
        "📘 FAQ: How do I spot a truncated axis?\n\
         Check where the y axis starts: zero, or not?\n\
         Id: `how-do-i-spot-a-truncated-axis`\n\
         Owner: Sam Carter · verified 15 Feb 2027 · revision 1\n\
         From the circle Data Literacy Circle.\n\
         📝 A draft: only its owner and the stewards see it. Publish it with `/kb publish how-do-i-spot-a-truncated-axis`."
    );
    // A question for the mentors stays theirs.
    bot.ok("priya", "/kb ask What is a solution layer?").await;
    bot.refused(
        "sam",
        "/kb answer 2 No idea",
        "Questions are answered by mentors and stewards.",
    )
    .await;
}
