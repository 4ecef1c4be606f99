//! `/kb`: the knowledge base, searched with PostgreSQL full-text search.

use cohortbot::clock::Clock;
use cohortbot::program::{self, ProgramFile};
use sqlx::PgPool;

use crate::support::TestBot;

/// Three entries that each mention licences in one field only.
async fn licence_entries(bot: &TestBot) {
    bot.ok(
        "ada",
        "/kb add faq \"Licences for makers\" Ask the service desk with your manager's approval.",
    )
    .await;
    bot.ok(
        "ada",
        "/kb add playbook \"Buying a premium connector\" Raise a purchase order first. tags:\"licences, procurement\"",
    )
    .await;
    bot.ok(
        "ada",
        "/kb add faq \"Leaving the program\" Your licences are reclaimed a month after you leave.",
    )
    .await;
}

/// The result titles of a search, in order, from its reply.
fn titles(reply: &str) -> Vec<String> {
    reply
        .lines()
        .filter_map(|line| {
            let (number, rest) = line.split_once(". ")?;
            number.parse::<u32>().ok()?;
            Some(rest.split(" · ").next()?.to_owned())
        })
        .collect()
}

#[sqlx::test]
async fn a_title_hit_ranks_above_a_tag_hit_above_a_body_hit(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    licence_entries(&bot).await;

    let said = bot.say("sam", "/kb search licence").await;
    assert_eq!(
        titles(said.reply()),
        [
            "Licences for makers",
            "Buying a premium connector",
            "Leaving the program"
        ],
        "{}",
        said.reply()
    );
    // Stemming: "licence" finds "Licences"; the matched words of the body are bold.
    assert_eq!(
        said.reply(),
        "🔎 Knowledge base: licence\n\
         1. Licences for makers · FAQ · `licences-for-makers`\n    \
         Ask the service desk with your manager's approval.\n\
         2. Buying a premium connector · Playbook · `buying-a-premium-connector` · licences, procurement\n    \
         Raise a purchase order first.\n\
         3. Leaving the program · FAQ · `leaving-the-program`\n    \
         Your licences are reclaimed a month after you leave\n\
         Read one with `/kb show <id>`; add `share:true` to post it in this channel."
    );
    let highlighted =
        said.outcome().unwrap().reply.0.iter().any(
            |f| matches!(f, cohortbot::render::Fragment::Highlight(word) if word == "licences"),
        );
    assert!(highlighted, "the body's matched word is highlighted");

    // A question typed in full finds the entry by its words that matter.
    let said = bot
        .say("sam", "/kb search How do I get licences for the makers?")
        .await;
    assert_eq!(
        titles(said.reply())[0],
        "Licences for makers",
        "{}",
        said.reply()
    );
    // When not every word matches, any of them will do.
    let said = bot.say("sam", "/kb search licences payroll").await;
    assert_eq!(titles(said.reply()).len(), 3, "{}", said.reply());
}

#[sqlx::test]
async fn a_broad_search_ranks_title_hits_first_and_says_to_narrow_it(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    // 1,200 entries that mention connectors in their bodies only, stored before the one
    // with "connector" in its title: more than a search ranks.
    let added = sqlx::query(
        "INSERT INTO kb_entries (id, community_id, slug, kind, title, body, verified_at,
                                 created_at, updated_at)
         SELECT gen_random_uuid(), c.id, 'note-' || i, 'faq', 'Note ' || i,
                'Each connector needs a review. A connector without one is blocked.',
                now(), now(), now()
           FROM generate_series(1, 1200) i, communities c",
    )
    .execute(&bot.pool)
    .await
    .unwrap();
    assert_eq!(added.rows_affected(), 1200);
    bot.ok(
        "ada",
        "/kb add faq \"Connector approvals\" Ask the platform team.",
    )
    .await;

    let said = bot.say("sam", "/kb search connector").await;
    let reply = said.reply();
    assert_eq!(titles(reply)[0], "Connector approvals", "{reply}");
    assert_eq!(titles(reply).len(), 5, "{reply}");
    assert!(
        reply.ends_with(
            "\nAt least 1000 entries match, so these are the best of the first 1000 found: add a word to narrow the search.\n\
             Read one with `/kb show <id>`; add `share:true` to post it in this channel."
        ),
        "{reply}"
    );
    // A narrower search is ranked in full, and says nothing of a cap.
    let said = bot.say("sam", "/kb search connector platform").await;
    assert_eq!(
        said.reply(),
        "🔎 Knowledge base: connector platform\n\
         1. Connector approvals · FAQ · `connector-approvals`\n    \
         Ask the platform team.\n\
         Read one with `/kb show <id>`; add `share:true` to post it in this channel."
    );
}

