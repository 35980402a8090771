//! Which certificate authorities the client trusts besides its built-in roots (webpki-roots):
//! a PEM bundle (`ca_file`, e.g. the CA of a corporate TLS-intercepting proxy) and, with
//! `use_system_ca_store`, the operating system's trust store, where such a CA is usually
//! installed. The system store is read with rustls-native-certs, which also honours
//! `SSL_CERT_FILE` / `SSL_CERT_DIR`.
//!
//! Both are read when the client is built and by `config check`: a file or store that yields
//! no certificate is refused at once, because silently trusting only the built-in roots would
//! fail later and obscurely (a TLS error on the first backup).

use std::path::Path;

use reqwest::Certificate;

/// The extra roots `ca_file` and `use_system_ca_store` name. The error is `(key, reason)`:
/// which setting is at fault and why.
pub fn extra_roots(
    ca_file: Option<&Path>,
    use_system_ca_store: bool,
) -> Result<Vec<Certificate>, (&'static str, String)> {
    let mut roots = Vec::new();
    if let Some(path) = ca_file {
        roots.extend(read_ca_file(path).map_err(|e| ("ca_file", e))?);
    }
    if use_system_ca_store {
        roots.extend(system_roots().map_err(|e| ("use_system_ca_store", e))?);
    }
    Ok(roots)
}

/// The certificates of a PEM bundle.
fn read_ca_file(path: &Path) -> Result<Vec<Certificate>, String> {
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let certificates = Certificate::from_pem_bundle(&pem)
        .map_err(|e| format!("{shown}: not a PEM certificate bundle: {e}"))?;
    if certificates.is_empty() {
        return Err(format!("{shown}: holds no certificate"));
    }
    Ok(certificates)
}

/// The usable certificates of the operating system's trust store. Ones rustls cannot use as
/// a trust anchor are skipped (stores carry the odd malformed or exotic certificate); an
/// empty result is an error naming what went wrong while loading.
fn system_roots() -> Result<Vec<Certificate>, String> {
    let loaded = rustls_native_certs::load_native_certs();
    let usable: Vec<Certificate> = loaded
        .certs
        .into_iter()
        .filter(|der| rustls::RootCertStore::empty().add(der.clone()).is_ok())
        .filter_map(|der| Certificate::from_der(der.as_ref()).ok())
        .collect();
    if usable.is_empty() {
        let errors: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
        let detail = if errors.is_empty() {
            "it is empty".to_owned()
        } else {
            errors.join("; ")
        };
        return Err(format!(
            "the system trust store holds no usable certificate ({detail})"
        ));
    }
    Ok(usable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_that_is_missing_empty_or_not_pem_is_refused_under_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let (key, reason) = extra_roots(Some(&missing), false).unwrap_err();
        assert_eq!(key, "ca_file");
        assert!(
            reason.contains("cannot read") && reason.contains("missing.pem"),
            "{reason}"
        );
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let (_, reason) = extra_roots(Some(&empty), false).unwrap_err();
        assert!(reason.contains("holds no certificate"), "{reason}");
        assert!(extra_roots(None, false).unwrap().is_empty());
    }
}
