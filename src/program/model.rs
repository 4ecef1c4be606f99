//! The program file's shape and its validation.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::commands::catalog::NAME_MAX;
use crate::domain::{Role, Slug, clean_line, parse_timezone};
use crate::matching::waking::WakingHours;

/// Schedules a cohort may set; their triggers are code, the times are data.
pub const SCHEDULE_KINDS: &[&str] = &[
    "checkin",
    "nudge",
    "digest",
    "mentor_digest",
    "rotation",
    "review_escalation",
    "recognition",
    "inactive_check",
    "pairing_followup",
];
pub const PLATFORMS: &[&str] = &["shell", "discord", "slack"];
const COC_MAX: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramFile {
    #[serde(rename = "community", default)]
    pub communities: Vec<CommunityDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityDef {
    pub slug: String,
    pub name: String,
    /// Required for a new community. A file that leaves it out (one that only adds a cohort,
    /// say) keeps the community's current text; a changed text raises its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_of_conduct: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discord_guild_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack_team_id: Option<String>,
    /// Where `/kb decide` posts decisions: a channel name (mapped per platform) or id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub governance_channel: Option<String>,
    /// Where concerns' private spaces open on Discord (`/concern space`): private threads
    /// in this channel, a name (mapped per platform) or id. On Slack each space is a
    /// private channel of its own, so this is needed only on Discord.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concern_space_channel: Option<String>,
    #[serde(default)]
    pub people: Vec<PersonDef>,
    #[serde(default)]
    pub circles: Vec<CircleDef>,
    #[serde(default)]
    pub cohorts: Vec<CohortDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentoring: Option<MentoringDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuity: Option<ContinuityDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insight: Option<InsightDef>,
    /// Who approves each kind of request, and how (`[[community.approval]]`). A kind not
    /// listed is decided by any one steward.
    #[serde(default, rename = "approval", skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<ApprovalPolicyDef>,
    /// The tool registry's thresholds and review interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<ToolsDef>,
    /// The rotating leadership council: its seats, terms and election windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub council: Option<CouncilDef>,
    /// Platform roles members earn by their achievements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earned_roles: Vec<EarnedRoleDef>,
    /// Knowledge-base entries the program seeds. An import adds or updates them (a change
    /// is a new revision); entries added in chat stay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub knowledge: Vec<KnowledgeDef>,
}

/// A knowledge-base entry in the program file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeDef {
    pub id: String,
    /// faq, playbook, decision or clinic_note.
    pub kind: String,
    pub title: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// A person's `user_id`: who re-verifies it. Without one, the stewards do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// community (everyone), cohort (with `cohort`), or mentors.
    #[serde(default = "everyone", skip_serializing_if = "is_everyone")]
    pub visibility: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort: Option<String>,
    #[serde(default = "ninety_days", skip_serializing_if = "is_ninety_days")]
    pub verify_every_days: i32,
}

fn everyone() -> String {
    "community".to_owned()
}
fn is_everyone(visibility: &str) -> bool {
    visibility == "community"
}
/// Guru's interval: an entry is re-verified every 90 days unless it says otherwise.
fn ninety_days() -> i32 {
    90
}
fn is_ninety_days(days: &i32) -> bool {
    *days == 90
}

/// A platform role earned by one achievement: exactly one of `badge`, `module`,
/// `graduated`, `streak_weeks` and `kudos`. The names a typo could break keep where they
/// were written, so a refusal can name the line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarnedRoleDef {
    pub slug: String,
    pub name: String,
    /// A badge's name, as a module's `badge` gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<Spanned<String>>,
    /// A module's slug: verified in any of the community's cohorts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<Spanned<String>>,
    /// A capstone verified.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub graduated: bool,
    /// A seat on the council: given when a term starts, taken back when it ends.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub council: bool,
    /// A check-in streak of at least this many weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub streak_weeks: Option<i32>,
    /// At least this many kudos received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kudos: Option<i32>,
    /// The Discord role id given to its Discord members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discord_role: Option<Spanned<String>>,
    /// The Slack user group id (`S…`) its Slack members are added to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack_usergroup: Option<Spanned<String>>,
    /// Take the role back when the achievement no longer holds (a badge revoked, a
    /// streak broken). Without it, a role once earned stays.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remove_when_lost: bool,
    /// Announce each member who earns it in their cohort's channel.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub announce: bool,
}

/// Longest streak an earned role may ask for, in weeks (two years).
const STREAK_WEEKS_MAX: i32 = 104;
const KUDOS_MAX: i32 = 10_000;

impl EarnedRoleDef {
    /// The achievement as the store keeps it: its kind, subject and threshold; `None`
    /// unless exactly one is given (see `problems`).
    pub fn achievement(&self) -> Option<(&'static str, Option<&str>, Option<i32>)> {
        let given = [
            self.badge
                .as_ref()
                .map(|b| ("badge", Some(b.get_ref().as_str()), None)),
            self.module
                .as_ref()
                .map(|m| ("module", Some(m.get_ref().as_str()), None)),
            self.graduated.then_some(("graduated", None, None)),
            self.council.then_some(("council", None, None)),
            self.streak_weeks.map(|n| ("streak", None, Some(n))),
            self.kudos.map(|n| ("kudos", None, Some(n))),
        ];
        let mut given = given.into_iter().flatten();
        match (given.next(), given.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }
}

/// The council (`[community.council]`): `seats` seats with terms of `term_days`, staggered
/// so each election fills about half of them. A steward opens the first election with
/// `/council open`; each later one opens by itself before the terms it refills end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouncilDef {
    pub name: String,
    pub seats: i32,
    pub term_days: i32,
    #[serde(default = "default_council_window")]
    pub nomination_days: i32,
    #[serde(default = "default_council_window")]
    pub voting_days: i32,
    /// The channel (a configured name) where elections and changes are announced.
    pub channel: String,
}

fn default_council_window() -> i32 {
    7
}

impl CouncilDef {
    pub fn settings(&self) -> crate::store::council::Settings {
        crate::store::council::Settings {
            name: self.name.clone(),
            seats: self.seats,
            term_days: self.term_days,
            nomination_days: self.nomination_days,
            voting_days: self.voting_days,
            channel: self.channel.clone(),
        }
    }

    pub fn from_settings(settings: crate::store::council::Settings) -> Self {
        CouncilDef {
            name: settings.name,
            seats: settings.seats,
            term_days: settings.term_days,
            nomination_days: settings.nomination_days,
            voting_days: settings.voting_days,
            channel: settings.channel,
        }
    }
}

