//! The CSV files `/stats export` links to: RFC 4180 (CRLF line ends, a header row), UTF-8,
//! with a byte-order mark on request for Excel. Written a chunk at a time as rows come from
//! the database, so a year of check-ins is never held whole. A cell of text that a person
//! wrote (a name, a check-in) never starts a spreadsheet formula: see [`guard`].

use std::borrow::Cow;

use futures_util::TryStreamExt;
use sqlx::PgPool;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::export::weeks_between;
use super::messages::step_label;
use crate::domain::Period;
use crate::services::events::when::cohort_zone;
use crate::store::export_links::{Dataset, ExportLink};
use crate::store::metrics;

/// The columns of each file, in order. The order is part of the format (the README lists
/// it): columns are only ever added at the end.
pub const WEEKLY_COLUMNS: &[&str] = &[
    "cohort",
    "week",
    "prompted",
    "answered",
    "on_time",
    "late",
    "excused",
    "rate_percent",
    "active_learners",
];
pub const FUNNEL_COLUMNS: &[&str] = &["cohort", "ordinal", "step", "learners"];
pub const CHECKIN_COLUMNS: &[&str] = &[
    "cohort",
    "week",
    "learner",
    "timing",
    "confidence",
    "hours",
    "progress",
    "blockers",
    "checked_in_at",
];

pub const ATTENDANCE_COLUMNS: &[&str] = &[
    "cohort",
    "session",
    "title",
    "kind",
    "starts_at",
    "rsvps",
    "attended",
    "attended_of_rsvps",
    "rsvp_rate_percent",
    "enrolled",
    "enrolled_rate_percent",
];
pub const MILESTONE_COLUMNS: &[&str] = &[
    "cohort",
    "module",
    "capstone",
    "verified",
    "median_days",
    "p75_days",
];

pub const IMPACT_COLUMNS: &[&str] = &[
    "cohort",
    "capstone",
    "verified_at",
    "hours_saved_per_month",
    "processes_replaced",
    "users_reached",
    "learner",
    "note",
];

/// Bytes gathered before a chunk goes to the client.
const CHUNK: usize = 64 * 1024;

/// What the response body is made of: chunks, or the error that cut the file short.
pub type Chunk = Result<Vec<u8>, std::io::Error>;

