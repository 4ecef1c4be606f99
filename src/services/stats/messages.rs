//! What `/stats` says.

use crate::domain::Period;
use crate::render::{Message, count};
use crate::store::export_links::Dataset;
use crate::store::metrics::{CheckinRate, FunnelStep};

/// One cohort's numbers, for its own view.
pub struct CohortStats {
    pub name: String,
    pub enrolled: i64,
    /// Learners active in the cohort's current week.
    pub active: i64,
    pub this_week: CheckinRate,
    pub last_week: CheckinRate,
    /// The weeks asked for, oldest first, ending with this week.
    pub weekly: Vec<CheckinRate>,
    pub funnel: Vec<(FunnelStep, i64)>,
}

/// One cohort's line in the overview of several.
pub struct CohortLine {
    pub name: String,
    pub slug: String,
    pub enrolled: i64,
    pub active: i64,
    pub this_week: CheckinRate,
}

pub fn not_allowed() -> Message {
    Message::new()
        .code("/stats")
        .text(" shows the program's numbers to stewards, sponsors and lead mentors. If you need them, ask a steward for the sponsor role.")
}

pub fn not_your_cohort(cohort: &str) -> Message {
    Message::new()
        .text("You see the numbers of the cohorts you lead or sponsor, and ")
        .strong(cohort)
        .text(" is not one of them. ")
        .code("/stats")
        .text(" without a cohort lists yours.")
}

pub fn no_live_cohorts() -> Message {
    Message::new().text("📈 No live cohorts yet: their numbers start with their first week.")
}

pub fn cohort(stats: &CohortStats) -> Message {
    let week = &stats.this_week;
    let mut msg = Message::new()
        .text("📈 ")
        .strong(&stats.name)
        .text(format!(" — {}", week.period))
        .line()
        .text(format!(
            "Enrolled: {} · active this week: {}",
            stats.enrolled, stats.active
        ))
        .line()
        .text(format!("Check-in rate: {}", rate_detail(week)));
    if week.excused > 0 {
        msg = msg.text(format!(" · {} away", week.excused));
    }
    if let (Some(now), Some(before)) = (week.rate, stats.last_week.rate) {
        msg = msg.text(format!(" · {}", change(now, before)));
    }
    if stats.weekly.len() > 1 {
        let weeks: Vec<String> = stats
            .weekly
            .iter()
            .map(|w| format!("{} {}", w.period, percent(w.rate)))
            .collect();
        msg = msg
            .line()
            .text(format!("Weekly check-in rate: {}", weeks.join(" · ")));
    }
    let steps: Vec<String> = stats
        .funnel
        .iter()
        .map(|(step, learners)| format!("{} {learners}", step_label(*step)))
        .collect();
    msg.line().text(format!("Funnel: {}", steps.join(" → ")))
}

/// Under the numbers, for those who may open the dashboard: where the charts are.
pub fn dashboard_hint() -> Message {
    Message::new()
        .line()
        .text("📊 Charts of these numbers: ")
        .code("/dashboard link")
        .text(".")
}

/// One line per cohort in `lines`; `more` live cohorts were left out.
pub fn overview(lines: &[CohortLine], more: usize) -> Message {
    let mut msg = Message::new().text(format!(
        "📈 Program numbers — {}",
        count((lines.len() + more) as i64, "cohort", "cohorts")
    ));
    for line in lines {
        msg = msg.line().text("• ").strong(&line.name).text(format!(
            " ({}): {} enrolled · {} active · check-ins {}",
            line.this_week.period,
            line.enrolled,
            line.active,
            percent(line.this_week.rate)
        ));
    }
    if more > 0 {
        msg = msg
            .line()
            .text(format!("…and {more} more, not listed here."));
    }
    let example = lines.first().map_or("cohort", |line| line.slug.as_str());
    msg.line()
        .text("A cohort's funnel and weekly rates: ")
        .code(format!("/stats {example}"))
        .text(".")
}

/// `80% (24 of 30 learners: 20 on time, 4 late)`, or why there is no rate.
fn rate_detail(week: &CheckinRate) -> String {
    match week.rate {
        Some(rate) => format!(
            "{rate}% ({} of {}: {} on time, {} late)",
            week.answered,
            count(week.expected(), "learner", "learners"),
            week.on_time,
            week.late
        ),
        None => "no prompts yet this week".to_owned(),
    }
}

fn percent(rate: Option<i32>) -> String {
    rate.map_or_else(|| "—".to_owned(), |rate| format!("{rate}%"))
}

fn change(now: i32, before: i32) -> String {
    let points = |n: i32| count(i64::from(n), "point", "points");
    match now - before {
        0 => format!("level with {before}% last week"),
        up if up > 0 => format!("up {} from {before}% last week", points(up)),
        down => format!("down {} from {before}% last week", points(-down)),
    }
}

pub fn step_label(step: FunnelStep) -> &'static str {
    match step {
        FunnelStep::Joined => "joined",
        FunnelStep::CocAccepted => "accepted the code of conduct",
        FunnelStep::FirstCheckin => "first check-in",
        FunnelStep::FirstModule => "first module verified",
        FunnelStep::CapstoneSubmitted => "capstone submitted",
        FunnelStep::Graduated => "graduated",
        FunnelStep::OfferedToMentor => "offered to mentor",
    }
}

pub fn checkins_for_stewards() -> Message {
    Message::new().text(
        "Only stewards export every check-in: it holds what learners wrote. The weekly, funnel, attendance and milestones exports are yours.",
    )
}

pub fn no_public_url() -> Message {
    crate::services::messages::no_public_url("Exports are links")
}

pub fn range_backwards(from: chrono::NaiveDate, to: chrono::NaiveDate) -> Message {
    Message::new().text(format!(
        "The range ends ({to}) before it starts ({from}): give `from` a day before `to`."
    ))
}

pub fn range_too_long(max_weeks: usize) -> Message {
    Message::new().text(format!(
        "One export covers at most {max_weeks} weeks: narrow `from` and `to`."
    ))
}

pub fn export_ready(
    dataset: Dataset,
    cohorts: &[&str],
    first: Period,
    last: Period,
    url: &str,
    life: chrono::Duration,
) -> Message {
    let weeks = if first == last {
        first.to_string()
    } else {
        format!("{first} to {last}")
    };
    Message::new()
        .text(format!("📄 {}.csv of ", dataset.as_str()))
        .user(cohorts.join(", "))
        .text(format!(", {weeks}: "))
        .text(url)
        .line()
        .text(format!(
            "The link works for {} minutes, for anyone who has it: keep it to yourself.",
            life.num_minutes()
        ))
}
