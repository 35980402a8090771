//! Runs the printed shell lines the way a shell would, without needing curl: each `curl` line
//! is split into words (single and double quotes, `$VAR`), its options become a reqwest
//! request, and `BACKUP_ID=$(curl … | grep -o '"id":"[^"]*"' | head -n 1 | cut …)` is the list
//! request followed by the same extraction.

use std::collections::HashMap;

/// A curl invocation as a request.
#[derive(Debug, Clone, PartialEq)]
pub struct CurlRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// Shell words of `line` up to the first unquoted `|`, with `$NAME` expanded from `vars`
/// outside single quotes.
pub fn words(line: &str, vars: &HashMap<String, String>) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '|') => break,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (_, '$') => {
                let mut name = String::new();
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                let value = vars
                    .get(&name)
                    .unwrap_or_else(|| panic!("${name} is not set for {line:?}"));
                word.push_str(value);
                in_word = true;
            }
            (_, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Reads `curl -s [-X M] [-H h]… [-d body] URL` (options in any order).
pub fn parse_curl(line: &str, vars: &HashMap<String, String>) -> CurlRequest {
    let words = words(line, vars);
    assert_eq!(words.first().map(String::as_str), Some("curl"), "{line}");
    let mut request = CurlRequest {
        method: "GET".into(),
        url: String::new(),
        headers: Vec::new(),
        body: None,
    };
    let mut rest = words[1..].iter();
    while let Some(word) = rest.next() {
        let mut value = || {
            rest.next()
                .unwrap_or_else(|| panic!("{word} needs a value"))
        };
        match word.as_str() {
            "-s" => {}
            "-X" => request.method = value().clone(),
            "-H" => {
                let (name, v) = value().split_once(": ").expect("header is `Name: value`");
                request.headers.push((name.to_string(), v.to_string()));
            }
            "-d" => {
                request.body = Some(value().clone());
                if request.method == "GET" {
                    request.method = "POST".into();
                }
            }
            url if url.starts_with("http") => request.url = url.to_string(),
            other => panic!("unexpected curl word {other:?} in {line}"),
        }
    }
    assert!(!request.url.is_empty(), "no URL in {line}");
    request
}

/// Sends it and returns the status and body.
pub async fn send(request: &CurlRequest) -> (u16, String) {
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("method");
    let mut builder = reqwest::Client::new().request(method, &request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = &request.body {
        builder = builder.body(body.clone());
    }
    let response = builder.send().await.expect("request is answered");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// Runs a printed curl line.
pub async fn run(line: &str, vars: &HashMap<String, String>) -> (u16, String) {
    send(&parse_curl(line, vars)).await
}

/// Runs `NAME=$(curl … | grep -o '"id":"[^"]*"' | head -n 1 | cut -d '"' -f 4)` and returns
/// the name and the value the shell would assign.
pub async fn run_assignment(line: &str, vars: &HashMap<String, String>) -> (String, String) {
    let (name, command) = line.split_once("=$(").expect("NAME=$(…)");
    let command = command.strip_suffix(')').expect("ends with )");
    assert!(
        command.contains(r#"| grep -o '"id":"[^"]*"' | head -n 1 | cut -d '"' -f 4"#),
        "{line}"
    );
    let (status, body) = run(command, vars).await;
    assert_eq!(status, 200, "{body}");
    let start = body.find(r#""id":""#).map(|i| i + 6).unwrap_or(body.len());
    let value = body[start..].split('"').next().unwrap_or("").to_string();
    (name.to_string(), value)
}

#[test]
fn words_follow_shell_quoting() {
    let vars = HashMap::from([("T".to_string(), "tok".to_string())]);
    assert_eq!(
        words(
            r#"curl -s -H "Authorization: Bearer $T" -d '{"a":"$T"}' http://x/y | grep z"#,
            &vars
        ),
        [
            "curl",
            "-s",
            "-H",
            "Authorization: Bearer tok",
            "-d",
            r#"{"a":"$T"}"#,
            "http://x/y"
        ]
    );
}
