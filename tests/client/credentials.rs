//! Credentials that change under a running client: a credentials file rewritten in place
//! (an STS token rotated by another process) and the ECS instance RAM role, served by a small
//! real metadata server, fetched again before it expires.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, put};
use axum::Router;
use tablevault::emulator::EmulatorConfig;
use tablevault::tablestore::client::{Client, CredentialsSource};
use tablevault::tablestore::codes;

use crate::setup::*;

const SECRET: &str = "the-real-secret-of-ak-1";

async fn emulator() -> tablevault::emulator::EmulatorHandle {
    let config = EmulatorConfig::new(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        "inst",
        "ak-1",
        SECRET,
    );
    start_emulator(config).await
}

fn credentials_json(secret: &str, expires_in_minutes: i64) -> String {
    let expiry = chrono::Utc::now() + chrono::Duration::minutes(expires_in_minutes);
    serde_json::json!({
        "AccessKeyId": "ak-1",
        "AccessKeySecret": secret,
        "SecurityToken": "sts-token",
        "Expiration": expiry.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "Code": "Success",
    })
    .to_string()
}

fn client_from(
    emulator: &tablevault::emulator::EmulatorHandle,
    source: CredentialsSource,
) -> Client {
    let mut config = client_config(emulator);
    config.access_key_id = String::new();
    config.access_key_secret = String::new().into();
    config.credentials = source;
    Client::new(&config).expect("valid config without static keys")
}

#[tokio::test]
async fn a_rewritten_credentials_file_is_picked_up_without_a_restart() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ots-credentials.json");
    std::fs::write(&path, credentials_json("an-old-expired-secret-value", 60)).unwrap();
    let client = client_from(&emulator, CredentialsSource::File(path.clone()));

    let error = client.list_tables().await.unwrap_err();
    assert_eq!(error.code(), Some(codes::AUTH_FAILED));

    std::fs::write(&path, credentials_json(SECRET, 60)).unwrap();
    client.list_tables().await.expect("new secret used");

    // A half-written file while the loaded credentials are still valid: keep using them.
    std::fs::write(&path, "{ not json").unwrap();
    client
        .list_tables()
        .await
        .expect("still-valid credentials kept");
    // With nothing loaded yet, the broken file is a clear error without any secret.
    let fresh = client_from(&emulator, CredentialsSource::File(path.clone()));
    let error = fresh.list_tables().await.unwrap_err().to_string();
    assert!(error.contains("credentials file"), "{error}");
    assert!(!error.contains(SECRET), "{error}");
}

/// What the metadata service hands out, and how often it was asked. `hardened`: it issues
/// session tokens and refuses reads without one (ECS "security hardening mode").
#[derive(Clone, Default)]
struct Metadata {
    expires_in_minutes: Arc<Mutex<i64>>,
    role_fetches: Arc<AtomicUsize>,
    hardened: bool,
    tokens_issued: Arc<AtomicUsize>,
}

const METADATA_TOKEN: &str = "metadata-session-token-1";

impl Metadata {
    /// Whether a read with these headers is answered.
    fn admits(&self, headers: &HeaderMap) -> bool {
        !self.hardened
            || headers
                .get("x-aliyun-ecs-metadata-token")
                .is_some_and(|t| t == METADATA_TOKEN)
    }
}

