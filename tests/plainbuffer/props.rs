//! Property tests of the PlainBuffer codec: arbitrary rows round-trip exactly, and no input,
//! random or a mutated valid buffer, makes the decoder panic.

use crate::support::rows::any_row;
use proptest::prelude::*;
use tablevault::tablestore::plainbuffer::{
    decode_row, decode_rows, encode_row, encode_rows, encoded_len, RowReader,
};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_row_round_trips(row in any_row()) {
        let bytes = encode_row(&row);
        prop_assert_eq!(bytes.len(), encoded_len(&row));
        prop_assert_eq!(decode_row(&bytes), Ok(row));
    }

    #[test]
    fn rows_round_trip(rows in prop::collection::vec(any_row(), 0..6)) {
        let bytes = encode_rows(&rows);
        prop_assert_eq!(decode_rows(&bytes), Ok(rows));
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode_row(&bytes);
        let _ = decode_rows(&bytes);
    }

    /// Random bytes behind a valid header and row tag get past the first checks.
    #[test]
    fn random_bodies_never_panic(body in prop::collection::vec(any::<u8>(), 0..300)) {
        let bytes = [&[0x75, 0, 0, 0, 0x01][..], &body].concat();
        let _ = decode_row(&bytes);
        let _ = decode_rows(&bytes);
    }

    /// Overwrite, insert or delete a few bytes of valid buffers; the decoder must answer (an
    /// error or some row), never panic. A single overwritten byte must never be accepted.
    #[test]
    fn mutated_buffers_never_panic(
        rows in prop::collection::vec(any_row(), 1..4),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..5),
    ) {
        let mut bytes = encode_rows(&rows);
        for (at, byte, kind) in edits {
            let i = at.index(bytes.len());
            match kind {
                0 => bytes[i] ^= byte.max(1),
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
            if bytes.is_empty() { break; }
        }
        let _ = decode_row(&bytes);
        let _ = decode_rows(&bytes);
        for row in RowReader::new(&bytes).into_iter().flatten() {
            let _ = row;
        }
    }

    /// One corrupted byte anywhere in a one-row buffer is an error, or (in a value's length
    /// prefix, which the reader tolerates like the SDK readers) decodes to the very same row:
    /// never a different row. Tested exhaustively for single-bit flips on fixed rows in the
    /// unit tests; here any byte change on random rows.
    #[test]
    fn a_changed_byte_is_detected(row in any_row(), at in any::<prop::sample::Index>(), xor in 1..=255u8) {
        let mut bytes = encode_row(&row);
        let i = at.index(bytes.len());
        bytes[i] ^= xor;
        let decoded = decode_rows(&bytes);
        let harmless = decoded.as_ref().is_ok_and(|rows| rows == std::slice::from_ref(&row));
        prop_assert!(decoded.is_err() || harmless, "byte {} ^ {:#04x} of {} decoded as {:?}", i, xor, hex::encode(encode_row(&row)), decoded);
    }
}
