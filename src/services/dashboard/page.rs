//! `GET /dashboard/<community>?key=…[&cohort=…]`: one cohort's numbers as a page of
//! server-rendered HTML with inline SVG charts and no script, so it works forwarded,
//! offline and printed. Aggregates only: no learner's name or words appear. Every number
//! comes from the metric functions the digest, `/stats` and the CSV export read.

use std::sync::LazyLock;

use anyhow::{Context, Result};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use subtle::ConstantTimeEq;

use super::charts::{self, Bars, Cell, LATE, ON_TIME, SECOND, Series};
use super::messages::page as words;
use crate::domain::Period;
use crate::render::html::escape;
use crate::services::events::when::cohort_zone;
use crate::services::stats::export::{MAX_WEEKS, weeks_between};
use crate::services::stats::{self, messages::CohortLine};
use crate::services::surveys::results::{SurveyResult, Tally};
use crate::store::cohorts::{self, Cohort};
use crate::store::metrics::{
    self, CapstoneImpact, CheckinRate, FunnelStep, HealthCounts, MentorLoad, RetentionCell,
    SessionAttendance, TimeToMilestone, WeekConfidence,
};
use crate::store::{dashboard_keys, surveys};

/// Weeks of history the charts show.
pub const WEEKS: usize = 12;
/// Capstones the impact chart and table show, the latest verified.
const IMPACT_SHOWN: usize = 20;
/// Weeks after joining the retention triangle follows.
const RETENTION_HORIZON: i32 = 11;

/// The page's only style sheet. The Content-Security-Policy allows it by its hash and
/// nothing else: no script, no other style, no fetch.
const STYLE: &str = "\
:root{font-family:system-ui,sans-serif;color:#1d2733;background:#fff}\
body{margin:0 auto;max-width:960px;padding:12px}\
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.6rem 0 .4rem}\
nav a{margin-right:.8rem}nav a[aria-current]{font-weight:bold;text-decoration:none}\
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:8px}\
.tile{border:1px solid #d5dde6;border-radius:8px;padding:8px 10px}\
.tile b{display:block;font-size:1.6rem}.tile small{color:#506070}\
svg{max-width:100%;height:auto;display:block}\
.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.9rem}\
th,td{border-bottom:1px solid #e3e8ee;padding:3px 8px;text-align:right}\
th:first-child,td:first-child{text-align:left}\
.note{color:#506070;font-size:.9rem}\
@media print{nav{display:none}details{display:block}}";

/// `Content-Security-Policy` of the page: nothing loads, nothing runs, but its own style.
pub static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
});

/// Everything the page shows of one cohort.
pub struct CohortView {
    pub cohort: Cohort,
    pub enrolled: i64,
    pub active: i64,
    pub badges: i64,
    /// The last [`WEEKS`] weeks, oldest first, ending with this week.
    pub weekly: Vec<CheckinRate>,
    pub confidence: Vec<WeekConfidence>,
    pub funnel: Vec<(FunnelStep, i64)>,
    pub retention: Vec<RetentionCell>,
    pub milestones: Vec<TimeToMilestone>,
    pub mentors: Vec<MentorLoad>,
    pub sessions: Vec<SessionAttendance>,
    /// The verified capstones, in the order verified.
    pub impact: Vec<CapstoneImpact>,
    /// Learners by health in the latest prompted week.
    pub health: Option<HealthCounts>,
    /// The cohort's surveys of the last [`WEEKS`] weeks, oldest first.
    pub satisfaction: Vec<SurveyResult>,
    pub min_group: i64,
}

impl CohortView {
    /// The cohort's line in the cohorts table, from the numbers the view read.
    fn line(&self) -> Option<CohortLine> {
        Some(CohortLine {
            name: self.cohort.name.clone(),
            slug: self.cohort.slug.clone(),
            enrolled: self.enrolled,
            active: self.active,
            this_week: self.weekly.last()?.clone(),
        })
    }
}

