//! One confirmation mechanism for every platform. A command that needs a yes ("replace
//! this week's check-in?") is kept server-side under a short id for a while; its reply
//! carries Yes/No actions naming only that id. `/yes` and `/no` (typed, or pressed as those
//! buttons) answer it, and any other command drops it, saying so.

mod messages;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::{Invocation, Outcome, ServiceResult, refuse};
use crate::commands::bind::bind;
use crate::commands::catalog;
use crate::render::{ActionKind, Message};
use crate::store::questions::{self, Kept};

/// How long a question stays answerable.
const TTL: chrono::Duration = chrono::Duration::minutes(15);
/// Characters of a question id: short enough to type, random enough not to guess.
const ID_LEN: usize = 8;
/// No look-alike characters, so a typed id is read right.
const ID_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

fn new_id() -> String {
    (0..ID_LEN)
        .map(|_| ID_ALPHABET[fastrand::usize(..ID_ALPHABET.len())] as char)
        .collect()
}

/// Keeps `inv` as the caller's open question and adds the Yes/No actions to its reply.
pub async fn ask(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    mut outcome: Outcome,
) -> ServiceResult {
    let id = new_id();
    let kept = Kept {
        command: inv.spec.path.to_owned(),
        options: inv.args.to_raw(),
    };
    questions::save(&mut *tx, &id, inv.caller.member.id, &kept, now, now + TTL).await?;
    outcome.reply = outcome
        .reply
        .push(messages::how_to_answer())
        .action(
            messages::YES,
            ActionKind::Answer {
                question: id.clone(),
                yes: true,
            },
        )
        .action(
            messages::NO,
            ActionKind::Answer {
                question: id.clone(),
                yes: false,
            },
        );
    outcome.question = Some(id);
    Ok(outcome)
}

/// `/yes` and `/no`: the kept command runs confirmed, or is dropped. A button names its
/// question; typed, the answer is for the caller's open one.
pub async fn answer(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    env: &super::CommandEnv<'_>,
    yes: bool,
) -> ServiceResult {
    let named = inv.args.text("question");
    let Some(kept) = questions::take(&mut *tx, inv.caller.member.id, named, now).await? else {
        return refuse(match named {
            Some(_) => messages::expired(),
            None => messages::nothing_asked(),
        });
    };
    if !yes {
        return Ok(Outcome::reply(messages::kept(), inv.spec.visibility));
    }
    let Some(spec) = catalog::find(&kept.command) else {
        return refuse(messages::expired());
    };
    let pairs: Vec<(&str, &str)> = kept
        .options
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    // The options were bound once already; a catalog change since is the only way to fail.
    let Ok(args) = bind(spec, &pairs) else {
        return refuse(messages::expired());
    };
    let confirmed = Invocation {
        caller: inv.caller.clone(),
        spec,
        args,
        delivery_id: inv.delivery_id.clone(),
        confirmed: true,
    };
    // Boxed: an answer runs a command, which is how answers are reached in the first place.
    Box::pin(super::authorized_route(tx, now, &confirmed, env)).await
}

/// Drops the member's open question before another command runs: the note to show, if
/// there was one.
pub async fn drop_open(
    ex: impl sqlx::PgExecutor<'_>,
    member_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Message>> {
    Ok(questions::drop_open(ex, member_id, now)
        .await?
        .map(|command| dropped(&command)))
}

/// What a member reads when another command drops their open question from `command`.
pub fn dropped(command: &str) -> Message {
    messages::dropped(command)
}