fn check_council(problems: &mut Vec<String>, here: &str, council: &CouncilDef) {
    let at = format!("{here}, council");
    check_name(problems, &at, "name", &council.name, NAME_MAX);
    if !(2..=25).contains(&council.seats) {
        problems.push(format!("{at}: seats must be 2 to 25"));
    }
    if !(28..=1461).contains(&council.term_days) {
        problems.push(format!("{at}: term_days must be 28 to 1461 (four years)"));
    }
    for (name, days) in [
        ("nomination_days", council.nomination_days),
        ("voting_days", council.voting_days),
    ] {
        if !(1..=60).contains(&days) {
            problems.push(format!("{at}: {name} must be 1 to 60"));
        }
    }
    // Half a term must hold a whole election, or the next would open before this one ends.
    if council.nomination_days + council.voting_days >= council.term_days / 2 {
        problems.push(format!(
            "{at}: nomination_days and voting_days together must be shorter than half of term_days"
        ));
    }
}

/// How the program's reports treat people's answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsightDef {
    /// A survey result (and each department's part of it) is shown only when at least this
    /// many people answered (default 5, at least 3).
    #[serde(default = "default_min_group")]
    pub min_group: i32,
}

fn default_min_group() -> i32 {
    crate::store::surveys::DEFAULT_MIN_GROUP
}

/// The approval policy of one kind of request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalPolicyDef {
    /// scope, data_usage, tool, connector, publish or custom.
    pub kind: String,
    /// Roles (`steward`, `lead_mentor`…) and people (a `user_id` under `people`).
    pub approvers: Vec<String>,
    /// any, all, majority or quorum (with `quorum = N`).
    #[serde(default = "default_rule")]
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum: Option<u32>,
    /// This many rejections reject the request (default 1).
    #[serde(default = "default_max_rejections")]
    pub max_rejections: i32,
    /// Unanswered this long, the request also goes to `escalate_to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalate_after_hours: Option<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalate_to: Vec<String>,
    /// Undecided this long, the request expires (default 14).
    #[serde(default = "default_expires_after_days")]
    pub expires_after_days: i32,
}

fn default_rule() -> String {
    "any".into()
}

fn default_max_rejections() -> i32 {
    1
}

fn default_expires_after_days() -> i32 {
    crate::store::approvals::DEFAULT_EXPIRES_AFTER_DAYS
}

impl ApprovalPolicyDef {
    /// The stored policy; `None` when the kind or rule is malformed (see `problems`).
    pub fn policy(&self) -> Option<crate::store::approvals::Policy> {
        let rule = crate::domain::approval::Rule::parse(&self.rule, self.quorum).ok()?;
        Some(crate::store::approvals::Policy {
            kind: self.kind.parse().ok()?,
            approvers: self.approvers.clone(),
            rule: rule.stored(),
            max_rejections: self.max_rejections,
            escalate_after_hours: self.escalate_after_hours,
            escalate_to: self.escalate_to.clone(),
            expires_after_days: self.expires_after_days,
        })
    }

    /// The file's form of a stored policy, for the export.
    pub fn from_policy(policy: &crate::store::approvals::Policy) -> Self {
        let (rule, quorum) = match policy.rule.parse() {
            Ok(crate::domain::approval::Rule::Quorum(n)) => ("quorum".to_owned(), Some(n)),
            _ => (policy.rule.clone(), None),
        };
        Self {
            kind: policy.kind.as_str().to_owned(),
            approvers: policy.approvers.clone(),
            rule,
            quorum,
            max_rejections: policy.max_rejections,
            escalate_after_hours: policy.escalate_after_hours,
            escalate_to: policy.escalate_to.clone(),
            expires_after_days: policy.expires_after_days,
        }
    }
}

/// The tool registry's rules (`[community.tools]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolsDef {
    /// Owners confirm each tool this often, in days (default 180, 30 to 730).
    #[serde(default = "default_review_days")]
    pub review_days: i32,
    /// A tool with more estimated users than this needs an approval (default 20).
    #[serde(default = "default_approval_over_users")]
    pub approval_over_users: i32,
    /// Data classes whose tools need an approval (default confidential and personal).
    #[serde(default = "default_approval_data")]
    pub approval_data: Vec<String>,
}

fn default_review_days() -> i32 {
    crate::store::tools::Settings::default().review_days
}

fn default_approval_over_users() -> i32 {
    crate::store::tools::Settings::default().approval_over_users
}

fn default_approval_data() -> Vec<String> {
    crate::store::tools::Settings::default().approval_data
}

impl ToolsDef {
    pub fn settings(&self) -> crate::store::tools::Settings {
        crate::store::tools::Settings {
            review_days: self.review_days,
            approval_over_users: self.approval_over_users,
            approval_data: self.approval_data.clone(),
        }
    }

    pub fn from_settings(settings: crate::store::tools::Settings) -> Self {
        Self {
            review_days: settings.review_days,
            approval_over_users: settings.approval_over_users,
            approval_data: settings.approval_data,
        }
    }
}

fn check_tools(problems: &mut Vec<String>, here: &str, tools: &ToolsDef) {
    let at = format!("{here}, tools");
    if !(30..=730).contains(&tools.review_days) {
        problems.push(format!("{at}: review_days must be from 30 to 730"));
    }
    if tools.approval_over_users < 0 {
        problems.push(format!("{at}: approval_over_users can't be negative"));
    }
    for class in &tools.approval_data {
        if !crate::commands::catalog::DATA_CLASSES.contains(&class.as_str()) {
            problems.push(format!(
                "{at}: `{class}` in approval_data is not a data class: public, internal, confidential or personal"
            ));
        }
    }
}

