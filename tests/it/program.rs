//! Importing and exporting the program file.

use cohortbot::clock::Clock;
use cohortbot::program::{self, ProgramFile, export::export};
use sqlx::PgPool;

use crate::support::{EXAMPLE, TestBot};

#[sqlx::test]
async fn reimporting_the_same_file_changes_nothing(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let before = bot.fingerprint().await;
    let audit_before = bot.count("audit_log").await;

    let program = ProgramFile::parse(EXAMPLE, "example").unwrap();
    let report = program::import(&bot.pool, &program, bot.clock.now())
        .await
        .unwrap();

    assert!(report.changed_nothing(), "{report}");
    assert!(report.unchanged > 30, "{report}");
    assert_eq!(bot.fingerprint().await, before);
    assert_eq!(
        bot.count("audit_log").await,
        audit_before,
        "a no-op import is not audited"
    );
}

#[sqlx::test]
async fn an_edited_file_updates_only_what_changed(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let edited = EXAMPLE
        .replace(
            "name = \"Evening Builders 2027\"",
            "name = \"Evening Builders\"",
        )
        .replace("checkin = \"0 18 * * MON\"", "checkin = \"0 18 * * TUE\"");
    let program = ProgramFile::parse(&edited, "edited").unwrap();

    let report = program::import(&bot.pool, &program, bot.clock.now())
        .await
        .unwrap();
    assert_eq!((report.created, report.updated), (0, 2), "{report}");

    let said = bot.say("sam", "/cohort list").await;
    assert!(
        said.reply()
            .contains("• Evening Builders (`evening-builders-2027`)"),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn export_is_a_fixed_point_of_import(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", "/me timezone Asia/Tokyo").await;
    let exported = export(&bot.pool).await.unwrap();
    let text = exported.to_toml().unwrap();

    let reparsed = ProgramFile::parse(&text, "export").unwrap();
    assert_eq!(reparsed, exported);
    let report = program::import(&bot.pool, &reparsed, bot.clock.now())
        .await
        .unwrap();
    assert!(report.changed_nothing(), "{report}");

    let spring = &exported.communities[0]
        .cohorts
        .iter()
        .find(|c| c.slug == "spring-makers-2027")
        .unwrap();
    let short = spring
        .tracks
        .iter()
        .find(|t| t.slug == "short-modules")
        .unwrap();
    let capstone = short.modules.last().unwrap();
    assert_eq!(capstone.slug, "capstone");
    assert_eq!(capstone.requires, ["alm-basics"]);
    assert!(capstone.capstone);
    let alm = short
        .modules
        .iter()
        .find(|m| m.slug == "alm-basics")
        .unwrap();
    assert_eq!(alm.requires, ["data-sources", "canvas-apps"]);
    assert_eq!(spring.schedules["checkin"], "0 9 * * MON");
    let grace = exported.communities[0]
        .people
        .iter()
        .find(|p| p.user_id == "grace")
        .unwrap();
    assert_eq!(grace.roles, ["lead_mentor:spring-makers-2027"]);
    // Days off come back as written: a whole week as its ISO week.
    let evening = exported.communities[0]
        .cohorts
        .iter()
        .find(|c| c.slug == "evening-builders-2027")
        .unwrap();
    let days_off: Vec<(&str, &str)> = evening
        .days_off
        .iter()
        .map(|d| (d.day.as_str(), d.label.as_str()))
        .collect();
    assert_eq!(
        days_off,
        [("2027-05-31", "Memorial Day"), ("2027-W27", "Summer break")]
    );
}

#[sqlx::test]
async fn a_malformed_program_file_is_refused_before_touching_the_database(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let before = bot.fingerprint().await;

    let broken = EXAMPLE.replace(
        "timezone = \"America/Denver\"\n  starts_on",
        "timezone = \"America/Denvr\"\n  starts_on",
    );
    let err = ProgramFile::parse(&broken, "broken.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cohort `evening-builders-2027`")
            && err.contains("did you mean `America/Denver`?"),
        "{err}"
    );

    let err = ProgramFile::parse("[[community]]\nslug = ", "cut.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("cut.toml") && err.contains("line 2"), "{err}");
    assert_eq!(bot.fingerprint().await, before);
}

#[sqlx::test]
async fn the_waking_hours_window_is_checked_imported_and_exported(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let with = |window: &str| {
        EXAMPLE.replace(
            "waking_hours = \"09:00-18:00\"",
            &format!("waking_hours = \"{window}\""),
        )
    };
    let before = bot.fingerprint().await;
    for (window, problem) in [
        ("18:00-09:00", "end at least an hour after they start"),
        ("9-18", "is not a time window like `09:00-18:00`"),
        ("09:10-18:00", "start and end on a quarter-hour"),
    ] {
        let err = ProgramFile::parse(&with(window), "bad.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "community `acme-makers`, mentoring: waking_hours `{window}`"
            )) && err.contains(problem),
            "{err}"
        );
    }
    assert_eq!(bot.fingerprint().await, before);

    let early = ProgramFile::parse(&with("06:30-15:00"), "early.toml").unwrap();
    let report = program::import(&bot.pool, &early, bot.clock.now())
        .await
        .unwrap();
    assert_eq!(report.updated, 1, "{report}");
    let exported = export(&bot.pool).await.unwrap();
    let mentoring = exported.communities[0].mentoring.as_ref().unwrap();
    assert_eq!(mentoring.waking_hours, "06:30-15:00");
}

