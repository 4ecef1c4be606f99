//! Writes a session's Discord scheduled event (`services::events::mirror` decides what it
//! says): create, patch the times and text, or cancel, recording the event's id.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use serenity::http::{LightMethod, Route};
use serenity::model::id::{GuildId, ScheduledEventId};
use sqlx::PgPool;
use uuid::Uuid;

use super::rest::{Rest, RestError};
use crate::clock::Clock;
use crate::outbox::{Delivered, SendError};
use crate::render::discord;
use crate::services::events::mirror::{
    AUDIT_REASON, DESCRIPTION_MAX, Event, GUILD_MAX, HORIZON_DAYS, marker,
};
use crate::store::discord_events::{self, Mirrored};
use crate::store::sessions;

/// Discord's JSON error code for an event that no longer exists (deleted by hand).
const UNKNOWN_EVENT: i64 = 10070;
/// Discord's status for a cancelled event.
const CANCELED: i64 = 4;
/// External events are "guild only", the one privacy level Discord accepts.
const GUILD_ONLY: i64 = 2;
const EXTERNAL: i64 = 3;

pub struct EventWriter<'a> {
    pub rest: &'a Arc<Rest>,
    pub pool: &'a PgPool,
    pub clock: &'a Arc<dyn Clock>,
}

fn db(err: impl std::fmt::Display) -> SendError {
    SendError::Transient {
        reason: format!("reading or recording a Discord event: {err}"),
        retry_after: None,
    }
}

