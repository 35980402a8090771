//! Checking a config file the way `tablevault serve` loads it, but collecting every problem
//! instead of stopping at the first (`tablevault config check`).
//!
//! serde stops at the first error, so the file is taken apart first: every TOML syntax error
//! comes from the recovering parser; then each section (and each `sources.NAME` /
//! `stores.NAME` entry) is deserialized on its own, and a key that fails is reported and
//! removed before trying again, so one bad value does not hide the next (a removed key takes
//! its default, which is valid). What parsed is then assembled, given the environment
//! overrides and validated like [`Config::load`] does; a key already reported is not reported
//! again by validation. Problems are listed in file order.

use std::ops::Range;

use serde::de::DeserializeOwned;
use serde::Serialize;
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use super::{env, Config};

/// One problem: the key it is about (`sources.prod.endpoint`; empty for a syntax error), the
/// line in the file when known, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub key: String,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// An environment variable that set a key; its value is never kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvOverride {
    pub variable: String,
    pub key: String,
}

/// What [`check`] found. `config` is the loaded configuration when there is no problem.
#[derive(Debug)]
pub struct CheckReport {
    pub config: Option<Config>,
    pub problems: Vec<Problem>,
    pub overrides: Vec<EnvOverride>,
}

const SECTIONS: &str =
    "sources, stores, engine, server, database, auth, logging, scheduler, schedules";
/// Bounds the retry loop of one section; far more problems than anyone fixes in one go.
const MAX_PROBLEMS_PER_SECTION: usize = 32;

/// Checks config text with the environment `env`; see the module documentation.
pub fn check(text: &str, env: impl Fn(&str) -> Option<String>) -> CheckReport {
    let mut report = collect(text, &env);
    if report.problems.is_empty() {
        // Safety net: "valid" must mean `serve` loads it, even if this file falls behind
        // a new section of `Config`.
        if let Err(e) = Config::parse_with_env(text, std::path::Path::new("(checked)"), &env) {
            report.config = None;
            report.problems.push(Problem {
                key: String::new(),
                line: None,
                message: e.to_string(),
            });
        }
    }
    report
}

/// Every problem of `text`, found section by section (no safety net: [`Config::parse_with_env`]
/// uses this to explain a file serde refused, so it must not call back into it).
pub(super) fn collect(text: &str, env: impl Fn(&str) -> Option<String>) -> CheckReport {
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    let mut problems: Vec<Problem> = syntax_errors
        .iter()
        .map(|e| Problem {
            key: String::new(),
            line: e.span().map(|s| line_of(text, s.start)),
            message: e.message().to_string(),
        })
        .collect();
    if !problems.is_empty() {
        // What follows a syntax error is guesswork; reporting on it would mislead.
        return CheckReport {
            config: None,
            problems,
            overrides: Vec::new(),
        };
    }
    let root = root.into_inner();
    let mut sections = Sections {
        text,
        problems: &mut problems,
    };
    let mut config = Config::default();
    // `[[schedules]]` items left out for a parse problem shift the others' indices back.
    let mut schedule_indices: Vec<usize> = Vec::new();
    for (key, value) in root.iter() {
        let name = key.get_ref().as_ref();
        match name {
            "sources" => config.sources = sections.entries(name, value),
            "stores" => config.stores = sections.entries(name, value),
            "engine" => config.engine = sections.section(name, value).unwrap_or_default(),
            "server" => config.server = sections.section(name, value).unwrap_or_default(),
            "database" => config.database = sections.section(name, value).unwrap_or_default(),
            "auth" => config.auth = sections.section(name, value).unwrap_or_default(),
            "logging" => config.logging = sections.section(name, value).unwrap_or_default(),
            "scheduler" => config.scheduler = sections.section(name, value).unwrap_or_default(),
            "schedules" => {
                let parsed = sections.items(name, value);
                schedule_indices = parsed.iter().map(|(i, _)| *i).collect();
                config.schedules = parsed.into_iter().map(|(_, entry)| entry).collect();
            }
            _ => sections.problems.push(Problem {
                key: name.to_string(),
                line: Some(line_of(text, key.span().start)),
                message: format!("unknown section (expected one of {SECTIONS})"),
            }),
        }
    }
    let mut overrides = Vec::new();
    env::apply_noting(&mut config, &env, |variable, key| {
        overrides.push(EnvOverride {
            variable: variable.to_string(),
            key,
        })
    });
    config.add_defaults();
    if let Err(super::ConfigError::Invalid(found)) = config.validate() {
        let reported: Vec<String> = problems.iter().map(|p| p.key.clone()).collect();
        for line in found {
            let line = in_file_order(&line, &schedule_indices);
            let (key, message) = line.split_once(": ").unwrap_or(("", line.as_str()));
            if reported.iter().any(|r| covers(r, key)) {
                continue;
            }
            problems.push(Problem {
                key: key.to_string(),
                line: span_of_key(&root, key).map(|s| line_of(text, s.start)),
                message: message.to_string(),
            });
        }
    }
    problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
    CheckReport {
        config: problems.is_empty().then_some(config),
        problems,
        overrides,
    }
}

