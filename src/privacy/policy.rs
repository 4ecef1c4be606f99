//! The data policy: for every table and column, its group, how long it is kept, what a
//! member's erasure request does to it, and why. Built into the binary, so the policy a
//! build runs with is the one reviewed with its code.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use anyhow::{Context, Result};
use serde::Deserialize;
use sqlx::PgExecutor;

/// The policy file, as committed.
pub const POLICY_TOML: &str = include_str!("../../config/data_policy.toml");

/// What an erasure request does to a table's rows or a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Delete,
    Blank,
    Anonymise,
    Keep,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Delete => "delete",
            Action::Blank => "blank",
            Action::Anonymise => "anonymise",
            Action::Keep => "keep",
        }
    }
}

/// Rows the daily sweep deletes: older than `days` by `after`, and in `status` when given.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    pub days: u32,
    pub after: String,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TablePolicy {
    pub group: String,
    pub keep: String,
    pub on_request: Action,
    pub why: String,
    #[serde(default)]
    pub sweep: Option<Sweep>,
    /// What makes a row a member's: a column holding their id, or `column -> table`, a
    /// column naming a row of `table` that is theirs. An erasure request applies the
    /// entry to those rows.
    #[serde(default)]
    pub member: Vec<String>,
    pub columns: BTreeMap<String, Action>,
}

/// One way a row belongs to a member (an item of [`TablePolicy::member`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberLink<'a> {
    /// The column holds the member's id.
    Column(&'a str),
    /// The column holds the `id` of a row of `table` that is the member's.
    Via { column: &'a str, table: &'a str },
}

impl TablePolicy {
    pub fn member_links(&self) -> impl Iterator<Item = MemberLink<'_>> {
        self.member.iter().map(|item| match item.split_once("->") {
            Some((column, table)) => MemberLink::Via {
                column: column.trim(),
                table: table.trim(),
            },
            None => MemberLink::Column(item.trim()),
        })
    }

    /// Whether an erasure request changes anything in this table.
    pub fn changes_on_request(&self) -> bool {
        self.on_request == Action::Delete
            || self
                .columns
                .values()
                .any(|a| matches!(a, Action::Blank | Action::Anonymise))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub tables: BTreeMap<String, TablePolicy>,
}

static POLICY: LazyLock<Result<Policy, String>> =
    LazyLock::new(|| Policy::parse(POLICY_TOML).map_err(|err| format!("{err:#}")));

/// The built-in policy.
pub fn policy() -> Result<&'static Policy> {
    POLICY
        .as_ref()
        .map_err(|err| anyhow::anyhow!("config/data_policy.toml: {err}"))
}

/// What the schema and the policy disagree on.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Gaps {
    /// `table` or `table.column` in the policy but not in the schema.
    pub unknown: Vec<String>,
    /// `table.column` in the schema with no policy.
    pub missing: Vec<String>,
}

impl Policy {
    pub fn parse(text: &str) -> Result<Policy> {
        let policy: Policy = toml::from_str(text).context("reading the data policy")?;
        for (name, table) in &policy.tables {
            if let Some(sweep) = &table.sweep
                && !table.columns.contains_key(&sweep.after)
            {
                anyhow::bail!(
                    "table `{name}`: the sweep's `after` names `{}`, not one of its columns",
                    sweep.after
                );
            }
            for link in table.member_links() {
                let column = match link {
                    MemberLink::Column(column) => column,
                    MemberLink::Via { column, table: via } => {
                        let linked = policy.tables.get(via).filter(|t| {
                            t.columns.contains_key("id")
                                && t.member_links().all(|l| matches!(l, MemberLink::Column(_)))
                                && !t.member.is_empty()
                        });
                        if linked.is_none() {
                            anyhow::bail!(
                                "table `{name}`: `member` names `{via}`, which needs an `id` column and members of its own by column"
                            );
                        }
                        column
                    }
                };
                if !table.columns.contains_key(column) {
                    anyhow::bail!(
                        "table `{name}`: `member` names `{column}`, not one of its columns"
                    );
                }
            }
            if table.changes_on_request() && table.member.is_empty() && table.sweep.is_none() {
                anyhow::bail!(
                    "table `{name}`: an erasure request changes it, so it needs `member` (whose rows are whose) or a `sweep`"
                );
            }
            if table.sweep.as_ref().is_some_and(|s| s.status.is_some())
                && !table.columns.contains_key("status")
            {
                anyhow::bail!("table `{name}`: the sweep's `status` needs a `status` column");
            }
        }
        Ok(policy)
    }