/// Checks approval policies: known kinds, once each, approvers that are roles or people.
fn check_approvals(problems: &mut Vec<String>, here: &str, community: &CommunityDef) {
    unique(
        problems,
        here,
        "approval kind",
        community.approvals.iter().map(|a| a.kind.as_str()),
    );
    let people: HashSet<&str> = community
        .people
        .iter()
        .map(|p| p.user_id.as_str())
        .collect();
    let known = |entry: &str| Role::from_str(entry).is_ok() || people.contains(entry);
    for approval in &community.approvals {
        let at = format!("{here}, approval `{}`", approval.kind);
        if approval
            .kind
            .parse::<crate::store::approvals::Kind>()
            .is_err()
        {
            problems.push(format!(
                "{at}: kind must be one of scope, data_usage, tool, connector, publish, custom"
            ));
        }
        if approval.approvers.is_empty() {
            problems.push(format!("{at}: approvers is empty; name a role or a person"));
        }
        for entry in approval.approvers.iter().chain(&approval.escalate_to) {
            if !known(entry) {
                problems.push(format!(
                    "{at}: `{entry}` is neither a role nor a person listed under people"
                ));
            }
        }
        if let Err(err) = crate::domain::approval::Rule::parse(&approval.rule, approval.quorum) {
            problems.push(format!("{at}: {err}"));
        }
        if !(1..=100).contains(&approval.max_rejections) {
            problems.push(format!("{at}: max_rejections must be from 1 to 100"));
        }
        if !(1..=365).contains(&approval.expires_after_days) {
            problems.push(format!("{at}: expires_after_days must be from 1 to 365"));
        }
        match approval.escalate_after_hours {
            Some(hours) if !(1..=24 * 365).contains(&hours) => {
                problems.push(format!("{at}: escalate_after_hours must be from 1 to 8760"))
            }
            Some(hours) if hours >= approval.expires_after_days * 24 => problems.push(format!(
                "{at}: escalate_after_hours is after the request expires ({} days); it would never escalate",
                approval.expires_after_days
            )),
            Some(_) if approval.escalate_to.is_empty() => {
                problems.push(format!("{at}: escalate_after_hours needs escalate_to"))
            }
            None if !approval.escalate_to.is_empty() => {
                problems.push(format!("{at}: escalate_to needs escalate_after_hours"))
            }
            _ => {}
        }
    }
}

/// The smallest `insight.min_group`: below it a group is one or two people.
pub const MIN_GROUP_FLOOR: i32 = 3;

/// How absences work in the community.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContinuityDef {
    /// The longest absence a member may set in one go, in days (default 90).
    #[serde(default = "default_absence_max_days")]
    pub absence_max_days: i32,
    /// Away this many of a week's five working days excuses the week (default 3).
    #[serde(default = "default_away_days_excuse")]
    pub away_days_excuse: i32,
    /// When a week's check-in opens: a weekday and time of the week before (default
    /// `FRI 12:00`). Earlier check-ins count for next week, after a confirmation.
    #[serde(default = "default_checkin_opens")]
    pub checkin_opens: String,
    /// When a week's check-in closes: a weekday and time of the week after (default
    /// `WED 23:59`). Later ones still count, marked late.
    #[serde(default = "default_checkin_closes")]
    pub checkin_closes: String,
}

fn default_checkin_opens() -> String {
    crate::domain::CheckinWindow::default().opens_text()
}

fn default_checkin_closes() -> String {
    crate::domain::CheckinWindow::default().closes_text()
}

impl ContinuityDef {
    /// The settings the file says; `None` when a field is malformed (see `problems`).
    pub fn settings(&self) -> Option<crate::store::absences::Settings> {
        Some(crate::store::absences::Settings {
            absence_max_days: self.absence_max_days,
            away_days_excuse: self.away_days_excuse,
            window: crate::domain::CheckinWindow {
                opens_before: crate::domain::CheckinWindow::parse_opens(&self.checkin_opens)
                    .ok()?,
                closes_after: crate::domain::CheckinWindow::parse_closes(&self.checkin_closes)
                    .ok()?,
            },
        })
    }
}

fn default_absence_max_days() -> i32 {
    crate::store::absences::Settings::default().absence_max_days
}

fn default_away_days_excuse() -> i32 {
    crate::store::absences::Settings::default().away_days_excuse
}

/// A cohort's day off: `day` is a date (`2027-03-29`) or a whole ISO week (`2027-W13`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayOffDef {
    pub day: String,
    pub label: String,
}

/// The community's mentoring settings: the playbook and the rotation rhythm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentoringDef {
    /// The mentor playbook `/mentor guide` shows: coaching techniques, the structured
    /// feedback template, conflict resolution steps and etiquette.
    #[serde(default)]
    pub guide: String,
    /// Community mentors rotate between groups every this many weeks (default 4).
    #[serde(default = "default_rotation_weeks")]
    pub rotation_weeks: i32,
    /// Learners per lead-mentor group (default 8).
    #[serde(default = "default_group_size")]
    pub group_size: i32,
    /// The channel where review requests are announced (default `mentors`).
    #[serde(default = "default_review_channel")]
    pub review_channel: String,
    /// Hours before an unclaimed review is re-announced and escalated (default 24).
    #[serde(default = "default_review_escalate_hours")]
    pub review_escalate_hours: i32,
    /// Days a mentor may stay silent while learners wait before being flagged (default 14).
    #[serde(default = "default_inactive_days")]
    pub inactive_days: i32,
    /// Local waking hours for matching and pairing, `HH:MM-HH:MM` on quarter-hours, the
    /// same window in every zone (default `09:00-18:00`).
    #[serde(default = "default_waking_hours")]
    pub waking_hours: String,
}

fn default_waking_hours() -> String {
    WakingHours::default().to_string()
}

fn default_inactive_days() -> i32 {
    14
}

fn default_review_channel() -> String {
    "mentors".into()
}

fn default_review_escalate_hours() -> i32 {
    24
}

fn default_rotation_weeks() -> i32 {
    4
}

fn default_group_size() -> i32 {
    8
}

/// Longest mentor playbook.
const GUIDE_MAX: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonDef {
    #[serde(default = "shell")]
    pub platform: String,
    pub user_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default)]
    pub skills: Vec<String>,
    /// `steward`, or `lead_mentor:spring-makers-2027` for a role in one cohort.
    #[serde(default)]
    pub roles: Vec<String>,
}

