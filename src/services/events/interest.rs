//! "Interested" on a session's Discord event, taken as an RSVP for cohorts that say so
//! (`interested_is_rsvp`). Marking it RSVPs with the usual rules and a DM saying so;
//! taking it back withdraws only an RSVP that came from it.

use serde_json::json;
use uuid::Uuid;

use super::{messages, open_for_rsvp, when};
use crate::services::identity::{Contact, Naming, Place};
use crate::services::{Destination, ServiceError, ServiceResult, Services, enqueue};
use crate::store::sessions::RsvpVia;
use crate::store::{audit, discord_events, members, sessions};

impl Services {
    /// `user_id` marked (`added`) or unmarked "Interested" on event `event_id` of `guild`.
    /// Events the bot did not make, and cohorts that do not take interest as an RSVP, are
    /// left alone. True when an RSVP was made or withdrawn.
    pub async fn interest(
        &self,
        guild: &str,
        event_id: &str,
        user_id: &str,
        added: bool,
    ) -> ServiceResult<bool> {
        let now = self.clock.now();
        let Some((session_id, number, as_rsvp)) =
            discord_events::session_of_event(&self.pool, guild, event_id).await?
        else {
            tracing::debug!(
                event = event_id,
                "interest in an event the bot did not make"
            );
            return Ok(false);
        };
        if !as_rsvp {
            tracing::debug!(session = %session_id, "interest noted; this cohort does not take it as an RSVP");
            return Ok(false);
        }
        let contact = Contact {
            place: Place::DiscordGuild(guild),
            user_id,
            naming: Naming::ForNewMember(None),
        };
        let caller = self.resolve_caller(contact).await?.caller;
        let (community, me) = (caller.community_id, &caller.member);
        let mut tx = self.pool.begin().await?;
        let Some(session) = sessions::by_number_locked(&mut *tx, community, number).await? else {
            return Ok(false);
        };
        let home = super::home_of(&mut tx, &session).await?;
        let zone = when::zone_or(me.timezone.as_deref(), when::cohort_zone(&home.timezone));
        let mut picked_by = None;
        let (changed, note, action) = if added {
            if let Err(ServiceError::User(why)) = open_for_rsvp(&session, now, zone) {
                tracing::info!(session = %session_id, reason = %crate::render::plain::render(&why),
                    "interest after sign-ups closed: no RSVP");
                return Ok(false);
            }
            let added = sessions::rsvp(
                &mut *tx,
                community,
                session.id,
                me.id,
                RsvpVia::Interest,
                now,
            )
            .await?;
            (
                added,
                messages::interest_rsvped(&session, zone),
                "session.rsvp",
            )
        } else {
            let removed = sessions::unrsvp(&mut *tx, session.id, me.id, RsvpVia::Interest).await?;
            picked_by = removed.flatten();
            (
                removed.is_some(),
                messages::interest_withdrawn(&session),
                "session.unrsvp",
            )
        };
        if !changed {
            return Ok(false);
        }
        let detail = json!({ "session": session.number, "via": "discord_interested" });
        audit::record(&mut *tx, community, Some(me.id), action, detail, now).await?;
        let to = Destination::Direct {
            member_id: me.id,
            display_name: me.display_name.clone(),
        };
        let key = format!("interest:{}:{}:{}", session.id, me.id, Uuid::new_v4());
        enqueue(&mut tx, community, &key, &to, &note, now).await?;
        // As with `/event unrsvp`: the host who picked them hears a place is free.
        if let Some(host) = picked_by.filter(|host| *host != me.id)
            && let Some(host) = members::by_id(&mut *tx, host).await?
        {
            let to = Destination::Direct {
                member_id: host.id,
                display_name: host.display_name.clone(),
            };
            let note = messages::picked_dropped_out(&session, &me.display_name);
            enqueue(&mut tx, community, &format!("{key}:host"), &to, &note, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
