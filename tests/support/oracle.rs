//! Runs `tests/sdk/python/plainbuffer_oracle.py` (the official Python SDK's encoder and signer)
//! once for a whole batch of requests.

use serde_json::Value as Json;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const SETUP_HINT: &str = "run the project's test script, which creates it with \
     `python3 -m venv .venv && .venv/bin/pip install -r tests/sdk/python/requirements.txt`, \
     or point TABLEVAULT_PYTHON at a Python that has tablestore==6.4.8 installed";

/// `$TABLEVAULT_PYTHON`, else `<crate>/.venv/bin/python`; panics if it is missing or lacks the
/// SDK, because these cross-checks are a hard requirement, not optional.
pub fn python() -> PathBuf {
    let python = std::env::var_os("TABLEVAULT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"));
    assert!(
        python.exists(),
        "Python for the SDK cross-checks not found at {}: {SETUP_HINT}",
        python.display()
    );
    let probe = Command::new(&python)
        .args(["-c", "import tablestore.plainbuffer.plain_buffer_builder"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}; {SETUP_HINT}", python.display()));
    assert!(
        probe.status.success(),
        "the tablestore SDK is not importable with {}: {}\n{SETUP_HINT}",
        python.display(),
        String::from_utf8_lossy(&probe.stderr)
    );
    python
}

/// Sends every request to one oracle process and returns its replies, in order.
pub fn run(requests: &[Json]) -> Vec<Json> {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/python/plainbuffer_oracle.py");
    let mut child = Command::new(python())
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("oracle starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input: String = requests.iter().map(|r| format!("{r}\n")).collect();
    // Write from another thread: the oracle answers while we are still sending.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let replies: Vec<Json> = stdout
        .lines()
        .map(|line| {
            serde_json::from_str(&line.expect("oracle output is UTF-8"))
                .expect("oracle writes JSON")
        })
        .collect();
    writer
        .join()
        .expect("writer thread")
        .expect("oracle reads its input");
    let output = child.wait_with_output().expect("oracle exits");
    assert!(
        output.status.success() && replies.len() == requests.len(),
        "oracle failed ({}, {} of {} replies): {}",
        output.status,
        replies.len(),
        requests.len(),
        String::from_utf8_lossy(&output.stderr)
    );
    for (i, reply) in replies.iter().enumerate() {
        assert_eq!(
            reply["id"], requests[i]["id"],
            "oracle replies out of order"
        );
    }
    replies
}