fn shell() -> String {
    "shell".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CircleDef {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The circle's channel: where its prompt and its sessions are posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// `public` (anyone joins), `private` (a lead approves) or `secret` (invitation only).
    #[serde(default = "public", skip_serializing_if = "is_public")]
    pub visibility: String,
    /// The zone its schedules are evaluated in (default UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// People (`user_id`s of `people`) who lead the circle.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leads: Vec<String>,
    /// Conversation prompts posted in the channel, one at each `prompt_schedule` tick, in
    /// turn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prompts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_schedule: Option<String>,
    /// When members are introduced to one another, in pairs (none when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro_schedule: Option<String>,
}

fn public() -> String {
    "public".to_owned()
}

fn is_public(visibility: &String) -> bool {
    visibility == "public"
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CohortDef {
    pub slug: String,
    pub name: String,
    pub timezone: String,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "toml_date")]
    pub starts_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "toml_date")]
    pub ends_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Hours after the prompt before the one nudge (default 24).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nudge_after_hours: Option<i32>,
    /// Kind (`checkin`, `digest`, …) to a cron expression in the cohort's time zone.
    #[serde(default)]
    pub schedules: BTreeMap<String, String>,
    #[serde(default)]
    pub tracks: Vec<TrackDef>,
    #[serde(default)]
    pub mentor_groups: Vec<MentorGroupDef>,
    /// Recurring sessions (lightning talks, clinics…), in the cohort's time zone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<super::sessions::SessionSeriesDef>,
    /// Days off: triggers on them are skipped, and a week wholly off is excused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days_off: Vec<DayOffDef>,
    /// Mirror the cohort's sessions as Discord scheduled events (its community needs a
    /// Discord server, and the bot the Create Events permission).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub discord_events: bool,
    /// Marking "Interested" on a session's Discord event RSVPs (and taking it back
    /// withdraws that RSVP).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interested_is_rsvp: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackDef {
    pub slug: String,
    pub name: String,
    /// `modules` (a ladder of short modules) or `project` (project-based).
    pub kind: String,
    #[serde(default)]
    pub modules: Vec<ModuleDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleDef {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub requires: Vec<String>,
    #[serde(default)]
    pub capstone: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentorGroupDef {
    pub name: String,
    /// The `user_id` of the group's lead mentor, listed under `people`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
}

/// TOML local dates (`2027-03-01`, unquoted) for `NaiveDate` fields.
mod toml_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use toml::value::{Date, Datetime};

    pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        use chrono::Datelike;
        match date {
            Some(d) => {
                let date = Date {
                    year: d.year() as u16,
                    month: d.month() as u8,
                    day: d.day() as u8,
                };
                s.serialize_some(&Datetime {
                    date: Some(date),
                    time: None,
                    offset: None,
                })
            }
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        let value = Datetime::deserialize(d)?;
        match (value.date, value.time, value.offset) {
            (Some(date), None, None) => {
                NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
                    .map(Some)
                    .ok_or_else(|| D::Error::custom("not a calendar date"))
            }
            _ => Err(D::Error::custom(
                "expected a date like 2027-03-01, without a time",
            )),
        }
    }
}

/// A role entry from `people.roles`: the role and, optionally, the cohort it is limited to.
pub fn parse_role_entry(entry: &str) -> Option<(Role, Option<&str>)> {
    let (role, cohort) = match entry.split_once(':') {
        Some((role, cohort)) => (role, Some(cohort)),
        None => (entry, None),
    };
    Some((Role::from_str(role).ok()?, cohort))
}

impl ProgramFile {
    /// Parses and checks a program file. Errors name the place and the problem.
    pub fn parse(text: &str, origin: &str) -> anyhow::Result<Self> {
        let mut program: ProgramFile = toml::from_str(text)
            .map_err(|e| anyhow::anyhow!("invalid program file {origin}: {e}"))?;
        let problems = program.problems_in(Some(text));
        if !problems.is_empty() {
            anyhow::bail!(
                "invalid program file {origin}:\n  - {}",
                problems.join("\n  - ")
            );
        }
        program.canonicalize_timezones();
        Ok(program)
    }

    /// Stores zones by their IANA name (`europe/berlin` → `Europe/Berlin`): the scheduler
    /// groups learners by zone name, so every stored name must be the canonical one.
    fn canonicalize_timezones(&mut self) {
        let canonical = |tz: &mut String| {
            if let Ok(zone) = parse_timezone(tz) {
                *tz = zone.name().to_owned();
            }
        };
        for community in &mut self.communities {
            community
                .people
                .iter_mut()
                .filter_map(|p| p.timezone.as_mut())
                .for_each(canonical);
            community
                .cohorts
                .iter_mut()
                .for_each(|c| canonical(&mut c.timezone));
        }
    }

    pub fn to_toml(&self) -> anyhow::Result<String> {
        Ok(toml::to_string_pretty(self)?)
    }

    /// Every semantic problem, each naming where it is.
    pub fn problems(&self) -> Vec<String> {
        self.problems_in(None)
    }

    /// [`problems`](Self::problems), naming the line in `text` (the file parsed) where
    /// a problem's value was written.
    fn problems_in(&self, text: Option<&str>) -> Vec<String> {
        let mut problems = Vec::new();
        let mut community_slugs = HashSet::new();
        for community in &self.communities {
            let here = format!("community `{}`", community.slug);
            check_slug(&mut problems, &here, &community.slug);
            check_name(&mut problems, &here, "name", &community.name, NAME_MAX);
            if let Some(coc) = &community.code_of_conduct {
                check_name(&mut problems, &here, "code_of_conduct", coc, COC_MAX);
            }
            if !community_slugs.insert(&community.slug) {
                problems.push(format!("{here}: listed twice"));
            }
            check_community(&mut problems, &here, community);
            check_earned_roles(&mut problems, &here, community, text);
            check_knowledge(&mut problems, &here, community);
        }
        problems
    }
}