/// A cell of text a person wrote, made inert for spreadsheets: one that starts with `=`,
/// `+`, `-`, `@`, a tab, a carriage return or NUL gets a leading `'` (OWASP ASVS 5.0,
/// 1.2.10), so `=HYPERLINK(…)` is shown, not run.
pub fn guard(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\0']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The file's name, as `Content-Disposition` gives it.
pub fn file_name(link: &ExportLink) -> String {
    format!(
        "cohortbot-{}-{}-to-{}.csv",
        link.dataset.as_str(),
        link.first_period,
        link.last_period
    )
}

/// Writes `link`'s file into `out`, a chunk at a time; a failure is logged and ends the
/// body with an error, so the download is seen to fail rather than end short and quiet.
pub async fn write(pool: PgPool, link: ExportLink, bom: bool, out: mpsc::Sender<Chunk>) {
    let mut file = Chunks::new(out.clone());
    if bom {
        file.bom();
    }
    let written = match link.dataset {
        Dataset::Weekly => weekly(&pool, &link, &mut file).await,
        Dataset::Funnel => funnel(&pool, &link, &mut file).await,
        Dataset::Checkins => checkins(&pool, &link, &mut file).await,
        Dataset::Attendance => attendance(&pool, &link, &mut file).await,
        Dataset::Milestones => milestones(&pool, &link, &mut file).await,
        Dataset::Impact => impact(&pool, &link, &mut file).await,
    };
    let finished = match written {
        Ok(()) => file.flush().await,
        Err(err) => Err(err),
    };
    if let Err(err) = finished {
        tracing::error!(dataset = link.dataset.as_str(), error = %format!("{err:#}"), "export failed");
        let _ = out.send(Err(std::io::Error::other("export failed"))).await;
    }
}

struct Chunks {
    writer: csv::Writer<Vec<u8>>,
    /// Bytes the writer has taken since the last chunk went out.
    pending: usize,
    /// Sent ahead of the first row (Excel's byte-order mark), if asked.
    preamble: Option<&'static str>,
    out: mpsc::Sender<Chunk>,
}

/// A CSV writer with CRLF line ends, into memory: a chunk is taken from it by replacing it.
fn new_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

impl Chunks {
    fn new(out: mpsc::Sender<Chunk>) -> Self {
        Self {
            writer: new_writer(),
            pending: 0,
            preamble: None,
            out,
        }
    }

    fn bom(&mut self) {
        self.preamble = Some("\u{feff}");
    }

    async fn record<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> anyhow::Result<()> {
        let mut bytes = 0;
        let cells: Vec<&str> = cells
            .into_iter()
            .inspect(|c| bytes += c.len() + 1)
            .collect();
        self.writer.write_record(cells)?;
        self.pending += bytes + 1;
        if self.pending >= CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    /// Sends what is written so far; fails when the client went away.
    async fn flush(&mut self) -> anyhow::Result<()> {
        let writer = std::mem::replace(&mut self.writer, new_writer());
        let mut bytes = writer
            .into_inner()
            .map_err(|err| anyhow::anyhow!("{}", err.error()))?;
        if let Some(preamble) = self.preamble.take() {
            bytes.splice(0..0, preamble.bytes());
        }
        self.pending = 0;
        if !bytes.is_empty() {
            self.out
                .send(Ok(bytes))
                .await
                .map_err(|_| anyhow::anyhow!("the client stopped reading"))?;
        }
        Ok(())
    }
}

/// The link's cohorts with their names, in name order.
async fn cohorts_of(pool: &PgPool, link: &ExportLink) -> sqlx::Result<Vec<(Uuid, String)>> {
    let cohorts = cohorts_with_zones(pool, link).await?;
    Ok(cohorts
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect())
}

/// The link's cohorts with their names and time zones, in name order.
async fn cohorts_with_zones(
    pool: &PgPool,
    link: &ExportLink,
) -> sqlx::Result<Vec<(Uuid, String, String)>> {
    sqlx::query_as("SELECT id, name, timezone FROM cohorts WHERE id = ANY ($1) ORDER BY name, slug")
        .bind(&link.cohort_ids)
        .fetch_all(pool)
        .await
}

fn periods_of(link: &ExportLink) -> anyhow::Result<Vec<String>> {
    let (Some(first), Some(last)) = (
        Period::parse(&link.first_period),
        Period::parse(&link.last_period),
    ) else {
        anyhow::bail!("export link with unreadable weeks");
    };
    weeks_between(first, last).ok_or_else(|| anyhow::anyhow!("export link over its range"))
}

async fn weekly(pool: &PgPool, link: &ExportLink, file: &mut Chunks) -> anyhow::Result<()> {
    file.record(WEEKLY_COLUMNS.iter().copied()).await?;
    let periods = periods_of(link)?;
    for (cohort, name) in cohorts_of(pool, link).await? {
        // Independent reads, each on a connection of its own: the file waits for the
        // slower one rather than for both (a year of 5,000 learners' weeks is hundreds
        // of milliseconds each).
        let (rates, active) = tokio::try_join!(
            metrics::read(pool, async |tx| metrics::checkin_rates(
                tx, cohort, &periods
            )
            .await),
            metrics::read(pool, async |tx| metrics::active_learners(
                tx, cohort, &periods
            )
            .await),
        )?;
        for (week, (_, active)) in rates.iter().zip(active) {
            let numbers = [
                week.prompted,
                week.answered,
                week.on_time,
                week.late,
                week.excused,
            ]
            .map(|n| n.to_string());
            let rate = week.rate.map(|r| r.to_string()).unwrap_or_default();
            let active = active.to_string();
            let mut cells = vec![guard(&name).into_owned(), week.period.clone()];
            cells.extend(numbers);
            cells.extend([rate, active]);
            file.record(cells.iter().map(String::as_str)).await?;
        }
    }
    Ok(())
}

async fn funnel(pool: &PgPool, link: &ExportLink, file: &mut Chunks) -> anyhow::Result<()> {
    file.record(FUNNEL_COLUMNS.iter().copied()).await?;
    for (cohort, name) in cohorts_of(pool, link).await? {
        let steps = metrics::funnel(pool, cohort).await?;
        for (ordinal, (step, learners)) in steps.into_iter().enumerate() {
            let cells = [
                guard(&name).into_owned(),
                (ordinal + 1).to_string(),
                step_label(step).to_owned(),
                learners.to_string(),
            ];
            file.record(cells.iter().map(String::as_str)).await?;
        }
    }
    Ok(())
}

/// Each session of the link's cohorts that started by the time the link was made, in the
/// weeks it names (the session's week in its cohort's zone).
async fn attendance(pool: &PgPool, link: &ExportLink, file: &mut Chunks) -> anyhow::Result<()> {
    file.record(ATTENDANCE_COLUMNS.iter().copied()).await?;
    let periods = periods_of(link)?;
    let first = Period::parse(&link.first_period)
        .ok_or_else(|| anyhow::anyhow!("export link with unreadable weeks"))?;
    for (cohort, name, zone) in cohorts_with_zones(pool, link).await? {
        let zone = cohort_zone(&zone);
        let since = first.start(zone);
        for session in metrics::attendance(pool, cohort, since, link.created_at).await? {
            let week = Period::containing(session.starts_at, zone).to_string();
            if !periods.contains(&week) {
                continue;
            }
            let optional = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
            let percent = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
            let cells = [
                guard(&name).into_owned(),
                session.number.to_string(),
                guard(&session.title).into_owned(),
                session.kind.clone(),
                session
                    .starts_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                session.rsvps.to_string(),
                session.attended.to_string(),
                session.attended_of_rsvps.to_string(),
                percent(session.rsvp_rate),
                optional(session.enrolled),
                percent(session.enrolled_rate),
            ];
            file.record(cells.iter().map(String::as_str)).await?;
        }
    }
    Ok(())
}

/// Days from joining to each verified module, over the cohort's whole history.
async fn milestones(pool: &PgPool, link: &ExportLink, file: &mut Chunks) -> anyhow::Result<()> {
    file.record(MILESTONE_COLUMNS.iter().copied()).await?;
    for (cohort, name) in cohorts_of(pool, link).await? {
        for module in metrics::time_to_milestone(pool, cohort).await? {
            let cells = [
                guard(&name).into_owned(),
                guard(&module.module).into_owned(),
                module.capstone.to_string(),
                module.verified.to_string(),
                format!("{:.1}", module.median_days),
                format!("{:.1}", module.p75_days),
            ];
            file.record(cells.iter().map(String::as_str)).await?;
        }
    }
    Ok(())
}

/// Each verified capstone of the link's cohorts with its numbers; the learner's name and
/// note only when they chose to showcase it. Verified in the weeks the link names (the
/// week in the cohort's zone).
async fn impact(pool: &PgPool, link: &ExportLink, file: &mut Chunks) -> anyhow::Result<()> {
    file.record(IMPACT_COLUMNS.iter().copied()).await?;
    let periods = periods_of(link)?;
    for (cohort, name, zone) in cohorts_with_zones(pool, link).await? {
        for capstone in metrics::impact(pool, cohort).await? {
            let week = Period::containing(capstone.verified_at, cohort_zone(&zone)).to_string();
            if !periods.contains(&week) {
                continue;
            }
            let number = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
            let text = |t: &Option<String>| t.as_deref().map(|t| guard(t).into_owned());
            let cells = [
                guard(&name).into_owned(),
                capstone.ordinal.to_string(),
                capstone
                    .verified_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                number(capstone.hours_saved_per_month),
                number(capstone.processes_replaced),
                number(capstone.users_reached),
                text(&capstone.learner).unwrap_or_default(),
                text(&capstone.note).unwrap_or_default(),
            ];
            file.record(cells.iter().map(String::as_str)).await?;
        }
    }
    Ok(())
}

crate::store::pg_row! {
    struct CheckinRow {
        cohort: String,
        period: String,
        learner: String,
        timing: String,
        confidence: i16,
        hours: Option<f32>,
        progress: String,
        blockers: Option<String>,
        created_at: chrono::DateTime<chrono::Utc>,
    }
}

async fn checkins(pool: &PgPool, link: &ExportLink, file: &mut Chunks) -> anyhow::Result<()> {
    file.record(CHECKIN_COLUMNS.iter().copied()).await?;
    let mut rows = sqlx::query_as::<_, CheckinRow>(
        "SELECT c.name AS cohort, k.period, m.display_name AS learner, k.timing, k.confidence,
                k.hours, k.progress, k.blockers, k.created_at
           FROM checkins k
           JOIN cohorts c ON c.id = k.cohort_id
           JOIN members m ON m.id = k.member_id
          WHERE k.cohort_id = ANY ($1) AND k.period BETWEEN $2 AND $3
          ORDER BY c.name, k.period, m.display_name",
    )
    .bind(&link.cohort_ids)
    .bind(&link.first_period)
    .bind(&link.last_period)
    .fetch(pool);
    while let Some(row) = rows.try_next().await? {
        let cells = [
            guard(&row.cohort),
            Cow::Borrowed(row.period.as_str()),
            guard(&row.learner),
            Cow::Borrowed(row.timing.as_str()),
            Cow::Owned(row.confidence.to_string()),
            Cow::Owned(row.hours.map(|h| h.to_string()).unwrap_or_default()),
            guard(&row.progress),
            guard(row.blockers.as_deref().unwrap_or_default()),
            Cow::Owned(
                row.created_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
        ];
        file.record(cells.iter().map(|c| c.as_ref())).await?;
    }
    Ok(())
}
