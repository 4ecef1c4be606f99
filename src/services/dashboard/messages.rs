//! What `/dashboard` says, and the words on the dashboard page.

use crate::render::Message;

pub fn not_allowed() -> Message {
    // Said to learners too, who lead nothing: the lead mentors' way in is named as theirs.
    Message::new()
        .text("The dashboard link is for sponsors and stewards; a steward can give you the sponsor role. Lead mentors see their cohorts' numbers with ")
        .code("/stats")
        .text(".")
}

pub fn no_public_url() -> Message {
    crate::services::messages::no_public_url("The dashboard is a page")
}

pub fn link(url: &str, rotated: bool) -> Message {
    let mut msg = Message::new()
        .text(if rotated {
            "📊 New dashboard link: "
        } else {
            "📊 The program dashboard: "
        })
        .text(url)
        .line()
        .text("Anyone with the link sees the program's numbers (never a learner's name or words), so share it only with the people it is for.");
    if rotated {
        msg = msg
            .text(" Every earlier link has stopped working: send this one to those who should keep access.");
    } else {
        msg = msg
            .text(" A steward can break every copy with ")
            .code("/dashboard rotate")
            .text(".");
    }
    msg
}

/// The page's words.
pub mod page {
    use crate::store::metrics::{CheckinRate, FunnelStep, MentorLoad, WeekConfidence};

    pub const TITLE: &str = "program dashboard";
    pub const AS_OF: &str = "Program dashboard, as of";
    pub const NO_COHORTS: &str =
        "No live cohorts yet. The numbers start with a cohort's first week.";
    pub const FOOTER: &str = "Aggregates only: no learner's name or words are on this page. \
         Weeks are each learner's own ISO week. Every chart's numbers are in the table under it.";
    pub const COHORTS: &str = "Cohorts";
    pub const HEADLINES: &str = "Headline numbers";
    pub const ENROLLED: &str = "Enrolled";
    pub const ACTIVE: &str = "Active this week";
    pub const ACTIVE_NOTE: &str = "checked in, attended, submitted or asked";
    pub const CHECKIN_RATE: &str = "Check-in rate";
    pub const GRADUATES: &str = "Graduates";
    pub const BADGES: &str = "Badges issued";
    pub const BADGES_NOTE: &str = "Open Badges, not revoked";
    pub const NOTHING_YET: &str = "Nothing to show yet.";
    pub const TABLE: &str = "The numbers";
    pub const WEEKLY: &str = "Weekly check-in rate";
    pub const PERCENT_OF_EXPECTED: &str = "% of learners expected";
    pub const ON_TIME: &str = "on time";
    pub const LATE: &str = "late";
    pub const WEEKLY_COLUMNS: &[&str] = &["Week", "Expected", "On time", "Late", "Away", "Rate"];
    pub const FUNNEL: &str = "Funnel";
    pub const LEARNERS: &str = "learners";
    pub const FUNNEL_COLUMNS: &[&str] = &["Step", "Learners"];
    pub const CONFIDENCE: &str = "Confidence";
    pub const CONFIDENCE_SCALE: &str = "mean, 1–5";
    pub const CONFIDENCE_COLUMNS: &[&str] = &["Week", "Check-ins", "Mean confidence"];
    pub const RETENTION: &str = "Retention";
    pub const RETENTION_COLUMNS: &[&str] =
        &["Joined in week", "Joined", "Weeks after", "Active", "Share"];
    pub const TIME_TO_MILESTONE: &str = "Time to milestone";
    pub const DAYS: &str = "days from joining";
    pub const MEDIAN: &str = "median";
    pub const P75: &str = "75th percentile";
    pub const MILESTONE_COLUMNS: &[&str] = &["Module", "Verified", "Median days", "75th pct days"];
    pub const MENTOR_LOAD: &str = "Mentor load";
    pub const PERCENT_OF_CAPACITY: &str = "% of capacity";
    pub const LOAD: &str = "load";
    pub const MENTOR_COLUMNS: &[&str] = &[
        "Mentor",
        "Tier",
        "Learners or groups",
        "Capacity",
        "Load",
        "Reviews claimed",
        "Median hours to claim",
        "Median hours to a blocker reply",
        "Flagged inactive",
    ];
    pub const HOURS_SAVED: &str = "Hours saved per month";
    pub const HOURS_SAVED_NOTE: &str = "by verified capstones";
    pub const IMPACT: &str = "Capstone impact";
    pub const HOURS_PER_MONTH: &str = "hours saved per month";
    pub const IMPACT_COLUMNS: &[&str] = &[
        "Capstone",
        "Verified",
        "Hours saved / month",
        "Processes replaced",
        "People reached",
        "Note (when shared)",
    ];
    pub const HEALTH: &str = "Learner health";
    pub const ON_TRACK: &str = "on track";
    pub const NEEDS_CHECKIN: &str = "needs a check-in";
    pub const TOO_EARLY: &str = "too early to tell";
    pub const HEALTH_DESC: &str = "Active learners by health: on track; needs a check-in (not away, and missed their two latest weeks, answered with confidence 2 or less, or has had a blocker open over a week); too early to tell (fewer than two weeks prompted).";
    pub const HEALTH_COLUMNS: &[&str] = &["Health", "Learners"];
    pub const SATISFACTION: &str = "Satisfaction";
    pub const HAPPY: &str = "happy (4–5; NPS 9–10)";
    pub const NEUTRAL: &str = "neutral (3; NPS 7–8)";
    pub const UNHAPPY: &str = "unhappy (1–2; NPS 0–6)";
    pub const PERCENT_OF_ANSWERS: &str = "% of answers";
    pub const SATISFACTION_COLUMNS: &[&str] = &[
        "Survey", "Sent", "Answers", "Score", "Happy", "Neutral", "Unhappy",
    ];
    pub const SESSIONS: &str = "Sessions and attendance";
    pub const PERCENT: &str = "%";
    pub const OF_RSVPS: &str = "of RSVPs";
    pub const OF_ENROLLED: &str = "of enrolled";
    pub const SESSION_COLUMNS: &[&str] = &[
        "Session",
        "Date",
        "RSVPs",
        "Attended",
        "Of RSVPs",
        "Enrolled",
        "Of enrolled",
    ];
    pub const COHORT_COLUMNS: &[&str] = &["Cohort", "Week", "Enrolled", "Active", "Check-in rate"];

