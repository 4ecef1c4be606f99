//! "Interested" marked or taken back while the bot was away. The gateway replays missed
//! events only on a RESUME; after a new session (READY) they are gone. So at each READY
//! the bot pages through the users of each of the guild's events whose cohort takes
//! Interested as an RSVP, RSVPs those it has not, and withdraws the Interested-made RSVPs
//! of users no longer listed. Both go through `Services::interest`, as live events do.

use std::collections::{HashMap, HashSet};

use serenity::http::Route;
use serenity::model::id::{GuildId, ScheduledEventId};

use super::handler::Handler;
use super::rest::{Rest, RestError};
use crate::store::discord_events;

/// Discord's largest page of an event's users.
const PAGE: usize = 100;
/// Pages read per event at most (10,000 users): beyond that a server is not a cohort.
const PAGES_MAX: usize = 100;

/// What a catch-up changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CaughtUp {
    pub events: usize,
    pub rsvped: usize,
    pub withdrawn: usize,
}

/// Catches up the guild's events; an event whose users cannot be listed is skipped whole,
/// so a failed listing never withdraws anyone.
pub async fn catch_up(handler: &Handler, rest: &Rest, guild: GuildId) -> anyhow::Result<CaughtUp> {
    let services = &handler.services;
    let guild_key = guild.get().to_string();
    let now = services.clock.now();
    let mut done = CaughtUp::default();
    for (session, event) in discord_events::interest_events(&services.pool, &guild_key, now).await?
    {
        let Some(event_id) = event.parse::<u64>().ok().filter(|n| *n > 0) else {
            continue;
        };
        let listed = match interested(rest, guild, ScheduledEventId::new(event_id)).await {
            Ok(listed) => listed,
            Err(err) => {
                tracing::warn!(%session, event = %event, error = ?err,
                    "could not list an event's Interested users; caught up next time");
                continue;
            }
        };
        // Only the differences go through `interest` (a transaction each): users listed
        // and not RSVPed, and interest-made RSVPs of users no longer listed.
        let rsvped: HashMap<String, bool> = discord_events::rsvp_users(&services.pool, session)
            .await?
            .into_iter()
            .collect();
        for user in listed.iter().filter(|user| !rsvped.contains_key(*user)) {
            if services.interest(&guild_key, &event, user, true).await? {
                done.rsvped += 1;
            }
        }
        let gone = rsvped
            .iter()
            .filter(|(user, via_interest)| **via_interest && !listed.contains(*user));
        for (user, _) in gone {
            if services.interest(&guild_key, &event, user, false).await? {
                done.withdrawn += 1;
            }
        }
        done.events += 1;
    }
    Ok(done)
}

/// Every user marked Interested on the event, page by page in id order.
async fn interested(
    rest: &Rest,
    guild: GuildId,
    event: ScheduledEventId,
) -> Result<HashSet<String>, RestError> {
    let mut users = HashSet::new();
    let mut after: Option<String> = None;
    for _ in 0..PAGES_MAX {
        let mut query = vec![("limit", PAGE.to_string())];
        if let Some(after) = &after {
            query.push(("after", after.clone()));
        }
        let route = Route::GuildScheduledEventUsers {
            guild_id: guild,
            event_id: event,
        };
        let page = rest.get_with_query(route, query).await?;
        let ids: Vec<String> = page
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|e| e["user"]["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let full = ids.len() == PAGE;
        // `after` pages by user id; ids are snowflakes, so the largest is the numeric max.
        after = ids
            .iter()
            .max_by_key(|id| id.parse::<u64>().unwrap_or(0))
            .cloned();
        users.extend(ids);
        if !full {
            break;
        }
    }
    Ok(users)
}
