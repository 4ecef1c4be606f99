//! The council in the shell: a steward opens the first election; members stand or are
//! nominated; approval voting with secret ballots; staggered terms; the rotation, its
//! announcements and the council's earned role; and the next election opening by itself
//! before half the seats end.

use chrono::Duration;
use cohortbot::clock::Clock;
use sqlx::PgPool;

use super::support::TestBot;

const CHANNEL: &str = "#automation-governance";

/// Who holds the council's earned role, by name.
async fn council_role_holders(bot: &TestBot) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT m.display_name FROM earned_role_holders h
           JOIN earned_roles r ON r.id = h.rule_id JOIN members m ON m.id = h.member_id
          WHERE r.slug = 'council' ORDER BY 1",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn a_council_is_elected_seated_and_half_of_it_renewed_by_itself(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let before = bot.say("sam", "/council show").await;
    assert_eq!(
        before.reply(),
        "🏛️ Community Council: 4 seats, terms of 182 days.\nNobody sits on it yet.\nSeats are empty: a steward can open an election with `/council open`."
    );
    bot.refused(
        "sam",
        "/council open",
        "Sorry, only stewards can use `/council open`.",
    )
    .await;
    bot.refused(
        "sam",
        "/council nominate Me!",
        "No council election is open for nominations now. `/council show` says when the next one opens.",
    )
    .await;
    let opened = bot.say("ada", "/council open").await;
    assert_eq!(
        opened.reply(),
        "🏛️ Opened council election #1 for 4 seats of the Community Council. Nominations until Mon 22 Feb 2027 09:00 UTC, then voting until Mon 1 Mar 2027 09:00 UTC. I announced it in `#automation-governance`."
    );
    bot.refused(
        "ada",
        "/council open",
        "Council election #1 is already under way (taking nominations). See it with `/council show`.",
    )
    .await;

    // Grace stands; Sam nominates Ken, who is asked by DM and accepts; others stand.
    let grace = bot
        .say(
            "grace",
            "/council nominate I mentor **Finance** makers; @everyone should get clinics.",
        )
        .await;
    assert_eq!(
        grace.reply(),
        "🏛️ You are standing for the Community Council. Voters read:\n    I mentor **Finance** makers; @everyone should get clinics.\nVoting opens Mon 22 Feb 2027 09:00 UTC and closes Mon 1 Mar 2027 09:00 UTC."
    );
    let nominated = bot.say("sam", "/council nominate member:@ken").await;
    assert_eq!(
        nominated.reply(),
        "🏛️ You nominated Ken Watanabe. I asked them by DM; they stand once they accept, before Mon 22 Feb 2027 09:00 UTC."
    );
    assert_eq!(
        nominated.dms(),
        [(
            "Ken Watanabe",
            "🏛️ Sam Carter nominated you for the Community Council (4 seats to fill, terms of 182 days). To stand, type `/council nominate <why you'd like to serve>` before Mon 22 Feb 2027 09:00 UTC. Not this time? Nothing to do."
        )]
    );
    bot.refused(
        "sam",
        "/council nominate member:@grace",
        "Grace Lindqvist is already standing in this election.",
    )
    .await;
    bot.ok("ken", "/council nominate Happy to serve.").await;
    let maria = bot.say("maria", "/council nominate").await;
    assert_eq!(
        maria.reply(),
        "🏛️ You are standing for the Community Council. Add a few words on why with `/council nominate <why you'd like to serve>`: voters read them.\nVoting opens Mon 22 Feb 2027 09:00 UTC and closes Mon 1 Mar 2027 09:00 UTC."
    );
    bot.ok("priya", "/council nominate Sponsor voice.").await;
    bot.refused(
        "sam",
        "/council vote grace",
        "Voting in council election #1 opens on Mon 22 Feb 2027 09:00 UTC; nominations are open until then.",
    )
    .await;
    let during = bot.say("sam", "/council show").await;
    assert_eq!(
        during.reply(),
        "🏛️ Community Council: 4 seats, terms of 182 days.\nNobody sits on it yet.\nElection #1 for 4 seats: taking nominations. Nominations until Mon 22 Feb 2027 09:00 UTC, then voting until Mon 1 Mar 2027 09:00 UTC.\n  Grace Lindqvist: I mentor **Finance** makers; @everyone should get clinics.\n  Ken Watanabe: Happy to serve.\n  María Torres\n  Priya Raman: Sponsor voice.\nStand with `/council nominate <why>`."
    );
    bot.deliver_to(&[CHANNEL, "@ken"]).await;

    // A week on, voting opens, announced once however many schedulers run.
    bot.clock.advance(Duration::days(7));
    tokio::join!(bot.tick(), bot.tick());
    let voting = bot.deliver().await;
    assert_eq!(
        voting.texts_to(CHANNEL),
        [
            "🗳️ Community Council: voting is open until Mon 1 Mar 2027 09:00 UTC for 4 seats. Standing: Grace Lindqvist, Ken Watanabe, María Torres and Priya Raman. Approve as many as you like with `/council vote <names, separated by commas>`; read their statements with `/council show`."
        ]
    );
    bot.refused(
        "ada",
        "/council nominate Late.",
        "Nominations for council election #1 closed; voting is open until Mon 1 Mar 2027 09:00 UTC.",
    )
    .await;
    let ballot = bot.say("sam", "/council vote grace, Ken").await;
    assert_eq!(
        ballot.reply(),
        "🗳️ Your ballot for the Community Council approves Grace Lindqvist and Ken Watanabe. Vote again to change it, until Mon 1 Mar 2027 09:00 UTC. Ballots are secret: only totals are shown, after the close."
    );
    bot.refused(
        "ada",
        "/council vote grace, bob",
        "bob is not standing in this election. The candidates are",
    )
    .await;
    bot.refused(
        "ada",
        "/council vote ,",
        "Name at least one candidate, separated by commas",
    )
    .await;
    // A handle works too; a second ballot replaces the first.
    bot.ok("maria", "/council vote @maria").await;
    bot.ok("maria", "/council vote Grace Lindqvist; @priya")
        .await;
    bot.ok("ken", "/council vote ken, priya").await;
    bot.ok("ada", "/council vote grace, priya, María Torres")
        .await;
    let ballots: Vec<(String, String)> = sqlx::query_as(
        "SELECT v.display_name, c.display_name FROM council_ballots b
           JOIN members v ON v.id = b.voter_id JOIN members c ON c.id = b.candidate_id
          WHERE v.platform_user_id = 'maria' ORDER BY 2",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(
        ballots,
        [
            ("María Torres".to_owned(), "Grace Lindqvist".to_owned()),
            ("María Torres".to_owned(), "Priya Raman".to_owned()),
        ]
    );
    // The audit log says who voted, never for whom.
    let voted: Vec<serde_json::Value> =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'council.voted'")
            .fetch_all(&bot.pool)
            .await
            .unwrap();
    assert_eq!(voted.len(), 5);
    assert!(
        voted
            .iter()
            .all(|d| *d == serde_json::json!({ "election": 1 }))
    );

    // The close: the most approved win, the first half for a full term, the rest half.
    bot.clock.advance(Duration::days(7));
    tokio::join!(bot.tick(), bot.tick());
    let decided = bot.deliver().await;
    assert_eq!(
        decided.texts_to(CHANNEL),
        [
            "🏛️ Community Council: election #1 is decided, 4 members voted.\n✅ Grace Lindqvist: 3 approvals\n✅ Priya Raman: 3 approvals\n✅ Ken Watanabe: 2 approvals\n✅ María Torres: 1 approval\nThe new terms start Mon 1 Mar 2027.",
            "🏛️ Community Council changes today. Welcome Grace Lindqvist, Priya Raman, Ken Watanabe and María Torres!",
        ]
    );
    assert_eq!(
        decided.texts_to("@grace"),
        [
            "🎉 You were elected to the Community Council. Your term runs from Mon 1 Mar 2027 to Mon 30 Aug 2027."
        ]
    );
    assert_eq!(
        decided.texts_to("@priya"),
        [
            "🎉 You were elected to the Community Council. Your term runs from Mon 1 Mar 2027 to Mon 30 Aug 2027."
        ]
    );
    assert_eq!(
        decided.texts_to("@ken"),
        [
            "🎉 You were elected to the Community Council. Your term runs from Mon 1 Mar 2027 to Mon 31 May 2027."
        ]
    );
    assert_eq!(
        decided.texts_to("@maria"),
        [
            "🎉 You were elected to the Community Council. Your term runs from Mon 1 Mar 2027 to Mon 31 May 2027."
        ]
    );
    assert_eq!(decided.len(), 6);
    assert_eq!(
        council_role_holders(&bot).await,
        [
            "Grace Lindqvist",
            "Ken Watanabe",
            "María Torres",
            "Priya Raman"
        ]
    );
    let seated = bot.say("sam", "/council show").await;
    assert_eq!(
        seated.reply(),
        "🏛️ Community Council: 4 seats, terms of 182 days.\n• Ken Watanabe, until Mon 31 May 2027\n• María Torres, until Mon 31 May 2027\n• Grace Lindqvist, until Mon 30 Aug 2027\n• Priya Raman, until Mon 30 Aug 2027\nThe next election opens Mon 17 May 2027."
    );
    bot.refused(
        "ada",
        "/council open",
        "Every council seat is filled. The next election opens by itself on Mon 17 May 2027.",
    )
    .await;

    // Two weeks before half the terms end, the next election opens by itself, for two.
    bot.clock.advance(Duration::days(77));
    bot.tick().await;
    let second = bot.deliver().await;
    assert_eq!(
        second.texts_to(CHANNEL),
        [
            "🏛️ Community Council: nominations are open for 2 seats on the council, until Mon 24 May 2027 09:00 UTC. Stand with `/council nominate <why you'd like to serve>`, or nominate someone else with its `member` option. Voting follows until Mon 31 May 2027 09:00 UTC; terms are 182 days."
        ]
    );
    bot.ok("ken", "/council nominate Once more.").await;
    bot.ok("sam", "/council nominate New here, keen.").await;
    bot.clock.advance(Duration::days(7));
    bot.tick().await;
    let voting = bot.deliver().await;
    assert_eq!(
        voting.texts_to(CHANNEL),
        [
            "🗳️ Community Council: voting is open until Mon 31 May 2027 09:00 UTC for 2 seats. Standing: Ken Watanabe and Sam Carter. Approve as many as you like with `/council vote <names, separated by commas>`; read their statements with `/council show`."
        ]
    );
    // The circle's weekly prompt went out the same week.
    assert_eq!(voting.len(), 2);
    bot.ok("ada", "/council vote sam, ken").await;
    bot.ok("grace", "/council vote sam").await;
    bot.clock.advance(Duration::days(7));
    bot.tick().await;
    let rotated = bot.deliver().await;
    // Ken, re-elected, stays unannounced; María leaves and Sam joins.
    assert_eq!(
        rotated.texts_to(CHANNEL),
        [
            "🏛️ Community Council: election #2 is decided, 2 members voted.\n✅ Sam Carter: 2 approvals\n✅ Ken Watanabe: 1 approval\nThe new terms start Mon 31 May 2027.",
            "🏛️ Community Council changes today. Welcome Sam Carter! Thank you María Torres for serving.",
        ]
    );
    assert_eq!(
        rotated.texts_to("@sam"),
        [
            "🎉 You were elected to the Community Council. Your term runs from Mon 31 May 2027 to Mon 29 Nov 2027."
        ]
    );
    assert_eq!(
        rotated.texts_to("@ken"),
        [
            "🎉 You were elected to the Community Council. Your term runs from Mon 31 May 2027 to Mon 29 Nov 2027."
        ]
    );
    assert_eq!(
        rotated.texts_to("#data-literacy"),
        [
            "💬 Data Literacy Circle: this week's conversation\nShow a before-and-after of a dataset you cleaned."
        ]
    );
    assert_eq!(rotated.len(), 5);
    assert_eq!(
        council_role_holders(&bot).await,
        [
            "Grace Lindqvist",
            "Ken Watanabe",
            "Priya Raman",
            "Sam Carter"
        ]
    );

    // The program file doubles the terms: everyone whose dates moved is told by DM.
    let longer = super::support::EXAMPLE.replacen("term_days = 182", "term_days = 364", 1);
    let program = cohortbot::program::ProgramFile::parse(&longer, "longer").unwrap();
    cohortbot::program::import(&bot.pool, &program, bot.clock.now())
        .await
        .unwrap();
    let moved = bot.deliver().await;
    assert_eq!(
        moved.texts_to("@grace"),
        [
            "🏛️ The Community Council's terms are now 364 days, so yours, from Mon 1 Mar 2027, ends on Mon 28 Feb 2028 instead of Mon 30 Aug 2027."
        ]
    );
    assert_eq!(
        moved.texts_to("@sam"),
        [
            "🏛️ The Community Council's terms are now 364 days, so yours, from Mon 31 May 2027, ends on Mon 29 May 2028 instead of Mon 29 Nov 2027."
        ]
    );
    assert_eq!(moved.texts_to("@priya").len(), 1);
    assert_eq!(moved.texts_to("@ken").len(), 1);
    assert_eq!(moved.len(), 4);
    // Importing the same file again moves nothing and tells nobody.
    cohortbot::program::import(&bot.pool, &program, bot.clock.now())
        .await
        .unwrap();
    bot.deliver_to(&[]).await;
}

#[sqlx::test]
async fn an_election_nobody_stands_in_leaves_the_seats_empty_and_says_so(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("ada", "/council open").await;
    let asked = bot.say("sam", "/council nominate member:@ken").await;
    assert!(asked.reply().starts_with("🏛️ You nominated Ken Watanabe."));
    assert_eq!(asked.dms().len(), 1);
    bot.deliver_to(&[CHANNEL, "@ken"]).await;
    bot.clock.advance(Duration::days(7));
    bot.tick().await;
    let told = bot.deliver().await;
    assert_eq!(
        told.texts_to(CHANNEL),
        [
            "🏛️ Community Council: nobody stood in election #1, so its 4 seats stay empty. A steward can open another with `/council open`."
        ]
    );
    bot.refused(
        "sam",
        "/council vote ken",
        "No council election is open for voting now.",
    )
    .await;
    let opened = bot.say("ada", "/council open").await;
    assert!(
        opened
            .reply()
            .starts_with("🏛️ Opened council election #2 for 4 seats"),
        "{}",
        opened.reply()
    );
    bot.deliver_to(&[CHANNEL]).await;
}
