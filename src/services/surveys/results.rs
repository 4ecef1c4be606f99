//! A survey's result as every report shows it: the answers' tally, and by department, with
//! the groups under the privacy threshold hidden by the one rule (`domain::suppress`).

use crate::domain::suppress;
use crate::store::surveys::{SatisfactionGroup, Survey, SurveyKind};

/// Answers counted together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub answers: i64,
    pub score_sum: i64,
    /// 1–2 of 5, or an NPS's detractors (0–6).
    pub unhappy: i64,
    /// 3 of 5, or an NPS's passives (7–8).
    pub neutral: i64,
    /// 4–5 of 5, or an NPS's promoters (9–10).
    pub happy: i64,
}

impl Tally {
    fn add(&mut self, group: &SatisfactionGroup) {
        self.answers += group.answers;
        self.score_sum += group.score_sum;
        self.unhappy += group.unhappy;
        self.neutral += group.neutral;
        self.happy += group.happy;
    }

    fn of(group: &SatisfactionGroup) -> Self {
        let mut tally = Self::default();
        tally.add(group);
        tally
    }

    /// The headline score: the average of a five-point survey to one decimal ("4.2"), or an
    /// NPS (promoters' percent less detractors', "+25"); `None` without answers.
    pub fn score(&self, kind: SurveyKind) -> Option<String> {
        if self.answers == 0 {
            return None;
        }
        Some(match kind {
            SurveyKind::Nps => {
                let nps = ((self.happy - self.unhappy) as f64 * 100.0 / self.answers as f64).round()
                    as i64;
                format!("{nps:+}")
            }
            SurveyKind::Session | SurveyKind::Pulse => {
                format!("{:.1}", self.score_sum as f64 / self.answers as f64)
            }
        })
    }
}

/// A department's part of a result: its tally, or `None` when hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    /// The department's name; `None` for answers from members who set none.
    pub name: Option<String>,
    pub tally: Option<Tally>,
}

#[derive(Debug, Clone)]
pub struct SurveyResult {
    pub survey: Survey,
    /// Every answer, shown or not: the reader shows only [`shown`](Self::shown) numbers.
    pub total: Tally,
    /// The smallest group shown.
    pub min_group: i64,
    pub departments: Vec<Department>,
}

impl SurveyResult {
    /// `survey`'s result from its rows of `metric_satisfaction` (other surveys' rows are
    /// skipped), hiding groups under `min_group`.
    pub fn of(survey: Survey, rows: &[SatisfactionGroup], min_group: i64) -> Self {
        let rows: Vec<&SatisfactionGroup> =
            rows.iter().filter(|r| r.survey_id == survey.id).collect();
        let mut total = Tally::default();
        for row in &rows {
            total.add(row);
        }
        let counts: Vec<i64> = rows.iter().map(|r| r.answers).collect();
        let shown = suppress::shown_groups(&counts, min_group);
        let departments = rows
            .iter()
            .zip(shown)
            .map(|(row, shown)| Department {
                name: row.department.clone(),
                tally: shown.then(|| Tally::of(row)),
            })
            .collect();
        Self {
            survey,
            total,
            min_group,
            departments,
        }
    }

    /// Whether the result may be shown at all.
    pub fn shown(&self) -> bool {
        suppress::total_shown(self.total.answers, self.min_group)
    }

    /// The shown tally, when enough people answered.
    pub fn shown_total(&self) -> Option<Tally> {
        self.shown().then_some(self.total)
    }

    /// A short name for the survey: "#4 NPS", "#5 feedback on session #3", "#6 pulse".
    pub fn label(&self) -> String {
        let survey = &self.survey;
        match (survey.kind, survey.session_number) {
            (SurveyKind::Session, Some(session)) => {
                format!("#{} feedback on session #{session}", survey.number)
            }
            (SurveyKind::Nps, _) => format!("#{} NPS", survey.number),
            (SurveyKind::Pulse, _) | (SurveyKind::Session, None) => {
                format!("#{} {}", survey.number, survey.kind.as_str())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use uuid::Uuid;

    fn survey(kind: SurveyKind) -> Survey {
        Survey {
            id: Uuid::nil(),
            community_id: Uuid::nil(),
            number: 4,
            kind,
            cohort_id: None,
            session_id: None,
            question: None,
            created_by: None,
            created_at: Utc::now(),
            closes_at: Utc::now(),
            session_number: None,
        }
    }

    fn group(department: &str, scores: &[i64], kind: SurveyKind) -> SatisfactionGroup {
        let (low, mid) = if kind == SurveyKind::Nps {
            (6, 8)
        } else {
            (2, 3)
        };
        SatisfactionGroup {
            survey_id: Uuid::nil(),
            department: Some(department.to_owned()),
            answers: scores.len() as i64,
            score_sum: scores.iter().sum(),
            unhappy: scores.iter().filter(|s| **s <= low).count() as i64,
            neutral: scores.iter().filter(|s| **s > low && **s <= mid).count() as i64,
            happy: scores.iter().filter(|s| **s > mid).count() as i64,
        }
    }

    #[test]
    fn a_department_of_four_is_hidden_with_its_smallest_sibling_but_the_total_shows() {
        let kind = SurveyKind::Pulse;
        let rows = [
            group("Finance", &[1, 2, 2, 1], kind),
            group("Ops", &[5; 9], kind),
            group("Sales", &[4; 6], kind),
        ];
        let result = SurveyResult::of(survey(kind), &rows, 5);
        let shown: Vec<bool> = result
            .departments
            .iter()
            .map(|d| d.tally.is_some())
            .collect();
        assert_eq!(shown, [false, true, false]);
        assert_eq!(result.shown_total().map(|t| t.answers), Some(19));
        // (6 + 45 + 24) ÷ 19 = 3.947…, shown to one decimal.
        assert_eq!(result.total.score(kind).as_deref(), Some("3.9"));
    }

    #[test]
    fn nps_is_promoters_less_detractors() {
        let kind = SurveyKind::Nps;
        // 2 promoters, 1 passive, 1 detractor of 4: 50 − 25 = +25.
        let rows = [group("Ops", &[10, 9, 7, 3], kind)];
        let result = SurveyResult::of(survey(kind), &rows, 3);
        assert_eq!(result.total.score(kind).as_deref(), Some("+25"));
        assert_eq!(result.label(), "#4 NPS");
        let all_detractors = [group("Ops", &[0, 1, 6], kind)];
        let result = SurveyResult::of(survey(kind), &all_detractors, 3);
        assert_eq!(result.total.score(kind).as_deref(), Some("-100"));
    }

    #[test]
    fn too_few_answers_show_nothing() {
        let kind = SurveyKind::Session;
        let rows = [group("Ops", &[5, 5, 4, 4], kind)];
        let result = SurveyResult::of(survey(kind), &rows, 5);
        assert!(!result.shown());
        assert!(result.departments.iter().all(|d| d.tally.is_none()));
    }
}
