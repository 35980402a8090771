//! Headless Chromium behind chromedriver, one per test: chromedriver on a free loopback port,
//! a WebDriver session with a fixed window size (so screenshots are comparable), and both
//! ended when the test ends.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::support::poll::poll_until;

/// How long the page may take to show something the API already has (it polls every 1–5 s).
pub const PAGE_LIMIT: Duration = Duration::from_secs(60);

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Chromium and chromedriver, or why the browser tests cannot run here.
pub fn installed() -> Result<(PathBuf, PathBuf), String> {
    for path in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(path).exists() {
            return Err(format!(
                "{path} is not installed (apt-get install chromium chromium-driver; .ci/run does)"
            ));
        }
    }
    Ok((CHROMIUM.into(), CHROMEDRIVER.into()))
}

pub struct Browser {
    pub client: Client,
    driver: Child,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session.
    pub async fn start(chromium: &Path, chromedriver: &Path) -> Browser {
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1360,900"],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let client = poll_until("chromedriver accepts a session", PAGE_LIMIT, || {
            let capabilities = capabilities.clone();
            let url = url.clone();
            async move {
                ClientBuilder::new(HttpConnector::new())
                    .capabilities(capabilities)
                    .connect(&url)
                    .await
                    .map_err(|e| e.to_string())
            }
        })
        .await;
        Browser { client, driver }
    }

    /// The first element matching `css`, once there is one.
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(PAGE_LIMIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
    }

    /// The text of the first element matching `css`, once it satisfies `accept`.
    pub async fn wait_for_text(&self, css: &str, accept: impl Fn(&str) -> bool) -> String {
        poll_until(&format!("the text of {css}"), PAGE_LIMIT, || async {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.map_err(|e| e.to_string())?,
                Err(e) => return Err(e.to_string()),
            };
            if accept(&text) {
                Ok(text)
            } else {
                Err(text)
            }
        })
        .await
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .expect("find_all")
            .len()
    }

    /// A PNG of the window, written to `docs/NAME` when `UPDATE_SCREENSHOTS` is set.
    pub async fn screenshot(&self, name: &str) -> Vec<u8> {
        let png = self.client.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("docs")
                .join(name);
            std::fs::write(&path, &png).expect("screenshot written");
        }
        png
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // A failed assertion must not leave chromedriver (and its Chromium) running.
        let _ = self.driver.kill();
    }
}

/// A loopback port nobody listens on right now (chromedriver cannot be told to pick one).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}