/// The page: the community, its live cohorts (one line each), and the one shown.
pub struct Dashboard {
    pub community: String,
    pub community_slug: String,
    pub key: String,
    pub lines: Vec<CohortLine>,
    pub shown: Option<CohortView>,
    pub now: DateTime<Utc>,
}

/// The dashboard of `community_slug`, or `None` (one 404 for all) when the community has
/// no dashboard, the key is wrong, or `cohort` names none of its cohorts.
pub async fn render(
    pool: &PgPool,
    community_slug: &str,
    key: &str,
    cohort: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let Some(found) = dashboard_keys::community(pool, community_slug).await? else {
        return Ok(None);
    };
    if !bool::from(found.token.as_bytes().ct_eq(key.as_bytes())) {
        return Ok(None);
    }
    let all = cohorts::list(pool, found.community_id).await?;
    let live: Vec<&Cohort> = all.iter().filter(|c| !c.archived).collect();
    let chosen = match cohort {
        Some(slug) => match all.iter().find(|c| c.slug == slug) {
            Some(named) => Some(named),
            None => return Ok(None),
        },
        None => live.first().copied(),
    };
    let min_group = surveys::min_group(pool, found.community_id).await?;
    // The cohorts table's line of the cohort shown comes from its view, which reads the
    // same numbers; the other live cohorts' lines are read beside the view.
    let others = metrics::read(pool, async |tx| {
        let mut lines = Vec::with_capacity(live.len());
        for cohort in live
            .iter()
            .filter(|c| chosen.is_none_or(|shown| shown.id != c.id))
        {
            lines.push(stats::cohort_line(tx, cohort, now).await?);
        }
        Ok::<_, anyhow::Error>(lines)
    });
    let shown = async {
        match chosen {
            Some(cohort) => view(pool, cohort, min_group, now).await.map(Some),
            None => Ok(None),
        }
    };
    let (others, shown) = tokio::try_join!(others, shown).context(READING)?;
    let mut others = others.into_iter();
    let lines = live
        .iter()
        .filter_map(|cohort| match &shown {
            Some(view) if view.cohort.id == cohort.id => view.line(),
            _ => others.next(),
        })
        .collect();
    let page = Dashboard {
        community: found.name,
        community_slug: community_slug.to_owned(),
        key: key.to_owned(),
        lines,
        shown,
        now,
    };
    html(&page).map(Some)
}

/// What a failed read of the page says. Its reads take connections of their own, each in
/// a read-only transaction without JIT (`metrics::read`).
const READING: &str = "reading the dashboard's numbers";

/// The cohort's view. Its reads are independent of each other, so they run as three
/// chains, each on a connection of its own and balanced by what its reads cost on the
/// bench's cohort of 5,000 learners: the page waits for the slowest chain rather than for
/// the sum of all. On the embedded database, whose pool has one connection, the chains
/// take turns.
async fn view(
    pool: &PgPool,
    cohort: &Cohort,
    min_group: i64,
    now: DateTime<Utc>,
) -> Result<CohortView> {
    let periods = stats::weeks_to(cohort, WEEKS, now);
    let zone = cohort_zone(&cohort.timezone);
    let charted_since = Period::parse(&periods[0])
        .context("the dashboard's first week")?
        .start(zone);
    let weekly = metrics::read(pool, async |tx| {
        let this_week = &periods[periods.len() - 1..];
        let active = metrics::active_learners(&mut *tx, cohort.id, this_week).await?;
        Ok::<_, anyhow::Error>((
            metrics::enrolled(&mut *tx, cohort.id).await?,
            active.last().map_or(0, |(_, active)| *active),
            metrics::checkin_rates(&mut *tx, cohort.id, &periods).await?,
            metrics::confidence(&mut *tx, cohort.id, &periods).await?,
            metrics::funnel(&mut *tx, cohort.id).await?,
            metrics::badges_issued(&mut *tx, cohort.id).await?,
            metrics::time_to_milestone(&mut *tx, cohort.id).await?,
        ))
    });
    let progress = metrics::read(pool, async |tx| {
        let weeks = retention_weeks(tx, cohort, now).await?;
        Ok::<_, anyhow::Error>((
            metrics::retention(&mut *tx, cohort.id, &weeks, RETENTION_HORIZON).await?,
            metrics::impact(&mut *tx, cohort.id).await?,
        ))
    });
    let people = metrics::read(pool, async |tx| {
        Ok::<_, anyhow::Error>((
            metrics::health(&mut *tx, cohort.id, now).await?,
            metrics::attendance(&mut *tx, cohort.id, charted_since, now).await?,
            metrics::mentor_load(&mut *tx, cohort.id, now).await?,
            satisfaction(tx, cohort, min_group, now).await?,
        ))
    });
    let (
        (enrolled, active, weekly, confidence, funnel, badges, milestones),
        (retention, impact),
        (health, sessions, mentors, satisfaction),
    ) = tokio::try_join!(weekly, progress, people).context(READING)?;
    Ok(CohortView {
        enrolled,
        active,
        badges,
        weekly,
        confidence,
        funnel,
        retention,
        milestones,
        mentors,
        sessions,
        health,
        impact,
        satisfaction,
        min_group,
        cohort: cohort.clone(),
    })
}

