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

/// Declares a status or kind stored as text (with a CHECK constraint in its table) as an
/// enum decoded once, here at the store boundary: an unknown value is a decode error, not a
/// string compared in several places.
macro_rules! text_enum {
    (
        $(#[$attr:meta])*
        $vis:vis enum $name:ident { $( $(#[$variant_attr:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name { $( $(#[$variant_attr])* $variant ),+ }

        impl $name {
            /// The stored text.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text ),+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    other => Err(format!("`{other}` is not a {}", stringify!($name))),
                }
            }
        }

        $crate::store::row::text_column!($name);
    };
}

/// Stores a type with `as_str` and `FromStr` as its text: bound as text, and decoded (and
/// so checked) once when a row is read.
macro_rules! text_column {
    ($name:ty) => {
        impl ::sqlx::Type<::sqlx::Postgres> for $name {
            fn type_info() -> ::sqlx::postgres::PgTypeInfo {
                <&str as ::sqlx::Type<::sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &::sqlx::postgres::PgTypeInfo) -> bool {
                <&str as ::sqlx::Type<::sqlx::Postgres>>::compatible(ty)
            }
        }

        impl<'r> ::sqlx::Decode<'r, ::sqlx::Postgres> for $name {
            fn decode(
                value: ::sqlx::postgres::PgValueRef<'r>,
            ) -> Result<Self, ::sqlx::error::BoxDynError> {
                let text = <&str as ::sqlx::Decode<::sqlx::Postgres>>::decode(value)?;
                Ok(text.parse::<$name>()?)
            }
        }

        impl ::sqlx::Encode<'_, ::sqlx::Postgres> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut ::sqlx::postgres::PgArgumentBuffer,
            ) -> Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <&str as ::sqlx::Encode<::sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }
    };
}

pub(crate) use text_column;
pub(crate) use text_enum;
