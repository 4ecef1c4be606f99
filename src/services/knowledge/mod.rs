//! `/kb`: the knowledge base. Entries are searched with PostgreSQL full-text search over a
//! weighted vector (title above tags above body), each has an owner who re-verifies it, and
//! every edit keeps the old text as a revision.

mod messages;
pub mod query;
pub mod questions;
pub mod stale;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::lookup::{arg, find_cohort};
use super::{
    Caller, Destination, Invocation, Outcome, ServiceResult, Services, audit_caller, refuse,
};
use crate::commands::Visibility;
use crate::commands::bind::bind;
use crate::commands::catalog::{self, CommandId, KB_BODY_MAX, KB_NAME_MAX, KB_TITLE_MAX, SHARE};
use crate::domain::tags::{TAG_MAX, TAGS_MAX, TagError};
use crate::domain::text::strip_invisible;
use crate::domain::{Role, Slug, suggest};
use crate::render::Message;
use crate::store::knowledge::{self, Change, Entry, Hit, NewEntry};
use crate::store::roles;

/// Results a search shows.
const RESULTS: i64 = 5;
/// Stale entries `/kb stale` lists.
const STALE_SHOWN: usize = 25;
/// Days of missed searches `/kb report` looks back over, and how many it lists.
const REPORT_DAYS: i64 = 30;
const REPORT_ROWS: i64 = 15;

pub async fn search(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let typed = arg(inv, "query")?;
    let community = inv.caller.community_id;
    let me = inv.caller.member.id;
    let hits = hits(tx, inv, typed).await?;
    if !hits.is_empty() {
        return Ok(Outcome::reply(
            messages::results(typed, &hits),
            Visibility::Ephemeral,
        ));
    }
    knowledge::record_miss(&mut *tx, community, &query::normalised(typed), now).await?;
    tracing::info!("knowledge-base search found nothing");
    let names = knowledge::names_like(&mut *tx, community, me, typed).await?;
    let near = did_you_mean(typed, &names);
    Ok(Outcome::reply(
        messages::nothing_found(typed, near),
        Visibility::Ephemeral,
    ))
}

/// The entries the caller may read that match `typed`, best first. Every word must match
/// at first; a question typed in full rarely has them all, so any of its words will do
/// before the search counts as a miss.
async fn hits(tx: &mut PgConnection, inv: &Invocation, typed: &str) -> ServiceResult<Vec<Hit>> {
    let community = inv.caller.community_id;
    let me = inv.caller.member.id;
    let terms = query::Terms::of(typed);
    let name = typed.trim().to_lowercase();
    let hits =
        knowledge::search(&mut *tx, community, me, &terms.strict, Some(&name), RESULTS).await?;
    match &terms.loose {
        Some(loose) if hits.is_empty() => {
            Ok(knowledge::search(&mut *tx, community, me, loose, None, RESULTS).await?)
        }
        _ => Ok(hits),
    }
}

/// The name or title closest to `typed`, as (name, title).
fn did_you_mean<'a>(typed: &str, names: &'a [(String, String)]) -> Option<(&'a str, &'a str)> {
    let candidates = names
        .iter()
        .flat_map(|(name, title)| [name.as_str(), title.as_str()]);
    let near = suggest(typed.trim(), candidates)?;
    names
        .iter()
        .find(|(name, title)| name == near || title == near)
        .map(|(name, title)| (name.as_str(), title.as_str()))
}

pub async fn show(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    // A draft or an archived entry is shown to its owner and the stewards only.
    let entry = match readable(tx, inv).await {
        Ok(entry) => entry,
        Err(not_found) => match owned(tx, inv).await {
            Ok(entry) => entry,
            Err(_) => return Err(not_found),
        },
    };
    let share = inv.args.bool(SHARE).unwrap_or(false);
    if !share {
        return Ok(Outcome::reply(
            messages::entry(&entry, now, false),
            inv.spec.visibility,
        ));
    }
    // Sharing shows the entry to the whole channel; one readable only by some may not be.
    if entry.visibility != "community" || entry.status != "published" {
        return refuse(messages::not_shareable(&entry));
    }
    knowledge::count_use(&mut *tx, entry.id).await?;
    audit_caller(tx, inv, "kb.share", json!({ "entry": entry.slug }), now).await?;
    Ok(Outcome::reply(
        messages::entry(&entry, now, true),
        inv.spec.visibility_for(true),
    ))
}