fn check_community(problems: &mut Vec<String>, here: &str, community: &CommunityDef) {
    let cohort_slugs: HashSet<&str> = community.cohorts.iter().map(|c| c.slug.as_str()).collect();
    let mut people = HashSet::new();
    for person in &community.people {
        let at = format!("{here}, person `{}`", person.user_id);
        if !PLATFORMS.contains(&person.platform.as_str()) {
            problems.push(format!(
                "{at}: platform must be one of {}",
                PLATFORMS.join(", ")
            ));
        }
        if !people.insert((&person.platform, &person.user_id)) {
            problems.push(format!("{at}: listed twice"));
        }
        check_name(problems, &at, "user_id", &person.user_id, 80);
        check_name(problems, &at, "name", &person.name, NAME_MAX);
        if let Some(tz) = &person.timezone {
            check_timezone(problems, &at, tz);
        }
        for entry in &person.roles {
            match parse_role_entry(entry) {
                None => problems.push(format!("{at}: `{entry}` is not a role")),
                Some((_, Some(cohort))) if !cohort_slugs.contains(cohort) => {
                    problems.push(format!("{at}: role `{entry}` names an unknown cohort"))
                }
                Some(_) => {}
            }
        }
    }
    unique(
        problems,
        here,
        "circle",
        community.circles.iter().map(|c| c.slug.as_str()),
    );
    let people: HashSet<&str> = community
        .people
        .iter()
        .map(|p| p.user_id.as_str())
        .collect();
    for circle in &community.circles {
        check_circle(problems, here, circle, &people);
    }
    unique(
        problems,
        here,
        "cohort",
        community.cohorts.iter().map(|c| c.slug.as_str()),
    );
    let shell_people: HashSet<&str> = community
        .people
        .iter()
        .map(|p| p.user_id.as_str())
        .collect();
    for cohort in &community.cohorts {
        check_cohort(problems, here, cohort, &shell_people);
    }
    if let Some(mentoring) = &community.mentoring {
        let at = format!("{here}, mentoring");
        if !(1..=52).contains(&mentoring.rotation_weeks) {
            problems.push(format!("{at}: rotation_weeks must be from 1 to 52"));
        }
        if !(1..=50).contains(&mentoring.group_size) {
            problems.push(format!("{at}: group_size must be from 1 to 50"));
        }
        if !(1..=336).contains(&mentoring.review_escalate_hours) {
            problems.push(format!("{at}: review_escalate_hours must be from 1 to 336"));
        }
        if let Err(err) = WakingHours::parse(&mentoring.waking_hours) {
            problems.push(format!("{at}: waking_hours {err}"));
        }
        check_name(
            problems,
            &at,
            "review_channel",
            &mentoring.review_channel,
            100,
        );
        if mentoring.guide.chars().count() > GUIDE_MAX {
            problems.push(format!("{at}: guide is longer than {GUIDE_MAX} characters"));
        }
    }
    check_approvals(problems, here, community);
    if let Some(tools) = &community.tools {
        check_tools(problems, here, tools);
    }
    if let Some(council) = &community.council {
        check_council(problems, here, council);
    }
    if let Some(insight) = &community.insight
        && insight.min_group < MIN_GROUP_FLOOR
    {
        problems.push(format!(
            "{here}, insight: min_group must be at least {MIN_GROUP_FLOOR}, so no hidden answer is one person's"
        ));
    }
    if let Some(continuity) = &community.continuity {
        let at = format!("{here}, continuity");
        if !(1..=366).contains(&continuity.absence_max_days) {
            problems.push(format!("{at}: absence_max_days must be from 1 to 366"));
        }
        if !(1..=5).contains(&continuity.away_days_excuse) {
            problems.push(format!("{at}: away_days_excuse must be from 1 to 5"));
        }
        if let Err(err) = crate::domain::CheckinWindow::parse_opens(&continuity.checkin_opens) {
            problems.push(format!("{at}: checkin_opens {err}"));
        }
        if let Err(err) = crate::domain::CheckinWindow::parse_closes(&continuity.checkin_closes) {
            problems.push(format!("{at}: checkin_closes {err}"));
        }
    }
}

/// The line a value was written on, when the file's text is at hand.
fn line_of<T>(text: Option<&str>, value: &Spanned<T>) -> String {
    match text {
        Some(text) if value.span().end > 0 => {
            let line = text[..value.span().start.min(text.len())]
                .matches('\n')
                .count()
                + 1;
            format!(" (line {line})")
        }
        _ => String::new(),
    }
}

fn check_knowledge(problems: &mut Vec<String>, here: &str, community: &CommunityDef) {
    use crate::commands::catalog::{
        KB_BODY_MAX, KB_KINDS, KB_NAME_MAX, KB_TITLE_MAX, KB_VISIBILITIES,
    };
    // Ids and aliases share one namespace, as they do in the database.
    unique(
        problems,
        here,
        "knowledge-base id or alias",
        community
            .knowledge
            .iter()
            .flat_map(|e| std::iter::once(&e.id).chain(&e.aliases))
            .map(String::as_str),
    );
    let people: HashSet<&str> = community
        .people
        .iter()
        .map(|p| p.user_id.as_str())
        .collect();
    let cohorts: HashSet<&str> = community.cohorts.iter().map(|c| c.slug.as_str()).collect();
    for entry in &community.knowledge {
        let at = format!("{here}, knowledge entry `{}`", entry.id);
        for name in std::iter::once(&entry.id).chain(&entry.aliases) {
            if name.chars().count() > KB_NAME_MAX {
                problems.push(format!(
                    "{at}: `{name}` is longer than {KB_NAME_MAX} characters"
                ));
            } else {
                check_slug(problems, &at, name);
            }
        }
        if !KB_KINDS.contains(&entry.kind.as_str()) {
            problems.push(format!("{at}: kind must be one of {}", KB_KINDS.join(", ")));
        }
        if let Err(e) = clean_line("title", &entry.title, KB_TITLE_MAX) {
            problems.push(format!("{at}: {e}"));
        }
        if let Err(e) = crate::domain::text::clean_paragraph("body", &entry.body, KB_BODY_MAX) {
            problems.push(format!("{at}: {e}"));
        }
        if let Err(e) = crate::domain::tags::tags(entry.tags.iter().map(String::as_str)) {
            problems.push(format!("{at}: {e}"));
        }
        if let Some(owner) = &entry.owner
            && !people.contains(owner.as_str())
        {
            problems.push(format!(
                "{at}: the owner `{owner}` is not one of the community's people"
            ));
        }
        if !KB_VISIBILITIES.contains(&entry.visibility.as_str()) {
            problems.push(format!(
                "{at}: visibility must be one of {}",
                KB_VISIBILITIES.join(", ")
            ));
        }
        match (entry.visibility.as_str(), &entry.cohort) {
            ("cohort", None) => problems.push(format!("{at}: visibility `cohort` needs `cohort`")),
            ("cohort", Some(cohort)) if !cohorts.contains(cohort.as_str()) => {
                problems.push(format!("{at}: no cohort `{cohort}` in this community"))
            }
            (_, Some(_)) if entry.visibility != "cohort" => {
                problems.push(format!("{at}: `cohort` goes with visibility `cohort`"))
            }
            _ => {}
        }
        if !(1..=3_650).contains(&entry.verify_every_days) {
            problems.push(format!("{at}: verify_every_days must be from 1 to 3650"));
        }
    }
}

