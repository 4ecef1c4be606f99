//! A member's own profile: show it, set the time zone and skills.

mod messages;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;
use unicode_normalization::UnicodeNormalization;

use super::lookup::arg;
use super::{Invocation, Outcome, ServiceResult, refuse};
use crate::domain::{CocStanding, parse_timezone};
use crate::store::{enrollments, members, roles};

const SKILLS_MAX: usize = 20;
const SKILL_LEN_MAX: usize = 40;

pub async fn show(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let member = &inv.caller.member;
    let held = roles::held_by(&mut *tx, member.id).await?;
    let active = enrollments::active_for_member(&mut *tx, member.id).await?;
    let pairings = crate::store::pairings::learner_record(&mut *tx, member.id).await?;
    let earned = crate::store::earned_roles::held_by(&mut *tx, member.id).await?;
    let community = super::lookup::caller_community(tx, inv).await?;
    let coc = CocStanding::of(
        member.coc_accepted_at,
        member.coc_version,
        community.coc_version,
    );
    Ok(Outcome::reply(
        messages::profile(member, coc, &held, &active, pairings, &earned),
        inv.spec.visibility,
    ))
}

pub async fn set_timezone(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let Some(tz) = inv.args.timezone("zone") else {
        let current = inv
            .caller
            .member
            .timezone
            .as_deref()
            .and_then(|z| parse_timezone(z).ok());
        return Ok(Outcome::reply(
            messages::timezone_shown(current, now),
            inv.spec.visibility,
        ));
    };
    members::set_timezone(&mut *tx, inv.caller.member.id, tz.name()).await?;
    let detail = json!({ "timezone": tz.name() });
    crate::services::audit_caller(&mut *tx, inv, "member.timezone", detail, now).await?;
    Ok(Outcome::reply(
        messages::timezone_set(tz, now),
        inv.spec.visibility,
    ))
}

pub async fn set_name(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let name = arg(inv, "name")?.trim();
    // A name is how people tell who speaks in posts and DMs: one that reads like a mention
    // or a channel, or another member's, would let anyone pass as a steward or a mentor.
    // By compatibility form, so a fullwidth `＠everyone` is caught as `@everyone` is.
    if name.nfkc().next().is_some_and(|c| matches!(c, '@' | '#')) {
        return refuse(messages::name_like_a_mention(name));
    }
    let (community, me) = (inv.caller.community_id, inv.caller.member.id);
    if let Some(taken) = members::shown_as_by_another(&mut *tx, community, me, name).await? {
        tracing::info!(member = %me, "a display name already shown for another member was refused");
        return refuse(messages::name_taken(&taken));
    }
    members::set_display_name(&mut *tx, me, name).await?;
    // The audit log keeps that it changed, not the words (data_policy.toml: no user text).
    let detail = json!({});
    crate::services::audit_caller(&mut *tx, inv, "member.name", detail, now).await?;
    Ok(Outcome::reply(
        messages::name_set(name),
        inv.spec.visibility,
    ))
}

pub async fn set_skills(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let skills = parse_skills(arg(inv, "skills")?)?;
    members::set_skills(&mut *tx, inv.caller.member.id, &skills).await?;
    let detail = json!({ "skills": skills.len() });
    crate::services::audit_caller(&mut *tx, inv, "member.skills", detail, now).await?;
    Ok(Outcome::reply(
        messages::skills_set(&skills),
        inv.spec.visibility,
    ))
}

/// Comma-separated, trimmed, lower-cased and de-duplicated, keeping the typed order.
pub(crate) fn parse_skills(text: &str) -> ServiceResult<Vec<String>> {
    let mut skills: Vec<String> = Vec::new();
    for skill in text
        .split(',')
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
    {
        if skill.chars().count() > SKILL_LEN_MAX {
            return refuse(messages::skill_too_long(&skill, SKILL_LEN_MAX));
        }
        if !skills.contains(&skill) {
            skills.push(skill);
        }
    }
    match skills.len() {
        0 => refuse(messages::no_skills()),
        n if n > SKILLS_MAX => refuse(messages::too_many_skills(n, SKILLS_MAX)),
        _ => Ok(skills),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_are_normalised() {
        assert_eq!(
            parse_skills(" Power Automate, sql,, SQL ").unwrap(),
            ["power automate", "sql"]
        );
        assert!(parse_skills(" , ").is_err());
        let many: Vec<String> = (0..21).map(|i| format!("skill{i}")).collect();
        assert!(parse_skills(&many.join(",")).is_err());
        assert!(parse_skills(&"x".repeat(41)).is_err());
    }
}
