//! The schema migrations, embedded in the binary.
//!
//! Listed here rather than found by `sqlx::migrate!`, which needs sqlx's proc-macro stack (see
//! `row.rs` for its build cost). Versions, descriptions and checksums are derived exactly as
//! sqlx derives them from the file names, so databases migrated by either agree, and a test
//! fails when a file in `migrations/` is missing from the list.

use std::sync::LazyLock;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, SqlSafeStr};

macro_rules! embed {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../migrations/", $file)))),*]
    };
}

/// (file name, SQL) for every file in `migrations/`, in order.
const FILES: &[(&str, &str)] = embed![
    "0001_foundation.sql",
    "0002_outbox.sql",
    "0003_schedule_checkins.sql",
    "0004_events_milestones.sql",
    "0005_mentorship.sql",
    "0006_discord.sql",
    "0007_paused_mentors.sql",
    "0008_community_rotations.sql",
    "0009_session_series_zone.sql",
    "0010_discord_member_roles.sql",
    "0011_issuer_keys.sql",
    "0012_waking_hours.sql",
    "0013_outbox_under_pressure.sql",
    "0014_mentor_roles_approve.sql",
    "0015_session_sequence.sql",
    "0016_review_cancel.sql",
    "0017_pair_cancel_milestone_withdraw.sql",
    "0018_cohort_archive.sql",
    "0019_outbox_actions.sql",
    "0020_coc_versions.sql",
    "0021_questions.sql",
    "0022_absences_days_off.sql",
    "0023_checkin_windows_plans.sql",
    "0024_streaks.sql",
    "0025_earned_roles.sql",
    "0026_knowledge_base.sql",
    "0027_circles.sql",
    "0028_clinics.sql",
    "0029_alumni.sql",
    "0030_circle_sessions.sql",
    "0031_kb_search_tiers.sql",
    "0032_home.sql",
    "0033_discord_events.sql",
    "0034_interested_rsvps.sql",
    "0035_host_picks_rsvp_close.sql",
    "0036_cluster.sql",
    "0037_outbox_notify.sql",
    "0038_identify_buckets.sql",
    "0039_cluster_delivery.sql",
    "0040_plpgsql_presence_checks.sql",
    "0041_metrics.sql",
    "0042_export_links.sql",
    "0043_dashboard.sql",
    "0044_surveys.sql",
    "0045_learner_health.sql",
    "0046_capstone_impact.sql",
    "0047_attendance_set_based.sql",
    "0048_dashboard_speed.sql",
    "0049_approvals.sql",
    "0050_tools.sql",
    "0051_data_exports.sql",
    "0052_erasure.sql",
    "0053_issuer_key_rotation.sql",
    "0054_rsa_issuer_keys.sql",
    "0055_concerns.sql",
    "0056_council.sql",
    "0057_badge_narrative.sql",
    "0058_rsa_key_rotation.sql",
    "0059_concern_spaces.sql",
    "0060_metric_speed.sql",
    "0061_dashboard_reads.sql",
    "0062_kb_near_names.sql",
    "0063_concern_space_members.sql",
    "0064_outbox_fanouts_skip_erased.sql",
    "0065_outbox_notify_added_rows.sql",
    "0066_members_platform_name.sql",
    "0067_same_words.sql",
];

pub static MIGRATOR: LazyLock<Migrator> = LazyLock::new(|| {
    Migrator::with_migrations(
        FILES
            .iter()
            .map(|&(file, sql)| migration(file, sql))
            .collect(),
    )
});

/// `0004_events_milestones.sql` is version 4, "events milestones", as sqlx names it.
fn migration(file: &str, sql: &'static str) -> Migration {
    let (version, rest) = file
        .split_once('_')
        .expect("embedded migration names are <version>_<description>.sql");
    let version = version
        .parse()
        .expect("embedded migration versions are integers");
    let description = rest.trim_end_matches(".sql").replace('_', " ");
    let no_tx = sql.starts_with("-- no-transaction");
    Migration::new(
        version,
        description.into(),
        MigrationType::Simple,
        AssertSqlSafe(sql).into_sql_str(),
        no_tx,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_embedded_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        on_disk.sort();
        let embedded: Vec<&str> = FILES.iter().map(|(file, _)| *file).collect();
        assert_eq!(embedded, on_disk);
    }

    #[test]
    fn versions_and_descriptions_follow_sqlx_naming() {
        let fourth = &MIGRATOR.migrations[3];
        assert_eq!(fourth.version, 4);
        assert_eq!(fourth.description, "events milestones");
        assert!(!fourth.no_tx);
        let versions: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
        assert_eq!(versions, (1..=FILES.len() as i64).collect::<Vec<_>>());
    }
}
