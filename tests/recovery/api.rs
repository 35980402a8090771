//! The daemon's REST API as the tests use it: JSON in and out, admin token, runs awaited
//! by polling with a deadline.

use serde_json::Value as Json;

use crate::support::daemon::{Daemon, ADMIN_TOKEN, LIMIT};
use crate::support::poll::eventually;

pub struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    pub fn new(daemon: &Daemon) -> Api {
        Api {
            base: daemon.address.clone(),
            http: reqwest::Client::new(),
        }
    }

    pub async fn get(&self, path: &str) -> Json {
        self.get_ok(path).await.json().await.expect("JSON")
    }

    /// The body of a 200 as text (e.g. `/metrics`).
    pub async fn text(&self, path: &str) -> String {
        self.get_ok(path).await.text().await.expect("text")
    }

    async fn get_ok(&self, path: &str) -> reqwest::Response {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), 200, "GET {path}");
        response
    }

    /// Sends `body` with `method`; returns the JSON answer of a 2xx.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: &Json) -> Json {
        let response = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(ADMIN_TOKEN)
            .json(body)
            .send()
            .await
            .expect("answered");
        let status = response.status();
        let answer: Json = response.json().await.expect("JSON");
        assert!(status.is_success(), "{method} {path}: {status} {answer}");
        answer
    }

    pub async fn post(&self, path: &str, body: &Json) -> Json {
        self.send(reqwest::Method::POST, path, body).await
    }

    /// Waits for run `id` to reach a final status and returns it.
    pub async fn finished_run(&self, id: &str) -> Json {
        let path = format!("/api/v1/runs/{id}");
        eventually(&format!("run {id} finishes"), LIMIT, || async {
            let run = self.get(&path).await;
            let status = run["status"].as_str().unwrap_or_default();
            (!matches!(status, "queued" | "running")).then_some(run)
        })
        .await
    }

    /// Every item of a list endpoint (`path` with its query), following pages.
    pub async fn all(&self, path: &str) -> Vec<Json> {
        let mut items = Vec::new();
        let join = if path.contains('?') { '&' } else { '?' };
        let mut next = format!("{path}{join}page_size=100");
        loop {
            let page = self.get(&next).await;
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_page_token"].as_str() {
                Some(token) => next = format!("{path}{join}page_size=100&page_token={token}"),
                None => return items,
            }
        }
    }

    /// Creates the continuous schedule `pitr` of `orders` into the archive store `local`;
    /// returns its id.
    pub async fn continuous_schedule(&self) -> String {
        let body = serde_json::json!({"name": "pitr", "cron": "0 3 * * *", "source": "prod",
                                      "store": "local", "tables": ["orders"],
                                      "mode": "continuous"});
        let schedule = self.post("/api/v1/schedules", &body).await;
        schedule["id"].as_str().expect("id").to_string()
    }
}
