//! PlainBuffer throughput: encode and decode ~100k rows of ~230 bytes (a string + integer key,
//! four attribute cells with timestamps), in GetRange-sized pages of 1000 rows and one row at a
//! time. Prints the best of several runs. Run with `cargo bench --bench plainbuffer`.

use std::hint::black_box;
use std::time::{Duration, Instant};
use tablevault::tablestore::plainbuffer::{decode_row, decode_rows, encode_row, encode_rows};
use tablevault::tablestore::{Cell, PkValue, PrimaryKey, Row, Value};

const ROWS: usize = 100_000;
const PAGE: usize = 1000;
const RUNS: usize = 5;

fn row(i: usize) -> Row {
    let ts = 1_700_000_000_000 + i as i64;
    Row::new(
        PrimaryKey::new([
            ("uid", PkValue::String(format!("user-{i:08}"))),
            ("seq", PkValue::Integer(i as i64 * 7)),
        ]),
        vec![
            Cell::put_at(
                "name",
                Value::String(format!("customer number {i:>24}")),
                ts,
            ),
            Cell::put_at("count", Value::Integer(i as i64), ts),
            Cell::put_at("score", Value::Double(i as f64 / 3.0), ts),
            Cell::put_at("active", Value::Boolean(i.is_multiple_of(2)), ts),
        ],
    )
}

/// Best wall time of `RUNS` runs of `f`.
fn best(mut f: impl FnMut()) -> Duration {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .expect("at least one run")
}

fn report(what: &str, elapsed: Duration, bytes: usize) {
    let secs = elapsed.as_secs_f64();
    println!(
        "{what:<28} {:>8.1} MB/s {:>12.0} rows/s  ({:.1} ms)",
        bytes as f64 / secs / 1e6,
        ROWS as f64 / secs,
        secs * 1e3
    );
}

fn main() {
    let rows: Vec<Row> = (0..ROWS).map(row).collect();
    let pages: Vec<Vec<u8>> = rows.chunks(PAGE).map(encode_rows).collect();
    let singles: Vec<Vec<u8>> = rows.iter().map(encode_row).collect();
    let page_bytes: usize = pages.iter().map(Vec::len).sum();
    let single_bytes: usize = singles.iter().map(Vec::len).sum();
    println!(
        "{ROWS} rows, {:.0} bytes/row on average (one-row buffers), best of {RUNS} runs",
        single_bytes as f64 / ROWS as f64
    );

    let t = best(|| {
        for chunk in rows.chunks(PAGE) {
            black_box(encode_rows(black_box(chunk)));
        }
    });
    report("encode_rows (pages of 1000)", t, page_bytes);
    let t = best(|| {
        for page in &pages {
            black_box(decode_rows(black_box(page)).expect("valid page"));
        }
    });
    report("decode_rows (pages of 1000)", t, page_bytes);
    let t = best(|| {
        for r in &rows {
            black_box(encode_row(black_box(r)));
        }
    });
    report("encode_row", t, single_bytes);
    let t = best(|| {
        for bytes in &singles {
            black_box(decode_row(black_box(bytes)).expect("valid row"));
        }
    });
    report("decode_row", t, single_bytes);
}
