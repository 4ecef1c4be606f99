//! Finding what users name in commands: cohorts, members, required options.

use anyhow::Context;

use super::{Caller, Invocation, ServiceResult, messages, refuse};
use crate::domain::suggest;
use crate::store::cohorts::{self, Cohort};
use crate::store::communities::{self, Community};
use crate::store::members::{self, Member};

/// Finds a cohort of the caller's community by id, suggesting a near miss.
pub async fn find_cohort(
    conn: &mut sqlx::PgConnection,
    inv: &Invocation,
    typed: &str,
) -> ServiceResult<Cohort> {
    if let Some(cohort) = cohorts::by_slug(&mut *conn, inv.caller.community_id, typed).await? {
        return Ok(cohort);
    }
    let all = cohorts::list(&mut *conn, inv.caller.community_id).await?;
    let by_name = all
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(typed))
        .cloned();
    if let Some(cohort) = by_name {
        return Ok(cohort);
    }
    let suggestion = suggest(typed, all.iter().map(|c| c.slug.as_str()));
    refuse(messages::unknown_cohort(typed, suggestion))
}

/// Like [`find_cohort`], for an optional `cohort` option.
pub async fn optional_cohort(
    conn: &mut sqlx::PgConnection,
    inv: &Invocation,
) -> ServiceResult<Option<Cohort>> {
    match inv.args.text("cohort") {
        Some(typed) => find_cohort(conn, inv, typed).await.map(Some),
        None => Ok(None),
    }
}

/// Looks up a member of the caller's community on the caller's platform: by their platform
/// id or handle (`@Grace` is `@grace`), else by the name they are shown by, when only one
/// member is.
pub async fn find_member(
    ex: &mut sqlx::PgConnection,
    caller: &Caller,
    user_id: &str,
) -> ServiceResult<Member> {
    let platform = caller.member.platform.as_str();
    if let Some(member) = members::find(&mut *ex, caller.community_id, platform, user_id).await? {
        return Ok(member);
    }
    let found =
        members::by_handle_or_name(&mut *ex, caller.community_id, platform, user_id).await?;
    match found.as_slice() {
        [] => {}
        [one, ..] if one.platform_user_id.eq_ignore_ascii_case(user_id) => {
            return Ok(one.clone());
        }
        [one] => return Ok(one.clone()),
        several => {
            tracing::info!(count = several.len(), "a name several members are shown by");
            let named: Vec<(uuid::Uuid, &str)> = several
                .iter()
                .map(|m| (m.id, m.platform_user_id.as_str()))
                .collect();
            return refuse(messages::several_members_named(user_id, &named));
        }
    }
    let known = members::user_ids(&mut *ex, caller.community_id, platform).await?;
    let suggestion = crate::domain::suggest(user_id, known.iter().map(String::as_str));
    refuse(messages::unknown_member(user_id, suggestion))
}

/// A required option; the parser guarantees it, so absence is a bug, not a user error.
pub(crate) fn arg<'a>(inv: &'a Invocation, name: &str) -> ServiceResult<&'a str> {
    Ok(inv
        .args
        .text(name)
        .with_context(|| format!("required option `{name}` missing after parsing"))?)
}

/// The caller's community.
pub async fn caller_community(
    tx: &mut sqlx::PgConnection,
    inv: &Invocation,
) -> ServiceResult<Community> {
    Ok(communities::by_slug(&mut *tx, &inv.caller.community_slug)
        .await?
        .context("caller's community vanished")?)
}

/// People typed in one field, `"Grace Lindqvist, @ken <@123> <@U0SAM|sam>"`, as names and
/// platform ids: commas separate names, and each platform mention stands alone.
pub fn people_typed(typed: &str) -> Vec<String> {
    let mut entries = Vec::new();
    for piece in typed.split([',', ';', '\n']) {
        let piece = piece.trim();
        let mentions: Vec<&str> = piece.split_whitespace().collect();
        let all_mentions = !mentions.is_empty() && mentions.iter().all(|m| m.starts_with("<@"));
        let words: Vec<&str> = if all_mentions { mentions } else { vec![piece] };
        for word in words {
            let bare = word
                .trim_start_matches("<@")
                .trim_start_matches('!')
                .trim_end_matches('>');
            // A Slack mention carries a name after `|`.
            let bare = bare.split('|').next().unwrap_or_default();
            let bare = bare.trim().trim_start_matches('@').trim();
            if !bare.is_empty() {
                entries.push(bare.to_owned());
            }
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_typed_split_on_commas_and_between_mentions() {
        assert_eq!(
            people_typed("Grace Lindqvist, @ken\n<@123> <@!456> <@U0SAM|sam>;"),
            ["Grace Lindqvist", "ken", "123", "456", "U0SAM"]
        );
        assert!(people_typed(" , ").is_empty());
    }
}