async fn serve_metadata(metadata: Metadata) -> String {
    let mut app = Router::new()
        .route(
            "/latest/meta-data/ram/security-credentials/",
            get(|State(m): State<Metadata>, headers: HeaderMap| async move {
                if !m.admits(&headers) {
                    return Err(StatusCode::FORBIDDEN);
                }
                Ok("backup-role\n")
            }),
        )
        .route(
            "/latest/meta-data/ram/security-credentials/backup-role",
            get(|State(m): State<Metadata>, headers: HeaderMap| async move {
                if !m.admits(&headers) {
                    return Err(StatusCode::FORBIDDEN);
                }
                m.role_fetches.fetch_add(1, Ordering::SeqCst);
                let minutes = *m.expires_in_minutes.lock().unwrap();
                Ok(credentials_json(SECRET, minutes))
            }),
        );
    if metadata.hardened {
        app = app.route(
            "/latest/api/token",
            put(|State(m): State<Metadata>, headers: HeaderMap| async move {
                let ttl = headers.get("x-aliyun-ecs-metadata-token-ttl-seconds");
                let ttl = ttl.and_then(|v| v.to_str().ok()?.parse::<u32>().ok());
                if !ttl.is_some_and(|t| (1..=21_600).contains(&t)) {
                    return Err(StatusCode::BAD_REQUEST);
                }
                m.tokens_issued.fetch_add(1, Ordering::SeqCst);
                Ok(METADATA_TOKEN)
            }),
        );
    }
    let app = app.with_state(metadata);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn the_ecs_ram_role_is_fetched_once_and_again_before_it_expires() {
    let emulator = emulator().await;
    let metadata = Metadata::default();
    *metadata.expires_in_minutes.lock().unwrap() = 60;
    let url = serve_metadata(metadata.clone()).await;
    let client = client_from(
        &emulator,
        CredentialsSource::EcsRamRole {
            role: None,
            metadata_url: url,
            disable_imdsv1: false,
        },
    );

    for _ in 0..3 {
        client
            .list_tables()
            .await
            .expect("role credentials accepted");
    }
    assert_eq!(
        metadata.role_fetches.load(Ordering::SeqCst),
        1,
        "cached while valid"
    );

    // The next credentials handed out expire within the refresh margin: each use fetches
    // again, so a token is never used in its last minutes.
    let soon = Metadata {
        expires_in_minutes: Arc::new(Mutex::new(2)),
        ..Metadata::default()
    };
    let url = serve_metadata(soon.clone()).await;
    let client = client_from(
        &emulator,
        CredentialsSource::EcsRamRole {
            role: Some("backup-role".into()),
            metadata_url: url,
            disable_imdsv1: false,
        },
    );
    for _ in 0..3 {
        client.list_tables().await.unwrap();
    }
    assert_eq!(soon.role_fetches.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_unreachable_metadata_service_is_a_clear_credentials_error() {
    let emulator = emulator().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = client_from(
        &emulator,
        CredentialsSource::EcsRamRole {
            role: Some("backup-role".into()),
            metadata_url: format!("http://127.0.0.1:{port}"),
            disable_imdsv1: false,
        },
    );
    let error = client.list_tables().await.unwrap_err();
    assert_eq!(error.outcome_code(), "credentials");
    assert!(error.to_string().contains("metadata service"), "{error}");
    assert_eq!(emulator.request_count("ListTable"), 0);
}

/// An instance with hardened metadata refuses reads without a session token: the role is
/// discovered and its credentials read with the token the service issued.
#[tokio::test]
async fn a_hardened_metadata_service_is_read_with_a_session_token() {
    let emulator = emulator().await;
    let metadata = Metadata {
        expires_in_minutes: Arc::new(Mutex::new(60)),
        hardened: true,
        ..Metadata::default()
    };
    let url = serve_metadata(metadata.clone()).await;
    for disable_imdsv1 in [false, true] {
        let client = client_from(
            &emulator,
            CredentialsSource::EcsRamRole {
                role: None,
                metadata_url: url.clone(),
                disable_imdsv1,
            },
        );
        client
            .list_tables()
            .await
            .expect("role credentials read with the token");
    }
    assert_eq!(metadata.tokens_issued.load(Ordering::SeqCst), 2);
    assert_eq!(metadata.role_fetches.load(Ordering::SeqCst), 2);
}

/// With `ecs_metadata_disable_imdsv1`, a metadata service that issues no token is an error
/// naming the setting, not a silent read in normal mode.
#[tokio::test]
async fn disable_imdsv1_refuses_a_service_without_tokens() {
    let emulator = emulator().await;
    let metadata = Metadata {
        expires_in_minutes: Arc::new(Mutex::new(60)),
        ..Metadata::default()
    };
    let url = serve_metadata(metadata.clone()).await;
    let client = client_from(
        &emulator,
        CredentialsSource::EcsRamRole {
            role: Some("backup-role".into()),
            metadata_url: url,
            disable_imdsv1: true,
        },
    );
    let error = client.list_tables().await.unwrap_err();
    assert_eq!(error.outcome_code(), "credentials");
    assert!(
        error.to_string().contains("ecs_metadata_disable_imdsv1"),
        "{error}"
    );
    assert_eq!(metadata.role_fetches.load(Ordering::SeqCst), 0);
    assert_eq!(emulator.request_count("ListTable"), 0);
}
