//! Conversions between Rust values and stored columns: JSON text, and SQLite's signed 64-bit
//! integers for our unsigned counters.

use serde::de::DeserializeOwned;
use serde::Serialize;

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
