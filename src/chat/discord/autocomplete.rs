//! Autocomplete choices: the community's cohorts and IANA time zones, filtered as typed.

use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::commands::{OptionKind, OptionSpec};
use crate::store::cohorts;

/// Discord shows at most 25 choices.
pub const CHOICES_MAX: usize = 25;

pub async fn choices(
    pool: &PgPool,
    community: Option<Uuid>,
    option: &OptionSpec,
    typed: &str,
) -> Vec<Value> {
    match option.kind {
        OptionKind::TimeZone => time_zones(typed)
            .into_iter()
            .map(|tz| json!({ "name": tz, "value": tz }))
            .collect(),
        OptionKind::Cohort => {
            let Some(community) = community else {
                return Vec::new();
            };
            match cohorts::list(pool, community).await {
                Ok(all) => {
                    let typed = typed.trim().to_lowercase();
                    all.into_iter()
                        .filter(|c| {
                            c.slug.contains(&typed) || c.name.to_lowercase().contains(&typed)
                        })
                        .take(CHOICES_MAX)
                        .map(|c| {
                            let name: String = format!("{} ({})", c.name, c.slug)
                                .chars()
                                .take(100)
                                .collect();
                            json!({ "name": name, "value": c.slug })
                        })
                        .collect()
                }
                Err(err) => {
                    tracing::error!(error = %format!("{err:#}"), "listing cohorts for autocomplete");
                    Vec::new()
                }
            }
        }
        _ => Vec::new(),
    }
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
