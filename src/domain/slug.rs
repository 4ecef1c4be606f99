//! Short identifiers for cohorts, tracks and modules, typed in commands.

use std::fmt;

pub const SLUG_MAX: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    /// Lowercase letters, digits and single hyphens, 2 to 40 characters.
    pub fn parse(input: &str) -> Result<Self, String> {
        let len = input.chars().count();
        let shape_ok = input
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !input.starts_with('-')
            && !input.ends_with('-')
            && !input.contains("--");
        if !(2..=SLUG_MAX).contains(&len) || !shape_ok {
            return Err(format!(
                "`{}` is not a valid id: use 2–{SLUG_MAX} lowercase letters, digits and hyphens, like `spring-makers-2027`",
                crate::domain::text::preview(input)
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_kebab_case_and_rejects_the_rest() {
        assert!(Slug::parse("spring-makers-2027").is_ok());
        for bad in [
            "",
            "a",
            "Spring",
            "a--b",
            "-a",
            "a-",
            "a b",
            &"x".repeat(41),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }
}