#[sqlx::test]
async fn phrases_exclusions_and_or_work(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    licence_entries(&bot).await;

    let said = bot.say("sam", "/kb search \"purchase order\"").await;
    assert_eq!(titles(said.reply()), ["Buying a premium connector"]);
    let said = bot.say("sam", "/kb search \"order purchase\"").await;
    assert!(
        said.reply()
            .starts_with("Nothing in the knowledge base matches"),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/kb search licences -leave").await;
    assert_eq!(
        titles(said.reply()),
        ["Licences for makers", "Buying a premium connector"]
    );
    let said = bot.say("sam", "/kb search reclaimed or procurement").await;
    assert_eq!(
        titles(said.reply()),
        ["Buying a premium connector", "Leaving the program"]
    );
}

#[sqlx::test]
async fn a_miss_suggests_a_name_and_is_reported_to_stewards(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    licence_entries(&bot).await;

    let said = bot.say("sam", "/kb search leaving-the-programm").await;
    assert_eq!(
        said.reply(),
        "Nothing in the knowledge base matches `leaving-the-programm`. Did you mean Leaving the program (`/kb show leaving-the-program`)?\n\
         Try fewer or other words, or ask your mentor. Stewards see the searches that found nothing (`/kb report`), so the answer can be written down."
    );
    for _ in 0..2 {
        let said = bot.say("lin", "/kb search  Payroll   API ").await;
        assert!(
            said.reply()
                .starts_with("Nothing in the knowledge base matches `Payroll   API`.")
        );
    }
    bot.refused("sam", "/kb report", "only stewards").await;
    let said = bot.say("ada", "/kb report").await;
    assert_eq!(
        said.reply(),
        "Searches that found nothing, last 30 days\n\
         • payroll api — 2 times, last on 15 Feb 2027\n\
         • leaving-the-programm — once, last on 15 Feb 2027\n\
         Answer the common ones with `/kb add faq \"Title\" the answer…`."
    );
    // Who searched is not kept.
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'kb_missed_searches' ORDER BY 1",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(columns, ["community_id", "query", "searched_at"]);
}

/// Text built from search syntax, quotes, operators and scripts, in random order.
fn hostile(seed: u64) -> String {
    const PIECES: &[&str] = &[
        "\"",
        "-",
        "or",
        "OR",
        "&",
        "|",
        "!",
        "(",
        ")",
        ":*",
        "<->",
        "\\",
        "'",
        "*",
        "licence",
        "数据",
        "🙂",
        "@everyone",
        "<!channel>",
        "AND",
        "NOT",
        "--",
        "\"\"",
        "-\"",
        "«",
        ";",
        "DROP TABLE kb_entries;",
        "%",
        "_",
        "$1",
        "ü",
        "0",
        "a",
        ":",
        "&&",
        "||",
        "<",
        ">",
    ];
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut out = String::new();
    let len = 1 + (state >> 60) as usize;
    for _ in 0..len {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push_str(PIECES[(state >> 33) as usize % PIECES.len()]);
        if state & 1 == 0 {
            out.push(' ');
        }
    }
    let out = out.trim().to_owned();
    if out.is_empty() { "x".to_owned() } else { out }
}

#[sqlx::test]
async fn a_thousand_hostile_queries_find_something_or_nothing_and_never_fail(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    licence_entries(&bot).await;
    let mut found = 0;
    for seed in 0..1_000 {
        let query = hostile(seed);
        let said = bot.say("sam", &format!("/kb search {query}")).await;
        let reply = said.reply();
        if reply.starts_with("🔎 Knowledge base: ") {
            found += 1;
        } else {
            assert!(
                reply.starts_with("Nothing in the knowledge base matches"),
                "{query:?}: {reply}"
            );
        }
    }
    assert!(found > 0, "some hostile queries still contain a real word");
    assert_eq!(bot.count("kb_entries").await, 3, "nothing was changed");
}

const OTHER: &str = r#"
[[community]]
slug = "globex-builders"
name = "Globex Builders"
code_of_conduct = "Be excellent to each other."

  [[community.people]]
  user_id = "hank"
  name = "Hank Scorpio"
  roles = ["steward"]
"#;

#[sqlx::test]
async fn another_communitys_entries_never_appear(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let other = ProgramFile::parse(OTHER, "other").unwrap();
    program::import(&bot.pool, &other, bot.clock.now())
        .await
        .unwrap();
    let said = bot
        .say_in(
            "globex-builders",
            "hank",
            "/kb add faq \"Secret licences\" Globex licences are free.",
        )
        .await;
    assert!(
        said.reply()
            .starts_with("📘 Added Secret licences as `secret-licences`.")
    );
    licence_entries(&bot).await;

    let said = bot.say("sam", "/kb search secret licences").await;
    assert!(!said.reply().contains("Secret"), "{}", said.reply());
    bot.refused(
        "sam",
        "/kb show secret-licences",
        "I don't know a knowledge-base entry called `secret-licences`.",
    )
    .await;
    // The same id is free in each community; a second title like it gets the next one.
    for expected in ["secret-licences", "secret-licences-2"] {
        let said = bot
            .ok("ada", "/kb add faq \"Secret licences\" Ours cost money.")
            .await;
        assert!(
            said.reply().contains(&format!("as `{expected}`")),
            "{}",
            said.reply()
        );
    }
}

#[sqlx::test]
async fn owners_edit_alias_archive_and_verify_their_entries(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let said = bot
        .say(
            "ken",
            "/kb add faq \"VPN access\" Open a ticket. Choose Remote access. tags:network id:vpn-access",
        )
        .await;
    assert_eq!(
        said.reply(),
        "📘 Added VPN access as `vpn-access`. You own it: I'll ask you to re-verify it every 90 days. Share it with `/kb show vpn-access share:true`."
    );
    bot.refused(
        "sam",
        "/kb add faq \"Another\" text id:vpn-access",
        "`vpn-access` is already taken by the entry VPN access.",
    )
    .await;
    bot.refused(
        "sam",
        "/kb edit vpn-access title:\"Mine now\"",
        "Only the owner of `vpn-access` or a steward can use `/kb edit` on it. Its owner is Ken Watanabe.",
    )
    .await;
    bot.refused(
        "sam",
        "/kb verify vpn-access",
        "Only the owner of `vpn-access` or a steward can use `/kb verify` on it.",
    )
    .await;

    let said = bot.say("ken", "/kb alias vpn-access VPN").await;
    assert_eq!(said.reply(), "`vpn` now finds `vpn-access` too.");
    bot.ok("ada", "/kb add faq \"Proxy\" Use the proxy.").await;
    bot.refused(
        "ada",
        "/kb alias proxy vpn",
        "`vpn` is already taken by an alias of `vpn-access`, VPN access.",
    )
    .await;
    bot.refused(
        "ken",
        "/kb alias vpn-access no_way",
        "can't be an id or alias",
    )
    .await;

    bot.clock.advance(chrono::Duration::days(1));
    let said = bot
        .say(
            "ken",
            "/kb edit vpn title:\"VPN access for makers\" Open a ticket; it takes a day.",
        )
        .await;
    assert_eq!(
        said.reply(),
        "✏️ Updated `vpn-access` (revision 2); the earlier text is kept as a revision."
    );
    let said = bot.say("ken", "/kb edit vpn").await;
    assert!(
        said.reply().starts_with("Say what to change"),
        "{}",
        said.reply()
    );
    let revisions: Vec<(i32, String, String)> = sqlx::query_as(
        "SELECT r.revision, r.title, r.body FROM kb_revisions r JOIN kb_entries e ON e.id = r.entry_id
          WHERE e.slug = 'vpn-access' ORDER BY r.revision",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(
        revisions,
        [
            (
                1,
                "VPN access".into(),
                "Open a ticket. Choose Remote access.".into()
            ),
            (
                2,
                "VPN access for makers".into(),
                "Open a ticket; it takes a day.".into()
            ),
        ]
    );

    // The alias finds it by name; search shows it first, then text matches.
    let said = bot.say("sam", "/kb show vpn").await;
    assert_eq!(
        said.reply(),
        "📘 FAQ: VPN access for makers\n\
         Open a ticket; it takes a day.\n\
         Tags: network · Id: `vpn-access` · also `vpn`\n\
         Owner: Ken Watanabe · verified 15 Feb 2027 · revision 2\n\
         Post it in the channel with `/kb show vpn-access share:true`."
    );
    let said = bot.say("sam", "/kb show vpn-acess").await;
    assert_eq!(
        said.reply(),
        "I don't know a knowledge-base entry called `vpn-acess`. Did you mean `vpn-access` (VPN access for makers)?"
    );

    // Past its interval it is stale; the owner's list and the stewards' list say so.
    bot.clock.advance(chrono::Duration::days(95));
    let said = bot.say("ken", "/kb stale").await;
    assert_eq!(
        said.reply(),
        "Your entries due for re-verification (1)\n\
         • `vpn-access` VPN access for makers — due 16 May 2027 (6 days ago)\n\
         Check each, then `/kb verify <id>`, or `/kb edit <id>` to fix it."
    );
    let said = bot.say("ada", "/kb stale").await;
    assert_eq!(
        said.reply(),
        "Entries due for re-verification (2)\n\
         • `proxy` Proxy — due 16 May 2027 (6 days ago), owner Ada Okafor\n\
         • `vpn-access` VPN access for makers — due 16 May 2027 (6 days ago), owner Ken Watanabe\n\
         Check each, then `/kb verify <id>`, or `/kb edit <id>` to fix it."
    );
    let said = bot.say("sam", "/kb show vpn-access").await;
    assert!(
        said.reply()
            .contains("⚠️ Due for re-verification since 16 May 2027: it may be out of date."),
        "{}",
        said.reply()
    );
    let said = bot.say("ken", "/kb verify vpn-access").await;
    assert_eq!(
        said.reply(),
        "✅ Verified `vpn-access`. It is next due on 20 Aug 2027."
    );
    // A steward verifies an entry whose owner is away.
    bot.ok("ada", "/kb verify vpn-access").await;
    let said = bot.say("ken", "/kb stale").await;
    assert_eq!(
        said.reply(),
        "None of your entries is due for re-verification. 👍"
    );

    let said = bot.say("ken", "/kb archive vpn").await;
    assert_eq!(
        said.reply(),
        "🗄️ Archived `vpn-access`: search no longer finds it. Its text and revisions are kept."
    );
    let said = bot.say("sam", "/kb search vpn").await;
    assert!(
        said.reply()
            .starts_with("Nothing in the knowledge base matches `vpn`."),
        "{}",
        said.reply()
    );
    bot.refused(
        "ken",
        "/kb archive vpn-access",
        "`vpn-access` is already archived.",
    )
    .await;
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'kb.%' ORDER BY id")
            .fetch_all(&bot.pool)
            .await
            .unwrap();
    assert_eq!(
        actions,
        [
            "kb.add",
            "kb.alias",
            "kb.add",
            "kb.edit",
            "kb.verify",
            "kb.verify",
            "kb.archive"
        ]
    );
}

#[sqlx::test]
async fn bad_input_is_refused_with_the_limit(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let long_title = "t".repeat(121);
    bot.refused(
        "sam",
        &format!("/kb add faq \"{long_title}\" body"),
        "`title` is 121 characters long; the limit is 120",
    )
    .await;
    // A shell line holds at most 4,000 characters; a platform's field is checked against
    // the body's own limit (discord_knowledge).
    let long_body = "あ".repeat(4_001);
    bot.refused(
        "sam",
        &format!("/kb add faq Title {long_body}"),
        "That message is 4019 characters long; commands are at most 4000.",
    )
    .await;
    bot.refused("sam", "/kb add faq \"\" body", "`title` can't be empty")
        .await;
    bot.refused("sam", "/kb add recipe Title body", "recipe")
        .await;
    bot.refused(
        "sam",
        "/kb add faq Title body tags:\"a,b,c,d,e,f,g,h,i,j,k\"",
        "That is 11 tags; an entry has at most 10.",
    )
    .await;
    bot.refused(
        "sam",
        "/kb add faq Secret body visibility:mentors",
        "Only mentors and stewards can add entries for mentors only.",
    )
    .await;
    bot.refused(
        "sam",
        "/kb add faq Secret body visibility:cohort",
        "An entry for one cohort needs `cohort:`",
    )
    .await;
    assert_eq!(bot.count("kb_entries").await, 0);

    // A line nearly full of CJK and emoji is kept whole.
    let body = format!("{} {}", "数据政策🙂".repeat(600), "行".repeat(899));
    assert_eq!(body.chars().count(), 3_900);
    let said = bot
        .say("sam", &format!("/kb add faq 数据政策 {body}"))
        .await;
    assert_eq!(
        said.reply(),
        "📘 Added 数据政策 as `entry-1`. You own it: I'll ask you to re-verify it every 90 days. Share it with `/kb show entry-1 share:true`."
    );
    let stored: String = sqlx::query_scalar("SELECT body FROM kb_entries")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(stored, body);
}

#[sqlx::test]
async fn mentor_and_cohort_entries_reach_only_their_readers(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", "spring-makers-2027", Some("projects"))
        .await;
    bot.ok(
        "ken",
        "/kb add playbook \"Handling a struggling learner\" Talk first. visibility:mentors",
    )
    .await;
    bot.ok(
        "grace",
        "/kb add faq \"Spring demo day logistics\" Room 4. visibility:cohort cohort:spring-makers-2027",
    )
    .await;

    let said = bot.say("sam", "/kb search struggling learner").await;
    assert!(
        said.reply()
            .starts_with("Nothing in the knowledge base matches"),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/kb search demo day").await;
    assert_eq!(titles(said.reply()), ["Spring demo day logistics"]);
    // Its scope is shown, and no share hint: it cannot be shared.
    let said = bot.say("sam", "/kb show spring-demo-day-logistics").await;
    assert_eq!(
        said.reply(),
        "📘 FAQ: Spring demo day logistics\n\
         Room 4.\n\
         Id: `spring-demo-day-logistics`\n\
         Owner: Grace Lindqvist · verified 15 Feb 2027 · revision 1\n\
         For the cohort `spring-makers-2027` only."
    );
    let said = bot.say("lin", "/kb search demo day").await;
    assert!(
        said.reply()
            .starts_with("Nothing in the knowledge base matches"),
        "{}",
        said.reply()
    );
    let said = bot.say("grace", "/kb search struggling").await;
    assert_eq!(titles(said.reply()), ["Handling a struggling learner"]);
    // An entry only some may read is not shared in a channel.
    bot.refused(
        "grace",
        "/kb show spring-demo-day-logistics share:true",
        "is only for one cohort, so it can't be shared in a channel.",
    )
    .await;
}

#[sqlx::test]
async fn sharing_is_public_counts_a_use_and_keeps_typed_text_inert(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok(
        "ken",
        "/kb add faq \"Pinging *everyone*\" Never write @everyone or <!channel> or <@123>. tags:etiquette",
    )
    .await;
    let said = bot.say("sam", "/kb show pinging-everyone share:true").await;
    let outcome = said.outcome().unwrap();
    assert_eq!(outcome.visibility, cohortbot::commands::Visibility::Public);
    assert_eq!(outcome.reply.mentioned().count(), 0);
    assert_eq!(
        said.reply(),
        "📘 FAQ: Pinging *everyone*\n\
         Never write @everyone or <!channel> or <@123>.\n\
         Tags: etiquette · Id: `pinging-everyone`\n\
         Owner: Ken Watanabe · verified 15 Feb 2027 · revision 1"
    );
    let slack = cohortbot::render::slack::mrkdwn(&outcome.reply, &|_| None);
    assert!(slack.contains("*Pinging ∗everyone∗*"), "{slack}");
    assert!(
        slack.contains("Never write @everyone or &lt;!channel&gt; or &lt;@123&gt;."),
        "{slack}"
    );
    let uses: i32 = sqlx::query_scalar("SELECT uses FROM kb_entries")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(uses, 1);
}

#[sqlx::test]
async fn owners_are_reminded_of_stale_entries_once_per_interval(pool: PgPool) {
    use cohortbot::services::knowledge::stale::remind_due;
    let bot = TestBot::new(pool).await;
    bot.ok(
        "ken",
        "/kb add faq \"VPN access\" Open a ticket. id:vpn every:30",
    )
    .await;
    bot.ok("lin", "/kb add faq Proxy Use the proxy. every:30")
        .await;
    // The first sweep claims the week; nothing is due yet.
    assert_eq!(remind_due(&bot.pool, bot.clock.now()).await.unwrap(), 0);

    bot.clock.advance(chrono::Duration::days(31));
    // Lin leaves the community: her entry becomes the stewards'.
    sqlx::query("DELETE FROM members WHERE platform_user_id = 'lin'")
        .execute(&bot.pool)
        .await
        .unwrap();
    assert_eq!(remind_due(&bot.pool, bot.clock.now()).await.unwrap(), 2);
    let mut delivered = bot.deliver().await.into_vec();
    delivered.sort();
    assert_eq!(
        delivered,
        [
            (
                "@ada".to_owned(),
                "🗓️ These knowledge-base entries are due for re-verification and their owner has left, so they are the stewards':\n\
                 • `proxy` Proxy — due 17 Mar 2027\n\
                 Check each is still right, then `/kb verify <id>`, or `/kb edit <id>` to fix it. `/kb stale` lists them any time."
                    .to_owned()
            ),
            (
                "@ken".to_owned(),
                "🗓️ Knowledge-base entries you own are due for re-verification:\n\
                 • `vpn` VPN access — due 17 Mar 2027\n\
                 Check each is still right, then `/kb verify <id>`, or `/kb edit <id>` to fix it. `/kb stale` lists them any time."
                    .to_owned()
            ),
        ]
    );

    // Each entry once per interval: later sweeps say nothing until it is verified again.
    bot.clock.advance(chrono::Duration::days(1));
    assert_eq!(remind_due(&bot.pool, bot.clock.now()).await.unwrap(), 0);
    bot.clock.advance(chrono::Duration::days(7));
    assert_eq!(remind_due(&bot.pool, bot.clock.now()).await.unwrap(), 0);
    bot.ok("ken", "/kb verify vpn").await;
    bot.ok("ada", "/kb verify proxy").await;
    // Verified, each is due again an interval later; two sweeps at once (two processes)
    // remind once.
    bot.clock.advance(chrono::Duration::days(31));
    let (a, b) = tokio::join!(
        remind_due(&bot.pool, bot.clock.now()),
        remind_due(&bot.pool, bot.clock.now())
    );
    assert_eq!(a.unwrap() + b.unwrap(), 2);
    bot.deliver_to(&["@ken", "@ada"]).await;
    assert_eq!(bot.count("kb_stale_reminders").await, 4);
}

/// The example program with two seeded entries.
fn seeded(body: &str) -> String {
    format!(
        r#"{}
  [[community.knowledge]]
  id = "licences"
  kind = "faq"
  title = "Which licence do I need?"
  body = """{body}"""
  tags = ["Licences", "power apps"]
  aliases = ["licence"]
  owner = "ada"

  [[community.knowledge]]
  id = "mentor-escalation"
  kind = "playbook"
  title = "When a learner is stuck for two weeks"
  body = "Call them, then tell the lead mentor."
  visibility = "mentors"
  verify_every_days = 30
"#,
        crate::support::EXAMPLE
    )
}

#[sqlx::test]
async fn the_program_file_seeds_entries_and_export_writes_them_back(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let file = seeded("Most makers need a Premium licence.\nAsk your manager first.");
    let program = ProgramFile::parse(&file, "seeded").unwrap();
    let report = program::import(&bot.pool, &program, bot.clock.now())
        .await
        .unwrap();
    assert_eq!(report.created, 2, "{report}");

    let said = bot.say("sam", "/kb show licence").await;
    assert_eq!(
        said.reply(),
        "📘 FAQ: Which licence do I need?\n\
         Most makers need a Premium licence.\n\
         Ask your manager first.\n\
         Tags: licences, power apps · Id: `licences` · also `licence`\n\
         Owner: Ada Okafor · verified 15 Feb 2027 · revision 1\n\
         Post it in the channel with `/kb show licences share:true`."
    );
    let said = bot.say("sam", "/kb search stuck learner").await;
    assert!(
        said.reply()
            .starts_with("Nothing in the knowledge base matches"),
        "{}",
        said.reply()
    );
    let said = bot.say("ken", "/kb search stuck learner").await;
    assert_eq!(
        titles(said.reply()),
        ["When a learner is stuck for two weeks"]
    );

    // The same file again changes nothing; a changed text is a new revision.
    let again = program::import(&bot.pool, &program, bot.clock.now())
        .await
        .unwrap();
    assert!(again.changed_nothing(), "{again}");
    let changed =
        ProgramFile::parse(&seeded("Everyone needs a Premium licence."), "changed").unwrap();
    let report = program::import(&bot.pool, &changed, bot.clock.now())
        .await
        .unwrap();
    assert_eq!((report.created, report.updated), (0, 1), "{report}");
    let revisions: Vec<(i32, String)> = sqlx::query_as(
        "SELECT r.revision, r.body FROM kb_revisions r JOIN kb_entries e ON e.id = r.entry_id
          WHERE e.slug = 'licences' ORDER BY r.revision",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(
        revisions,
        [
            (
                1,
                "Most makers need a Premium licence.\nAsk your manager first.".to_owned()
            ),
            (2, "Everyone needs a Premium licence.".to_owned())
        ]
    );

    // An entry added in chat is exported too, and the export is a fixed point of import.
    bot.ok("ken", "/kb add faq \"VPN access\" Open a ticket. id:vpn")
        .await;
    let exported = cohortbot::program::export::export(&bot.pool).await.unwrap();
    let text = exported.to_toml().unwrap();
    let reparsed = ProgramFile::parse(&text, "export").unwrap();
    assert_eq!(reparsed, exported);
    let ids: Vec<&str> = exported.communities[0]
        .knowledge
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(ids, ["licences", "mentor-escalation", "vpn"]);
    let report = program::import(&bot.pool, &reparsed, bot.clock.now())
        .await
        .unwrap();
    assert!(report.changed_nothing(), "{report}");
}

#[test]
fn a_bad_seeded_entry_is_refused_naming_it() {
    let file = format!(
        r#"{}
  [[community.knowledge]]
  id = "Bad Id"
  kind = "recipe"
  title = "x"
  body = ""
  owner = "nobody"
  cohort = "spring-makers-2027"

  [[community.knowledge]]
  id = "licences"
  kind = "faq"
  title = "Licences"
  body = "Ask."
  aliases = ["licences"]
  visibility = "cohort"
"#,
        crate::support::EXAMPLE
    );
    let err = ProgramFile::parse(&file, "bad").unwrap_err().to_string();
    for problem in [
        "knowledge entry `Bad Id`: `Bad Id` is not a valid id",
        "knowledge entry `Bad Id`: kind must be one of faq, playbook, decision, clinic_note",
        "knowledge entry `Bad Id`: `body` can't be empty",
        "knowledge entry `Bad Id`: the owner `nobody` is not one of the community's people",
        "knowledge entry `Bad Id`: `cohort` goes with visibility `cohort`",
        "knowledge-base id or alias `licences` is listed twice",
        "knowledge entry `licences`: visibility `cohort` needs `cohort`",
    ] {
        assert!(err.contains(problem), "{problem}\n{err}");
    }
}

#[sqlx::test]
async fn stewards_record_decisions_that_supersede_and_are_posted(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let decide = "/kb decide \"Lists for small apps\" context:\"Makers keep data in Excel.\" \
                  decision:\"Apps under 2,000 rows use SharePoint lists.\" consequences:\"No premium licence needed.\"";
    bot.refused("sam", decide, "only stewards can use `/kb decide`")
        .await;
    // Without a governance channel, the decision is recorded and the reply says where not.
    let said = bot.say("ada", decide).await;
    assert_eq!(
        said.reply(),
        "📜 Recorded the decision Lists for small apps as `lists-for-small-apps`. It is not posted anywhere: the program file names no `governance_channel` for this community."
    );
    assert!(said.posts().is_empty());

    sqlx::query("UPDATE communities SET governance_channel = 'governance'")
        .execute(&bot.pool)
        .await
        .unwrap();
    bot.refused(
        "ada",
        "/kb decide \"X\" context:a decision:b consequences:c supersedes:nothing-here",
        "I don't know a knowledge-base entry called `nothing-here`.",
    )
    .await;
    bot.ok("ada", "/kb add faq \"Licences\" Ask. id:licences")
        .await;
    bot.refused(
        "ada",
        "/kb decide \"X\" context:a decision:b consequences:c supersedes:licences",
        "`licences` is not a decision",
    )
    .await;
    let said = bot
        .say(
            "ada",
            "/kb decide \"Dataverse for shared data\" context:\"Lists hit their limits @everyone.\" \
             decision:\"Shared data goes in Dataverse.\" consequences:\"Makers need premium licences.\" \
             supersedes:lists-for-small-apps tags:data",
        )
        .await;
    assert_eq!(
        said.reply(),
        "📜 Recorded the decision Dataverse for shared data as `dataverse-for-shared-data`. It is posted in `#governance`."
    );
    assert_eq!(
        said.channel_posts(),
        [(
            "governance",
            "📜 Decision: Dataverse for shared data (`dataverse-for-shared-data`)\n\
             Context: Lists hit their limits @everyone.\n\
             Decision: Shared data goes in Dataverse.\n\
             Consequences: Makers need premium licences.\n\
             Recorded by @Ada Okafor · replaces `lists-for-small-apps` · `/kb show dataverse-for-shared-data`"
        )]
    );
    let said = bot.say("sam", "/kb show lists-for-small-apps").await;
    assert_eq!(
        said.reply(),
        "📘 Decision: Lists for small apps\n\
         Context: Makers keep data in Excel.\n\
         \n\
         Decision: Apps under 2,000 rows use SharePoint lists.\n\
         \n\
         Consequences: No premium licence needed.\n\
         Id: `lists-for-small-apps`\n\
         Owner: Ada Okafor · verified 15 Feb 2027 · revision 1\n\
         ⚠️ Superseded by `dataverse-for-shared-data`: read that one for what holds now.\n\
         Post it in the channel with `/kb show lists-for-small-apps share:true`."
    );
    let said = bot.say("sam", "/kb search dataverse").await;
    assert_eq!(titles(said.reply()), ["Dataverse for shared data"]);
}

#[sqlx::test]
async fn an_unanswered_question_goes_to_the_mentors_and_its_answer_becomes_a_draft(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    licence_entries(&bot).await;
    // Entries that match are offered first.
    let said = bot
        .say("sam", "/kb ask Which licence do makers need?")
        .await;
    assert!(
        said.reply().starts_with(
            "🔎 Knowledge base: Which licence do makers need?\n1. Licences for makers"
        ),
        "{}",
        said.reply()
    );
    assert!(
        said.reply()
            .ends_with("None of these answers it? Ask the mentors with `/kb ask … anyway:true`."),
        "{}",
        said.reply()
    );
    assert_eq!(bot.count("kb_questions").await, 0);

    let said = bot
        .say("sam", "/kb ask How do I reset a flow's owner?")
        .await;
    let number: i64 = sqlx::query_scalar("SELECT number FROM kb_questions")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(
        said.reply(),
        format!(
            "❓ Nothing in the knowledge base answers that yet, so I asked 3 mentors (question #{number}). The answer comes to you by DM."
        )
    );
    let dm = format!(
        "❓ Question #{number} from Sam Carter: How do I reset a flow's owner?\n\
         Nothing in the knowledge base answers it. Answer with `/kb answer {number} <text>` or the button; your answer reaches them and becomes a draft FAQ you can publish."
    );
    assert_eq!(
        said.dms(),
        [
            ("Grace Lindqvist", dm.as_str()),
            ("Ken Watanabe", dm.as_str()),
            ("María Torres", dm.as_str())
        ]
    );
    let buttons: Vec<_> = said.outcome().unwrap().posts[0]
        .message
        .actions()
        .cloned()
        .collect();
    assert_eq!(buttons.len(), 1);
    assert_eq!(buttons[0].label, "Answer");

    bot.refused(
        "sam",
        &format!("/kb answer {number} Ask IT."),
        "Questions are answered by mentors and stewards.",
    )
    .await;
    bot.refused(
        "ken",
        "/kb answer 999999 Ask IT.",
        "There is no question #999999 here.",
    )
    .await;
    let said = bot
        .say(
            "ken",
            &format!("/kb answer {number} Open the admin centre, pick the flow, then Edit owners."),
        )
        .await;
    assert_eq!(
        said.reply(),
        format!(
            "💡 Thanks! Your answer to #{number} is on its way, and saved as the draft `how-do-i-reset-a-flow-s-owner`. Check it with `/kb show how-do-i-reset-a-flow-s-owner`, then `/kb publish how-do-i-reset-a-flow-s-owner` so the next person finds it."
        )
    );
    assert_eq!(
        said.dms(),
        [(
            "Sam Carter",
            format!("💡 Your question #{number}, How do I reset a flow's owner?, has an answer from Ken Watanabe:\nOpen the admin centre, pick the flow, then Edit owners.").as_str()
        )]
    );
    bot.refused(
        "grace",
        &format!("/kb answer {number} Ask Ken."),
        &format!("Question #{number} is already answered by Ken Watanabe."),
    )
    .await;

    // The draft is the owner's until published.
    bot.refused(
        "sam",
        "/kb show how-do-i-reset-a-flow-s-owner",
        "I don't know a knowledge-base entry called",
    )
    .await;
    let said = bot
        .say("ken", "/kb show how-do-i-reset-a-flow-s-owner")
        .await;
    assert!(
        said.reply().contains("📝 A draft: only its owner and the stewards see it. Publish it with `/kb publish how-do-i-reset-a-flow-s-owner`."),
        "{}",
        said.reply()
    );
    bot.refused(
        "ken",
        "/kb show how-do-i-reset-a-flow-s-owner share:true",
        "can't be shared",
    )
    .await;
    let said = bot
        .say("ken", "/kb publish how-do-i-reset-a-flow-s-owner")
        .await;
    assert_eq!(
        said.reply(),
        "📘 Published `how-do-i-reset-a-flow-s-owner`: search finds it now, and you'll re-verify it every 90 days."
    );
    bot.refused(
        "ken",
        "/kb publish how-do-i-reset-a-flow-s-owner",
        "is already published",
    )
    .await;
    let said = bot.say("lin", "/kb search reset flow owner").await;
    assert_eq!(titles(said.reply()), ["How do I reset a flow's owner?"]);
}
