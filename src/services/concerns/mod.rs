//! Confidential concerns: `/concern report` sends a report to the community's concern
//! handlers (holders of the `concern_handler` role), never to anyone the reporter excluded;
//! handlers read, answer as "the concerns team", block a reporter's further messages, and
//! close with a reason the reporter is told.
//!
//! An anonymous report stores no member id anywhere. Its reporter gets a relay code, shown
//! once in their reply and kept here only as a SHA-256; the code is their way back to it
//! (`/concern show|reply <code>`), since the bot has no way to find them. The commands a
//! reporter uses are handled without the caller in the logs, the Slack Home refresh or any
//! other row ([`withholds_caller`]); an anonymous report's audit row has no actor and its
//! day only.

pub mod messages;
pub mod space;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

use super::lookup::arg;
use super::{Destination, Invocation, Outcome, ServiceResult, refuse};
use crate::commands::CommandId;
use crate::commands::catalog::CONCERN_LISTINGS;
use crate::domain::Role;
use crate::store::concerns::{self as store, Concern, Mode, NewConcern, Status};
use crate::store::outbox::{self, CONCERN_SPACE_QUEUE, PlatformAction};
use crate::store::{members, roles};

/// How many concerns `/concern list` shows.
const LISTED: i64 = 25;

/// What a relay code starts with: a code is told from a concern's number by it.
const RELAY_PREFIX: &str = "cr-";

/// Letters and digits that cannot be misread for one another (no 0/o, 1/l/i).
const RELAY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Four groups of five: about 99 bits, beyond guessing.
const RELAY_GROUPS: usize = 4;
const RELAY_GROUP_LEN: usize = 5;

/// Whether the command is one a reporter runs about their report: it is handled without
/// naming the caller in the logs or touching any row of theirs, so an anonymous report
/// cannot be lined up with them.
pub fn withholds_caller(command: CommandId) -> bool {
    matches!(
        command,
        CommandId::ConcernReport | CommandId::ConcernShow | CommandId::ConcernReply
    )
}

fn direct(member_id: Uuid, name: &str) -> Destination {
    Destination::Direct {
        member_id,
        display_name: name.to_owned(),
    }
}

/// A new relay code, from the operating system's randomness.
fn new_relay_code() -> anyhow::Result<String> {
    let mut bytes = [0u8; RELAY_GROUPS * RELAY_GROUP_LEN];
    getrandom::fill(&mut bytes).map_err(|err| anyhow::anyhow!("drawing a relay code: {err}"))?;
    let letters: Vec<char> = bytes
        .iter()
        .map(|b| RELAY_ALPHABET[usize::from(*b) % RELAY_ALPHABET.len()] as char)
        .collect();
    let groups: Vec<String> = letters
        .chunks(RELAY_GROUP_LEN)
        .map(|group| group.iter().collect())
        .collect();
    Ok(format!("{RELAY_PREFIX}{}", groups.join("-")))
}

/// The stored form of a relay code: typed in any case, with or without spaces.
fn relay_hash(code: &str) -> Vec<u8> {
    let normal: String = code
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    Sha256::digest(normal.as_bytes()).to_vec()
}

fn is_relay_code(typed: &str) -> bool {
    typed.trim().to_lowercase().starts_with(RELAY_PREFIX)
}

/// An anonymous action's audit time: its day, so it cannot be lined up with other rows.
fn day_of(now: DateTime<Utc>) -> DateTime<Utc> {
    now.duration_trunc(TimeDelta::days(1)).unwrap_or(now)
}

async fn audit(
    tx: &mut PgConnection,
    inv: &Invocation,
    actor: Option<Uuid>,
    action: &str,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let at = if actor.is_some() { now } else { day_of(now) };
    crate::store::audit::record(&mut *tx, inv.caller.community_id, actor, action, detail, at)
        .await?;
    Ok(())
}