/// The cohort's surveys of the last [`WEEKS`] weeks, oldest first, with small groups hidden.
async fn satisfaction(
    conn: &mut PgConnection,
    cohort: &Cohort,
    min_group: i64,
    now: DateTime<Utc>,
) -> Result<Vec<SurveyResult>> {
    let since = now - chrono::Duration::weeks(WEEKS as i64);
    let mut listed =
        surveys::of_cohorts(&mut *conn, &[cohort.id], None, since, WEEKS as i64).await?;
    listed.reverse();
    let ids: Vec<uuid::Uuid> = listed.iter().map(|s| s.id).collect();
    let rows = surveys::satisfaction(&mut *conn, &ids).await?;
    Ok(listed
        .into_iter()
        .map(|survey| SurveyResult::of(survey, &rows, min_group))
        .collect())
}

/// The weeks of the retention triangle: from the week the cohort's first learner joined
/// to this one (the last two years at most), so every joining week has its row.
async fn retention_weeks(
    conn: &mut PgConnection,
    cohort: &Cohort,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let zone = cohort_zone(&cohort.timezone);
    let last = Period::containing(now, zone);
    let first = metrics::first_joined(&mut *conn, cohort.id)
        .await?
        .map_or(last, |joined| Period::containing(joined, zone).min(last));
    Ok(weeks_between(first, last).unwrap_or_else(|| stats::weeks_to(cohort, MAX_WEEKS, now)))
}

/// The page's HTML.
pub fn html(page: &Dashboard) -> Result<String> {
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("{} — {}", page.community, words::TITLE);
    out.push_str(&format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><meta name=\"referrer\" content=\"no-referrer\">\
         <title>{}</title><style>{STYLE}</style></head><body>",
        escape(&title)
    ));
    out.push_str(&format!(
        "<header><h1>{}</h1><p class=\"note\">{} {}</p>",
        escape(&page.community),
        words::AS_OF,
        page.now.format("%Y-%m-%d %H:%M UTC")
    ));
    nav(&mut out, page);
    out.push_str("</header><main>");
    match &page.shown {
        None => out.push_str(&format!("<p>{}</p>", words::NO_COHORTS)),
        Some(view) => cohort_sections(&mut out, view)?,
    }
    cohorts_table(&mut out, page);
    out.push_str(&format!(
        "</main><footer><p class=\"note\">{}</p></footer></body></html>\n",
        words::FOOTER
    ));
    Ok(out)
}

fn nav(out: &mut String, page: &Dashboard) {
    if page.lines.len() < 2 {
        return;
    }
    out.push_str(&format!("<nav aria-label=\"{}\">", words::COHORTS));
    let shown = page.shown.as_ref().map(|v| v.cohort.slug.as_str());
    for line in &page.lines {
        let current = if shown == Some(line.slug.as_str()) {
            " aria-current=\"page\""
        } else {
            ""
        };
        out.push_str(&format!(
            "<a href=\"{}\"{current}>{}</a>",
            escape(&cohort_href(page, &line.slug)),
            escape(&line.name)
        ));
    }
    out.push_str("</nav>");
}

