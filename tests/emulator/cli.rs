//! The `tablevault emulator` command: one stdout line with the bound address, exit 0 on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use tablevault::tablestore::proto;

use crate::client::TestClient;

#[tokio::test]
async fn the_command_listens_prints_its_address_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tablevault"))
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--instance",
            "cli-inst",
            "--access-key-id",
            "cli-ak",
            "--page-row-limit",
            "2",
        ])
        .env("TABLEVAULT_EMULATOR_ACCESS_KEY_SECRET", "cli-sk")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line
        .trim()
        .strip_prefix("tablevault emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    assert!(
        endpoint.starts_with("http://127.0.0.1:") && !endpoint.ends_with(":0"),
        "{endpoint}"
    );

    let client = TestClient::new(&endpoint, "cli-inst", "cli-ak", "cli-sk");
    let tables: proto::ListTableResponse = client
        .call("ListTable", &proto::ListTableRequest {})
        .await
        .unwrap();
    assert!(tables.table_names.is_empty());

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exit status {exit:?}");
}
