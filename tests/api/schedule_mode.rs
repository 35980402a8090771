//! A schedule's `mode` (issue 12): "full" unless asked, "continuous" on create and change,
//! shown on GET; continuous mode on a store that cannot keep changes (s3) is refused with a
//! 422 naming the store. (An archive store that encrypts seals its changes: `pitr_restore`.)

use serde_json::json;
use tablevault::emulator::{Emulator, EmulatorConfig};
use tablevault::tablestore::{PkSchema, PkType, TableDescription};

use crate::helpers::{assert_problem, closed_port, spawn_app_with, TestApp, ADMIN_TOKEN};

/// A daemon with source `prod` (an emulator holding `orders`), the archive store `local`, a
/// MongoDB store `mongo` and an s3 store `bucket`, neither of which need answer.
async fn app_with_a_mongo_store() -> (TestApp, tablevault::emulator::EmulatorHandle) {
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator");
    let e = emulator.config();
    let app = spawn_app_with(&format!(
        "[sources.prod]\nendpoint = \"{}\"\ninstance = \"{}\"\naccess_key_id = \"{}\"\n\
         access_key_secret = \"{}\"\n\
         [stores.mongo]\nkind = \"mongodb\"\nuri = \"mongodb://127.0.0.1:{}/?directConnection=true\"\n\
         [stores.bucket]\nkind = \"s3\"\nbucket = \"b\"\nendpoint = \"http://127.0.0.1:{}\"\npath_style = true\naccess_key_id = \"k\"\nsecret_access_key = \"s\"\n",
        emulator.endpoint(),
        e.instance,
        e.access_key_id,
        e.access_key_secret,
        closed_port(),
        closed_port()
    ))
    .await;
    let client = app.state.tablestore_client("prod").expect("source");
    let table = TableDescription::new("orders", vec![PkSchema::new("id", PkType::Integer)]);
    client.create_table(&table).await.expect("table");
    (app, emulator)
}

fn schedule_body(name: &str, store: &str) -> serde_json::Value {
    json!({"name": name, "cron": "0 3 * * *", "source": "prod", "store": store,
           "tables": ["orders"], "paused": true})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mode_is_full_unless_asked_and_continuous_is_kept_and_changeable() {
    let (app, _emulator) = app_with_a_mongo_store().await;
    let post = |body: serde_json::Value| {
        let app = &app;
        async move {
            app.post_json("/api/v1/schedules", Some(ADMIN_TOKEN), &body.to_string())
                .await
        }
    };
    let full = post(schedule_body("nightly", "local")).await;
    assert_eq!(full.status(), 201);
    let full: serde_json::Value = full.json().await.expect("JSON");
    assert_eq!(full["mode"], "full", "{full}");

    let mut body = schedule_body("pitr", "local");
    body["mode"] = json!("continuous");
    let continuous = post(body).await;
    assert_eq!(continuous.status(), 201);
    let continuous: serde_json::Value = continuous.json().await.expect("JSON");
    let path = format!(
        "/api/v1/schedules/{}",
        continuous["id"].as_str().expect("id")
    );
    let read: serde_json::Value = app
        .get(&path, Some(ADMIN_TOKEN))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(read["mode"], "continuous", "{read}");

    let patched = app
        .api
        .patch(app.url(&path))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"mode": "full"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(patched.status(), 200);
    let patched: serde_json::Value = patched.json().await.expect("JSON");
    assert_eq!(patched["mode"], "full", "{patched}");

    let mut bad = schedule_body("odd", "local");
    bad["mode"] = json!("sometimes");
    let response = post(bad).await;
    assert_problem(response, 422, "validation_failed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continuous_mode_on_an_s3_store_is_422_naming_the_store() {
    let (app, _emulator) = app_with_a_mongo_store().await;
    let mut body = schedule_body("pitr", "bucket");
    body["mode"] = json!("continuous");
    let response = app
        .post_json("/api/v1/schedules", Some(ADMIN_TOKEN), &body.to_string())
        .await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let detail = problem["detail"].as_str().unwrap_or("").to_lowercase();
    assert!(
        detail.contains("continuous mode needs an archive or mongodb store")
            && detail.contains("bucket"),
        "{problem}"
    );
    let listed: serde_json::Value = app
        .get("/api/v1/schedules", Some(ADMIN_TOKEN))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["items"], json!([]), "nothing was created");

    // A continuous schedule on MongoDB is fine (its changes go to MongoDB too).
    let mut on_mongo = schedule_body("pitr", "mongo");
    on_mongo["mode"] = json!("continuous");
    let response = app
        .post_json(
            "/api/v1/schedules",
            Some(ADMIN_TOKEN),
            &on_mongo.to_string(),
        )
        .await;
    assert_eq!(response.status(), 201);

    // A full schedule on s3 is fine, but it cannot be switched to continuous.
    let full = app
        .post_json(
            "/api/v1/schedules",
            Some(ADMIN_TOKEN),
            &schedule_body("nightly", "bucket").to_string(),
        )
        .await;
    assert_eq!(full.status(), 201);
    let full: serde_json::Value = full.json().await.expect("JSON");
    let path = format!("/api/v1/schedules/{}", full["id"].as_str().expect("id"));
    let response = app
        .api
        .patch(app.url(&path))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"mode": "continuous"}))
        .send()
        .await
        .expect("sent");
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("archive or mongodb store"),
        "{problem}"
    );
}
