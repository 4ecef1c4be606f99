//! Server-mode wiring: what `[discord]` starts, and that it keeps running until stopped.

use std::time::Duration;

use cohortbot::config::DiscordSettings;
use ed25519_dalek::SigningKey;
use serde_json::json;
use sqlx::PgPool;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::discord_support::{APP, DiscordBot, GUILD};

#[sqlx::test]
async fn http_interactions_mode_registers_commands_and_runs_until_stopped(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    Mock::given(method("PUT"))
        .and(path(format!(
            "/api/v10/applications/{APP}/guilds/{GUILD}/commands"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&d.server)
        .await;
    let settings = DiscordSettings {
        token: Some("test-token".to_owned().into()),
        application_id: Some(APP.to_owned()),
        public_key: Some(hex::encode(
            SigningKey::from_bytes(&[7; 32]).verifying_key().to_bytes(),
        )),
        guild_ids: vec![GUILD.to_owned()],
        api_base: Some(d.server.uri()),
        ..DiscordSettings::default()
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();

    let routes = cohortbot::chat::discord::spawn(
        &settings,
        &d.bot.services,
        &mut tasks,
        stop_rx,
        cohortbot::cluster::Leadership::Sole,
    )
    .unwrap();

    assert!(routes.is_some(), "the interactions endpoint is served");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        tasks.try_join_next().is_none(),
        "a Discord task ended on its own"
    );
    assert_eq!(
        tasks.len(),
        1,
        "only the dispatcher: no gateway in HTTP interactions mode"
    );
    stop_tx.send(true).unwrap();
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
}

#[test]
fn a_token_without_an_application_id_is_refused() {
    let settings = DiscordSettings {
        token: Some("t".to_owned().into()),
        ..DiscordSettings::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = runtime.block_on(async {
        let pool = sqlx::PgPool::connect_lazy("postgres://unused/never").unwrap();
        let services = cohortbot::services::Services::new(
            pool,
            std::sync::Arc::new(cohortbot::clock::SystemClock),
        );
        let (_tx, rx) = tokio::sync::watch::channel(false);
        cohortbot::chat::discord::spawn(
            &settings,
            &services,
            &mut tokio::task::JoinSet::new(),
            rx,
            cohortbot::cluster::Leadership::Sole,
        )
        .unwrap_err()
    });
    assert!(err.to_string().contains("discord.application_id"), "{err}");
}
