//! What the test servers started as child processes (the MongoDB test server, the S3 test
//! server) share: finding their binary and draining their output for the port they announce.

use std::{
    io::{BufRead, BufReader, Read},
    path::PathBuf,
    sync::{mpsc, Arc, Mutex},
    thread,
};

/// Lines of a server's output kept for diagnostics.
const KEPT_LINES: usize = 50;

/// The binary named by `env_var`, else `binary` on PATH or in `~/.cargo/bin`.
pub fn find_binary(env_var: &str, binary: &str, install_hint: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(env_var) {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(binary));
    let in_cargo =
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin").join(binary));
    on_path
        .chain(in_cargo)
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{binary} not found: {install_hint}"))
}

/// Drains one output stream (so the server never blocks on a full pipe), sends every port
/// `port_of` finds in a line, and keeps the last lines for diagnostics.
pub fn watch(
    stream: Option<impl Read + Send + 'static>,
    ports: mpsc::Sender<u16>,
    output: Arc<Mutex<Vec<String>>>,
    port_of: fn(&str) -> Option<u16>,
) {
    let Some(stream) = stream else { return };
    thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let Some(port) = port_of(&line) {
                let _ = ports.send(port);
            }
            let mut kept = output.lock().unwrap_or_else(|e| e.into_inner());
            kept.push(line);
            if kept.len() > KEPT_LINES {
                kept.remove(0);
            }
        }
    });
}