impl EventWriter<'_> {
    /// Makes the session's event match the session.
    pub async fn sync(&self, session_id: Uuid) -> Result<Delivered, SendError> {
        let now = self.clock.now();
        let Some(session) = discord_events::target(self.pool, session_id)
            .await
            .map_err(db)?
        else {
            return Ok(Delivered::nothing_to_do());
        };
        // A cohort that stopped mirroring keeps the events it has; nothing new is written.
        let (Some(guild), true) = (session.guild_id.clone(), session.opted_in) else {
            return Ok(Delivered::nothing_to_do());
        };
        let guild = guild
            .parse::<u64>()
            .ok()
            .filter(|g| *g > 0)
            .map(GuildId::new)
            .ok_or_else(|| SendError::Permanent(format!("`{guild}` is not a Discord guild id")))?;
        let talks = sessions::talks(self.pool, session_id).await.map_err(db)?;
        let event = fitted(&session, &talks);
        let fields = fields(&event);
        let hash = hash(&fields, event.cancelled);
        match session.event_id.clone() {
            Some(event_id) => {
                self.update(&session, guild, &event_id, &event, &hash, now)
                    .await
            }
            None => self.create(&session, guild, &event, &hash, now).await,
        }
    }

    async fn create(
        &self,
        session: &Mirrored,
        guild: GuildId,
        event: &Event,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Delivered, SendError> {
        if event.cancelled || event.ends_at <= now {
            return Ok(Delivered::nothing_to_do());
        }
        if event.starts_at > now + Duration::days(HORIZON_DAYS) {
            tracing::debug!(session = %session.session_id, "beyond the Discord events' horizon");
            return Ok(Delivered::nothing_to_do());
        }
        let guild_key = guild.get().to_string();
        if !session.mapped {
            let live = discord_events::live_count(self.pool, &guild_key, now)
                .await
                .map_err(db)?;
            if live >= GUILD_MAX && !self.make_room(guild, event.starts_at, now).await? {
                tracing::warn!(session = %session.session_id, live,
                    "the guild holds its share of the bot's events; this session is not mirrored");
                return Ok(Delivered::nothing_to_do());
            }
            if !discord_events::claim(self.pool, session.session_id, &guild_key, now)
                .await
                .map_err(db)?
            {
                return Ok(Delivered::nothing_to_do());
            }
        } else if let Some(found) = self.find_by_marker(guild, session.session_id).await? {
            // An earlier attempt created it and stopped before recording it.
            tracing::info!(session = %session.session_id, "found the session's event by its marker");
            discord_events::record(self.pool, session.session_id, &found, "", now)
                .await
                .map_err(db)?;
            return self.update(session, guild, &found, event, hash, now).await;
        }
        let mut body = fields(event);
        body["privacy_level"] = json!(GUILD_ONLY);
        body["entity_type"] = json!(EXTERNAL);
        let created = self
            .rest
            .call_with_reason(
                Route::GuildScheduledEvents { guild_id: guild },
                LightMethod::Post,
                Some(&body),
                Some(AUDIT_REASON),
            )
            .await
            .map_err(super::sender::send_error)?;
        let id = created["id"].as_str().unwrap_or_default().to_owned();
        discord_events::record(self.pool, session.session_id, &id, hash, now)
            .await
            .map_err(db)?;
        tracing::info!(session = %session.session_id, event = %id, "Discord event created");
        Ok(Delivered {
            platform_message_id: id,
        })
    }

    /// A full guild keeps its soonest sessions: the event of the session that starts last
    /// is deleted to make room for one that starts before it (after a move). That session
    /// is mirrored again when room frees. False when nothing starts later.
    async fn make_room(
        &self,
        guild: GuildId,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, SendError> {
        let guild_key = guild.get().to_string();
        let Some((latest, event_id, latest_start)) =
            discord_events::latest_live(self.pool, &guild_key, now)
                .await
                .map_err(db)?
        else {
            return Ok(false);
        };
        if latest_start <= starts_at {
            return Ok(false);
        }
        if let Some(event_id) = event_id {
            let route = Route::GuildScheduledEvent {
                guild_id: guild,
                event_id: self::event_id(&event_id)?,
            };
            let deleted = self
                .rest
                .call_with_reason(route, LightMethod::Delete, None, Some(AUDIT_REASON))
                .await;
            match deleted {
                Ok(_)
                | Err(RestError::Rejected {
                    code: Some(UNKNOWN_EVENT),
                    ..
                }) => {}
                Err(err) => return Err(super::sender::send_error(err)),
            }
        }
        discord_events::forget(self.pool, latest)
            .await
            .map_err(db)?;
        tracing::info!(session = %latest, "the guild is full: the latest session's event makes room for a sooner one");
        Ok(true)
    }

    async fn update(
        &self,
        session: &Mirrored,
        guild: GuildId,
        event_id: &str,
        event: &Event,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Delivered, SendError> {
        if session.synced_hash.as_deref() == Some(hash) {
            return Ok(Delivered::nothing_to_do());
        }
        let id = self::event_id(event_id)?;
        // A cancel keeps the event (its page says it was cancelled); a move patches it.
        let body = if event.cancelled {
            json!({ "status": CANCELED })
        } else {
            fields(event)
        };
        let route = Route::GuildScheduledEvent {
            guild_id: guild,
            event_id: id,
        };
        let patched = self
            .rest
            .call_with_reason(route, LightMethod::Patch, Some(&body), Some(AUDIT_REASON))
            .await;
        match patched {
            Ok(_) => {}
            Err(RestError::Rejected {
                code: Some(UNKNOWN_EVENT),
                ..
            }) => {
                // Deleted by hand: made again while the session is still on.
                tracing::warn!(session = %session.session_id, event = event_id,
                    "the Discord event was deleted; making it again if the session is still on");
                discord_events::forget(self.pool, session.session_id)
                    .await
                    .map_err(db)?;
                let fresh = Mirrored {
                    mapped: false,
                    event_id: None,
                    synced_hash: None,
                    ..session.clone()
                };
                return Box::pin(self.create(&fresh, guild, event, hash, now)).await;
            }
            Err(err) => return Err(super::sender::send_error(err)),
        }
        discord_events::record(self.pool, session.session_id, event_id, hash, now)
            .await
            .map_err(db)?;
        Ok(Delivered {
            platform_message_id: event_id.to_owned(),
        })
    }

    /// Compares the guild's events with the sessions they mirror: an event someone edited
    /// is put back, one deleted by hand is made again while its session is on, an event
    /// found by its marker but not recorded is adopted, and the bot's events whose session
    /// is gone are deleted. Events without the bot's marker are never touched.
    pub async fn reconcile(&self, guild: &str) -> Result<Delivered, SendError> {
        let now = self.clock.now();
        let Some(guild_id) = guild
            .parse::<u64>()
            .ok()
            .filter(|g| *g > 0)
            .map(GuildId::new)
        else {
            return Err(SendError::Permanent(format!(
                "`{guild}` is not a Discord guild id"
            )));
        };
        let listed = self.list(guild_id).await?;
        let mut on_discord: HashMap<String, Value> = HashMap::new();
        for event in listed {
            let Some(id) = event["id"].as_str().map(str::to_owned) else {
                continue;
            };
            let Some(session) = event["description"].as_str().and_then(session_marked) else {
                continue;
            };
            if !discord_events::session_exists(self.pool, session)
                .await
                .map_err(db)?
            {
                tracing::warn!(event = %id, "deleting the Discord event of a session that is gone");
                let route = Route::GuildScheduledEvent {
                    guild_id,
                    event_id: event_id(&id)?,
                };
                self.rest
                    .call_with_reason(route, LightMethod::Delete, None, Some(AUDIT_REASON))
                    .await
                    .map_err(super::sender::send_error)?;
                continue;
            }
            if discord_events::claim(self.pool, session, guild, now)
                .await
                .map_err(db)?
            {
                tracing::info!(event = %id, "adopting a Discord event found by its marker");
                discord_events::record(self.pool, session, &id, "", now)
                    .await
                    .map_err(db)?;
            }
            on_discord.insert(id, event);
        }
        for (session, event_id) in discord_events::mapped_in(self.pool, guild)
            .await
            .map_err(db)?
        {
            let Some(event_id) = event_id else {
                continue;
            };
            let listed = on_discord.get(&event_id);
            // Discord lists events to come and running ones; a finished session's event is
            // gone for good, and its mapping with it.
            let Some(target) = discord_events::target(self.pool, session)
                .await
                .map_err(db)?
            else {
                continue;
            };
            let ended =
                target.starts_at + Duration::minutes(i64::from(target.duration_minutes)) <= now;
            match listed {
                None if ended || target.status == "cancelled" => {
                    discord_events::forget(self.pool, session)
                        .await
                        .map_err(db)?;
                }
                None => {
                    tracing::warn!(session = %session, event = %event_id,
                        "the Discord event is gone; making it again");
                    discord_events::forget(self.pool, session)
                        .await
                        .map_err(db)?;
                    self.sync(session).await?;
                }
                Some(event) => {
                    let talks = sessions::talks(self.pool, session).await.map_err(db)?;
                    let desired = fitted(&target, &talks);
                    if !matches(event, &desired) {
                        tracing::info!(session = %session, event = %event_id,
                            "the Discord event was edited; putting it back");
                        // Forget what was sent, so the sync sends it again.
                        discord_events::record(self.pool, session, &event_id, "", now)
                            .await
                            .map_err(db)?;
                        self.sync(session).await?;
                    }
                }
            }
        }
        Ok(Delivered::nothing_to_do())
    }

    async fn list(&self, guild: GuildId) -> Result<Vec<Value>, SendError> {
        let listed = self
            .rest
            .call(
                Route::GuildScheduledEvents { guild_id: guild },
                LightMethod::Get,
                None,
            )
            .await
            .map_err(super::sender::send_error)?;
        Ok(listed.as_array().cloned().unwrap_or_default())
    }

    /// The id of the guild's event that carries `session_id`'s marker, if any.
    async fn find_by_marker(
        &self,
        guild: GuildId,
        session_id: Uuid,
    ) -> Result<Option<String>, SendError> {
        let listed = self.list(guild).await?;
        Ok(listed
            .iter()
            .find(|e| e["description"].as_str().and_then(session_marked) == Some(session_id))
            .and_then(|e| e["id"].as_str().map(str::to_owned)))
    }
}

/// The session a description's marker names, if it has the bot's marker.
fn session_marked(description: &str) -> Option<Uuid> {
    let prefix = marker(Uuid::nil());
    let prefix = prefix.trim_end_matches(&Uuid::nil().to_string());
    let at = description.rfind(prefix)?;
    let rest = &description[at + prefix.len()..];
    Uuid::parse_str(rest.get(..36)?).ok()
}

fn event_id(id: &str) -> Result<ScheduledEventId, SendError> {
    id.parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .map(ScheduledEventId::new)
        .ok_or_else(|| SendError::Permanent(format!("`{id}` is not a Discord event id")))
}

/// Whether Discord's event says what the session's event should.
fn matches(listed: &Value, desired: &Event) -> bool {
    let wanted = fields(desired);
    let status = listed["status"].as_i64();
    let cancelled = status == Some(CANCELED);
    let same_time = |key: &str| {
        let parse = |v: &Value| {
            v.as_str()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        parse(&listed[key]) == parse(&wanted[key])
    };
    cancelled == desired.cancelled
        && (desired.cancelled
            || (listed["name"] == wanted["name"]
                && listed["description"] == wanted["description"]
                && listed["entity_metadata"]["location"] == wanted["entity_metadata"]["location"]
                && same_time("scheduled_start_time")
                && same_time("scheduled_end_time")))
}

/// The event with as much of its lineup as Discord's 1,000 characters hold.
fn fitted(session: &Mirrored, talks: &[sessions::Talk]) -> Event {
    let mut shown = talks.len();
    loop {
        let event = Event::of(session, talks, shown);
        if description(&event).chars().count() <= DESCRIPTION_MAX || shown == 0 {
            return event;
        }
        shown -= 1;
    }
}

/// The description as Discord shows it: markdown, with typed text escaped and no pings.
fn description(event: &Event) -> String {
    discord::render(&event.description, &HashMap::new(), &|_| String::new())
        .into_iter()
        .map(|m| m.content)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The fields a create and a move both send.
fn fields(event: &Event) -> Value {
    let description = crate::services::events::mirror::cut(&description(event), DESCRIPTION_MAX);
    json!({
        "name": event.name,
        "description": description,
        "scheduled_start_time": event.starts_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "scheduled_end_time": event.ends_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "entity_metadata": { "location": event.location },
    })
}

fn hash(fields: &Value, cancelled: bool) -> String {
    crate::outbox::fingerprint(&format!("{fields}|{cancelled}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sessions::{Talk, TalkStatus};

    fn session(title: &str, location: Option<String>) -> Mirrored {
        Mirrored {
            session_id: Uuid::nil(),
            number: 7,
            kind: "lightning_talks".into(),
            title: title.into(),
            starts_at: Utc::now(),
            duration_minutes: 60,
            location,
            status: "scheduled".into(),
            cohort_name: "Spring Makers 2027".into(),
            channel: Some("spring-makers".into()),
            opted_in: true,
            guild_id: Some("1".into()),
            mapped: false,
            event_id: None,
            synced_hash: None,
        }
    }

    fn talk(i: usize) -> Talk {
        Talk {
            id: Uuid::new_v4(),
            session_id: Uuid::nil(),
            speaker_id: Uuid::new_v4(),
            speaker_name: format!("Speaker {i} 🎤"),
            speaker_timezone: None,
            title: format!("{i}: {}", "多言語のフローを*自動化*する方法 ".repeat(4)),
            r#abstract: None,
            status: TalkStatus::Active,
        }
    }

    #[test]
    fn long_text_is_cut_to_discords_limits_and_keeps_its_marker() {
        let talks: Vec<Talk> = (1..=30).map(talk).collect();
        let mirrored = session(&"T".repeat(100), Some("🏢".repeat(150)));
        let event = fitted(&mirrored, &talks);
        let body = fields(&event);
        let name = body["name"].as_str().unwrap();
        let description = body["description"].as_str().unwrap();
        let location = body["entity_metadata"]["location"].as_str().unwrap();
        assert!(name.chars().count() <= 100, "{name}");
        assert!(name.ends_with('…'));
        assert!(description.chars().count() <= DESCRIPTION_MAX);
        assert!(description.ends_with(&marker(Uuid::nil())), "{description}");
        assert!(description.contains("more talks."), "{description}");
        assert!(location.chars().count() <= 100);
        // Typed markup is escaped, not drawn.
        assert!(description.contains("\\*自動化\\*"), "{description}");
    }
}
