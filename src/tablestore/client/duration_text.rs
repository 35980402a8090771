//! Durations in configuration files as human text (`"250ms"`, `"5s"`, `"2m"`, `"1h"`,
//! `"1h 30m"`) or as a bare number of seconds, so operators never have to guess the unit of a
//! timeout. The text is `humantime`'s syntax; bare numbers (`30`, `1.5`, `"30"`) are ours,
//! because humantime requires a unit and configuration files have always accepted seconds.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serializer};

/// Parses humantime text (`"500ms"`, `"1.5s"`, `"2m"`) or a bare number of seconds.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return seconds_to_duration(seconds, text);
    }
    humantime::parse_duration(text)
        .map_err(|e| format!("invalid duration {text:?}: {e} (expected e.g. \"500ms\" or \"5s\")"))
}

/// Formats as humantime text (`"12s 345ms"`), which [`parse`] reads back exactly.
pub fn format(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

/// `f64` seconds only: `str::parse::<f64>` also accepts `inf` and `NaN`, which are no duration.
fn seconds_to_duration(seconds: f64, text: &str) -> Result<Duration, String> {
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("invalid duration {text:?}: {e}"))
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

    /// Every form the hand-written parser accepted before humantime took over.
    #[test]
    fn parses_every_unit_and_bare_seconds() {
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
        assert_eq!(parse("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("0.5m"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse(" 10s "), Ok(Duration::from_secs(10)));
        assert_eq!(parse("5 s"), Ok(Duration::from_secs(5)));
    }

    #[test]
    fn accepts_humantime_compound_text() {
        assert_eq!(parse("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("2min"), Ok(Duration::from_secs(120)));
    }

    #[test]
    fn rejects_text_that_is_no_duration() {
        for text in ["5 parsecs", "fast", "", "-1", "-5s", "inf", "NaN"] {
            assert!(parse(text).is_err(), "{text:?} parsed");
        }
    }

    #[test]
    fn format_round_trips() {
        for d in [
            Duration::from_millis(12_345),
            Duration::ZERO,
            Duration::from_secs(5400),
        ] {
            assert_eq!(parse(&format(d)), Ok(d));
        }
    }

    #[test]
    fn deserializes_numbers_and_text() {
        #[derive(Deserialize)]
        struct Timeout {
            #[serde(deserialize_with = "deserialize")]
            t: Duration,
        }
        let read = |toml_text: &str| toml::from_str::<Timeout>(toml_text).map(|v| v.t);
        assert_eq!(read("t = 2").unwrap(), Duration::from_secs(2));
        assert_eq!(read("t = 0.25").unwrap(), Duration::from_millis(250));
        assert_eq!(read("t = \"2m\"").unwrap(), Duration::from_secs(120));
        assert!(read("t = \"soon\"").is_err());
        assert!(read("t = -1").is_err());
    }
}