pub async fn add(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let community = inv.caller.community_id;
    let me = &inv.caller.member;
    let title = arg(inv, "title")?;
    let body = arg(inv, "body")?;
    let kind = arg(inv, "kind")?;
    let tags = tags(inv.args.text("tags"))?;
    let slug = free_id(tx, inv, title).await?;
    let visibility = inv.args.text("visibility").unwrap_or("community");
    let cohort = match inv.args.text("cohort") {
        Some(typed) => Some(find_cohort(&mut *tx, inv, typed).await?),
        None => None,
    };
    match (visibility, &cohort) {
        ("cohort", None) => return refuse(messages::cohort_needed()),
        ("community" | "mentors", Some(_)) => return refuse(messages::cohort_only_with_cohort()),
        ("mentors", None) if !mentor_or_steward(tx, me.id).await? => {
            return refuse(messages::mentors_only_visibility());
        }
        _ => {}
    }
    let every = inv.args.int("every").map_or(90, |d| d as i32);
    let inserted = knowledge::insert(
        &mut *tx,
        &NewEntry {
            community_id: community,
            slug: &slug,
            kind,
            title,
            body,
            tags: &tags,
            owner_id: Some(me.id),
            visibility,
            cohort_id: cohort.as_ref().map(|c| c.id),
            circle_id: None,
            verify_every_days: every,
            draft: false,
        },
        now,
    )
    .await;
    just_taken(inserted, &slug)?;
    audit_caller(
        tx,
        inv,
        "kb.add",
        json!({ "entry": slug, "kind": kind }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::added(&slug, title, every, inv.title_may_be_cut(title)),
        inv.spec.visibility,
    ))
}

/// `/kb decide`: a decision record (context, decision, consequences), owned by the steward
/// who records it, replacing an earlier decision if it says so, and posted to the
/// governance channel.
pub async fn decide(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let community = inv.caller.community_id;
    let me = &inv.caller.member;
    let title = arg(inv, "title")?;
    let context = arg(inv, "context")?;
    let decision = arg(inv, "decision")?;
    let consequences = arg(inv, "consequences")?;
    let body = messages::decision_body(context, decision, consequences);
    let tags = tags(inv.args.text("tags"))?;
    let supersedes = match inv.args.text("supersedes") {
        Some(typed) => {
            let earlier = knowledge::find(&mut *tx, community, me.id, typed, true).await?;
            match earlier {
                Some(earlier) if earlier.kind == "decision" => Some(earlier),
                Some(other) => return refuse(messages::supersedes_only_decisions(&other.slug)),
                None => {
                    let names = knowledge::names_like(&mut *tx, community, me.id, typed).await?;
                    return refuse(messages::unknown_entry(typed, did_you_mean(typed, &names)));
                }
            }
        }
        None => None,
    };
    let slug = free_id(tx, inv, title).await?;
    let inserted = knowledge::insert(
        &mut *tx,
        &NewEntry {
            community_id: community,
            slug: &slug,
            kind: "decision",
            title,
            body: &body,
            tags: &tags,
            owner_id: Some(me.id),
            visibility: "community",
            cohort_id: None,
            circle_id: None,
            verify_every_days: 365,
            draft: false,
        },
        now,
    )
    .await;
    let id = just_taken(inserted, &slug)?;
    if let Some(earlier) = &supersedes {
        knowledge::supersede(&mut *tx, id, earlier.id).await?;
    }
    let earlier = supersedes.as_ref().map(|e| e.slug.as_str());
    audit_caller(
        tx,
        inv,
        "kb.decide",
        json!({ "entry": slug, "supersedes": earlier }),
        now,
    )
    .await?;
    let channel = knowledge::governance_channel(&mut *tx, community).await?;
    let reply = messages::decided(&slug, title, channel.as_deref());
    let outcome = Outcome::reply(reply, inv.spec.visibility);
    Ok(match channel {
        Some(channel) => outcome.with_post(
            Destination::Channel(channel),
            messages::decision_post(
                me.id,
                &me.display_name,
                &slug,
                title,
                [context, decision, consequences],
                earlier,
            ),
        ),
        None => outcome,
    })
}