fn cohort_href(page: &Dashboard, slug: &str) -> String {
    format!(
        "/dashboard/{}?key={}&cohort={}",
        page.community_slug, page.key, slug
    )
}

fn cohort_sections(out: &mut String, view: &CohortView) -> Result<()> {
    let week = view.weekly.last().context("no week on the dashboard")?;
    let previous = view.weekly.iter().rev().nth(1);
    let graduates = view
        .funnel
        .iter()
        .find(|(step, _)| *step == FunnelStep::Graduated)
        .map_or(0, |(_, n)| *n);
    out.push_str(&format!(
        "<h2>{} · {}</h2><section class=\"tiles\" aria-label=\"{}\">",
        escape(&view.cohort.name),
        escape(&week.period),
        words::HEADLINES
    ));
    tile(out, words::ENROLLED, &view.enrolled.to_string(), "");
    tile(
        out,
        words::ACTIVE,
        &view.active.to_string(),
        words::ACTIVE_NOTE,
    );
    tile(
        out,
        words::CHECKIN_RATE,
        &percent(week.rate),
        &words::rate_change(week.rate, previous.and_then(|p| p.rate)),
    );
    tile(out, words::GRADUATES, &graduates.to_string(), "");
    let (hours, _, _) = metrics::impact_totals(&view.impact);
    tile(
        out,
        words::HOURS_SAVED,
        &hours.to_string(),
        words::HOURS_SAVED_NOTE,
    );
    tile(
        out,
        words::BADGES,
        &view.badges.to_string(),
        words::BADGES_NOTE,
    );
    out.push_str("</section>");
    weekly_section(out, &view.weekly)?;
    funnel_section(out, &view.funnel)?;
    health_section(out, view.health.as_ref())?;
    confidence_section(out, &view.confidence)?;
    retention_section(out, &view.retention)?;
    milestones_section(out, &view.milestones)?;
    mentors_section(out, &view.mentors)?;
    sessions_section(out, &view.sessions)?;
    impact_section(out, &view.impact)?;
    satisfaction_section(out, &view.satisfaction, view.min_group)?;
    Ok(())
}

fn tile(out: &mut String, label: &str, value: &str, note: &str) {
    out.push_str(&format!(
        "<div class=\"tile\">{}<b>{}</b><small>{}</small></div>",
        escape(label),
        escape(value),
        escape(note)
    ));
}

fn percent(rate: Option<i32>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{r}%"))
}

/// A section: heading, chart (or a line saying there is nothing yet), and its table.
fn section(out: &mut String, heading: &str, chart: String, head: &[&str], rows: Vec<Vec<String>>) {
    out.push_str(&format!("<section><h2>{}</h2>", escape(heading)));
    if rows.is_empty() {
        out.push_str(&format!(
            "<p class=\"note\">{}</p></section>",
            words::NOTHING_YET
        ));
        return;
    }
    out.push_str(&chart);
    out.push_str(&format!("<details><summary>{}</summary>", words::TABLE));
    table(out, head, &rows);
    out.push_str("</details></section>");
}

/// A table of `rows` under `head`; each row's first cell heads it.
fn table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    out.push_str("<div class=\"scroll\"><table><thead><tr>");
    for h in head {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("<th scope=\"row\">{}</th>", escape(cell)));
            } else {
                out.push_str(&format!("<td>{}</td>", escape(cell)));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
}

