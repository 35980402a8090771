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
}

impl Client {
    /// Every row of the range, page by page, in key order (`request.limit` caps page size).
    ///
    /// A wide row split across responses is yielded once, whole. Empty pages are skipped.
    /// The stream ends after the first error.
    pub fn scan(
        &self,
        request: RangeRequest,
    ) -> impl Stream<Item = Result<Vec<Row>>> + Send + 'static {
        let state = ScanState {
            client: self.clone(),
            next: Some(request),
            partial: None,
        };
        stream::unfold(state, |mut state| async move {
            loop {
                let request = state.next.take()?;
                let page = match state.client.get_range(&request).await {
                    Ok(page) => page,
                    Err(error) => return Some((Err(error), state)),
                };
                let mut rows = page.rows;
                if let Some(mut partial) = state.partial.take() {
                    if rows
                        .first()
                        .is_some_and(|r| r.primary_key == partial.primary_key)
                    {
                        partial.cells.extend(rows.remove(0).cells);
                    }
                    rows.insert(0, partial);
                }
                let continues_row = page.next_token.is_some();
                if continues_row {
                    state.partial = rows.pop();
                }
                match page.next_start {
                    Some(start) => {
                        if start == request.start && !continues_row && rows.is_empty() {
                            let error = TablestoreError::InvalidResponse {
                                action: "GetRange",
                                reason: "next_start_primary_key does not advance".into(),
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
