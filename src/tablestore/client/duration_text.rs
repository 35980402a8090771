//! Durations in configuration files as human text (`"250ms"`, `"5s"`, `"2m"`, `"1h"`) or as a
//! bare number of seconds, so operators never have to guess the unit of a timeout.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serializer};

/// Parses `"<number><unit>"` with unit `ms`, `s`, `m` or `h`; a bare number means seconds.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("invalid duration {text:?}: expected e.g. \"500ms\" or \"5s\""))?;
    let seconds = match unit.trim() {
        "ms" => number / 1000.0,
        "" | "s" => number,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        other => return Err(format!("invalid duration unit {other:?} in {text:?}")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("invalid duration {text:?}: {e}"))
}

/// Formats as whole milliseconds, which [`parse`] reads back exactly.
pub fn format(duration: Duration) -> String {
    format!("{}ms", duration.as_millis())
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        Seconds(f64),
        Human(String),
    }
    match Text::deserialize(d)? {
        Text::Seconds(s) => Duration::try_from_secs_f64(s).map_err(serde::de::Error::custom),
        Text::Human(text) => parse(&text).map_err(serde::de::Error::custom),
    }
}

pub fn serialize<S: Serializer>(duration: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*duration))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit_and_bare_seconds() {
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse("5 parsecs").is_err());
        assert!(parse("fast").is_err());
    }

    #[test]
    fn format_round_trips() {
        let d = Duration::from_millis(12_345);
        assert_eq!(parse(&format(d)), Ok(d));
    }
}
