//! Row structs for `sqlx::query_as`, without sqlx's proc-macro stack.
//!
//! `#[derive(sqlx::FromRow)]` pulls sqlx's `macros` feature, which builds a second copy of
//! sqlx, tokio and rustls for the host: 60–110 s of CPU and 30–60 s of wall time in a clean
//! build on two cores. A field maps to the column of the same name, as with the derive.

/// Declares a struct and implements `FromRow` for it, reading each field from the column
/// named like the field (a raw identifier `r#abstract` reads `abstract`).
macro_rules! pg_row {
    (
        $(#[$attr:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$field_attr:meta])* $field_vis:vis $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$attr])*
        $vis struct $name {
            $( $(#[$field_attr])* $field_vis $field: $ty ),*
        }

        impl<'r> ::sqlx::FromRow<'r, ::sqlx::postgres::PgRow> for $name {
            fn from_row(row: &'r ::sqlx::postgres::PgRow) -> ::sqlx::Result<Self> {
                use ::sqlx::Row as _;
                Ok(Self {
                    $( $field: row.try_get(stringify!($field).trim_start_matches("r#"))? ),*
                })
            }
        }
    };
}

pub(crate) use pg_row;
