//! `/badge issue <module> <entries…>`: a mentor verifies several submitted milestones of
//! one module at once, writing a narrative for each person, one line each ("Name: what
//! they did"; `|` also ends an entry, for the shell's single line). Each badge's credential
//! carries its narrative as its evidence's narrative. All or nothing: one entry refused
//! refuses the whole issue, naming it, so a typo never leaves half the cohort verified.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::messages;
use crate::services::lookup::{arg, people_typed};
use crate::services::milestones::{Review, verified};
use crate::services::{Invocation, Outcome, ServiceError, ServiceResult, refuse};
use crate::store::members;

/// How many people one issue may name: a cohort's worth.
const MOST: usize = 30;

/// The entries typed: a new line starts one, and so does `|`; an indented line continues
/// the one before, so a narrative may run over several lines.
fn entries(typed: &str) -> Vec<String> {
    let mut entries: Vec<String> = Vec::new();
    for line in typed.lines() {
        for (j, part) in line.split('|').enumerate() {
            let continues = j == 0 && part.starts_with([' ', '\t']);
            match entries.last_mut() {
                _ if part.trim().is_empty() => {}
                Some(entry) if continues => {
                    entry.push('\n');
                    entry.push_str(part.trim());
                }
                _ => entries.push(part.trim().to_owned()),
            }
        }
    }
    entries
}

/// One entry: who, and what they did.
fn parse_line(line: &str) -> Option<(String, &str)> {
    let (who, narrative) = line.split_once(':')?;
    let mut people = people_typed(who).into_iter();
    match (people.next(), people.next()) {
        (Some(person), None) => Some((person, narrative.trim())),
        _ => None,
    }
}

pub async fn issue(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    public_url: Option<&str>,
) -> ServiceResult {
    let module = arg(inv, "module")?;
    let lines = entries(arg(inv, "entries")?);
    if lines.len() > MOST {
        return refuse(messages::too_many(lines.len(), MOST));
    }
    let mut reviews: Vec<(Review, String)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let number = i + 1;
        let Some((person, narrative)) = parse_line(line) else {
            return refuse(messages::entry_unreadable(number, line));
        };
        if narrative.is_empty() {
            return refuse(messages::entry_without_narrative(number, &person));
        }
        // Forms cannot mention people: a name or first name is found as well as an id.
        let person = match members::named(&mut *tx, inv.caller.community_id, &person)
            .await?
            .as_slice()
        {
            [(id, _)] => members::by_id(&mut *tx, *id)
                .await?
                .map_or(person, |m| m.platform_user_id),
            [] => person,
            several => {
                let names: Vec<&str> = several.iter().map(|(_, n)| n.as_str()).collect();
                return refuse(messages::entry_ambiguous(number, &person, &names));
            }
        };
        let review = match Review::load_for(tx, inv, &person, module).await {
            Ok(review) => review,
            Err(ServiceError::User(why)) => return refuse(messages::entry_refused(number, why)),
            Err(other) => return Err(other),
        };
        if reviews
            .iter()
            .any(|(r, _)| r.learner.id == review.learner.id)
        {
            return refuse(messages::listed_twice(number, &review.learner.display_name));
        }
        reviews.push((review, narrative.to_owned()));
    }
    let mut outcome = Outcome::reply(messages::issued_header(reviews.len()), inv.spec.visibility);
    for (review, narrative) in &reviews {
        let one = verified(tx, now, inv, review, Some(narrative), public_url).await?;
        outcome.reply = outcome.reply.line().text("• ").push(one.reply);
        outcome.posts.extend(one.posts);
        outcome.actions.extend(one.actions);
        outcome.achievements.extend(one.achievements);
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::parse_line;

    #[test]
    fn a_line_is_one_person_then_a_narrative() {
        assert_eq!(
            parse_line("Sam Carter: built the *expenses* flow: 3 steps"),
            Some((
                "Sam Carter".to_owned(),
                "built the *expenses* flow: 3 steps"
            ))
        );
        assert_eq!(
            parse_line("<@U0SAM|sam>: ok"),
            Some(("U0SAM".to_owned(), "ok"))
        );
        assert_eq!(parse_line("no colon here"), None);
        assert_eq!(
            super::entries("Sam: built it\n  and showed it\n\nAda: led | Ken: helped"),
            ["Sam: built it\nand showed it", "Ada: led", "Ken: helped"]
        );
        assert_eq!(parse_line("Ada, Ken: both"), None);
    }
}
