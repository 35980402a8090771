//! What an operator does on the page, in the browser: see the demo's schedule and backups,
//! pause it, run a backup now and read that run's log lines, look at a backup's manifest,
//! restore it (dry run first), and with a read token see the same data without any action
//! button.

use fantoccini::Locator;

use crate::browser::{installed, Browser, PAGE_LIMIT};
use crate::demo::{Demo, ADMIN_TOKEN, READ_TOKEN};
use crate::support::poll::poll_until;

const SCHEDULE_ROW: &str = r#"#schedules tr[data-schedule-name="demo-every-minute"]"#;

/// Chromium and chromedriver, or `None` after printing why the test is skipped.
fn browser_or_skip(test: &str) -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    match installed() {
        Ok(paths) => Some(paths),
        Err(reason) => {
            eprintln!("SKIPPED {test}: {reason}");
            None
        }
    }
}

async fn click(browser: &Browser, css: &str) {
    browser
        .wait_for(css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Waits until the demo schedule has no queued or running backup, so a run-now is not
/// recorded as overlapping one the cron started.
async fn wait_for_idle_schedule(demo: &Demo) {
    poll_until("the demo schedule is idle", PAGE_LIMIT, || async {
        let runs = demo.get("/api/v1/runs?kind=backup&page_size=5").await;
        let busy = runs["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|r| matches!(r["status"].as_str(), Some("queued" | "running")));
        if busy {
            Err(runs.to_string())
        } else {
            Ok(())
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_demo_shows_its_schedule_runs_a_backup_now_and_restores_after_a_dry_run() {
    let Some((chromium, chromedriver)) = browser_or_skip("status page, open demo") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let demo = Demo::open(dir.path());
    let first = demo.first_backup().await;
    let browser = Browser::start(&chromium, &chromedriver).await;
    browser
        .client
        .goto(&demo.url("/"))
        .await
        .expect("page loads");

    // Overview: no sign-in with auth off; the schedule with its succeeded run, healthy.
    let row = browser
        .wait_for_text(SCHEDULE_ROW, |t| {
            t.contains("succeeded") && t.contains("ok")
        })
        .await;
    assert!(row.contains("* * * * * UTC"), "{row}");
    let login = browser.client.find(Locator::Id("login")).await.unwrap();
    assert!(!login.is_displayed().await.unwrap(), "no token prompt");
    browser
        .wait_for_text(r#"#stores li[data-component="local"]"#, |t| {
            t.contains("up")
        })
        .await;
    let class = browser
        .wait_for(SCHEDULE_ROW)
        .await
        .attr("class")
        .await
        .unwrap();
    assert!(
        !class.unwrap_or_default().contains("bad"),
        "healthy, not red"
    );
    browser.screenshot("status-page-overview.png").await;

    // Pause (so the every-minute cron cannot overlap), then run now from the page.
    click(
        &browser,
        &format!(r#"{SCHEDULE_ROW} button[data-action="pause"]"#),
    )
    .await;
    browser
        .wait_for(&format!(r#"{SCHEDULE_ROW} button[data-action="resume"]"#))
        .await;
    let schedules = demo.get("/api/v1/schedules").await;
    assert_eq!(schedules["items"][0]["paused"], true, "{schedules}");
    wait_for_idle_schedule(&demo).await;
    let before = demo.completed_backups().await;
    click(
        &browser,
        &format!(r#"{SCHEDULE_ROW} button[data-action="run-now"]"#),
    )
    .await;
    let message = browser
        .wait_for_text("#message", |t| t.contains(" succeeded: backup "))
        .await;
    let made = message.rsplit("backup ").next().unwrap().trim().to_string();
    assert!(
        !before.contains(&made),
        "{made} is a new backup ({message})"
    );
    assert!(
        demo.completed_backups().await.contains(&made),
        "{made} completed"
    );
    assert_ne!(made, first);

    // Runs: the run-now's detail shows its own log lines, from "Run started." to its end.
    let runs = demo
        .get(&format!("/api/v1/runs?kind=backup&backup_id={made}"))
        .await;
    let run_id = runs["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("the run of {made}: {runs}"))
        .to_string();
    click(&browser, r#".tab[data-view="runs"]"#).await;
    click(&browser, &format!(r#"tr.run-row[data-run-id="{run_id}"]"#)).await;
    let log = browser
        .wait_for_text("#run-log", |t| t.contains("Run finished."))
        .await;
    assert!(log.contains("Run started."), "{log}");

    // Backups: the new one is listed; its manifest shows the table; restore, dry run first.
    click(&browser, r#".tab[data-view="backups"]"#).await;
    click(
        &browser,
        &format!(r#"tr.backup-row[data-backup-id="{made}"]"#),
    )
    .await;
    let manifest = browser
        .wait_for_text(r#"#manifest tr[data-table="orders"]"#, |t| {
            t.contains("3000")
        })
        .await;
    assert!(manifest.contains("orders"), "{manifest}");
    let detail = browser
        .wait_for_text("#backup-detail", |t| t.contains("Verified"))
        .await;
    assert!(
        !detail.contains("null"),
        "no empty part rendered as text: {detail}"
    );
    click(&browser, r#"#backup-detail button[data-action="restore"]"#).await;
    let rename = browser
        .wait_for(r#"#restore-tables input.restore-rename[data-table="orders"]"#)
        .await;
    rename.send_keys("orders_from_page").await.unwrap();
    let confirm = browser.wait_for("#restore-confirm").await;
    assert!(
        !confirm.is_enabled().await.unwrap(),
        "no restore before a dry run"
    );
    click(&browser, "#restore-dry-run").await;
    let report = browser
        .wait_for_text("#restore-report", |t| t.contains("Dry run:"))
        .await;
    assert!(report.contains("orders_from_page"), "{report}");
    assert!(report.contains("would be created"), "{report}");
    assert!(report.contains("3000"), "{report}");
    assert!(!report.contains("null"), "{report}");
    assert!(
        confirm.is_enabled().await.unwrap(),
        "restore offered after the dry run"
    );
    browser.screenshot("status-page-restore.png").await;

    // Nothing was written by the dry run; the confirmed restore writes the table.
    click(&browser, "#restore-confirm").await;
    let report = browser
        .wait_for_text("#restore-report", |t| t.starts_with("Restored"))
        .await;
    assert!(report.contains("created"), "{report}");
    let restores = demo.get("/api/v1/runs?kind=restore").await;
    let reports: Vec<bool> = restores["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["report"]["dry_run"].as_bool().expect("a report"))
        .collect();
    assert_eq!(
        reports,
        [false, true],
        "a restore after its dry run: {restores}"
    );

    // Runs: every run listed, with its outcome.
    click(&browser, "#restore-close").await;
    click(&browser, r#".tab[data-view="runs"]"#).await;
    browser
        .wait_for_text("#run-list", |t| {
            t.contains("restored 3000 rows into orders_from_page")
        })
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_token_sees_the_schedule_and_backups_and_no_action_button() {
    let Some((chromium, chromedriver)) = browser_or_skip("status page, read token") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let demo = Demo::with_tokens(dir.path());
    let first = demo.first_backup().await;
    let browser = Browser::start(&chromium, &chromedriver).await;
    browser
        .client
        .goto(&demo.url("/"))
        .await
        .expect("page loads");

    // A wrong token is refused and forgotten; the read token is accepted.
    let sign_in = |token: &'static str| {
        let browser = &browser;
        async move {
            let input = browser.wait_for("#token-input").await;
            input.send_keys(token).await.unwrap();
            click(browser, "#token-submit").await;
        }
    };
    sign_in("not-a-token-of-this-daemon").await;
    browser
        .wait_for_text("#login-error", |t| t.contains("not valid"))
        .await;
    sign_in(READ_TOKEN).await;
    browser
        .wait_for_text("#whoami", |t| t.contains("read token"))
        .await;
    browser
        .wait_for_text(SCHEDULE_ROW, |t| t.contains("succeeded"))
        .await;
    assert_eq!(
        browser.count("button[data-action]").await,
        0,
        "no action on the overview"
    );

    click(&browser, r#".tab[data-view="backups"]"#).await;
    click(
        &browser,
        &format!(r#"tr.backup-row[data-backup-id="{first}"]"#),
    )
    .await;
    browser
        .wait_for_text(r#"#manifest tr[data-table="orders"]"#, |t| {
            t.contains("3000")
        })
        .await;
    assert_eq!(
        browser.count("button[data-action]").await,
        0,
        "no action on a backup"
    );
    let source = browser.client.source().await.unwrap();
    assert!(!source.contains(READ_TOKEN), "the token is never shown");

    // The token survives a reload (session storage); an admin token brings the buttons back,
    // so the absence above is the role's doing.
    browser.client.refresh().await.unwrap();
    browser
        .wait_for_text("#whoami", |t| t.contains("read token"))
        .await;
    click(&browser, "#sign-out").await;
    sign_in(ADMIN_TOKEN).await;
    browser
        .wait_for(&format!(r#"{SCHEDULE_ROW} button[data-action="run-now"]"#))
        .await;
    browser.close().await;
}
