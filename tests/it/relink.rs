//! `/relink`: a member whose platform account changed gets their history on the new one.

use sqlx::PgPool;

use super::support::TestBot;

#[sqlx::test]
async fn a_member_relinked_to_a_new_account_keeps_their_history_there(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", "spring-makers-2027", Some("projects"))
        .await;
    bot.ok("sam", "/kudos @grace for the review").await;
    let before = bot.say("sam", "/me").await.reply().to_owned();
    let sam_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM members WHERE platform_user_id = 'sam'")
            .fetch_one(&bot.pool)
            .await
            .unwrap();

    // Sam's new account said hello once: a row with no history, which gives way.
    bot.say("sam2", "/help relink").await.reply();
    bot.refused(
        "sam",
        "/relink sam @sam2",
        "Sorry, only stewards can use `/relink`.",
    )
    .await;
    bot.refused(
        "ada",
        "/relink \"Sam Carterr\" @sam2",
        "I know no member Sam Carterr on this platform. Give the name the bot shows for them, or their old account's id. Did you mean Sam Carter?",
    )
    .await;
    bot.refused(
        "ada",
        "/relink sam @sam",
        "Sam Carter already uses that account. Nothing to do.",
    )
    .await;
    let relinked = bot.say("ada", "/relink \"Sam Carter\" @sam2").await;
    assert_eq!(
        relinked.reply(),
        "🔗 Sam Carter now uses the new account. Their check-ins, milestones, badges, roles and everything else came with them; I told them by DM there. Their platform roles follow shortly."
    );
    assert_eq!(
        relinked.dms(),
        [(
            "Sam Carter",
            "🔗 Ada Okafor linked your history to this account: your check-ins, milestones, badges and roles from your previous account are yours here. Type `/me` to see them."
        )]
    );
    bot.deliver_to(&["#spring-makers", "#spring-makers", "@sam2"])
        .await;
    let (id, account): (uuid::Uuid, String) = sqlx::query_as(
        "SELECT id, platform_user_id FROM members WHERE display_name = 'Sam Carter'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert_eq!((id, account.as_str()), (sam_id, "sam2"));
    // Same member, same history, on the new account.
    assert_eq!(
        bot.say("sam2", "/me").await.reply(),
        before.replace("(@sam)", "(@sam2)")
    );
    let audit: serde_json::Value =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'member.relinked'")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(audit["member"], sam_id.to_string());

    // Ken's new account has a history of its own: refused, naming it.
    bot.enroll("ken2", "spring-makers-2027", Some("projects"))
        .await;
    bot.refused(
        "ada",
        "/relink ken @ken2",
        "The new account (ken2) has a history of its own already (enrollments, streaks), so relinking would merge two histories, and I won't choose between them. Ask them which to keep; erase the other with `/privacy erase` first, if that's the one to drop.",
    )
    .await;
}

/// On Discord: a steward relinks Bea to her new account with a signed slash command; her
/// community-mentor role follows to the new account by one Discord REST call, and her DM
/// goes to the new account.
#[sqlx::test]
async fn on_discord_the_relinked_member_gets_their_role_on_the_new_account(pool: PgPool) {
    use cohortbot::domain::Role;
    use serde_json::json;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};

    use super::discord_interactions::{
        DM_CHANNEL, MENTOR, dm_mocks, posted_to, spring_lead_mentor,
    };
    use super::discord_support::{BEA, COMMUNITY_MENTOR_ROLE, DiscordBot, GUILD};

    const NEW: &str = "111000000000000099";
    let d = DiscordBot::new(pool).await;
    spring_lead_mentor(&d).await;
    dm_mocks(&d).await;
    let role_path = format!("/api/v10/guilds/{GUILD}/members/{NEW}/roles/{COMMUNITY_MENTOR_ROLE}");
    Mock::given(method("PUT"))
        .and(path(role_path.clone()))
        .respond_with(ResponseTemplate::new(204))
        .mount(&d.server)
        .await;
    // Bea has used the bot and mentors; Mo is a steward.
    let hello = d.command(70, "concern", Some("list"), json!([]));
    d.run(hello).await;
    d.bot
        .grant_role("discord", BEA, Role::CommunityMentor)
        .await;
    d.bot.grant_role("discord", MENTOR, Role::Steward).await;

    let relink = DiscordBot::as_member(
        d.command(
            71,
            "relink",
            None,
            json!([
                { "name": "member", "type": 3, "value": "Bea" },
                { "name": "account", "type": 6, "value": NEW },
            ]),
        ),
        MENTOR,
        "Mo",
    );
    assert_eq!(
        d.run(relink.clone()).await,
        "🔗 Bea now uses the new account. Their check-ins, milestones, badges, roles and everything else came with them; I told them by DM there. Their platform roles follow shortly."
    );
    // Delivered twice: relinked once, answered the same.
    assert!(
        d.run(relink)
            .await
            .starts_with("🔗 Bea now uses the new account.")
    );
    d.dispatch().await;
    let requests = d.server.received_requests().await.unwrap();
    let role_puts = requests
        .iter()
        .filter(|r| r.url.path() == role_path && r.method.as_str() == "PUT")
        .count();
    assert_eq!(role_puts, 1);
    let opened: Vec<String> = requests
        .iter()
        .filter(|r| r.url.path() == "/api/v10/users/@me/channels")
        .map(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["recipient_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(opened, [NEW]);
    let dms = posted_to(&d, DM_CHANNEL).await;
    assert_eq!(
        dms[0]["content"],
        "🔗 Mo linked your history to this account: your check-ins, milestones, badges and roles from your previous account are yours here. Type `/me` to see them."
    );
}
