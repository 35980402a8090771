//! Keyset pagination with opaque page tokens (AIP-158): a token is the base64 of the last
//! item's sort key plus a fingerprint of the filter it was issued for, so a page is stable while
//! rows are inserted elsewhere, costs one index seek however deep, and a token replayed with a
//! different filter is refused instead of silently skipping rows.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{QueryBuilder, Sqlite};

use super::CatalogError;

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 500;

/// Which page to read. `page_size` 0 or absent means [`DEFAULT_PAGE_SIZE`]; larger than
/// [`MAX_PAGE_SIZE`] is clamped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    #[serde(default)]
    pub page_size: Option<u32>,
    #[serde(default)]
    pub page_token: Option<String>,
}

impl PageRequest {
    pub fn first(page_size: u32) -> Self {
        PageRequest {
            page_size: Some(page_size),
            page_token: None,
        }
    }

    pub fn next(page_size: u32, token: impl Into<String>) -> Self {
        PageRequest {
            page_size: Some(page_size),
            page_token: Some(token.into()),
        }
    }

    pub(crate) fn size(&self) -> u32 {
        match self.page_size {
            None | Some(0) => DEFAULT_PAGE_SIZE,
            Some(n) => n.min(MAX_PAGE_SIZE),
        }
    }
}

/// One page of results. `next_page_token` is `None` on the last page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_page_token: Option<String>,
}

/// The sort key of the last item of a page: a time (if the list sorts by one) and a unique
/// string (id or name) that breaks ties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Cursor {
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
    #[serde(rename = "k")]
    pub key: String,
    #[serde(rename = "f")]
    filter: String,
}

impl Cursor {
    pub fn new(at: Option<DateTime<Utc>>, key: impl Into<String>, filter: &impl Serialize) -> Self {
        Cursor {
            at,
            key: key.into(),
            filter: fingerprint(filter),
        }
    }

    pub fn encode(&self) -> String {
        // Serializing a struct of strings cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Decodes the request's token, if any, checking it was issued for `filter`.
    pub fn decode(
        page: &PageRequest,
        filter: &impl Serialize,
    ) -> Result<Option<Cursor>, CatalogError> {
        let Some(token) = page.page_token.as_deref().filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| CatalogError::InvalidPageToken)?;
        let cursor: Cursor =
            serde_json::from_slice(&bytes).map_err(|_| CatalogError::InvalidPageToken)?;
        if cursor.filter != fingerprint(filter) {
            return Err(CatalogError::InvalidPageToken);
        }
        Ok(Some(cursor))
    }
}

/// Cuts a fetched `size + 1` rows down to one page and makes the next token from its last item.
pub(crate) fn paginate<T>(
    mut items: Vec<T>,
    size: u32,
    cursor_of: impl Fn(&T) -> Cursor,
) -> Page<T> {
    let size = size as usize;
    let more = items.len() > size;
    items.truncate(size);
    let next_page_token = match items.last() {
        Some(last) if more => Some(cursor_of(last).encode()),
        _ => None,
    };
    Page {
        items,
        next_page_token,
    }
}

/// A filtered listing, newest first: `SELECT * FROM <table>` with one clause per filter that is
/// set, then the step past the page token's item and the page limit. The shape every
/// time-ordered list of the catalog shares (backups by start, runs by creation).
pub(crate) struct NewestFirst<'a> {
    query: QueryBuilder<'a, Sqlite>,
    /// The time column the list sorts by; `id` breaks ties.
    at: &'static str,
}

impl<'a> NewestFirst<'a> {
    pub fn select(table: &str, at: &'static str) -> Self {
        let query = QueryBuilder::new(format!("SELECT * FROM {table} WHERE 1 = 1"));
        NewestFirst { query, at }
    }

    /// `AND <column> = value`, when there is a value.
    pub fn equal<T>(&mut self, column: &str, value: Option<T>) -> &mut Self
    where
        T: 'a + sqlx::Encode<'a, Sqlite> + sqlx::Type<Sqlite>,
    {
        if let Some(value) = value {
            self.query
                .push(format_args!(" AND {column} = "))
                .push_bind(value);
        }
        self
    }

    /// `AND <column> IN (…)`, when `values` is not empty.
    pub fn any_of(&mut self, column: &str, values: &[&'static str]) -> &mut Self {
        if !values.is_empty() {
            self.query.push(format_args!(" AND {column} IN ("));
            let mut list = self.query.separated(", ");
            for value in values {
                list.push_bind(*value);
            }
            self.query.push(")");
        }
        self
    }

    /// `AND <sql_before_value> value <sql_after_value>`, when there is a value: for a clause
    /// of the list's own, such as a subquery.
    pub fn clause<T>(&mut self, sql: (&str, &str), value: Option<T>) -> &mut Self
    where
        T: 'a + sqlx::Encode<'a, Sqlite> + sqlx::Type<Sqlite>,
    {
        if let Some(value) = value {
            self.query
                .push(format_args!(" AND {}", sql.0))
                .push_bind(value)
                .push(sql.1);
        }
        self
    }

    /// At or after `after` and strictly before `before`, on the sort column.
    pub fn between(
        &mut self,
        after: Option<DateTime<Utc>>,
        before: Option<DateTime<Utc>>,
    ) -> &mut Self {
        let at = self.at;
        self.clause((&format!("{at} >= "), ""), after)
            .clause((&format!("{at} < "), ""), before)
    }

    /// The finished query: past the token's item, newest first, one row more than a page (so
    /// [`paginate`] knows whether another page follows).
    pub fn page(
        mut self,
        cursor: Option<Cursor>,
        size: u32,
    ) -> Result<QueryBuilder<'a, Sqlite>, CatalogError> {
        let at = self.at;
        if let Some(cursor) = cursor {
            let time = cursor.at.ok_or(CatalogError::InvalidPageToken)?;
            self.query
                .push(format_args!(" AND ({at}, id) < ("))
                .push_bind(time)
                .push(", ")
                .push_bind(cursor.key)
                .push(")");
        }
        self.query
            .push(format_args!(" ORDER BY {at} DESC, id DESC LIMIT "))
            .push_bind(i64::from(size) + 1);
        Ok(self.query)
    }
}

fn fingerprint(filter: &impl Serialize) -> String {
    let json = serde_json::to_vec(filter).unwrap_or_default();
    hex::encode(&Sha256::digest(&json)[..8])
}
