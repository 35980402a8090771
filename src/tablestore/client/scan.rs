//! A range scan as a stream of pages, following `next_start_primary_key` until the range is
//! exhausted and `next_token` through rows too wide for one response.

use futures::stream::{self, Stream};

use super::error::{Result, TablestoreError};
use super::range::RangeRequest;
use super::Client;
use crate::tablestore::row::Row;

struct ScanState {
    client: Client,
    /// The next request to send; `None` once the range is exhausted or failed.
    next: Option<RangeRequest>,
    /// The last row of the previous page when it continues in the next one (wide row).
    partial: Option<Row>,
    /// Pages in a row that brought nothing and did not move the start key.
    stalled_pages: u32,
}

/// Empty pages in a row that may repeat the start key before the scan gives up. The service
/// ends a page early, even with no rows, when its per-request scan budget is spent (Java SDK
/// PR #12: always follow `next_start_primary_key`); the SDKs ask again without limit. A bound
/// still turns a server stuck on one key into an error instead of an endless loop.
const MAX_STALLED_PAGES: u32 = 1000;

/// Joins the pieces of a row split across pages: the held-back `partial` row absorbs the
/// page's first row when it has the same key, and when the page ends inside a row
/// (`continues_row`) its last row is held back in turn. Returns the complete rows and the
/// new held-back row.
fn join_wide_row(
    partial: Option<Row>,
    mut rows: Vec<Row>,
    continues_row: bool,
) -> (Vec<Row>, Option<Row>) {
    if let Some(mut partial) = partial {
        if rows
            .first()
            .is_some_and(|r| r.primary_key == partial.primary_key)
        {
            partial.cells.extend(rows.remove(0).cells);
        }
        rows.insert(0, partial);
    }
    let held = if continues_row { rows.pop() } else { None };
    (rows, held)
}

impl Client {
    /// Every row of the range, page by page, in key order (`request.limit` caps page size).
    ///
    /// A wide row split across responses is yielded once, whole. Empty pages are skipped,
    /// even those that repeat the start key (up to [`MAX_STALLED_PAGES`] in a row).
    /// The stream ends after the first error.
    pub fn scan(
        &self,
        request: RangeRequest,
    ) -> impl Stream<Item = Result<Vec<Row>>> + Send + 'static {
        let state = ScanState {
            client: self.clone(),
            next: Some(request),
            partial: None,
            stalled_pages: 0,
        };
        stream::unfold(state, |mut state| async move {
            loop {
                let request = state.next.take()?;
                let page = match state.client.get_range(&request).await {
                    Ok(page) => page,
                    Err(error) => return Some((Err(error), state)),
                };
                let continues_row = page.next_token.is_some();
                let (mut rows, partial) =
                    join_wide_row(state.partial.take(), page.rows, continues_row);
                state.partial = partial;
                match page.next_start {
                    Some(start) => {
                        let stalled = start == request.start && !continues_row && rows.is_empty();
                        state.stalled_pages = if stalled { state.stalled_pages + 1 } else { 0 };
                        if state.stalled_pages > MAX_STALLED_PAGES {
                            let error = TablestoreError::InvalidResponse {
                                action: "GetRange",
                                reason: format!(
                                    "{MAX_STALLED_PAGES} empty pages in a row without \
                                     next_start_primary_key advancing"
                                ),
                                request_id: None,
                            };
                            return Some((Err(error), state));
                        }
                        state.next = Some(RangeRequest {
                            start,
                            token: page.next_token,
                            ..request
                        });
                    }
                    None => {
                        // The range ended inside a "partial" row: it is complete after all.
                        rows.extend(state.partial.take());
                    }
                }
                if !rows.is_empty() {
                    return Some((Ok(rows), state));
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tablestore::row::{Cell, PkValue, PrimaryKey, Value};

    fn row(id: i64, cells: &[&str]) -> Row {
        let key = PrimaryKey::new([("id", PkValue::Integer(id))]);
        Row::new(
            key,
            cells
                .iter()
                .map(|c| Cell::put(*c, Value::Integer(id)))
                .collect(),
        )
    }

    #[test]
    fn pages_without_tokens_pass_through() {
        let (rows, held) = join_wide_row(None, vec![row(1, &["a"]), row(2, &["a"])], false);
        assert_eq!(rows, vec![row(1, &["a"]), row(2, &["a"])]);
        assert_eq!(held, None);
    }

    #[test]
    fn a_row_split_over_three_pages_comes_out_once_and_whole() {
        let (rows, held) = join_wide_row(None, vec![row(1, &["a"]), row(2, &["a"])], true);
        assert_eq!(rows, vec![row(1, &["a"])]);
        let (rows, held) = join_wide_row(held, vec![row(2, &["b"])], true);
        assert!(rows.is_empty());
        let (rows, held) = join_wide_row(held, vec![row(2, &["c"]), row(3, &["a"])], false);
        assert_eq!(rows, vec![row(2, &["a", "b", "c"]), row(3, &["a"])]);
        assert_eq!(held, None);
    }
}
