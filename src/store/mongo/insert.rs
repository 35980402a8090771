//! One batch of row documents inserted as `insert` commands built from their bytes.
//!
//! The driver's `insert_many` copies every document twice more, turns each `_id` back into a
//! parsed [`bson::Bson`] (a map, its keys and values: several allocations a row) and collects
//! the ids into a hash map for its result, which this store never reads: together about a
//! quarter of the MongoDB store's CPU per row. The documents already carry their `_id`, so the
//! command is the batch's bytes behind a small header, with the write concern stated in it
//! (a command does not inherit the database's). Unordered, as before: a duplicate does not
//! stop the rest of the batch, and the duplicates come back by index for the caller to replace.
//!
//! Commands stay under `COMMAND_BYTES` by splitting the batch; a single document larger than
//! the server's limit is refused by the server, as `insert_many` would refuse it.
//!
//! The trade: documents inline in a command, unlike `insert_many`'s OP_MSG document sequence,
//! cost the SecantusDB test server 1.26–1.32× the CPU and 5–9% more wall time
//! (`docs/performance.md`, "Two drains"). Public so the benchmark's drain can send exactly
//! these commands and measure that (`benches/backup/mongo.rs`).

use bson::{Document, RawDocumentBuf};
use mongodb::Database;

use super::metadata::DUPLICATE_KEY;
use super::raw_document::{index, BsonWriter, ARRAY, DOCUMENT};

/// Documents per command at most, in bytes: half the server's 16 MiB document limit, so the
/// command's header and the array's keys always fit.
const COMMAND_BYTES: usize = 8 * 1024 * 1024;

/// Why a batch was not fully inserted.
#[derive(Debug)]
pub enum InsertFailure {
    /// The command failed (connection, server, refused document): nothing is known inserted.
    Driver(mongodb::error::Error),
    /// The server answered, with write errors other than duplicates or a write-concern error.
    Refused(String),
}

/// Inserts `documents` into `collection`; returns the indexes of those already present.
pub async fn insert_documents(
    database: &Database,
    collection: &str,
    documents: &[RawDocumentBuf],
) -> Result<Vec<usize>, InsertFailure> {
    let mut duplicates = Vec::new();
    let mut start = 0;
    while start < documents.len() {
        let end = command_end(documents, start, COMMAND_BYTES);
        let reply = database
            .run_raw_command(command(collection, &documents[start..end]))
            .await
            .map_err(InsertFailure::Driver)?;
        duplicates.extend(duplicates_in(&reply)?.into_iter().map(|i| start + i));
        start = end;
    }
    Ok(duplicates)
}

/// Where the command starting at `start` ends: as many documents as fit in `limit` bytes, at
/// least one. Checked before a document is added, so a large row after many small ones starts
/// the next command instead of pushing this one past the server's command size.
fn command_end(documents: &[RawDocumentBuf], start: usize, limit: usize) -> usize {
    let mut end = start + 1;
    let mut bytes = documents[start].as_bytes().len();
    while let Some(next) = documents.get(end) {
        bytes += next.as_bytes().len();
        if bytes > limit {
            break;
        }
        end += 1;
    }
    end
}

/// `{insert, ordered: false, writeConcern: {w: "majority", j: true}, documents: [...]}`: the
/// store's durability (see `Connection::database`), stated per command. The documents' bytes
/// are copied in as they are.
fn command(collection: &str, documents: &[RawDocumentBuf]) -> RawDocumentBuf {
    let bytes: usize = documents.iter().map(|d| d.as_bytes().len() + 8).sum();
    let mut out = BsonWriter::with_capacity(bytes + collection.len() + 128);
    let command = out.start_document();
    out.string("insert", collection);
    out.boolean("ordered", false);
    let concern = out.start_embedded(DOCUMENT, "writeConcern");
    out.string("w", "majority");
    out.boolean("j", true);
    out.end_document(concern);
    let array = out.start_embedded(ARRAY, "documents");
    for (i, document) in documents.iter().enumerate() {
        out.document(&index(i), document.as_bytes());
    }
    out.end_document(array);
    out.end_document(command);
    out.finish().expect("a command of valid documents is valid")
}