fn check_earned_roles(
    problems: &mut Vec<String>,
    here: &str,
    community: &CommunityDef,
    text: Option<&str>,
) {
    unique(
        problems,
        here,
        "earned role",
        community.earned_roles.iter().map(|r| r.slug.as_str()),
    );
    let modules = || {
        community
            .cohorts
            .iter()
            .flat_map(|c| &c.tracks)
            .flat_map(|t| &t.modules)
    };
    for rule in &community.earned_roles {
        let at = format!("{here}, earned role `{}`", rule.slug);
        check_slug(problems, &at, &rule.slug);
        check_name(problems, &at, "name", &rule.name, NAME_MAX);
        if rule.achievement().is_none() {
            problems.push(format!(
                "{at}: give exactly one of badge, module, graduated, council, streak_weeks and kudos"
            ));
        }
        if let Some(badge) = &rule.badge
            && !modules().any(|m| m.badge.as_deref() == Some(badge.get_ref().as_str()))
        {
            problems.push(format!(
                "{at}{}: no module awards the badge `{}`",
                line_of(text, badge),
                badge.get_ref()
            ));
        }
        if let Some(module) = &rule.module
            && !modules().any(|m| &m.slug == module.get_ref())
        {
            problems.push(format!(
                "{at}{}: no track has the module `{}`",
                line_of(text, module),
                module.get_ref()
            ));
        }
        if let Some(weeks) = rule.streak_weeks
            && !(1..=STREAK_WEEKS_MAX).contains(&weeks)
        {
            problems.push(format!(
                "{at}: streak_weeks must be from 1 to {STREAK_WEEKS_MAX}"
            ));
        }
        if let Some(kudos) = rule.kudos
            && !(1..=KUDOS_MAX).contains(&kudos)
        {
            problems.push(format!("{at}: kudos must be from 1 to {KUDOS_MAX}"));
        }
        match (&rule.discord_role, &rule.slack_usergroup) {
            (None, None) => problems.push(format!(
                "{at}: give the role to grant: discord_role, slack_usergroup or both"
            )),
            (discord, slack) => {
                if let Some(role) = discord
                    && !is_snowflake(role.get_ref())
                {
                    problems.push(format!(
                        "{at}{}: discord_role `{}` is not a Discord role id (17 to 20 digits; copy it with Developer Mode on)",
                        line_of(text, role),
                        role.get_ref()
                    ));
                }
                if let Some(group) = slack
                    && !(group.get_ref().starts_with('S')
                        && crate::render::slack::is_slack_id(group.get_ref()))
                {
                    problems.push(format!(
                        "{at}{}: slack_usergroup `{}` is not a Slack user group id (like S0614TZR7)",
                        line_of(text, group),
                        group.get_ref()
                    ));
                }
            }
        }
    }
}

fn is_snowflake(id: &str) -> bool {
    (17..=20).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

fn check_cohort(
    problems: &mut Vec<String>,
    here: &str,
    cohort: &CohortDef,
    people: &HashSet<&str>,
) {
    let at = format!("{here}, cohort `{}`", cohort.slug);
    check_slug(problems, &at, &cohort.slug);
    check_name(problems, &at, "name", &cohort.name, NAME_MAX);
    check_timezone(problems, &at, &cohort.timezone);
    if let Some(hours) = cohort.nudge_after_hours
        && !(1..=168).contains(&hours)
    {
        problems.push(format!(
            "{at}: nudge_after_hours must be 1 to 168, not {hours}"
        ));
    }
    if let (Some(start), Some(end)) = (cohort.starts_on, cohort.ends_on)
        && end < start
    {
        problems.push(format!("{at}: ends_on is before starts_on"));
    }
    for (kind, cron) in &cohort.schedules {
        if !SCHEDULE_KINDS.contains(&kind.as_str()) {
            problems.push(format!(
                "{at}: unknown schedule `{kind}` (known: {})",
                SCHEDULE_KINDS.join(", ")
            ));
        }
        if let Err(err) = crate::schedule::CronExpr::parse(cron) {
            problems.push(format!("{at}: schedule `{kind}`: {err}"));
        }
    }
    unique(
        problems,
        &at,
        "track",
        cohort.tracks.iter().map(|t| t.slug.as_str()),
    );
    for track in &cohort.tracks {
        check_track(problems, &at, track);
    }
    super::sessions::check(problems, &at, &cohort.sessions);
    for day_off in &cohort.days_off {
        if crate::domain::DayOrWeek::parse(&day_off.day).is_none() {
            problems.push(format!(
                "{at}: day off `{}` is neither a date like 2027-03-29 nor a week like 2027-W13",
                day_off.day
            ));
        }
        check_name(problems, &at, "day off label", &day_off.label, NAME_MAX);
    }
    unique(
        problems,
        &at,
        "mentor group",
        cohort.mentor_groups.iter().map(|g| g.name.as_str()),
    );
    for group in &cohort.mentor_groups {
        check_name(problems, &at, "mentor group name", &group.name, NAME_MAX);
        if let Some(lead) = &group.lead
            && !people.contains(lead.as_str())
        {
            problems.push(format!(
                "{at}: mentor group `{}` has lead `{lead}`, who is not under people",
                group.name
            ));
        }
    }
}

fn check_track(problems: &mut Vec<String>, cohort_at: &str, track: &TrackDef) {
    let at = format!("{cohort_at}, track `{}`", track.slug);
    check_slug(problems, &at, &track.slug);
    check_name(problems, &at, "name", &track.name, NAME_MAX);
    if !["modules", "project"].contains(&track.kind.as_str()) {
        problems.push(format!(
            "{at}: kind must be `modules` or `project`, not `{}`",
            track.kind
        ));
    }
    unique(
        problems,
        &at,
        "module",
        track.modules.iter().map(|m| m.slug.as_str()),
    );
    let known: HashSet<&str> = track.modules.iter().map(|m| m.slug.as_str()).collect();
    for module in &track.modules {
        let module_at = format!("{at}, module `{}`", module.slug);
        check_slug(problems, &module_at, &module.slug);
        check_name(problems, &module_at, "name", &module.name, NAME_MAX);
        for required in &module.requires {
            if !known.contains(required.as_str()) || required == &module.slug {
                problems.push(format!(
                    "{module_at}: requires `{required}`, which is not another module of this track"
                ));
            }
        }
    }
    if let Some(cycle_at) = find_cycle(&track.modules) {
        problems.push(format!(
            "{at}: prerequisites form a cycle through `{cycle_at}`"
        ));
    }
}

/// A module on a prerequisite cycle, if there is one (depth-first search).
fn find_cycle(modules: &[ModuleDef]) -> Option<String> {
    let edges: HashMap<&str, &[String]> = modules
        .iter()
        .map(|m| (m.slug.as_str(), m.requires.as_slice()))
        .collect();
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit<'a>(
        node: &'a str,
        edges: &HashMap<&'a str, &'a [String]>,
        marks: &mut HashMap<&'a str, Mark>,
    ) -> Option<String> {
        match marks.get(node) {
            Some(Mark::Visiting) => return Some(node.to_owned()),
            Some(Mark::Done) => return None,
            None => {}
        }
        marks.insert(node, Mark::Visiting);
        for next in edges.get(node).copied().unwrap_or_default() {
            if let Some(found) = visit(next, edges, marks) {
                return Some(found);
            }
        }
        marks.insert(node, Mark::Done);
        None
    }
    let mut marks = HashMap::new();
    modules
        .iter()
        .find_map(|m| visit(&m.slug, &edges, &mut marks))
}

fn unique<'a>(
    problems: &mut Vec<String>,
    at: &str,
    what: &str,
    items: impl Iterator<Item = &'a str>,
) {
    let mut seen = HashSet::new();
    for item in items {
        if !seen.insert(item) {
            problems.push(format!("{at}: {what} `{item}` is listed twice"));
        }
    }
}