struct Sections<'a> {
    text: &'a str,
    problems: &'a mut Vec<Problem>,
}

impl Sections<'_> {
    /// A table of named entries (`[sources.NAME]`), each deserialized on its own; an entry
    /// that cannot be parsed even without its bad keys is left out.
    fn entries<T: DeserializeOwned>(
        &mut self,
        at: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> std::collections::BTreeMap<String, T> {
        let mut parsed = std::collections::BTreeMap::new();
        let Some(table) = value.get_ref().as_table() else {
            self.section::<std::collections::BTreeMap<String, T>>(at, value);
            return parsed;
        };
        for (name, entry) in table.iter() {
            let name = name.get_ref().to_string();
            if let Some(entry) = self.section(&format!("{at}.{name}"), entry) {
                parsed.insert(name, entry);
            }
        }
        parsed
    }

    /// An array of tables (`[[schedules]]`), each item deserialized on its own as
    /// `at[i]`; an item that cannot be parsed even without its bad keys is left out.
    /// Each parsed item comes with its index in the file.
    fn items<T: DeserializeOwned>(
        &mut self,
        at: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Vec<(usize, T)> {
        let DeValue::Array(items) = value.get_ref() else {
            let parsed = self.section::<Vec<T>>(at, value).unwrap_or_default();
            return parsed.into_iter().enumerate().collect();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| Some((i, self.section(&format!("{at}[{i}]"), item)?)))
            .collect()
    }

    /// One section, reporting each failing key and retrying without it.
    fn section<T: DeserializeOwned>(
        &mut self,
        at: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Option<T> {
        let mut value = value.clone();
        let mut removed: Vec<String> = Vec::new();
        for _ in 0..MAX_PROBLEMS_PER_SECTION {
            let error =
                match serde_path_to_error::deserialize(ValueDeserializer::from(value.clone())) {
                    Ok(parsed) => return Some(parsed),
                    Err(error) => error,
                };
            let inner = error.inner();
            let first = first_key(error.path());
            // A key removed for its bad value is not missing as well.
            let masked = removed
                .iter()
                .any(|k| inner.message() == format!("missing field `{k}`"));
            if !masked {
                let path = error.path().to_string();
                let key = if path == "." {
                    at.to_string()
                } else {
                    format!("{at}.{path}")
                };
                let message = match secrets::is_secret(&key) {
                    true => secrets::without_values(inner.message()),
                    false => inner.message().to_string(),
                };
                self.problems.push(Problem {
                    line: inner.span().map(|s| line_of(self.text, s.start)),
                    key,
                    message,
                });
            }
            let culprit = first.or_else(|| inner.span().and_then(|s| key_at(&value, &s)));
            let culprit = culprit.filter(|k| !removed.contains(k))?;
            let DeValue::Table(table) = value.get_mut() else {
                return None;
            };
            let key = table
                .keys()
                .find(|k| k.get_ref().as_ref() == culprit)
                .cloned();
            if let Some(key) = key {
                table.remove(&key);
            }
            removed.push(culprit);
        }
        None
    }
}

/// `line` with a `schedules[j]` key renamed to the item's index in the file.
fn in_file_order(line: &str, schedule_indices: &[usize]) -> String {
    let Some(rest) = line.strip_prefix("schedules[") else {
        return line.to_string();
    };
    let Some((index, tail)) = rest.split_once(']') else {
        return line.to_string();
    };
    match index
        .parse::<usize>()
        .ok()
        .and_then(|j| schedule_indices.get(j))
    {
        Some(i) => format!("schedules[{i}]{tail}"),
        None => line.to_string(),
    }
}

/// Whether a problem about `reported` already covers `key` (the same key or one inside it).
fn covers(reported: &str, key: &str) -> bool {
    key.strip_prefix(reported)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

fn first_key(path: &serde_path_to_error::Path) -> Option<String> {
    match path.iter().next()? {
        serde_path_to_error::Segment::Map { key } => Some(key.clone()),
        _ => None,
    }
}

/// The key of `table` whose key or value covers `span` (an error serde could not place).
fn key_at(table: &Spanned<DeValue<'_>>, span: &Range<usize>) -> Option<String> {
    let table = table.get_ref().as_table()?;
    table.iter().find_map(|(k, v)| {
        let covers = |r: Range<usize>| r.start <= span.start && span.start < r.end.max(r.start + 1);
        (covers(k.span()) || covers(v.span())).then(|| k.get_ref().to_string())
    })
}

/// Where `key` (`auth.tokens[1].token`) is written: the deepest part of it found in the file.
fn span_of_key(root: &DeTable<'_>, key: &str) -> Option<Range<usize>> {
    let mut table = root;
    let mut found = None;
    for part in key.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let Some((k, v)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == name) else {
            break;
        };
        found = Some(k.span());
        let v = match (index, v.get_ref()) {
            (Some(i), DeValue::Array(items)) => match items.get(i) {
                Some(item) => {
                    found = Some(item.span());
                    item
                }
                None => break,
            },
            _ => v,
        };
        match v.get_ref().as_table() {
            Some(inner) => table = inner,
            None => break,
        }
    }
    found
}

/// The 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

mod secrets;
#[cfg(test)]
mod tests;