/// The indexes of the duplicate-key write errors of a reply; any other write error, or a
/// write-concern error, fails the batch.
fn duplicates_in(reply: &Document) -> Result<Vec<usize>, InsertFailure> {
    if let Ok(error) = reply.get_document("writeConcernError") {
        return Err(InsertFailure::Refused(format!(
            "write concern not satisfied: {error}"
        )));
    }
    let Ok(errors) = reply.get_array("writeErrors") else {
        return Ok(Vec::new());
    };
    let mut duplicates = Vec::with_capacity(errors.len());
    for error in errors {
        let error = error.as_document();
        let code = error.and_then(|e| number(e, "code"));
        let index = error.and_then(|e| number(e, "index"));
        match (code, index) {
            (Some(code), Some(index)) if code == i64::from(DUPLICATE_KEY) && index >= 0 => {
                duplicates.push(index as usize)
            }
            _ => {
                let detail = error.map_or_else(|| "unreadable".to_string(), |e| e.to_string());
                return Err(InsertFailure::Refused(format!("write error: {detail}")));
            }
        }
    }
    Ok(duplicates)
}

/// An integer field the server may send as Int32 or Int64.
fn number(document: &Document, field: &str) -> Option<i64> {
    match document.get(field)? {
        bson::Bson::Int32(n) => Some(i64::from(*n)),
        bson::Bson::Int64(n) => Some(*n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{doc, rawdoc};

    #[test]
    fn the_command_holds_every_document_and_the_durable_write_concern() {
        let documents: Vec<RawDocumentBuf> = (0..3i64)
            .map(|i| rawdoc! { "_id": { "0": i }, "v": "x" })
            .collect();
        let command = command("rows", &documents).to_document().unwrap();
        assert_eq!(command.get_str("insert"), Ok("rows"));
        assert_eq!(command.get_bool("ordered"), Ok(false));
        assert_eq!(
            command.get_document("writeConcern").unwrap(),
            &doc! { "w": "majority", "j": true }
        );
        let stored = command.get_array("documents").unwrap();
        assert_eq!(stored.len(), 3);
        assert_eq!(
            stored[2].as_document().unwrap(),
            &documents[2].to_document().unwrap()
        );
    }

    #[test]
    fn commands_never_pass_the_limit_unless_one_document_alone_does() {
        let sized = |n: usize| rawdoc! { "_id": { "0": n as i64 }, "v": "x".repeat(n) };
        let documents: Vec<RawDocumentBuf> = [10, 10, 10, 200, 10, 500, 10].map(sized).into();
        let size = |range: std::ops::Range<usize>| -> usize {
            documents[range].iter().map(|d| d.as_bytes().len()).sum()
        };
        let limit = size(0..3) + 5; // three small ones fit; the fourth (large) would not
        let mut commands = Vec::new();
        let mut start = 0;
        while start < documents.len() {
            let end = command_end(&documents, start, limit);
            assert!(end > start, "every command holds a document");
            assert!(
                end - start == 1 || size(start..end) <= limit,
                "{start}..{end} holds {} bytes, over {limit}",
                size(start..end)
            );
            commands.push(start..end);
            start = end;
        }
        assert_eq!(commands, [0..3, 3..4, 4..5, 5..6, 6..7]);
    }

    #[test]
    fn duplicates_are_returned_and_other_errors_fail() {
        assert!(duplicates_in(&doc! { "n": 3, "ok": 1.0 })
            .unwrap()
            .is_empty());
        let reply = doc! { "n": 1, "ok": 1.0, "writeErrors": [
            { "index": 0, "code": 11000, "errmsg": "dup" },
            { "index": 2_i64, "code": 11000, "errmsg": "dup" },
        ] };
        assert_eq!(duplicates_in(&reply).unwrap(), vec![0, 2]);
        let other = doc! { "n": 2, "ok": 1.0, "writeErrors": [
            { "index": 1, "code": 11000, "errmsg": "dup" },
            { "index": 2, "code": 2, "errmsg": "bad value" },
        ] };
        let Err(InsertFailure::Refused(message)) = duplicates_in(&other) else {
            panic!("a write error other than a duplicate fails the batch");
        };
        assert!(message.contains("bad value"), "{message}");
        let concern =
            doc! { "n": 3, "ok": 1.0, "writeConcernError": { "code": 64, "errmsg": "timeout" } };
        assert!(matches!(
            duplicates_in(&concern),
            Err(InsertFailure::Refused(m)) if m.contains("timeout")
        ));
    }
}
