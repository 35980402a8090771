//! `ca_file` and `use_system_ca_store` over a real TLS connection: a TLS proxy in front of the
//! emulator presents a certificate for `localhost` signed by a CA made in the test (rcgen,
//! rustls). Without the CA the client refuses the certificate with a clear error; with it as
//! `ca_file` a backup goes through the proxy.

use std::net::SocketAddr;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use tablevault::emulator::EmulatorConfig;
use tablevault::engine::run_backup;
use tablevault::tablestore::client::{Client, RetryPolicy};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

use crate::support::emulator::{client_config, start_emulator};
use crate::support::engine::{archive, context, engine_config, job, load_everything};

/// A TLS proxy on `localhost` in front of `upstream`, and its CA certificate (PEM).
struct TlsProxy {
    addr: SocketAddr,
    ca_pem: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start_tls_proxy(upstream: SocketAddr) -> TlsProxy {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "TableVault test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to relay.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    TlsProxy {
        addr,
        ca_pem: ca_cert.pem(),
        task,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_ca_the_certificate_is_refused_and_with_ca_file_a_backup_goes_through() {
    let emulator = start_emulator(EmulatorConfig::default()).await;
    let proxy = start_tls_proxy(emulator.addr()).await;
    let endpoint = format!("https://localhost:{}", proxy.addr.port());

    let mut config = client_config(&emulator);
    config.endpoint = endpoint.clone();
    config.retry = RetryPolicy::never();
    let untrusting = Client::new(&config).unwrap();
    let error = untrusting.list_tables().await.unwrap_err();
    let text = format!("{error:#}");
    let chain = std::iter::successors(Some(&error as &dyn std::error::Error), |e| e.source())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ");
    assert!(
        chain.contains("certificate") && chain.contains("UnknownIssuer"),
        "the refusal names the certificate: {text} / {chain}"
    );

    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("corporate-ca.pem");
    std::fs::write(&ca_file, &proxy.ca_pem).unwrap();
    let mut config = client_config(&emulator);
    config.endpoint = endpoint;
    config.ca_file = Some(ca_file);
    let trusting = Client::new(&config).unwrap();
    load_everything(&trusting).await;
    let (_store_dir, store) = archive().await;
    let done = run_backup(
        job(&emulator, &["everything"], engine_config()),
        &context(&trusting, store.clone()),
    )
    .await
    .expect("a backup through the TLS proxy");
    let manifest = tablevault::store::BackupStore::open(store.as_ref(), &done.backup_id)
        .await
        .unwrap()
        .manifest()
        .clone();
    assert!(manifest.total_rows() > 0, "{manifest:?}");
}