/// The id a new entry gets: `id:` as typed, or one made from the title; refused when
/// another entry has it.
async fn free_id(tx: &mut PgConnection, inv: &Invocation, title: &str) -> ServiceResult<String> {
    let community = inv.caller.community_id;
    let slug = match inv.args.text("id") {
        Some(typed) => name_of(typed)?,
        None => slug_for(&mut *tx, community, title).await?,
    };
    if let Some((holder, holder_title)) = knowledge::holder_of(&mut *tx, community, &slug).await? {
        return refuse(messages::name_taken(&slug, &holder, &holder_title));
    }
    Ok(slug)
}

/// `/kb publish`: a draft (an answer to a question, a clinic note) becomes searchable.
pub async fn publish(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let entry = owned(tx, inv).await?;
    if entry.status != "draft" {
        return refuse(messages::not_a_draft(&entry.slug, &entry.status));
    }
    knowledge::publish(&mut *tx, entry.id, now).await?;
    audit_caller(tx, inv, "kb.publish", json!({ "entry": entry.slug }), now).await?;
    Ok(Outcome::reply(
        messages::published(&entry.slug),
        inv.spec.visibility,
    ))
}

pub async fn edit(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let entry = owned(tx, inv).await?;
    let tags = match inv.args.text("tags") {
        Some(raw) => Some(tags(Some(raw))?),
        None => None,
    };
    // A form sends every field back: only what differs is a change.
    let change = Change {
        title: inv.args.text("title").filter(|t| *t != entry.title),
        body: inv.args.text("body").filter(|b| *b != entry.body),
        tags: tags.as_deref().filter(|t| *t != entry.tags.as_slice()),
        verify_every_days: inv
            .args
            .int("every")
            .map(|d| d as i32)
            .filter(|d| *d != entry.verify_every_days),
    };
    if change.title.is_none()
        && change.body.is_none()
        && change.tags.is_none()
        && change.verify_every_days.is_none()
    {
        return refuse(messages::nothing_to_change(&entry.slug));
    }
    let revision =
        knowledge::update(&mut *tx, entry.id, &change, inv.caller.member.id, now).await?;
    audit_caller(
        tx,
        inv,
        "kb.edit",
        json!({ "entry": entry.slug, "revision": revision }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::edited(&entry.slug, revision),
        inv.spec.visibility,
    ))
}

pub async fn alias(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let entry = owned(tx, inv).await?;
    let alias = name_of(arg(inv, "alias")?)?;
    let community = inv.caller.community_id;
    if let Some((holder, title)) = knowledge::holder_of(&mut *tx, community, &alias).await? {
        return refuse(messages::name_taken(&alias, &holder, &title));
    }
    let added = knowledge::add_name(&mut *tx, community, &alias, entry.id, true).await;
    just_taken(added, &alias)?;
    audit_caller(
        tx,
        inv,
        "kb.alias",
        json!({ "entry": entry.slug, "alias": alias }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::aliased(&entry.slug, &alias),
        inv.spec.visibility,
    ))
}

pub async fn archive(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let entry = owned(tx, inv).await?;
    if entry.status == "archived" {
        return refuse(messages::already_archived(&entry.slug));
    }
    knowledge::archive(&mut *tx, entry.id, now).await?;
    audit_caller(tx, inv, "kb.archive", json!({ "entry": entry.slug }), now).await?;
    Ok(Outcome::reply(
        messages::archived(&entry.slug),
        inv.spec.visibility,
    ))
}

pub async fn verify(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let entry = owned(tx, inv).await?;
    knowledge::verify(&mut *tx, entry.id, now).await?;
    audit_caller(tx, inv, "kb.verify", json!({ "entry": entry.slug }), now).await?;
    let due = now + Duration::days(i64::from(entry.verify_every_days));
    Ok(Outcome::reply(
        messages::verified(&entry.slug, due),
        inv.spec.visibility,
    ))
}

