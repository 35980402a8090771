//! The status page in a real browser: `tablevault serve --demo` on port 0 and Debian's headless
//! Chromium driven over WebDriver (chromedriver + fantoccini). Skips, saying why, only when
//! Chromium or chromedriver is not installed; `.ci/run` installs both.

#[path = "../support/mod.rs"]
mod support;

mod browser;
mod demo;
mod page;
