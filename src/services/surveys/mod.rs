//! Surveys: `/feedback` on a session, `/survey send` (an NPS or a pulse question to a
//! cohort), `/survey answer` and `/survey results`; the DM after each session is in
//! [`after_sessions`].
//!
//! Answers are anonymous. Each is keyed by an HMAC of the survey and the member under the
//! community's survey secret: the same person answering twice collides, and the row holds
//! no member id, time or audit entry to link it back. Results hide groups smaller than the
//! program's `min_group` (see [`results`]).

pub mod after_sessions;
pub mod messages;
pub mod results;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Invocation, Outcome, ServiceResult, audit_caller, lookup, refuse};
use crate::domain::Role;
use crate::store::surveys::{self, NewSurvey, Survey, SurveyKind};
use crate::store::{metrics, roles, sessions::Session};
use results::SurveyResult;

/// How long a survey takes answers: two weeks, time for a holiday and a reminder of it.
pub const ANSWER_DAYS: i64 = 14;
/// How many surveys `/survey results` lists when no number is given.
const LISTED: i64 = 10;
/// How far back `/survey results` lists.
const LISTED_WEEKS: i64 = 26;

/// The community's survey secret and its smallest shown group; the first call makes the
/// secret. Locks the community's survey settings until the transaction ends.
async fn settings(tx: &mut PgConnection, community_id: Uuid) -> ServiceResult<(Vec<u8>, i64)> {
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh)
        .map_err(|err| anyhow::anyhow!("{err}"))
        .context("drawing the survey secret from the OS random generator")?;
    let (secret, min_group) = surveys::settings(&mut *tx, community_id, &fresh).await?;
    Ok((secret, i64::from(min_group)))
}