fn check_circle(
    problems: &mut Vec<String>,
    here: &str,
    circle: &CircleDef,
    people: &HashSet<&str>,
) {
    use crate::commands::catalog::{CIRCLE_PROMPT_MAX, CIRCLE_VISIBILITIES, DESCRIPTION_MAX};
    let at = format!("{here}, circle `{}`", circle.slug);
    check_slug(problems, &at, &circle.slug);
    check_name(problems, &at, "name", &circle.name, NAME_MAX);
    check_name(
        problems,
        &at,
        "description",
        &circle.description,
        DESCRIPTION_MAX,
    );
    if !CIRCLE_VISIBILITIES.contains(&circle.visibility.as_str()) {
        problems.push(format!(
            "{at}: visibility must be one of {}",
            CIRCLE_VISIBILITIES.join(", ")
        ));
    }
    if let Some(tz) = &circle.timezone {
        check_timezone(problems, &at, tz);
    }
    for lead in &circle.leads {
        if !people.contains(lead.as_str()) {
            problems.push(format!(
                "{at}: lead `{lead}` is not one of the community's people"
            ));
        }
    }
    for prompt in &circle.prompts {
        check_name(problems, &at, "prompt", prompt, CIRCLE_PROMPT_MAX);
    }
    for (field, cron) in [
        ("prompt_schedule", &circle.prompt_schedule),
        ("intro_schedule", &circle.intro_schedule),
    ] {
        if let Some(Err(err)) = cron.as_deref().map(crate::schedule::CronExpr::parse) {
            problems.push(format!("{at}: {field}: {err}"));
        }
    }
    if circle.prompt_schedule.is_some() && circle.prompts.is_empty() {
        problems.push(format!(
            "{at}: prompt_schedule is set but there are no prompts"
        ));
    }
    if circle.prompt_schedule.is_some() && circle.channel.is_none() {
        problems.push(format!("{at}: prompts need a channel to be posted in"));
    }
}

fn check_slug(problems: &mut Vec<String>, at: &str, slug: &str) {
    if let Err(e) = Slug::parse(slug) {
        problems.push(format!("{at}: {e}"));
    }
}

fn check_name(problems: &mut Vec<String>, at: &str, field: &str, value: &str, max: usize) {
    // Long texts may hold line breaks; names may not.
    let result = if max > NAME_MAX {
        let flat = value.replace(['\n', '\r', '\t'], " ");
        clean_line(field, &flat, max)
    } else {
        clean_line(field, value, max)
    };
    if let Err(e) = result {
        problems.push(format!("{at}: {e}"));
    }
}

fn check_timezone(problems: &mut Vec<String>, at: &str, tz: &str) {
    if let Err(e) = parse_timezone(tz) {
        problems.push(format!("{at}: {e}"));
    }
}

// The program file's types as the store's plain rows: the store knows nothing of the file.

impl CommunityDef {
    pub fn seed(&self) -> crate::store::program::CommunitySeed<'_> {
        crate::store::program::CommunitySeed {
            slug: &self.slug,
            name: &self.name,
            code_of_conduct: self.code_of_conduct.as_deref(),
            discord_guild_id: self.discord_guild_id.as_deref(),
            slack_team_id: self.slack_team_id.as_deref(),
            governance_channel: self.governance_channel.as_deref(),
            concern_space_channel: self.concern_space_channel.as_deref(),
        }
    }
}

impl PersonDef {
    pub fn seed(&self) -> crate::store::program::PersonSeed<'_> {
        crate::store::program::PersonSeed {
            platform: &self.platform,
            user_id: &self.user_id,
            name: &self.name,
            timezone: self.timezone.as_deref(),
            skills: &self.skills,
        }
    }
}

impl CircleDef {
    pub fn row(&self) -> crate::store::program::CircleRow {
        crate::store::program::CircleRow {
            slug: self.slug.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            channel: self.channel.clone(),
            visibility: self.visibility.clone(),
            timezone: self.timezone.clone().unwrap_or_else(|| "UTC".to_owned()),
            prompts: self.prompts.clone(),
            leads: self.leads.clone(),
            prompt_schedule: self.prompt_schedule.clone(),
            intro_schedule: self.intro_schedule.clone(),
        }
    }
}

impl From<crate::store::program::CircleRow> for CircleDef {
    fn from(row: crate::store::program::CircleRow) -> Self {
        Self {
            slug: row.slug,
            name: row.name,
            description: row.description,
            channel: row.channel,
            visibility: row.visibility,
            timezone: (row.timezone != "UTC").then_some(row.timezone),
            leads: row.leads,
            prompts: row.prompts,
            prompt_schedule: row.prompt_schedule,
            intro_schedule: row.intro_schedule,
        }
    }
}

impl EarnedRoleDef {
    /// `None` when the achievement is not exactly one (validated before any write).
    pub fn seed(&self) -> Option<crate::store::program::EarnedRoleSeed<'_>> {
        let (achievement, subject, threshold) = self.achievement()?;
        Some(crate::store::program::EarnedRoleSeed {
            slug: &self.slug,
            name: &self.name,
            achievement,
            subject,
            threshold,
            discord_role: self.discord_role.as_ref().map(|r| r.get_ref().as_str()),
            slack_usergroup: self.slack_usergroup.as_ref().map(|g| g.get_ref().as_str()),
            remove_when_lost: self.remove_when_lost,
            announce: self.announce,
        })
    }
}

impl From<crate::store::knowledge::SeedRow> for KnowledgeDef {
    fn from(row: crate::store::knowledge::SeedRow) -> Self {
        Self {
            id: row.slug,
            kind: row.kind,
            title: row.title,
            body: row.body,
            tags: row.tags,
            aliases: row.aliases,
            owner: row.owner,
            visibility: row.visibility,
            cohort: row.cohort,
            verify_every_days: row.verify_every_days,
        }
    }
}

impl From<crate::store::program::EarnedRoleRow> for EarnedRoleDef {
    fn from(row: crate::store::program::EarnedRoleRow) -> Self {
        // Exported values were not written on any line of a file.
        let unplaced = |value: String| Spanned::new(0..0, value);
        let subject = |kind: &str| {
            (row.achievement == kind)
                .then(|| row.subject.clone())
                .flatten()
                .map(unplaced)
        };
        let threshold = |kind: &str| (row.achievement == kind).then_some(row.threshold).flatten();
        Self {
            badge: subject("badge"),
            module: subject("module"),
            graduated: row.achievement == "graduated",
            council: row.achievement == "council",
            streak_weeks: threshold("streak"),
            kudos: threshold("kudos"),
            slug: row.slug,
            name: row.name,
            discord_role: row.discord_role.map(unplaced),
            slack_usergroup: row.slack_usergroup.map(unplaced),
            remove_when_lost: row.remove_when_lost,
            announce: row.announce,
        }
    }
}

