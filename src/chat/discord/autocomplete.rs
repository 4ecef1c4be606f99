//! Autocomplete choices, filtered as typed: the community's cohorts, modules and upcoming
//! sessions, and IANA time zones.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::commands::{OptionKind, OptionSpec};
use crate::store::{circles, cohorts, knowledge, suggest};

/// Discord shows at most 25 choices.
pub const CHOICES_MAX: usize = 25;
/// Discord's limit on a choice's name.
const NAME_MAX: usize = 100;

/// Where the member is typing: their community (if known), their zone for times, and now.
pub struct Typing<'a> {
    pub pool: &'a PgPool,
    pub community: Option<Uuid>,
    /// The member typing, when known: entries they may not read are not suggested.
    pub member: Option<Uuid>,
    pub zone: Tz,
    pub now: DateTime<Utc>,
}

pub async fn choices(at: &Typing<'_>, option: &OptionSpec, typed: &str) -> Vec<Value> {
    if option.kind == OptionKind::TimeZone {
        return time_zones(typed)
            .into_iter()
            .map(|tz| json!({ "name": tz, "value": tz }))
            .collect();
    }
    let Some(community) = at.community else {
        return Vec::new();
    };
    let typed = typed.trim();
    let found = match option.kind {
        OptionKind::Cohort => cohorts::list(at.pool, community).await.map(|all| {
            let typed = typed.to_lowercase();
            all.into_iter()
                .filter(|c| c.slug.contains(&typed) || c.name.to_lowercase().contains(&typed))
                .take(CHOICES_MAX)
                .map(|c| choice(format!("{} ({})", c.name, c.slug), json!(c.slug)))
                .collect()
        }),
        OptionKind::Module => suggest::modules(at.pool, community, typed, CHOICES_MAX as i64)
            .await
            .map(|rows| {
                rows.into_iter()
                    .map(|(slug, name)| choice(format!("{name} ({slug})"), json!(slug)))
                    .collect()
            }),
        OptionKind::Session => {
            suggest::sessions(at.pool, community, typed, at.now, CHOICES_MAX as i64)
                .await
                .map(|rows| {
                    rows.into_iter()
                        .map(|(number, title, starts)| {
                            let local = starts.with_timezone(&at.zone).format("%a %-d %b %H:%M");
                            let name = format!("#{number} {title} — {local} ({})", at.zone.name());
                            choice(name, json!(number))
                        })
                        .collect()
                })
        }
        OptionKind::KbEntry | OptionKind::KbQuery => {
            // Someone not yet a member reads what everyone may.
            let member = at.member.unwrap_or_default();
            knowledge::suggestions(at.pool, community, member, typed, CHOICES_MAX as i64)
                .await
                .map(|rows| {
                    rows.into_iter()
                        .map(|(name, title)| choice(format!("{title} ({name})"), json!(name)))
                        .collect()
                })
        }
        OptionKind::Circle => {
            let member = at.member.unwrap_or_default();
            circles::names(at.pool, community, member).await.map(|all| {
                let typed = typed.to_lowercase();
                all.into_iter()
                    .filter(|(slug, name)| {
                        slug.contains(&typed) || name.to_lowercase().contains(&typed)
                    })
                    .take(CHOICES_MAX)
                    .map(|(slug, name)| choice(format!("{name} ({slug})"), json!(slug)))
                    .collect()
            })
        }
        _ => Ok(Vec::new()),
    };
    found.unwrap_or_else(|err| {
        tracing::error!(error = %err, "listing autocomplete choices");
        Vec::new()
    })
}

fn choice(name: String, value: Value) -> Value {
    let name: String = name.chars().take(NAME_MAX).collect();
    json!({ "name": name, "value": value })
}

/// Zone names containing every typed word (case-insensitive, `_` or space alike), names
/// that start with the text first.
pub fn time_zones(typed: &str) -> Vec<&'static str> {
    let typed = typed.trim().to_lowercase().replace(' ', "_");
    let mut found: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| name.to_lowercase().contains(&typed))
        .collect();
    found.sort_by_key(|name| {
        let lower = name.to_lowercase();
        let city_start = lower
            .rsplit('/')
            .next()
            .is_some_and(|c| c.starts_with(&typed));
        (
            !(lower.starts_with(&typed) || city_start),
            name.len(),
            *name,
        )
    });
    found.truncate(CHOICES_MAX);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_filter_as_typed() {
        let berlin = time_zones("berl");
        assert_eq!(berlin.first(), Some(&"Europe/Berlin"));
        assert!(time_zones("new york").contains(&"America/New_York"));
        assert_eq!(time_zones("").len(), CHOICES_MAX);
        assert!(time_zones("zzzz-no-zone").is_empty());
        assert!(time_zones("america").len() <= CHOICES_MAX);
    }
}
