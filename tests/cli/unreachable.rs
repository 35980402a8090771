//! "cannot reach ENDPOINT" says why, each cause produced for real: a closed port (refused), a
//! host name that cannot resolve (`.invalid` never does, RFC 6761), `https://` to the
//! emulator's plain-HTTP port (TLS), and a listener that never answers (timeout).

use crate::harness::{run_binary, Env};

/// Adds a source `name` at `endpoint` to the test config.
fn add_source(env: &Env, name: &str, endpoint: &str) {
    let mut text = std::fs::read_to_string(&env.config).unwrap();
    text.push_str(&format!(
        "\n[sources.{name}]\nendpoint = \"{endpoint}\"\ninstance = \"emulator\"\n\
         access_key_id = \"test-ak\"\naccess_key_secret = \"test-sk\"\n"
    ));
    std::fs::write(&env.config, text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_cause_of_an_unreachable_source_is_named() {
    let env = Env::start().await;
    let tls = env.emulator.endpoint().replace("http://", "https://");
    add_source(&env, "nodns", "http://tablestore.invalid");
    add_source(&env, "tls", &tls);
    let dead = std::fs::read_to_string(&env.config).unwrap();
    let dead = dead
        .split("[sources.dead]\nendpoint = \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the dead source's endpoint")
        .to_string();

    for (source, endpoint, cause) in [
        (
            "dead",
            dead.as_str(),
            "connection refused (nothing listens on that port)",
        ),
        ("nodns", "http://tablestore.invalid", "DNS lookup failed ("),
        ("tls", tls.as_str(), "TLS handshake failed ("),
    ] {
        let run = env
            .run(&[
                "backup", "--source", source, "--store", "local", "--table", "t",
            ])
            .await;

        assert_eq!(run.code, 3, "{source}: {run:?}");
        let expected = format!("error: cannot reach {endpoint}: {cause}");
        assert!(
            run.error_line().starts_with(&expected),
            "{run:?}\nvs {expected:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_is_a_timeout() {
    // Accepts connections (the kernel's backlog does) and never reads or answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());

    let run = run_binary(
        ["health", "--url", &url, "--timeout", "1"]
            .map(String::from)
            .to_vec(),
    )
    .await;

    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.error_line(),
        format!("error: GET {url}/healthz: timed out (no answer in time)")
    );
}