fn weekly_section(out: &mut String, weekly: &[CheckinRate]) -> Result<()> {
    let categories: Vec<String> = weekly.iter().map(|w| short_week(&w.period)).collect();
    let share = |part: i64, w: &CheckinRate| {
        (w.expected() > 0).then(|| 100.0 * part as f64 / w.expected() as f64)
    };
    let chart = charts::bars(&Bars {
        title: words::WEEKLY,
        desc: &words::weekly_desc(weekly),
        categories: &categories,
        y_max: 100.0,
        y_desc: words::PERCENT_OF_EXPECTED,
        series: vec![
            Series {
                name: words::ON_TIME,
                color: ON_TIME,
                values: weekly.iter().map(|w| share(w.on_time, w)).collect(),
            },
            Series {
                name: words::LATE,
                color: LATE,
                values: weekly.iter().map(|w| share(w.late, w)).collect(),
            },
        ],
        stacked: true,
    })?;
    // Before anyone was prompted, "nothing yet" says more than twelve empty weeks.
    let prompted = weekly.iter().any(|w| w.prompted > 0);
    let rows = weekly
        .iter()
        .filter(|_| prompted)
        .map(|w| {
            vec![
                w.period.clone(),
                w.expected().to_string(),
                w.on_time.to_string(),
                w.late.to_string(),
                w.excused.to_string(),
                percent(w.rate),
            ]
        })
        .collect();
    section(out, words::WEEKLY, chart, words::WEEKLY_COLUMNS, rows);
    Ok(())
}

fn funnel_section(out: &mut String, funnel: &[(FunnelStep, i64)]) -> Result<()> {
    let categories: Vec<String> = funnel
        .iter()
        .map(|(s, _)| words::step(*s).to_owned())
        .collect();
    let top = funnel.first().map_or(0, |(_, n)| *n);
    let chart = charts::bars(&Bars {
        title: words::FUNNEL,
        desc: &words::funnel_desc(funnel),
        categories: &categories,
        y_max: nice_max(top as f64),
        y_desc: words::LEARNERS,
        series: vec![Series {
            name: words::LEARNERS,
            color: ON_TIME,
            values: funnel.iter().map(|(_, n)| Some(*n as f64)).collect(),
        }],
        stacked: true,
    })?;
    let rows = if top == 0 {
        Vec::new()
    } else {
        funnel
            .iter()
            .map(|(s, n)| vec![words::step(*s).to_owned(), n.to_string()])
            .collect()
    };
    section(out, words::FUNNEL, chart, words::FUNNEL_COLUMNS, rows);
    Ok(())
}

fn confidence_section(out: &mut String, weeks: &[WeekConfidence]) -> Result<()> {
    let categories: Vec<String> = weeks.iter().map(|w| short_week(&w.period)).collect();
    let chart = charts::bars(&Bars {
        title: words::CONFIDENCE,
        desc: &words::confidence_desc(weeks),
        categories: &categories,
        y_max: 5.0,
        y_desc: words::CONFIDENCE_SCALE,
        series: vec![Series {
            name: words::CONFIDENCE,
            color: SECOND,
            values: weeks.iter().map(|w| w.confidence).collect(),
        }],
        stacked: true,
    })?;
    let rows = if weeks.iter().all(|w| w.answers == 0) {
        Vec::new()
    } else {
        weeks
            .iter()
            .map(|w| {
                vec![
                    w.period.clone(),
                    w.answers.to_string(),
                    w.confidence
                        .map_or_else(|| "—".to_owned(), |c| format!("{c:.1}")),
                ]
            })
            .collect()
    };
    section(
        out,
        words::CONFIDENCE,
        chart,
        words::CONFIDENCE_COLUMNS,
        rows,
    );
    Ok(())
}