async fn is_handler(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<bool> {
    Ok(roles::holds_community_role(&mut *tx, inv.caller.member.id, Role::ConcernHandler).await?)
}

/// The people the reporter excluded, by name or platform id, separated by commas (a run
/// of mentions needs none); an unknown name is refused with the closest one.
async fn excluded(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<Vec<Uuid>> {
    let Some(typed) = inv.args.text("exclude") else {
        return Ok(Vec::new());
    };
    let community = inv.caller.community_id;
    let mut ids = Vec::new();
    for entry in super::lookup::people_typed(typed) {
        let found = members::named(&mut *tx, community, &entry).await?;
        if found.is_empty() {
            let names = members::display_names(&mut *tx, community).await?;
            let suggestion = crate::domain::suggest(&entry, names.iter().map(String::as_str));
            return refuse(messages::unknown_excluded(&entry, suggestion));
        }
        ids.extend(found.into_iter().map(|(id, _)| id));
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// `/concern report <category> <mode> <text…> [exclude:]`.
pub async fn report(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let community_id = inv.caller.community_id;
    let me = inv.caller.member.id;
    let category = arg(inv, "category")?;
    let mode: Mode = arg(inv, "mode")?
        .parse()
        .map_err(|err: String| anyhow::anyhow!(err))?;
    let text = arg(inv, "text")?.trim();
    if text.is_empty() {
        return refuse(messages::empty_report());
    }
    let excluded = excluded(tx, inv).await?;
    let handlers = store::handlers(&mut *tx, community_id, None).await?;
    if handlers.is_empty() {
        tracing::warn!("a concern was refused: the community has no concern handler");
        let stewards: Vec<String> = crate::store::mentoring::stewards(&mut *tx, community_id)
            .await?
            .into_iter()
            .filter(|(id, _)| *id != me)
            .map(|(_, name)| name)
            .collect();
        return refuse(messages::no_handlers(&stewards));
    }
    // The reporter is never told of their own report, whatever the mode.
    let reached: Vec<&(Uuid, String)> = handlers
        .iter()
        .filter(|(id, _)| !excluded.contains(id) && *id != me)
        .collect();
    if reached.is_empty() {
        tracing::warn!("a concern was refused: every concern handler is excluded");
        return refuse(messages::all_handlers_excluded());
    }
    let relay_code = match mode {
        Mode::Anonymous => Some(new_relay_code()?),
        _ => None,
    };
    let relay = relay_code.as_deref().map(relay_hash);
    crate::store::communities::lock_numbering(&mut *tx, community_id).await?;
    let new = NewConcern {
        community_id,
        category,
        mode,
        body: text,
        reporter_id: (mode != Mode::Anonymous).then_some(me),
        relay_hash: relay.as_deref(),
        opened_on: now.date_naive(),
    };
    let (concern_id, number) = store::insert(&mut *tx, &new).await?;
    store::exclude(&mut *tx, concern_id, &excluded).await?;
    let actor = (mode != Mode::Anonymous).then_some(me);
    audit(
        tx,
        inv,
        actor,
        "concern.reported",
        json!({ "concern": number, "category": category, "mode": mode.as_str(),
                "excluded": excluded.len() }),
        now,
    )
    .await?;
    let reporter = actor.map(|_| inv.caller.member.display_name.as_str());
    let names: Vec<&str> = reached.iter().map(|(_, name)| name.as_str()).collect();
    let reply = match &relay_code {
        Some(code) => messages::reported_anonymously(number, code, &names),
        None => messages::reported(number, mode, &names),
    };
    let mut outcome = Outcome::reply(reply, inv.spec.visibility);
    for (id, name) in reached {
        outcome = outcome.with_post(
            direct(*id, name),
            messages::told_handler(number, category, mode, reporter),
        );
    }
    Ok(outcome)
}

/// Who is asking about a concern, and as what.
enum Seat {
    /// A handler the concern does not exclude.
    Handler,
    /// Its reporter, by name.
    Reporter,
    /// Its reporter, by relay code.
    Relay,
}

/// The concern a `concern` option names, and the caller's seat; anything the caller may
/// not see is refused as if it did not exist.
async fn seated(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<(Concern, Seat)> {
    let typed = arg(inv, "concern")?.trim();
    let community = inv.caller.community_id;
    if is_relay_code(typed) {
        return match store::by_relay(&mut *tx, community, &relay_hash(typed)).await? {
            Some(concern) => Ok((concern, Seat::Relay)),
            None => refuse(messages::unknown_relay_code()),
        };
    }
    let Ok(number) = typed.trim_start_matches('#').parse::<i32>() else {
        return refuse(messages::not_a_concern(typed));
    };
    let me = inv.caller.member.id;
    if let Some(concern) = store::by_number(&mut *tx, community, number, me).await? {
        if concern.reporter_id == Some(me) {
            return Ok((concern, Seat::Reporter));
        }
        if is_handler(tx, inv).await? {
            return Ok((concern, Seat::Handler));
        }
    }
    refuse(messages::no_such_concern(number))
}

/// `/concern list [open|closed]`: a handler's concerns, or the caller's own reports.
pub async fn list(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let community = inv.caller.community_id;
    let me = inv.caller.member.id;
    let status = match inv.args.text("status") {
        Some("closed") => Status::Closed,
        Some(other) if !CONCERN_LISTINGS.contains(&other) => {
            return Err(anyhow::anyhow!("unlisted concern listing `{other}`").into());
        }
        _ => Status::Open,
    };
    let outcome = if is_handler(tx, inv).await? {
        let concerns = store::list(&mut *tx, community, status, me, LISTED).await?;
        messages::handler_list(&concerns, status, LISTED)
    } else {
        let concerns = store::reported_by(&mut *tx, community, me, LISTED).await?;
        messages::own_list(&concerns)
    };
    Ok(Outcome::reply(outcome, inv.spec.visibility))
}

/// `/concern show <number|relay code>`.
pub async fn show(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let (concern, seat) = seated(tx, inv).await?;
    let said = store::conversation(&mut *tx, concern.id).await?;
    let message = match seat {
        Seat::Handler => messages::shown_to_handler(&concern, &said),
        Seat::Reporter => messages::shown_to_reporter(&concern, &said, None),
        Seat::Relay => {
            let typed = arg(inv, "concern")?.trim();
            messages::shown_to_reporter(&concern, &said, Some(typed))
        }
    };
    Ok(Outcome::reply(message, inv.spec.visibility))
}

/// `/concern reply <number|relay code> <text…>`.
pub async fn reply(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let (concern, seat) = seated(tx, inv).await?;
    let text = arg(inv, "text")?.trim();
    if text.is_empty() {
        return refuse(messages::empty_message());
    }
    // Read under its lock: a close or block in flight is waited for, then seen.
    let concern = store::locked(&mut *tx, concern.id).await?;
    if concern.status == Status::Closed {
        return refuse(messages::closed_already(&concern));
    }
    let me = inv.caller.member.id;
    match seat {
        Seat::Handler => {
            store::add_message(&mut *tx, concern.id, Some(me), text, now).await?;
            audit(
                tx,
                inv,
                Some(me),
                "concern.answered",
                json!({ "concern": concern.number }),
                now,
            )
            .await?;
            let mut outcome =
                Outcome::reply(messages::answered(&concern, text), inv.spec.visibility);
            if let (Some(id), Some(name)) = (concern.reporter_id, &concern.reporter_name) {
                outcome =
                    outcome.with_post(direct(id, name), messages::team_wrote(concern.number, text));
            }
            Ok(outcome)
        }
        Seat::Reporter | Seat::Relay => {
            if concern.relay_blocked_at.is_some() {
                return refuse(messages::blocked(&concern));
            }
            store::add_message(&mut *tx, concern.id, None, text, now).await?;
            let actor = matches!(seat, Seat::Reporter).then_some(me);
            audit(
                tx,
                inv,
                actor,
                "concern.reporter_wrote",
                json!({ "concern": concern.number }),
                now,
            )
            .await?;
            let handlers =
                store::handlers(&mut *tx, inv.caller.community_id, Some(concern.id)).await?;
            let mut outcome = Outcome::reply(
                messages::sent_to_team(&concern, matches!(seat, Seat::Relay)),
                inv.spec.visibility,
            );
            for (id, name) in handlers.iter().filter(|(id, _)| *id != me) {
                outcome =
                    outcome.with_post(direct(*id, name), messages::reporter_wrote(concern.number));
            }
            Ok(outcome)
        }
    }
}

/// A handler's concern by number, read under its lock for a change.
async fn handled(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<Concern> {
    if !is_handler(tx, inv).await? {
        return refuse(messages::handlers_only(inv.spec.path));
    }
    let number = inv
        .args
        .int("concern")
        .ok_or_else(|| anyhow::anyhow!("concern is required"))?;
    let number = i32::try_from(number).map_err(|_| anyhow::anyhow!("bounded by the catalog"))?;
    let community = inv.caller.community_id;
    let me = inv.caller.member.id;
    match store::by_number(&mut *tx, community, number, me).await? {
        Some(concern) => Ok(store::locked(&mut *tx, concern.id).await?),
        None => refuse(messages::no_such_concern(number)),
    }
}

/// `/concern close <number> <reason…>`: the reporter is told the reason.
pub async fn close(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let concern = handled(tx, inv).await?;
    let reason = arg(inv, "reason")?.trim();
    if reason.is_empty() {
        return refuse(messages::empty_reason());
    }
    let me = inv.caller.member.id;
    if !store::close(&mut *tx, concern.id, me, reason, now).await? {
        return refuse(messages::closed_already(&concern));
    }
    audit(
        tx,
        inv,
        Some(me),
        "concern.closed",
        json!({ "concern": concern.number }),
        now,
    )
    .await?;
    if concern.space_requested_at.is_some() {
        let key = format!("concern-space:{}:archive", concern.id);
        queue_space(tx, inv.caller.community_id, concern.id, (&key, false), now).await?;
    }
    let mut outcome = Outcome::reply(messages::closed(&concern), inv.spec.visibility);
    if let (Some(id), Some(name)) = (concern.reporter_id, &concern.reporter_name) {
        outcome = outcome.with_post(
            direct(id, name),
            messages::told_reporter_closed(concern.number, reason),
        );
    }
    Ok(outcome)
}

/// Queues the space's platform action, on the community's platform.
async fn queue_space(
    tx: &mut PgConnection,
    community_id: Uuid,
    concern: Uuid,
    (key, announce): (&str, bool),
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    outbox::enqueue_queued_action(
        &mut *tx,
        community_id,
        key,
        CONCERN_SPACE_QUEUE,
        PlatformAction::ConcernSpace { concern, announce },
        now,
    )
    .await?;
    Ok(())
}

/// Brings every open concern's private space up to date with its handlers, as asking
/// `/concern space` again does: a handler named after a space opened is added to it (the
/// concern's exclusions still hold), and one the bot put in who is no handler now is
/// taken out. Called when someone is made a concern handler, and when one the bot put in a
/// space loses the role or has their data erased.
pub async fn sync_spaces(
    tx: &mut PgConnection,
    community_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    for concern in store::open_spaces(&mut *tx, community_id).await? {
        queue_sync(tx, community_id, concern, now).await?;
    }
    Ok(())
}

/// Queues a re-sync of the concern's space (its missing handlers added, those no longer
/// handlers taken out, nothing posted), under a key of its own each time, so a later
/// re-sync is never taken for a duplicate: not even one in the same microsecond, as a
/// grant and a revoke at one instant of the clock are.
async fn queue_sync(
    tx: &mut PgConnection,
    community_id: Uuid,
    concern: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let key = format!("concern-space:{concern}:sync:{}", Uuid::new_v4());
    queue_space(tx, community_id, concern, (&key, false), now).await
}

/// `/concern space <number>`: a private space for the handlers the concern does not
/// exclude, on the community's platform; asked again, the handlers missing from it are
/// added.
pub async fn space(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let concern = handled(tx, inv).await?;
    if concern.status == Status::Closed {
        return refuse(messages::space_closed_concern(&concern));
    }
    let settings = store::space_settings(&mut *tx, inv.caller.community_id).await?;
    let home = space::home_platform(
        settings.discord_guild_id.as_deref(),
        settings.slack_team_id.as_deref(),
    );
    let platform = match home {
        None => return refuse(messages::space_needs_platform()),
        Some("discord") if settings.concern_space_channel.is_none() => {
            tracing::info!("a concern space was refused: no concern_space_channel for Discord");
            return refuse(messages::space_needs_channel());
        }
        Some(platform) => platform,
    };
    let me = inv.caller.member.id;
    if !store::request_space(&mut *tx, concern.id, now).await? {
        queue_sync(tx, inv.caller.community_id, concern.id, now).await?;
        return Ok(Outcome::reply(
            messages::space_synced(concern.number),
            inv.spec.visibility,
        ));
    }
    let key = format!("concern-space:{}:open", concern.id);
    queue_space(tx, inv.caller.community_id, concern.id, (&key, true), now).await?;
    audit(
        tx,
        inv,
        Some(me),
        "concern.space_opened",
        json!({ "concern": concern.number, "platform": platform }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::space_requested(concern.number, platform),
        inv.spec.visibility,
    ))
}

/// `/concern block <number>`: the reporter can no longer write on it.
pub async fn block(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let concern = handled(tx, inv).await?;
    if !store::block(&mut *tx, concern.id, now).await? {
        return refuse(messages::blocked_already(concern.number));
    }
    audit(
        tx,
        inv,
        Some(inv.caller.member.id),
        "concern.blocked",
        json!({ "concern": concern.number }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::blocked_now(&concern),
        inv.spec.visibility,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_codes_are_long_distinct_and_read_back_in_any_case() {
        let code = new_relay_code().unwrap();
        assert!(code.starts_with(RELAY_PREFIX), "{code}");
        assert_eq!(code.len(), RELAY_PREFIX.len() + 4 * 5 + 3, "{code}");
        assert_ne!(code, new_relay_code().unwrap());
        assert!(is_relay_code(&code.to_uppercase()));
        assert_eq!(
            relay_hash(&code),
            relay_hash(&format!(" {} ", code.to_uppercase()))
        );
        assert!(!is_relay_code("12"));
    }
}