impl CohortDef {
    pub fn seed(&self) -> crate::store::program::CohortSeed<'_> {
        crate::store::program::CohortSeed {
            slug: &self.slug,
            name: &self.name,
            timezone: &self.timezone,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            channel: self.channel.as_deref(),
            nudge_after_hours: self.nudge_after_hours,
            discord_events: self.discord_events,
            interested_is_rsvp: self.interested_is_rsvp,
        }
    }
}

impl TrackDef {
    pub fn seed(&self) -> crate::store::program::TrackSeed<'_> {
        crate::store::program::TrackSeed {
            slug: &self.slug,
            name: &self.name,
            kind: &self.kind,
        }
    }
}

impl ModuleDef {
    pub fn seed(&self) -> crate::store::program::ModuleSeed<'_> {
        crate::store::program::ModuleSeed {
            slug: &self.slug,
            name: &self.name,
            capstone: self.capstone,
            badge: self.badge.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../config/program.example.toml");

    #[test]
    fn the_example_program_is_valid_and_complete() {
        let program = ProgramFile::parse(EXAMPLE, "example").unwrap();
        let community = &program.communities[0];
        assert_eq!(community.cohorts.len(), 2);
        assert_eq!(community.circles.len(), 2);
        let spring = &community.cohorts[0];
        assert_eq!(spring.name, "Spring Makers 2027");
        let kinds: Vec<_> = spring.tracks.iter().map(|t| t.kind.as_str()).collect();
        assert_eq!(kinds, ["modules", "project"]);
        assert!(
            spring.schedules.contains_key("checkin") && spring.schedules.contains_key("digest")
        );
        assert_ne!(community.cohorts[1].timezone, spring.timezone);
    }

    #[test]
    fn export_format_round_trips() {
        let program = ProgramFile::parse(EXAMPLE, "example").unwrap();
        let again = ProgramFile::parse(&program.to_toml().unwrap(), "export").unwrap();
        assert_eq!(program, again);
    }

    #[test]
    fn problems_are_named_precisely() {
        let mut program = ProgramFile::parse(EXAMPLE, "example").unwrap();
        let cohort = &mut program.communities[0].cohorts[0];
        cohort.timezone = "Europe/Berln".into();
        cohort
            .schedules
            .insert("checkin".into(), "every monday".into());
        cohort.tracks[0].modules[0].requires = vec![cohort.tracks[0].modules[1].slug.clone()];
        let problems = program.problems().join("\n");
        assert!(
            problems.contains("did you mean `Europe/Berlin`?"),
            "{problems}"
        );
        assert!(
            problems.contains("schedule `checkin`: `every monday` is not a cron expression"),
            "{problems}"
        );
        assert!(
            problems.contains("prerequisites form a cycle"),
            "{problems}"
        );
    }

    #[test]
    fn time_zones_are_stored_by_their_canonical_name() {
        let text = EXAMPLE.replace(
            "timezone = \"Europe/Berlin\"",
            "timezone = \" europe/berlin \"",
        );
        let program = ProgramFile::parse(&text, "lower").unwrap();
        let spring = &program.communities[0].cohorts[0];
        assert_eq!(spring.timezone, "Europe/Berlin");
        let grace = program.communities[0]
            .people
            .iter()
            .find(|p| p.user_id == "grace")
            .unwrap();
        assert_eq!(grace.timezone.as_deref(), Some("Europe/Berlin"));
    }

    #[test]
    fn days_off_and_continuity_are_checked() {
        let program = ProgramFile::parse(EXAMPLE, "example").unwrap();
        let evening = &program.communities[0].cohorts[1];
        assert_eq!(evening.days_off.len(), 2);
        assert_eq!(
            program.communities[0]
                .continuity
                .as_ref()
                .map(|c| c.away_days_excuse),
            Some(3)
        );
        let text = EXAMPLE
            .replace("2027-W27", "2027-W54")
            .replace("away_days_excuse = 3", "away_days_excuse = 6");
        let problems = ProgramFile::parse(&text, "bad").unwrap_err().to_string();
        assert!(
            problems.contains("cohort `evening-builders-2027`: day off `2027-W54` is neither a date like 2027-03-29 nor a week like 2027-W13"),
            "{problems}"
        );
        assert!(
            problems.contains("continuity: away_days_excuse must be from 1 to 5"),
            "{problems}"
        );
    }

    #[test]
    fn earned_role_rules_name_the_line_of_an_unknown_badge_module_or_role_id() {
        let program = ProgramFile::parse(EXAMPLE, "example").unwrap();
        let rules = &program.communities[0].earned_roles;
        assert_eq!(
            rules[0].achievement(),
            Some(("badge", Some("Citizen Developer"), None))
        );
        assert_eq!(rules[1].achievement(), Some(("streak", None, Some(8))));
        let text = EXAMPLE
            .replace(
                "badge = \"Citizen Developer\"\n  discord_role",
                "badge = \"Citizen Develper\"\n  discord_role",
            )
            .replace("\"1200000000000000102\"", "\"@Streaky\"")
            .replace("kudos = 10\n", "kudos = 10\n  module = \"flows-101\"\n");
        let problems = ProgramFile::parse(&text, "bad").unwrap_err().to_string();
        let line = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
        assert!(
            problems.contains(&format!(
                "earned role `citizen-developer` (line {}): no module awards the badge `Citizen Develper`",
                line("Citizen Develper")
            )),
            "{problems}"
        );
        assert!(
            problems.contains(&format!(
                "earned role `steady-streak` (line {}): discord_role `@Streaky` is not a Discord role id",
                line("@Streaky")
            )),
            "{problems}"
        );
        assert!(
            problems.contains("earned role `helper`: give exactly one of badge, module, graduated, council, streak_weeks and kudos"),
            "{problems}"
        );
        let unknown_module = EXAMPLE.replace("kudos = 10\n", "module = \"flows-102\"\n");
        let problems = ProgramFile::parse(&unknown_module, "bad")
            .unwrap_err()
            .to_string();
        assert!(
            problems.contains(&format!(
                "earned role `helper` (line {}): no track has the module `flows-102`",
                line("kudos = 10")
            )),
            "{problems}"
        );
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err =
            ProgramFile::parse("[[community]]\nslug = \"a\"\nname = 3\n", "bad.toml").unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
    }
}
