//! Continuous capture sends exactly the actions of `deploy/ram/tablevault-capture-policy.json`:
//! from a table whose stream is off (DescribeTable, UpdateTable to turn it on) through reading
//! records from every shard (ListStream, DescribeStream, GetShardIterator, GetStreamRecord).

use crate::support::emulator::{client, default_emulator};
use crate::support::ram_policy::{policy_actions, sent_between};
use crate::{capture, put, table};
use tablevault::capture::CaptureSettings;

#[tokio::test]
async fn capture_sends_exactly_the_actions_of_its_ram_policy() {
    let emulator = default_emulator().await;
    let writer = client(&emulator);
    table(&writer, "t", None).await;
    let dir = tempfile::tempdir().unwrap();
    let mut capture = capture(&emulator, dir.path(), CaptureSettings::default());

    let before = emulator.stats();
    capture.run_once().await.unwrap();
    let turned_on = sent_between(&before, &emulator.stats());
    put(&writer, 1, 1).await;
    put(&writer, 2, 2).await;
    let middle = emulator.stats();
    let step = capture.run_once().await.unwrap();
    assert_eq!(step.records_stored, 2, "the records were read");
    let mut sent = turned_on;
    sent.extend(sent_between(&middle, &emulator.stats()));

    assert!(
        sent.contains("UpdateTable"),
        "the stream was turned on: {sent:?}"
    );
    assert_eq!(sent, policy_actions("tablevault-capture-policy.json"));
}
