//! What a capture step reports as captured is stored: the API's `captured_until` comes from
//! the steps, and a point-in-time restore checks the store, so a step must never report an
//! instant the store cannot yet give back (idle marks are stored at most once a second).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tablevault::capture::{ArchiveChangeStore, CaptureSettings, ChangeStore, TableCapture};

use crate::support::emulator::{client, default_emulator};
use crate::{put, table};

#[tokio::test]
async fn a_step_never_reports_more_captured_than_the_store_holds() {
    let emulator = default_emulator().await;
    let client = client(&emulator);
    table(&client, "t", None).await;
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn ChangeStore> =
        Arc::new(ArchiveChangeStore::new(dir.path(), "sched-1", "t").unwrap());
    let settings = CaptureSettings::default();
    let mut capture = TableCapture::new(client.clone(), "t", store.clone(), settings);
    capture.run_once().await.unwrap(); // turns the stream on
    put(&client, 1, 1).await;
    let first = capture.run_once().await.unwrap().captured_until_us;
    assert!(
        first.is_some(),
        "a step that stored its checkpoint knows its instant"
    );
    // Polled with a deadline (not a pause) until two later marks were stored: the steps
    // between them fall inside the marks' one-second spacing.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut reported = vec![first];
    let mut idle_steps = 0;
    while reported.len() < 3 {
        let outcome = capture.run_once().await.unwrap();
        let stored = store.captured_until_us().await.unwrap();
        assert!(
            outcome.captured_until_us <= stored,
            "step {idle_steps} reported {:?}, the store holds {stored:?}",
            outcome.captured_until_us
        );
        idle_steps += 1;
        if outcome.captured_until_us > *reported.last().unwrap() {
            reported.push(outcome.captured_until_us);
        }
        assert!(
            Instant::now() < deadline,
            "reported only {reported:?} in {idle_steps} steps"
        );
    }
    assert!(idle_steps > 2, "no idle step fell between two stored marks");
    let records = store.records().await.unwrap();
    assert_eq!(records.len(), 1, "idle steps store no records");
}
