//! A concern's private space: a Discord private thread or a Slack private channel for the
//! handlers the concern does not exclude, opened by `/concern space` and archived when the
//! concern closes. A re-sync (a handler named, revoked or erased) adds the handlers missing
//! and takes out those the bot put in who are no longer handlers. The platform senders ask
//! [`plan`] what to do when they act, so a space follows the concern as it is then,
//! whatever order the actions arrive in.

use sqlx::PgPool;
use uuid::Uuid;

use crate::outbox::SendError;

use super::messages;
use crate::render::Message;
use crate::store::concerns::{self as store, Status};

/// The space's name on its platform: the concern's number only, so the name says nothing
/// of what was reported.
pub fn space_name(number: i32) -> String {
    format!("concern-{number}")
}

/// The platform a community's spaces are on: Discord when it has a server there (a
/// community on both keeps its spaces in one place), else Slack.
pub fn home_platform(
    discord_guild_id: Option<&str>,
    slack_team_id: Option<&str>,
) -> Option<&'static str> {
    match (discord_guild_id, slack_team_id) {
        (Some(_), _) => Some("discord"),
        (None, Some(_)) => Some("slack"),
        (None, None) => None,
    }
}

/// Who a new or re-synced space is for, and what it first says.
#[derive(Debug, Clone)]
pub struct Opening {
    pub number: i32,
    /// The Discord channel (a configured name or id) its thread opens in.
    pub parent: Option<String>,
    /// The handlers to add.
    pub members: Vec<SpaceMember>,
    /// Those to take out: put in by the bot, and no longer handlers the concern leaves in.
    /// Someone a moderator added by hand is never here.
    pub remove: Vec<SpaceMember>,
    /// Posted by the first request's action; `None` on a re-sync.
    pub message: Option<Message>,
}

/// Someone in a concern's space, or to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceMember {
    pub member_id: Uuid,
    /// Their user id on the space's platform: for someone to take out, the one they were
    /// put in under (an erasure has anonymised the member's own since).
    pub user: String,
}

impl SpaceMember {
    fn from_row((member_id, user): (Uuid, String)) -> Self {
        Self { member_id, user }
    }
}

/// What a platform does about a concern's space now.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Make the space (unless `existing` names it) and add the handlers.
    Open {
        existing: Option<String>,
        opening: Opening,
    },
    /// Say it is closed, and archive it.
    Archive { space: String, message: Message },
    /// No space was asked for, or a concern closed before its space was made.
    Nothing,
}

/// What `platform`'s sender does about `concern`'s space, from the concern as it is now.
pub async fn plan(
    pool: &PgPool,
    concern_id: Uuid,
    platform: &str,
    announce: bool,
) -> Result<Plan, SendError> {
    let Some(target) = store::space_target(pool, concern_id)
        .await
        .map_err(db("reading a concern's space"))?
    else {
        return Ok(Plan::Nothing);
    };
    let home = home_platform(
        target.discord_guild_id.as_deref(),
        target.slack_team_id.as_deref(),
    );
    // Each platform's sender may claim a community's queued actions; only one acts.
    if home != Some(platform) {
        return Ok(Plan::Nothing);
    }
    match (target.status, target.space_ref) {
        (Status::Closed, Some(space)) => Ok(Plan::Archive {
            space,
            message: messages::space_archived(target.number),
        }),
        (Status::Closed, None) => Ok(Plan::Nothing),
        (Status::Open, existing) => {
            let handlers = store::handlers(pool, target.community_id, Some(concern_id))
                .await
                .map_err(db("reading a concern's handlers"))?;
            // As with the report's DMs: a named reporter who handles concerns is not in
            // the space where the others talk about their report.
            let handlers: Vec<(Uuid, String)> = handlers
                .into_iter()
                .filter(|(id, _)| Some(*id) != target.reporter_id)
                .collect();
            let ids: Vec<Uuid> = handlers.iter().map(|(id, _)| *id).collect();
            let on_platform = store::platform_ids(pool, &ids, platform)
                .await
                .map_err(db("reading the handlers' platform ids"))?;
            let (here, elsewhere): (Vec<_>, Vec<_>) = handlers
                .into_iter()
                .partition(|(id, _)| on_platform.iter().any(|(on, _)| on == id));
            let elsewhere: Vec<String> = elsewhere.into_iter().map(|(_, name)| name).collect();
            let message = announce.then(|| {
                messages::space_opened(target.number, &target.category, &here, &elsewhere)
            });
            let members: Vec<SpaceMember> =
                on_platform.into_iter().map(SpaceMember::from_row).collect();
            let remove = store::space_members(pool, concern_id)
                .await
                .map_err(db("reading whom the bot put in a concern's space"))?
                .into_iter()
                .map(SpaceMember::from_row)
                .filter(|put_in| !members.iter().any(|m| m.member_id == put_in.member_id))
                .collect();
            Ok(Plan::Open {
                existing,
                opening: Opening {
                    number: target.number,
                    parent: target.concern_space_channel,
                    members,
                    remove,
                    message,
                },
            })
        }
    }
}

/// Records the space just made; the id to use, which is an earlier one if a retry made a
/// second.
pub async fn made(pool: &PgPool, concern_id: Uuid, space: &str) -> Result<String, SendError> {
    store::space_made(pool, concern_id, space)
        .await
        .map_err(db("recording a concern's space"))
}

/// Records that the bot is putting `users` in the concern's space, before it asks the
/// platform to: a later re-sync may then take them out again.
pub async fn adding(
    pool: &PgPool,
    concern_id: Uuid,
    members: &[SpaceMember],
) -> Result<(), SendError> {
    let (ids, users): (Vec<Uuid>, Vec<&str>) = members
        .iter()
        .map(|m| (m.member_id, m.user.as_str()))
        .unzip();
    store::space_members_adding(pool, concern_id, (&ids, &users))
        .await
        .map_err(db("recording whom the bot puts in a concern's space"))
}

/// Records that `member` is out of the concern's space (taken out, or not in it).
pub async fn removed(
    pool: &PgPool,
    concern_id: Uuid,
    member: &SpaceMember,
) -> Result<(), SendError> {
    store::space_member_removed(pool, concern_id, member.member_id)
        .await
        .map_err(db("recording whom the bot took out of a concern's space"))
}

/// Forgets whom the bot put in the concern's space, now archived (or gone).
pub async fn archived(pool: &PgPool, concern_id: Uuid) -> Result<(), SendError> {
    store::space_members_forget(pool, concern_id)
        .await
        .map_err(db(
            "forgetting whom the bot put in an archived concern space",
        ))
}

/// A database error while `doing` it, as both senders report it: worth retrying.
fn db(doing: &'static str) -> impl FnOnce(sqlx::Error) -> SendError {
    move |err| SendError::Transient {
        reason: format!("{doing}: {err}"),
        retry_after: None,
    }
}
