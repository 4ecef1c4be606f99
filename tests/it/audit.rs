//! `/audit`: the audit log for stewards, newest first, by member and day, a page at a
//! time, with actions and ids only.

use chrono::Duration;
use sqlx::PgPool;

use super::support::TestBot;

#[sqlx::test]
async fn stewards_read_the_audit_log_by_member_and_day(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok(
        "sam",
        "/approve request tool confidential \"Secret project\" Reads the salary list.",
    )
    .await;
    bot.clock.advance(Duration::minutes(5));
    bot.ok("ada", "/approve no 1 Salaries stay in HR.").await;
    bot.ok("sam", "/me skills excel, sql").await;

    let log = bot.say("ada", "/audit").await;
    assert_eq!(
        log.reply(),
        "📜 Audit log, newest first:\n\
         • Mon 15 Feb 2027 09:05 UTC · Sam Carter · `member.skills` · skills 2\n\
         • Mon 15 Feb 2027 09:05 UTC · Ada Okafor · `approval.decided` · request 1, status rejected\n\
         • Mon 15 Feb 2027 09:05 UTC · Ada Okafor · `approval.voted` · approve false, request 1\n\
         • Mon 15 Feb 2027 09:00 UTC · Sam Carter · `approval.requested` · approvers 3 listed, data class confidential, kind tool, request 1\n\
         • Mon 15 Feb 2027 09:00 UTC · the bot · `program.import` · created 59, updated 9"
    );
    // What people wrote is nowhere in it.
    assert!(!log.reply().contains("salary") && !log.reply().contains("excel"));

    let sams = bot.say("ada", "/audit sam").await;
    assert_eq!(
        sams.reply(),
        "📜 Audit log of Sam Carter, newest first:\n\
         • Mon 15 Feb 2027 09:05 UTC · Sam Carter · `member.skills` · skills 2\n\
         • Mon 15 Feb 2027 09:00 UTC · Sam Carter · `approval.requested` · approvers 3 listed, data class confidential, kind tool, request 1"
    );
    let later = bot.say("ada", "/audit since:2027-03-01").await;
    assert_eq!(later.reply(), "📜 Nothing in the audit log in that time.");
    bot.refused(
        "ada",
        "/audit page:3",
        "There is no page 3: the list has 1 page.",
    )
    .await;
    bot.refused("sam", "/audit", "Sorry, only stewards can use `/audit`.")
        .await;
    bot.refused("ada", "/audit since:2027-02-30", "since").await;
}

#[sqlx::test]
async fn a_long_log_comes_a_page_at_a_time(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    for zone in ["Europe/Berlin", "Asia/Tokyo"].iter().cycle().take(16) {
        bot.ok("sam", &format!("/me timezone {zone}")).await;
    }
    let first = bot.say("ada", "/audit sam").await;
    let reply = first.reply();
    assert!(
        reply.starts_with("📜 Audit log of Sam Carter, newest first, page 1 of 2:\n"),
        "{reply}"
    );
    assert_eq!(reply.lines().filter(|l| l.starts_with("• ")).count(), 15);
    assert!(
        reply.ends_with("\nMore: `/audit member:sam page:2`"),
        "{reply}"
    );
    let second = bot.say("ada", "/audit member:sam page:2").await;
    assert_eq!(
        second
            .reply()
            .lines()
            .filter(|l| l.starts_with("• "))
            .count(),
        1
    );
}
