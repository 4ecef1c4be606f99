//! Long lists a page at a time, so that no reply outgrows a platform's message limit
//! (Discord's 2,000 characters, a Slack section's 3,000) however big the community gets.

use super::Invocation;

/// One page of a list: which one, and how many rows a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: i64,
    pub size: i64,
}

impl Page {
    /// The `page` option (1 when absent) with `size` rows a page.
    pub fn of(inv: &Invocation, size: i64) -> Self {
        Self {
            number: inv.args.int("page").unwrap_or(1).max(1),
            size,
        }
    }

    pub fn offset(self) -> i64 {
        (self.number - 1) * self.size
    }

    /// How many pages `total` rows fill (at least one).
    pub fn count(self, total: i64) -> i64 {
        ((total + self.size - 1) / self.size).max(1)
    }

    /// Whether this page starts past the last row of a non-empty list.
    pub fn past_end(self, total: i64) -> bool {
        total > 0 && self.offset() >= total
    }

    pub fn has_next(self, total: i64) -> bool {
        self.number < self.count(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_row_once() {
        let page = |number| Page { number, size: 15 };
        assert_eq!(page(1).count(0), 1);
        assert_eq!(page(1).count(15), 1);
        assert_eq!(page(1).count(16), 2);
        assert_eq!(page(2).offset(), 15);
        assert!(page(2).has_next(31));
        assert!(!page(3).has_next(31));
        assert!(page(3).past_end(30));
        assert!(!page(2).past_end(30));
        assert!(!page(1).past_end(0));
    }
}