fn retention_section(out: &mut String, cells: &[RetentionCell]) -> Result<()> {
    let mut rows_of: Vec<(String, i64)> = Vec::new();
    for cell in cells {
        if rows_of.last().map(|(w, _)| w) != Some(&cell.joined_week) {
            rows_of.push((cell.joined_week.clone(), cell.joined));
        }
    }
    let columns_count = cells
        .iter()
        .map(|c| c.weeks_after)
        .max()
        .map_or(0, |m| m + 1);
    let columns: Vec<String> = (0..columns_count).map(|k| format!("+{k}")).collect();
    let row_labels: Vec<String> = rows_of
        .iter()
        .map(|(w, n)| format!("{} ({n})", short_week(w)))
        .collect();
    let shaded: Vec<Cell> = cells
        .iter()
        .filter_map(|c| {
            Some(Cell {
                row: rows_of.iter().position(|(w, _)| *w == c.joined_week)?,
                column: usize::try_from(c.weeks_after).ok()?,
                value: c.rate,
            })
        })
        .collect();
    let chart = charts::heatmap(
        words::RETENTION,
        &words::retention_desc(rows_of.len()),
        &row_labels,
        &columns,
        &shaded,
    )?;
    let rows = cells
        .iter()
        .map(|c| {
            vec![
                c.joined_week.clone(),
                c.joined.to_string(),
                c.weeks_after.to_string(),
                c.active.to_string(),
                percent(c.rate),
            ]
        })
        .collect();
    section(out, words::RETENTION, chart, words::RETENTION_COLUMNS, rows);
    Ok(())
}

fn milestones_section(out: &mut String, modules: &[TimeToMilestone]) -> Result<()> {
    let categories: Vec<String> = modules.iter().map(|m| m.module.clone()).collect();
    let top = modules.iter().map(|m| m.p75_days).fold(0.0, f64::max);
    let chart = charts::bars(&Bars {
        title: words::TIME_TO_MILESTONE,
        desc: &words::milestones_desc(modules.len()),
        categories: &categories,
        y_max: nice_max(top),
        y_desc: words::DAYS,
        series: vec![
            Series {
                name: words::MEDIAN,
                color: ON_TIME,
                values: modules.iter().map(|m| Some(m.median_days)).collect(),
            },
            Series {
                name: words::P75,
                color: SECOND,
                values: modules.iter().map(|m| Some(m.p75_days)).collect(),
            },
        ],
        stacked: false,
    })?;
    let rows = modules
        .iter()
        .map(|m| {
            vec![
                m.module.clone(),
                m.verified.to_string(),
                format!("{:.1}", m.median_days),
                format!("{:.1}", m.p75_days),
            ]
        })
        .collect();
    section(
        out,
        words::TIME_TO_MILESTONE,
        chart,
        words::MILESTONE_COLUMNS,
        rows,
    );
    Ok(())
}

/// Mentors by load, the most loaded first, numbered rather than named: the page is
/// aggregates only.
fn mentors_section(out: &mut String, mentors: &[MentorLoad]) -> Result<()> {
    let categories: Vec<String> = (1..=mentors.len()).map(|n| n.to_string()).collect();
    let top = mentors
        .iter()
        .filter_map(|m| m.load)
        .max()
        .unwrap_or(0)
        .max(100);
    let chart = charts::bars(&Bars {
        title: words::MENTOR_LOAD,
        desc: &words::mentors_desc(mentors),
        categories: &categories,
        y_max: nice_max(f64::from(top)),
        y_desc: words::PERCENT_OF_CAPACITY,
        series: vec![Series {
            name: words::LOAD,
            color: ON_TIME,
            values: mentors.iter().map(|m| m.load.map(f64::from)).collect(),
        }],
        stacked: true,
    })?;
    let hours = |h: Option<f64>| h.map_or_else(|| "—".to_owned(), |h| format!("{h:.1}"));
    let rows = mentors
        .iter()
        .zip(&categories)
        .map(|(m, n)| {
            vec![
                n.clone(),
                words::tier(&m.tier).to_owned(),
                m.assigned.to_string(),
                m.capacity.map_or_else(|| "—".to_owned(), |c| c.to_string()),
                percent(m.load),
                m.reviews_claimed.to_string(),
                hours(m.median_hours_to_claim),
                hours(m.median_hours_to_blocker_reply),
                words::flagged(m.flagged).to_owned(),
            ]
        })
        .collect();
    section(out, words::MENTOR_LOAD, chart, words::MENTOR_COLUMNS, rows);
    Ok(())
}

