//! Why an endpoint cannot be reached, named the way an operator fixes it. reqwest's own text
//! ("error sending request for url ...") hides the cause several errors deep:
//!
//! - connection refused: nothing listens there (wrong port, service down);
//! - DNS: the host name does not resolve (a typo, no DNS in the container);
//! - timeout: no answer in time (a firewall dropping packets, a hung server);
//! - TLS: the handshake failed (`https://` to a plain-HTTP port, a certificate problem).

use std::error::Error;
use std::io;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    Refused,
    Dns(String),
    Timeout,
    Tls(String),
    Other(String),
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cause::Refused => f.write_str("connection refused (nothing listens on that port)"),
            Cause::Dns(detail) => write!(f, "DNS lookup failed ({detail})"),
            Cause::Timeout => f.write_str("timed out (no answer in time)"),
            Cause::Tls(detail) => write!(f, "TLS handshake failed ({detail})"),
            Cause::Other(detail) => f.write_str(detail),
        }
    }
}

/// The cause of a failed request.
pub fn cause(error: &reqwest::Error) -> Cause {
    if error.is_timeout() {
        return Cause::Timeout;
    }
    let chain = chain(error);
    for e in &chain {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            match io.kind() {
                io::ErrorKind::ConnectionRefused => return Cause::Refused,
                io::ErrorKind::TimedOut => return Cause::Timeout,
                _ => {}
            }
        }
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Cause::Tls(tls.to_string());
        }
    }
    let innermost = chain.last().map_or_else(String::new, ToString::to_string);
    // hyper-util's resolver failure is a ConnectError whose text is exactly this.
    if chain.iter().any(|e| e.to_string() == "dns error") {
        return Cause::Dns(innermost);
    }
    Cause::Other(innermost)
}

/// `error` and its sources, looking inside `io::Error`s too: their `source()` skips the error
/// they wrap (where TLS and resolver failures sit).
fn chain<'a>(error: &'a (dyn Error + 'static)) -> Vec<&'a (dyn Error + 'static)> {
    let mut found = vec![error];
    let mut at = error;
    loop {
        let next = match at.downcast_ref::<io::Error>().and_then(io::Error::get_ref) {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => at.source(),
        };
        match next {
            Some(next) => {
                found.push(next);
                at = next;
            }
            None => return found,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_listener_that_never_answers_is_a_timeout() {
        // The kernel's backlog accepts the connection; nothing ever reads or answers.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(std::time::Duration::from_millis(200))
            .build()
            .unwrap();

        let error = client
            .get(format!("http://{}/", silent.local_addr().unwrap()))
            .send()
            .await
            .expect_err("no answer");

        assert_eq!(cause(&error), Cause::Timeout);
    }
}
