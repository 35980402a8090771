//! How values are stored in columns: JSON text, SQLite's signed 64-bit integers for our
//! unsigned counters, minted ids, and the closed sets of values kept as text — spelled the same
//! in SQL (CHECK constraints), in Rust (`Display`/`FromStr`) and in JSON (serde), so the REST
//! API, the database and logs never disagree.

use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use super::CatalogError;

pub(crate) fn to_json<T: Serialize>(
    column: &'static str,
    value: &T,
) -> Result<String, CatalogError> {
    serde_json::to_string(value)
        .map_err(|e| CatalogError::InvalidInput(format!("{column} is not serializable: {e}")))
}

pub(crate) fn from_json<T: DeserializeOwned>(
    column: &'static str,
    text: &str,
) -> Result<T, CatalogError> {
    serde_json::from_str(text).map_err(|e| CatalogError::corrupt(column, text, e))
}

/// Counters are `u64` in Rust; SQLite integers are `i64`. Anything past `i64::MAX` (9.2e18
/// rows or bytes) is refused rather than wrapped.
pub(crate) fn to_i64(column: &'static str, value: u64) -> Result<i64, CatalogError> {
    i64::try_from(value)
        .map_err(|_| CatalogError::InvalidInput(format!("{column} {value} is too large")))
}

pub(crate) fn to_u64(column: &'static str, value: i64) -> Result<u64, CatalogError> {
    u64::try_from(value).map_err(|_| CatalogError::corrupt(column, &value.to_string(), "negative"))
}

/// Parses a stored enum, reporting a value the code does not know as corruption.
pub(crate) fn parse_column<T>(column: &'static str, text: &str) -> Result<T, CatalogError>
where
    T: std::str::FromStr<Err = UnknownValue>,
{
    text.parse()
        .map_err(|e: UnknownValue| CatalogError::corrupt(column, text, e))
}

/// A fresh id: a type prefix and a UUIDv7, so ids say what they name (`run_…` in a log line
/// is a run) and sort roughly by creation time.
pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", Uuid::now_v7().simple())
}

/// Defines a fieldless enum with `as_str`, `Display`, `FromStr` and snake_case serde.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::catalog::UnknownValue;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::catalog::UnknownValue {
                        kind: stringify!($name),
                        value: text.to_string(),
                    }),
                }
            }
        }
    };
}

/// A string that is not one of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

pub(crate) use text_enum;