fn sessions_section(out: &mut String, sessions: &[SessionAttendance]) -> Result<()> {
    let categories: Vec<String> = sessions.iter().map(|s| format!("#{}", s.number)).collect();
    let chart = charts::bars(&Bars {
        title: words::SESSIONS,
        desc: &words::sessions_desc(sessions.len(), WEEKS),
        categories: &categories,
        y_max: 100.0,
        y_desc: words::PERCENT,
        series: vec![
            Series {
                name: words::OF_RSVPS,
                color: ON_TIME,
                values: sessions
                    .iter()
                    .map(|s| s.rsvp_rate.map(f64::from))
                    .collect(),
            },
            Series {
                name: words::OF_ENROLLED,
                color: SECOND,
                values: sessions
                    .iter()
                    .map(|s| s.enrolled_rate.map(f64::from))
                    .collect(),
            },
        ],
        stacked: false,
    })?;
    let rows = sessions
        .iter()
        .map(|s| {
            vec![
                format!("#{} {}", s.number, s.title),
                s.starts_at.format("%Y-%m-%d").to_string(),
                s.rsvps.to_string(),
                s.attended.to_string(),
                percent(s.rsvp_rate),
                s.enrolled.map_or_else(|| "—".to_owned(), |n| n.to_string()),
                percent(s.enrolled_rate),
            ]
        })
        .collect();
    section(out, words::SESSIONS, chart, words::SESSION_COLUMNS, rows);
    Ok(())
}

