//! Problems about secret keys never repeat the value: serde's type errors quote it
//! (``invalid type: integer `12345678`, expected a string``), and an unquoted numeric
//! `access_key_secret` is still the real secret.

/// The last segment of every key that holds a secret (`sources.NAME.access_key_secret`,
/// `sources.NAME.sts_token`, `stores.NAME.uri`, `auth.tokens[i].token`).
const SECRET_KEYS: [&str; 4] = ["access_key_secret", "sts_token", "uri", "token"];

/// Whether `key` (`sources.prod.access_key_secret`) holds a secret.
pub(super) fn is_secret(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key);
    let last = last.split('[').next().unwrap_or(last);
    SECRET_KEYS.contains(&last)
}

/// `message` without the quoted values before `, expected`: what was found, not what it was.
pub(super) fn without_values(message: &str) -> String {
    let (found, expected) = match message.find(", expected") {
        Some(at) => message.split_at(at),
        None => (message, ""),
    };
    // serde quotes numbers and booleans with backticks and strings with double quotes.
    let mut kept = String::with_capacity(message.len());
    let mut quote = None;
    for c in found.chars() {
        match quote {
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None if c == '`' || c == '"' => quote = Some(c),
            None => kept.push(c),
        }
    }
    // "integer `42`" leaves "integer " before the comma.
    let kept = kept.trim_end();
    format!("{kept}{expected}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_are_recognised_by_their_last_segment() {
        assert!(is_secret("sources.prod.access_key_secret"));
        assert!(is_secret("auth.tokens[2].token"));
        assert!(is_secret("stores.mongo.uri"));
        assert!(!is_secret("sources.prod.access_key_id"));
        assert!(!is_secret("stores.tokens.path"));
    }

    #[test]
    fn quoted_values_are_dropped_and_the_expectation_kept() {
        assert_eq!(
            without_values("invalid type: integer `12345678`, expected a string"),
            "invalid type: integer, expected a string"
        );
        assert_eq!(
            without_values("invalid value: string \"hunter2\", expected `a` or `b`"),
            "invalid value: string, expected `a` or `b`"
        );
    }
}