    /// Compares the policy with the tables and columns of the database's `public` schema.
    pub async fn gaps(&self, ex: impl PgExecutor<'_>) -> sqlx::Result<Gaps> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.table_name::text, c.column_name::text
               FROM information_schema.columns c
               JOIN information_schema.tables t
                 ON t.table_schema = c.table_schema AND t.table_name = c.table_name
              WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
              ORDER BY 1, c.ordinal_position",
        )
        .fetch_all(ex)
        .await?;
        let mut schema: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (table, column) in &rows {
            schema.entry(table).or_default().push(column);
        }
        let mut gaps = Gaps::default();
        for (table, columns) in &schema {
            let policy = self.tables.get(*table);
            for column in columns {
                if !policy.is_some_and(|p| p.columns.contains_key(*column)) {
                    gaps.missing.push(format!("{table}.{column}"));
                }
            }
        }
        for (table, policy) in &self.tables {
            let Some(columns) = schema.get(table.as_str()) else {
                gaps.unknown.push(table.clone());
                continue;
            };
            for column in policy.columns.keys() {
                if !columns.contains(&column.as_str()) {
                    gaps.unknown.push(format!("{table}.{column}"));
                }
            }
        }
        Ok(gaps)
    }

    /// Refuses a policy that names what the schema does not have (a typo, or a dropped
    /// column), and logs columns it says nothing about (the test suite fails on those).
    pub async fn verify(&self, ex: impl PgExecutor<'_>) -> Result<()> {
        let gaps = self.gaps(ex).await.context("reading the schema")?;
        if !gaps.unknown.is_empty() {
            anyhow::bail!(
                "config/data_policy.toml names {}, which the database schema does not have: fix or remove the entry",
                gaps.unknown
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if !gaps.missing.is_empty() {
            tracing::warn!(columns = %gaps.missing.join(", "), "columns with no data policy");
        }
        Ok(())
    }

    /// The README's "Privacy" tables: per group, what is kept, for how long, what a request
    /// does, and why.
    pub fn markdown(&self) -> String {
        let mut groups: BTreeMap<&str, Vec<(&String, &TablePolicy)>> = BTreeMap::new();
        for (name, table) in &self.tables {
            groups
                .entry(table.group.as_str())
                .or_default()
                .push((name, table));
        }
        let mut out = String::new();
        for (group, tables) in groups {
            out.push_str(&format!("\n**{group}**\n\n"));
            out.push_str("| Table | Kept | On request | Why |\n| --- | --- | --- | --- |\n");
            for (name, table) in tables {
                let touched: Vec<String> = table
                    .columns
                    .iter()
                    .filter(|(_, action)| **action != table.on_request && **action != Action::Keep)
                    .map(|(column, action)| format!("{} `{column}`", action.as_str()))
                    .collect();
                let request = if touched.is_empty() {
                    table.on_request.as_str().to_owned()
                } else {
                    format!("{}: {}", table.on_request.as_str(), touched.join(", "))
                };
                out.push_str(&format!(
                    "| `{name}` | {} | {request} | {} |\n",
                    table.keep,
                    table.why.replace('|', "\\|")
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_policy_parses_and_every_table_says_why() {
        let policy = policy().unwrap();
        assert!(policy.tables.len() > 50);
        for (name, table) in &policy.tables {
            assert!(!table.why.trim().is_empty(), "{name}");
            assert!(!table.columns.is_empty(), "{name}");
            // A table whose rows go on request takes every column with it.
            if table.on_request == Action::Delete {
                assert!(
                    table.columns.values().all(|a| *a == Action::Delete),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn member_links_must_name_columns_and_tables_that_exist() {
        let table = |name: &str, member: &str| {
            format!(
                "[tables.{name}]\ngroup = \"g\"\nkeep = \"k\"\non_request = \"keep\"\nwhy = \"w\"\nmember = [{member}]\n[tables.{name}.columns]\nid = \"keep\"\nwho = \"blank\"\n"
            )
        };
        let ok = table("a", "\"who\"") + &table("b", "\"id -> a\"");
        let policy = Policy::parse(&ok).unwrap();
        assert_eq!(
            policy.tables["b"].member_links().collect::<Vec<_>>(),
            [MemberLink::Via {
                column: "id",
                table: "a"
            }]
        );
        let err = Policy::parse(&table("a", "\"whom\"")).unwrap_err();
        assert!(format!("{err:#}").contains("`whom`"), "{err:#}");
        let err = Policy::parse(&table("b", "\"id -> nowhere\"")).unwrap_err();
        assert!(format!("{err:#}").contains("`nowhere`"), "{err:#}");
        let err = Policy::parse(&table("a", "")).unwrap_err();
        assert!(format!("{err:#}").contains("needs `member`"), "{err:#}");
    }

    #[test]
    fn a_sweep_must_name_one_of_its_columns() {
        let text = "[tables.x]\ngroup = \"g\"\nkeep = \"k\"\non_request = \"keep\"\nwhy = \"w\"\nsweep = { days = 1, after = \"at\" }\n[tables.x.columns]\nid = \"keep\"\n";
        let err = Policy::parse(text).unwrap_err();
        assert!(format!("{err:#}").contains("`at`"), "{err:#}");
    }
}