/// The key an answer is stored under: HMAC-SHA256(secret, survey id ‖ member id).
fn respondent(secret: &[u8], survey_id: Uuid, member_id: Uuid) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(survey_id.as_bytes());
    mac.update(member_id.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// A session's survey, made when first needed (by its DM or by a `/feedback` before it).
pub(super) async fn session_survey(
    tx: &mut PgConnection,
    session: &Session,
    now: DateTime<Utc>,
) -> sqlx::Result<Survey> {
    if let Some(survey) = surveys::of_session(&mut *tx, session.id).await? {
        return Ok(survey);
    }
    let new = NewSurvey {
        community_id: session.community_id,
        kind: SurveyKind::Session,
        cohort_id: session.cohort_id,
        session_id: Some(session.id),
        question: None,
        created_by: None,
        created_at: now,
        closes_at: session.ends_at() + Duration::days(ANSWER_DAYS),
    };
    surveys::insert(&mut *tx, &new).await
}

/// `/feedback <session> <1–5> [comment]`.
pub async fn feedback(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let session = super::events::session_arg(tx, inv).await?;
    if session.is_cancelled() {
        return refuse(messages::session_cancelled(session.number));
    }
    if session.starts_at > now {
        return refuse(messages::session_not_started(session.number));
    }
    let me = inv.caller.member.id;
    if !surveys::took_part(&mut *tx, session.id, me).await? {
        return refuse(messages::not_at_session(session.number));
    }
    // The settings lock comes before the survey is made, so two first answers at once make
    // one survey.
    let (secret, _) = settings(tx, inv.caller.community_id).await?;
    let survey = session_survey(tx, &session, now).await?;
    let rating = inv.args.int("rating").context("rating is required")?;
    record(tx, now, inv, &secret, &survey, rating).await
}

/// `/survey answer <survey> <score> [comment]`.
pub async fn answer(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let (secret, _) = settings(tx, inv.caller.community_id).await?;
    let survey = survey_arg(tx, inv).await?;
    let me = inv.caller.member.id;
    let asked = match (survey.session_id, survey.cohort_id) {
        (Some(session), _) => surveys::took_part(&mut *tx, session, me).await?,
        (None, Some(cohort)) => surveys::in_cohort(&mut *tx, cohort, me).await?,
        (None, None) => false,
    };
    if !asked {
        return refuse(messages::not_asked(survey.number));
    }
    let score = inv.args.int("score").context("score is required")?;
    let (min, max) = survey.kind.scale();
    if !(min..=max).contains(&score) {
        return refuse(messages::score_out_of_scale(survey.number, min, max));
    }
    record(tx, now, inv, &secret, &survey, score).await
}

/// Stores one answer under its anonymous key. No audit row and no log field names the
/// survey: together with the member in the command's log line they would link the two.
async fn record(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    secret: &[u8],
    survey: &Survey,
    score: i64,
) -> ServiceResult {
    if now > survey.closes_at {
        return refuse(messages::closed(survey));
    }
    let comment = inv
        .args
        .text("comment")
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let me = inv.caller.member.id;
    let key = respondent(secret, survey.id, me);
    let score = i16::try_from(score).context("a score fits a smallint")?;
    if !surveys::answer(&mut *tx, survey.id, &key, score, comment, me).await? {
        return refuse(messages::already_answered(survey));
    }
    Ok(Outcome::reply(
        messages::thanks(survey, comment.is_some()),
        inv.spec.visibility,
    ))
}

async fn survey_arg(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<Survey> {
    let number = inv.args.int("survey").context("survey is required")?;
    find(tx, inv, number).await
}

async fn find(tx: &mut PgConnection, inv: &Invocation, number: i64) -> ServiceResult<Survey> {
    let number = i32::try_from(number).unwrap_or(i32::MAX);
    match surveys::by_number(&mut *tx, inv.caller.community_id, number).await? {
        Some(survey) => Ok(survey),
        None => refuse(messages::unknown_survey(number)),
    }
}

/// `/survey send <cohort> nps|pulse [question]` (stewards): a DM with score buttons to
/// each of the cohort's learners.
pub async fn send(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let typed = inv.args.text("cohort").context("cohort is required")?;
    let cohort = lookup::find_cohort(tx, inv, typed).await?;
    if cohort.archived {
        return refuse(messages::cohort_archived(&cohort.name));
    }
    let question = inv
        .args
        .text("question")
        .map(str::trim)
        .filter(|q| !q.is_empty());
    let kind = match (inv.args.text("kind"), question) {
        (Some("nps"), None) => SurveyKind::Nps,
        (Some("nps"), Some(_)) => return refuse(messages::nps_has_its_question(&cohort.slug)),
        (_, Some(_)) => SurveyKind::Pulse,
        (_, None) => return refuse(messages::pulse_needs_a_question(&cohort.slug)),
    };
    let asked = surveys::cohort_respondents(&mut *tx, cohort.id).await?;
    if asked.is_empty() {
        return refuse(messages::nobody_to_ask(&cohort.name));
    }
    let (_, min_group) = settings(tx, inv.caller.community_id).await?;
    let new = NewSurvey {
        community_id: inv.caller.community_id,
        kind,
        cohort_id: Some(cohort.id),
        session_id: None,
        question,
        created_by: Some(inv.caller.member.id),
        created_at: now,
        closes_at: now + Duration::days(ANSWER_DAYS),
    };
    let survey = surveys::insert(&mut *tx, &new).await?;
    audit_caller(
        tx,
        inv,
        "survey.send",
        json!({ "survey": survey.number, "kind": kind.as_str(), "cohort": cohort.slug, "asked": asked.len() }),
        now,
    )
    .await?;
    let body = messages::ask(&survey, &cohort.name);
    let mut outcome = Outcome::reply(
        messages::sent(&survey, &cohort.name, asked.len(), min_group),
        inv.spec.visibility,
    );
    for person in &asked {
        outcome = outcome.with_post(super::events::dm(person), body.clone());
    }
    Ok(outcome)
}

/// `/survey results [survey]`: one survey's result, or the recent surveys of the cohorts
/// the caller may read.
pub async fn show(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let community = inv.caller.community_id;
    let me = inv.caller.member.id;
    let readable = metrics::readable_cohorts(&mut *tx, community, me).await?;
    let steward = roles::holds_community_role(&mut *tx, me, Role::Steward).await?;
    let min_group = surveys::min_group(&mut *tx, community).await?;
    let reply = match inv.args.int("survey") {
        Some(number) => {
            let survey = find(tx, inv, number).await?;
            let host = match survey.session_id {
                Some(session) => surveys::created_session(&mut *tx, session, me).await?,
                None => false,
            };
            let readable =
                steward || host || survey.cohort_id.is_some_and(|c| readable.contains(&c));
            if !readable {
                return refuse(messages::not_allowed_results(survey.number));
            }
            let rows = surveys::satisfaction(&mut *tx, &[survey.id]).await?;
            let result = SurveyResult::of(survey, &rows, min_group);
            // Comments are the answerers' own words: the stewards and the session's host
            // read them, once enough people answered that none stands out.
            let comments = if (steward || host) && result.shown() {
                surveys::comments(&mut *tx, result.survey.id).await?
            } else {
                Vec::new()
            };
            messages::result(&result, now, &comments)
        }
        None => {
            let since = now - Duration::weeks(LISTED_WEEKS);
            // A host reads their own sessions' feedback, whatever else they may read.
            let listed = surveys::of_cohorts(&mut *tx, &readable, Some(me), since, LISTED).await?;
            if readable.is_empty() && listed.is_empty() {
                return refuse(messages::not_allowed_list());
            }
            let ids: Vec<Uuid> = listed.iter().map(|s| s.id).collect();
            let rows = surveys::satisfaction(&mut *tx, &ids).await?;
            let results: Vec<SurveyResult> = listed
                .into_iter()
                .map(|survey| SurveyResult::of(survey, &rows, min_group))
                .collect();
            messages::list(&results, now)
        }
    };
    Ok(Outcome::reply(reply, inv.spec.visibility))
}