    pub fn step(step: FunnelStep) -> &'static str {
        match step {
            FunnelStep::Joined => "Joined",
            FunnelStep::CocAccepted => "Code of conduct",
            FunnelStep::FirstCheckin => "First check-in",
            FunnelStep::FirstModule => "First module",
            FunnelStep::CapstoneSubmitted => "Capstone in",
            FunnelStep::Graduated => "Graduated",
            FunnelStep::OfferedToMentor => "Mentor offer",
        }
    }

    /// The change since last week, in points.
    pub fn rate_change(this: Option<i32>, last: Option<i32>) -> String {
        match (this, last) {
            (Some(this), Some(last)) if this > last => {
                format!("▲ {} pts since last week", this - last)
            }
            (Some(this), Some(last)) if this < last => {
                format!("▼ {} pts since last week", last - this)
            }
            (Some(_), Some(_)) => "same as last week".to_owned(),
            (Some(_), None) => "no rate last week".to_owned(),
            (None, _) => "no check-ins due yet this week".to_owned(),
        }
    }

    pub fn weekly_desc(weeks: &[CheckinRate]) -> String {
        let last = weeks.last().and_then(|w| w.rate);
        format!(
            "Stacked bars of on-time and late check-ins as a share of learners expected, for {} weeks; this week {}.",
            weeks.len(),
            last.map_or_else(|| "has no rate yet".to_owned(), |r| format!("is {r}%"))
        )
    }

    pub fn funnel_desc(funnel: &[(FunnelStep, i64)]) -> String {
        let steps: Vec<String> = funnel
            .iter()
            .map(|(s, n)| format!("{} {n}", step(*s)))
            .collect();
        format!("Learners reaching each step: {}.", steps.join(", "))
    }

    pub fn confidence_desc(weeks: &[WeekConfidence]) -> String {
        format!(
            "Bars of the mean confidence (1 to 5) in each week's check-ins, for {} weeks.",
            weeks.len()
        )
    }

    pub fn retention_desc(rows: usize) -> String {
        format!(
            "A triangle of {rows} joining weeks: each cell is the share of that week's joiners active the given number of weeks later."
        )
    }

    pub fn milestones_desc(modules: usize) -> String {
        format!(
            "Median and 75th percentile days from joining to a verified module, for {modules} modules."
        )
    }

    pub fn tier(tier: &str) -> &'static str {
        match tier {
            "lead" => "lead (groups)",
            _ => "community (learners)",
        }
    }

    pub fn flagged(flagged: bool) -> &'static str {
        if flagged { "yes" } else { "no" }
    }

    pub fn mentors_desc(mentors: &[MentorLoad]) -> String {
        let over = mentors
            .iter()
            .filter(|m| m.load.is_some_and(|l| l >= 100))
            .count();
        format!(
            "Bars of each of {} mentors' load as a share of their capacity, the most loaded first; {over} at or over capacity.",
            mentors.len()
        )
    }

    /// A capstone whose learner did not choose to show their name.
    pub fn capstone_number(ordinal: i64) -> String {
        format!("Capstone {ordinal}")
    }

    pub fn impact_desc(shown: usize, all: usize) -> String {
        let which = if shown == all {
            format!("each of {all} verified capstones")
        } else {
            format!("the latest {shown} of {all} verified capstones (the impact export lists all)")
        };
        format!(
            "Hours saved per month by {which}, in the order verified; a learner's name and note appear only when they chose to show them."
        )
    }

    /// The impact table's last row: every verified capstone added up.
    pub fn total_of(capstones: usize) -> String {
        if capstones == 1 {
            "Total".to_owned()
        } else {
            format!("Total of {capstones}")
        }
    }

    pub fn health_heading(period: &str) -> String {
        format!("Learner health, {period}")
    }

    pub fn satisfaction_desc(surveys: usize, min_group: i64) -> String {
        format!(
            "Answers to {surveys} surveys (session ratings, NPS and pulses) as shares of happy, neutral and unhappy; a survey with fewer than {min_group} answers is not drawn."
        )
    }

    /// A survey's answer count where it is too small to show.
    pub fn fewer_than(min_group: i64) -> String {
        format!("fewer than {min_group}")
    }

    pub fn sessions_desc(sessions: usize, weeks: usize) -> String {
        format!(
            "Attendance of the {sessions} sessions of the last {weeks} weeks: attended as a share of RSVPs, and for cohort-wide sessions as a share of learners enrolled."
        )
    }
}
