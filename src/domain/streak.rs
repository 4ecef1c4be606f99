//! Weekly check-in streaks with freezes: the rules, as a fold over settled weeks.
//!
//! A week with a check-in (late ones too) adds one. A week the member was excused from
//! (away, or the cohort's days off) changes nothing. A missed week spends a freeze when the
//! member holds one and lets freezes be used; otherwise the streak starts again from zero.
//! Every fourth week in a row earns a freeze, and a member holds at most two.

/// How a settled week went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Week {
    CheckedIn,
    Excused,
    Missed,
}

/// What a week did to the streak: one row each in the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    CheckedIn,
    Excused,
    FreezeUsed,
    FreezeEarned,
    Broken,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::CheckedIn => "checked_in",
            Event::Excused => "excused",
            Event::FreezeUsed => "freeze_used",
            Event::FreezeEarned => "freeze_earned",
            Event::Broken => "broken",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Event::CheckedIn,
            Event::Excused,
            Event::FreezeUsed,
            Event::FreezeEarned,
            Event::Broken,
        ]
        .into_iter()
        .find(|e| e.as_str() == text)
    }
}

/// Weeks in a row that earn a freeze.
pub const WEEKS_PER_FREEZE: u32 = 4;
/// Freezes a member can hold.
pub const FREEZES_MAX: u32 = 2;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Streak {
    pub current: u32,
    pub best: u32,
    pub freezes: u32,
}

impl Streak {
    /// Settles one week; returns what happened, in order.
    pub fn settle(&mut self, week: Week, use_freezes: bool) -> Vec<Event> {
        match week {
            Week::CheckedIn => {
                self.current += 1;
                self.best = self.best.max(self.current);
                let mut events = vec![Event::CheckedIn];
                if self.current.is_multiple_of(WEEKS_PER_FREEZE) && self.freezes < FREEZES_MAX {
                    self.freezes += 1;
                    events.push(Event::FreezeEarned);
                }
                events
            }
            Week::Excused => vec![Event::Excused],
            Week::Missed if use_freezes && self.freezes > 0 => {
                self.freezes -= 1;
                vec![Event::FreezeUsed]
            }
            Week::Missed => {
                self.current = 0;
                vec![Event::Broken]
            }
        }
    }

    /// One audit event's effect: replaying a week's events from the streak before it
    /// gives the numbers after each.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::CheckedIn => {
                self.current += 1;
                self.best = self.best.max(self.current);
            }
            Event::Excused => {}
            Event::FreezeUsed => self.freezes = self.freezes.saturating_sub(1),
            Event::FreezeEarned => self.freezes += 1,
            Event::Broken => self.current = 0,
        }
    }

    /// The streak the audit trail describes, replayed from nothing: it must equal the
    /// stored one.
    pub fn replay(events: impl IntoIterator<Item = Event>) -> Self {
        let mut streak = Self::default();
        for event in events {
            streak.apply(event);
        }
        streak
    }

    /// A length worth celebrating in the cohort's channel: every fourth week.
    pub fn is_milestone(self) -> bool {
        self.current > 0 && self.current.is_multiple_of(WEEKS_PER_FREEZE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(weeks: &[Week]) -> (Streak, Vec<Event>) {
        let mut streak = Streak::default();
        let events = weeks
            .iter()
            .flat_map(|w| streak.settle(*w, true))
            .collect::<Vec<_>>();
        assert_eq!(Streak::replay(events.clone()), streak, "replay");
        (streak, events)
    }

    use Week::{CheckedIn as C, Excused as E, Missed as M};

    #[test]
    fn four_in_a_row_earn_a_freeze_that_covers_one_miss() {
        let (s, events) = run(&[C, C, C, C]);
        assert_eq!((s.current, s.freezes), (4, 1));
        assert_eq!(events.last(), Some(&Event::FreezeEarned));
        let (s, _) = run(&[C, C, C, C, M]);
        assert_eq!((s.current, s.freezes), (4, 0), "the freeze keeps 4");
        let (s, _) = run(&[C, C, C, C, M, C]);
        assert_eq!((s.current, s.best), (5, 5));
    }

    #[test]
    fn an_excused_week_is_neutral_and_two_misses_with_one_freeze_reset() {
        let (s, _) = run(&[C, C, C, C, E]);
        assert_eq!((s.current, s.freezes), (4, 1));
        let (s, events) = run(&[C, C, C, C, M, M]);
        assert_eq!((s.current, s.best, s.freezes), (0, 4, 0));
        assert_eq!(
            &events[events.len() - 2..],
            [Event::FreezeUsed, Event::Broken]
        );
    }

    #[test]
    fn at_most_two_freezes_and_none_without_consent() {
        let (s, _) = run(&[C; 12]);
        assert_eq!((s.current, s.freezes), (12, 2));
        let mut s = Streak::default();
        for _ in 0..4 {
            s.settle(C, false);
        }
        assert_eq!(s.settle(M, false), [Event::Broken]);
        assert_eq!((s.current, s.freezes), (0, 1));
    }

    #[test]
    fn milestones_are_every_fourth_week() {
        let lengths: Vec<u32> = (0..=12)
            .filter(|n| {
                Streak {
                    current: *n,
                    ..Streak::default()
                }
                .is_milestone()
            })
            .collect();
        assert_eq!(lengths, [4, 8, 12]);
    }
}