/// Each verified capstone's hours saved per month, and its numbers in the table, with a
/// total; a learner's name and note only when they chose to showcase it.
fn impact_section(out: &mut String, all: &[CapstoneImpact]) -> Result<()> {
    // The latest ones: a cohort of thousands has thousands, all in the `impact` export.
    let capstones = &all[all.len().saturating_sub(IMPACT_SHOWN)..];
    let name = |c: &CapstoneImpact| {
        c.learner
            .clone()
            .unwrap_or_else(|| words::capstone_number(c.ordinal))
    };
    let categories: Vec<String> = capstones.iter().map(name).collect();
    let most = capstones
        .iter()
        .filter_map(|c| c.hours_saved_per_month)
        .max()
        .unwrap_or_default();
    let chart = charts::bars(&Bars {
        title: words::IMPACT,
        desc: &words::impact_desc(capstones.len(), all.len()),
        categories: &categories,
        y_max: nice_max(f64::from(most)),
        y_desc: words::HOURS_PER_MONTH,
        series: vec![Series {
            name: words::HOURS_PER_MONTH,
            color: ON_TIME,
            values: capstones
                .iter()
                .map(|c| c.hours_saved_per_month.map(f64::from))
                .collect(),
        }],
        stacked: false,
    })?;
    let number = |n: Option<i32>| n.map_or_else(|| "—".to_owned(), |n| n.to_string());
    let mut rows: Vec<Vec<String>> = capstones
        .iter()
        .map(|c| {
            vec![
                name(c),
                c.verified_at.format("%Y-%m-%d").to_string(),
                number(c.hours_saved_per_month),
                number(c.processes_replaced),
                number(c.users_reached),
                c.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        let (hours, processes, users) = metrics::impact_totals(all);
        rows.push(vec![
            words::total_of(all.len()),
            String::new(),
            hours.to_string(),
            processes.to_string(),
            users.to_string(),
            String::new(),
        ]);
    }
    section(out, words::IMPACT, chart, words::IMPACT_COLUMNS, rows);
    Ok(())
}

/// How many learners are on track, need a check-in, or are too new to tell, by the at-risk
/// rules the lead mentors' digest applies (`learner_health`).
fn health_section(out: &mut String, health: Option<&HealthCounts>) -> Result<()> {
    let states: Vec<(&str, i64)> = health.map_or_else(Vec::new, |h| {
        vec![
            (words::ON_TRACK, h.on_track),
            (words::NEEDS_CHECKIN, h.needs_checkin),
            (words::TOO_EARLY, h.too_early),
        ]
    });
    let categories: Vec<String> = states.iter().map(|(s, _)| (*s).to_owned()).collect();
    let most = states.iter().map(|(_, n)| *n).max().unwrap_or_default();
    let heading = health.map_or_else(
        || words::HEALTH.to_owned(),
        |h| words::health_heading(&h.period),
    );
    let chart = charts::bars(&Bars {
        title: &heading,
        desc: words::HEALTH_DESC,
        categories: &categories,
        y_max: nice_max(most as f64),
        y_desc: words::LEARNERS,
        series: vec![Series {
            name: words::LEARNERS,
            color: ON_TIME,
            values: states.iter().map(|(_, n)| Some(*n as f64)).collect(),
        }],
        stacked: false,
    })?;
    let rows = states
        .iter()
        .map(|(state, n)| vec![(*state).to_owned(), n.to_string()])
        .collect();
    section(out, &heading, chart, words::HEALTH_COLUMNS, rows);
    Ok(())
}

/// Each survey as happy, neutral and unhappy shares; one under the group threshold is
/// neither drawn nor counted in its table row.
fn satisfaction_section(out: &mut String, results: &[SurveyResult], min_group: i64) -> Result<()> {
    let categories: Vec<String> = results.iter().map(SurveyResult::label).collect();
    let share = |part: fn(&Tally) -> i64| -> Vec<Option<f64>> {
        results
            .iter()
            .map(|r| {
                r.shown_total()
                    .map(|t| part(&t) as f64 * 100.0 / t.answers as f64)
            })
            .collect()
    };
    let chart = charts::bars(&Bars {
        title: words::SATISFACTION,
        desc: &words::satisfaction_desc(results.len(), min_group),
        categories: &categories,
        y_max: 100.0,
        y_desc: words::PERCENT_OF_ANSWERS,
        series: vec![
            Series {
                name: words::HAPPY,
                color: ON_TIME,
                values: share(|t| t.happy),
            },
            Series {
                name: words::NEUTRAL,
                color: LATE,
                values: share(|t| t.neutral),
            },
            Series {
                name: words::UNHAPPY,
                color: SECOND,
                values: share(|t| t.unhappy),
            },
        ],
        stacked: true,
    })?;
    let rows = results
        .iter()
        .map(|r| {
            let sent = r.survey.created_at.format("%Y-%m-%d").to_string();
            match r.shown_total() {
                Some(t) => vec![
                    r.label(),
                    sent,
                    t.answers.to_string(),
                    t.score(r.survey.kind).unwrap_or_default(),
                    t.happy.to_string(),
                    t.neutral.to_string(),
                    t.unhappy.to_string(),
                ],
                None => {
                    let hidden = "—".to_owned();
                    vec![
                        r.label(),
                        sent,
                        words::fewer_than(min_group),
                        hidden.clone(),
                        hidden.clone(),
                        hidden.clone(),
                        hidden,
                    ]
                }
            }
        })
        .collect();
    section(
        out,
        words::SATISFACTION,
        chart,
        words::SATISFACTION_COLUMNS,
        rows,
    );
    Ok(())
}

fn cohorts_table(out: &mut String, page: &Dashboard) {
    if page.lines.len() < 2 {
        return;
    }
    let rows = page
        .lines
        .iter()
        .map(|line| {
            vec![
                line.name.clone(),
                line.this_week.period.clone(),
                line.enrolled.to_string(),
                line.active.to_string(),
                percent(line.this_week.rate),
            ]
        })
        .collect::<Vec<_>>();
    out.push_str(&format!("<section><h2>{}</h2>", words::COHORTS));
    table(out, words::COHORT_COLUMNS, &rows);
    out.push_str("</section>");
}

/// `2027-W10` → `W10`: the axis has no room for the year (the table has it).
fn short_week(period: &str) -> String {
    period.split_once('-').map_or(period, |(_, w)| w).to_owned()
}

/// An axis top a little above `max`, and at least 1.
fn nice_max(max: f64) -> f64 {
    if max <= 1.0 {
        return 1.0;
    }
    let step = 10f64.powf(max.log10().floor()) / 2.0;
    ((max / step).floor() + 1.0) * step
}