pub async fn stale(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = inv.caller.member.id;
    let steward = roles::holds_community_role(&mut *tx, me, Role::Steward).await?;
    let owner = if steward { None } else { Some(me) };
    let stale = knowledge::stale(&mut *tx, inv.caller.community_id, owner, now).await?;
    Ok(Outcome::reply(
        messages::stale(&stale, STALE_SHOWN, steward, now),
        inv.spec.visibility,
    ))
}

pub async fn report(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let since = now - Duration::days(REPORT_DAYS);
    let missed = knowledge::missed(&mut *tx, inv.caller.community_id, since, REPORT_ROWS).await?;
    Ok(Outcome::reply(
        messages::report(&missed, REPORT_DAYS),
        inv.spec.visibility,
    ))
}

/// What the edit form shows: the entry's title, text and tags as they are, once the caller
/// may edit it (so someone who may not is told before writing anything).
pub async fn edit_form_prefill(
    services: &Services,
    caller: &Caller,
    typed: &str,
) -> Result<Vec<(&'static str, String)>, Message> {
    let spec = catalog::spec(CommandId::KbEdit);
    let args = bind(spec, &[("entry", typed)]).map_err(|errors| errors[0].for_command(spec))?;
    let inv = Invocation::new(caller.clone(), spec, args);
    let found = async {
        let mut conn = services.pool.acquire().await?;
        owned(&mut conn, &inv).await
    };
    let entry = found
        .await
        .map_err(|err| err.into_message("opening the knowledge-base edit form"))?;
    Ok(vec![
        ("title", entry.title),
        ("body", entry.body),
        ("tags", entry.tags.join(", ")),
    ])
}

/// What the add form shows for a message saved from chat on any platform: its first line
/// as the title, its text and `link` (where it came from) as the body, each within its limit.
pub fn saved_message(text: &str, link: &str) -> Vec<(&'static str, String)> {
    let source = messages::saved_from(link);
    let text = strip_invisible(text.trim());
    let title: String = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .chars()
        .take(KB_TITLE_MAX)
        .collect();
    let room = KB_BODY_MAX.saturating_sub(source.chars().count());
    let mut body: String = text.chars().take(room).collect();
    body.push_str(&source);
    vec![("title", title), ("body", body.trim().to_owned())]
}

