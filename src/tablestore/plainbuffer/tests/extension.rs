//! Extension blocks (stream records): skipped, not covered by checksums, but checked for shape.

use super::sample_rows;
use crate::tablestore::plainbuffer::consts::*;
use crate::tablestore::plainbuffer::{decode_row, decode_rows, encode_row, DecodeError};

/// A sequence-info block as the Java writer lays it out: the block length and the item length
/// count the bytes after themselves.
fn sequence_info(epoch: u32, ts: i64, row_index: u32) -> Vec<u8> {
    let mut item = vec![TAG_SEQ_INFO_EPOCH];
    item.extend(epoch.to_le_bytes());
    item.push(TAG_SEQ_INFO_TS);
    item.extend(ts.to_le_bytes());
    item.push(TAG_SEQ_INFO_ROW_INDEX);
    item.extend(row_index.to_le_bytes());
    extension(&[(TAG_SEQ_INFO, item)])
}

fn extension(items: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (tag, bytes) in items {
        body.push(*tag);
        body.extend((bytes.len() as u32).to_le_bytes());
        body.extend(bytes);
    }
    let mut block = vec![TAG_EXTENSION];
    block.extend((body.len() as u32).to_le_bytes());
    block.extend(body);
    block
}

/// Inserts `block` before the row checksum of a one-row buffer.
fn with_block(mut buffer: Vec<u8>, block: &[u8]) -> Vec<u8> {
    let at = buffer.len() - 2;
    buffer.splice(at..at, block.iter().copied());
    buffer
}

#[test]
fn sequence_info_is_skipped() {
    let block = sequence_info(3, 1_700_000_000_000_000, 12);
    assert_eq!(
        block.len(),
        1 + 4 + 24,
        "Java: 5 + 19 bytes after TAG_EXTENSION's length"
    );
    for row in sample_rows() {
        let buffer = with_block(encode_row(&row), &block);
        assert_eq!(decode_row(&buffer), Ok(row));
    }
}

#[test]
fn unknown_items_are_skipped_like_the_java_reader_does() {
    let block = extension(&[
        (0x20, vec![1, 2, 3]),
        (TAG_SEQ_INFO, vec![]),
        (0xff, vec![9; 40]),
    ]);
    let row = sample_rows().remove(1);
    let buffer = with_block(encode_row(&row), &block);
    assert_eq!(decode_rows(&buffer), Ok(vec![row]));
}

#[test]
fn a_row_or_cell_tag_inside_the_block_is_corruption() {
    let block = extension(&[(TAG_CELL, vec![1, 2])]);
    let buffer = with_block(encode_row(&sample_rows()[0]), &block);
    assert!(matches!(
        decode_row(&buffer),
        Err(DecodeError::UnexpectedTag { tag: TAG_CELL, .. })
    ));
}

#[test]
fn block_length_must_match_its_items() {
    let row = &sample_rows()[0];
    let mut block = sequence_info(1, 2, 3);
    // Claim one byte more than the items fill: the row checksum tag is then inside the block.
    block[1] += 1;
    assert!(decode_row(&with_block(encode_row(row), &block)).is_err());
    // Claim one byte less: the last item runs past the block.
    block[1] -= 2;
    assert!(matches!(
        decode_row(&with_block(encode_row(row), &block)),
        Err(DecodeError::Malformed(_, _))
    ));
    // A length beyond the buffer.
    let huge = [TAG_EXTENSION, 0xff, 0xff, 0xff, 0x7f];
    assert!(decode_row(&with_block(encode_row(row), &huge)).is_err());
}