#[sqlx::test]
async fn the_discord_events_option_is_imported_and_exported(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let text = EXAMPLE.replacen(
        "  slug = \"spring-makers-2027\"\n",
        "  slug = \"spring-makers-2027\"\n  discord_events = true\n  interested_is_rsvp = true\n",
        1,
    );
    let file = ProgramFile::parse(&text, "edited").unwrap();
    let report = program::import(&bot.pool, &file, bot.clock.now())
        .await
        .unwrap();
    assert!(!report.changed_nothing(), "{report}");
    let exported = export(&bot.pool).await.unwrap();
    let opted: Vec<(&str, bool, bool)> = exported.communities[0]
        .cohorts
        .iter()
        .map(|c| (c.slug.as_str(), c.discord_events, c.interested_is_rsvp))
        .collect();
    assert_eq!(
        opted,
        [
            ("spring-makers-2027", true, true),
            ("evening-builders-2027", false, false)
        ]
    );
    let written = exported.to_toml().unwrap();
    assert_eq!(
        written.matches("discord_events = true").count(),
        1,
        "{written}"
    );
}

#[sqlx::test]
async fn a_series_gives_its_selection_and_closing_to_each_occurrence(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let text = EXAMPLE.replacen(
        "    slots = 4\n    location = \"spring-makers\"\n",
        "    slots = 4\n    location = \"spring-makers\"\n    selection = \"host_picks\"\n    rsvp_closes_before = \"1h 30m\"\n",
        1,
    );
    let file = ProgramFile::parse(&text, "edited").unwrap();
    let report = program::import(&bot.pool, &file, bot.clock.now())
        .await
        .unwrap();
    assert!(!report.changed_nothing(), "{report}");
    bot.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 3, 10, 9, 0, 0).unwrap());
    bot.tick().await;
    let occurrences: Vec<(String, Option<i32>)> = sqlx::query_as(
        "SELECT selection, rsvp_closes_before_minutes FROM sessions WHERE series_id IS NOT NULL",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert!(!occurrences.is_empty());
    assert!(
        occurrences
            .iter()
            .all(|o| *o == ("host_picks".to_owned(), Some(90))),
        "{occurrences:?}"
    );
    // Exported as minutes, and imported again it changes nothing.
    let exported = export(&bot.pool).await.unwrap();
    let written = exported.to_toml().unwrap();
    assert!(written.contains("selection = \"host_picks\""), "{written}");
    assert!(
        written.contains("rsvp_closes_before = \"90m\""),
        "{written}"
    );
    let again = ProgramFile::parse(&written, "exported").unwrap();
    let report = program::import(&bot.pool, &again, bot.clock.now())
        .await
        .unwrap();
    assert!(report.changed_nothing(), "{report}");
    // A closing that is no duration is named.
    let bad = EXAMPLE.replacen(
        "    slots = 4\n",
        "    slots = 4\n    rsvp_closes_before = \"soon\"\n",
        1,
    );
    let err = format!("{:#}", ProgramFile::parse(&bad, "bad").unwrap_err());
    assert!(
        err.contains("rsvp_closes_before `soon` is not a duration like `2h`, `90m` or `1d`"),
        "{err}"
    );
}