/// The entry the `entry` option names, if the caller may read it; a miss suggests the
/// closest name they may read.
async fn readable(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<Entry> {
    entry_named(tx, inv, false).await
}

/// The entry the `entry` option names, if the caller may change it: its owner, or a
/// steward. Archived entries are found too, so their owner can still reach them.
async fn owned(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<Entry> {
    let entry = entry_named(tx, inv, true).await?;
    let me = inv.caller.member.id;
    if entry.owner_id != Some(me)
        && !roles::holds_community_role(&mut *tx, me, Role::Steward).await?
    {
        return refuse(messages::not_owner(&entry, inv.spec.path));
    }
    Ok(entry)
}

async fn entry_named(
    tx: &mut PgConnection,
    inv: &Invocation,
    include_hidden: bool,
) -> ServiceResult<Entry> {
    let typed = arg(inv, "entry")?;
    let community = inv.caller.community_id;
    let me = inv.caller.member.id;
    if let Some(entry) = knowledge::find(&mut *tx, community, me, typed, false).await? {
        return Ok(entry);
    }
    // Hidden entries (archived, or not for this reader) are only reached to be changed,
    // and `owned` then refuses anyone but the owner and the stewards.
    if include_hidden
        && let Some(entry) = knowledge::find(&mut *tx, community, me, typed, true).await?
    {
        return Ok(entry);
    }
    let names = knowledge::names_like(&mut *tx, community, me, typed).await?;
    refuse(messages::unknown_entry(typed, did_you_mean(typed, &names)))
}

async fn mentor_or_steward(tx: &mut PgConnection, member: uuid::Uuid) -> ServiceResult<bool> {
    for role in [Role::Steward, Role::LeadMentor, Role::CommunityMentor] {
        if roles::holds_anywhere(&mut *tx, member, role).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A name checked free a moment ago can be taken by a concurrent command before this one
/// commits; its key then refuses it, and the member is told as if it had been taken before.
pub(crate) fn just_taken<T>(result: sqlx::Result<T>, name: &str) -> ServiceResult<T> {
    match result {
        Err(err) if crate::store::is_unique_violation(&err) => {
            tracing::info!("knowledge-base name taken concurrently");
            refuse(messages::name_just_taken(name))
        }
        other => Ok(other?),
    }
}

/// A typed id or alias: the shape of every other id.
fn name_of(typed: &str) -> ServiceResult<String> {
    let lowered = typed.trim().to_lowercase();
    match Slug::parse(&lowered) {
        Ok(slug) => Ok(slug.as_str().to_owned()),
        Err(_) => refuse(messages::bad_name(typed, KB_NAME_MAX)),
    }
}

/// An id made from the title ("How do I get a sandbox?" → `how-do-i-get-a-sandbox`), with
/// `-2`, `-3`… when taken; `entry-1`, `entry-2`… when the title has no Latin letters or
/// digits.
pub(crate) async fn slug_for(
    tx: &mut PgConnection,
    community: uuid::Uuid,
    title: &str,
) -> ServiceResult<String> {
    let base = query::slug_from(title, KB_NAME_MAX - 4);
    let (base, first) = if base.len() < 2 {
        ("entry".to_owned(), 1)
    } else {
        (base, 0)
    };
    for n in first..1_000 {
        let candidate = match n {
            0 => base.clone(),
            // The second entry of a title is `-2`: the first one is the plain id.
            1 if first == 0 => continue,
            n => format!("{base}-{n}"),
        };
        if knowledge::holder_of(&mut *tx, community, &candidate)
            .await?
            .is_none()
        {
            return Ok(candidate);
        }
    }
    refuse(messages::give_an_id())
}

/// `tags:"licences, Power Apps"` → `["licences", "power apps"]`.
fn tags(raw: Option<&str>) -> ServiceResult<Vec<String>> {
    crate::domain::tags::tags(raw.unwrap_or_default().split(',')).or_else(|err| match err {
        TagError::TooLong { tag } => refuse(messages::tag_too_long(&tag, TAG_MAX)),
        TagError::TooMany { count } => refuse(messages::too_many_tags(count, TAGS_MAX)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_tags_are_refused_with_the_limit() {
        assert_eq!(tags(Some(" A, b,,a ")).unwrap(), vec!["a", "b"]);
        assert!(tags(Some(&"x".repeat(31))).is_err());
        assert!(tags(None).unwrap().is_empty());
    }

    #[test]
    fn a_saved_message_fills_the_title_and_keeps_its_source_within_the_limit() {
        let source = "https://example.org/m/1";
        let filled = saved_message("\n  Reset a flow's owner  \nOpen the admin centre.", source);
        assert_eq!(filled[0], ("title", "Reset a flow's owner".to_owned()));
        assert_eq!(
            filled[1].1,
            "Reset a flow's owner  \nOpen the admin centre.\n\nFrom the chat: https://example.org/m/1"
        );
        let long = saved_message(&"字".repeat(5_000), source);
        assert_eq!(long[0].1.chars().count(), KB_TITLE_MAX);
        assert_eq!(long[1].1.chars().count(), KB_BODY_MAX);
        assert!(long[1].1.ends_with("https://example.org/m/1"));
    }

    #[test]
    fn did_you_mean_finds_names_and_titles() {
        let names = vec![
            ("vpn-access".to_owned(), "Getting VPN access".to_owned()),
            ("sandbox".to_owned(), "Requesting a sandbox".to_owned()),
        ];
        assert_eq!(
            did_you_mean("sandbx", &names),
            Some(("sandbox", "Requesting a sandbox"))
        );
        assert_eq!(
            did_you_mean("getting vpn acess", &names),
            Some(("vpn-access", "Getting VPN access"))
        );
        assert_eq!(did_you_mean("payroll", &names), None);
    }
}
