"""Starts and stops one `tablevault serve` process for the SDK suite, and calls its REST API.

The daemon is the real binary (TABLEVAULT_BIN, else target/debug/tablevault) with its own
temporary directory: the config written here, its SQLite state and its log file. Its first
stdout line is `tablevault listening on http://ADDR`; everything else goes to the log, so a
chatty daemon never blocks on a full pipe.
"""

import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

from emulator_process import DEFAULT_BIN, _die_with_parent

ADMIN_TOKEN = "sdk-suite-admin-token-7c2e"
LISTEN_PREFIX = "tablevault listening on "
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15
# Variables of the test's environment that would change what the daemon does.
NOT_INHERITED = (
    "RUST_LOG", "TABLEVAULT_LOG", "TABLEVAULT_AUTH_ADMIN_TOKEN", "TABLEVAULT_AUTH_READ_TOKEN",
    "TABLEVAULT_CONFIG", "TABLEVAULT_LISTEN", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
)


class DaemonError(RuntimeError):
    pass


def config_text(directory, source, stores):
    """A `tablevault.toml`: the server on port 0, state under `directory`, one admin token,
    source `emu` = `source` (endpoint, instance, key id, secret), and `stores` (TOML text)."""
    endpoint, instance, key_id, secret = source
    return f"""
[server]
listen = "127.0.0.1:0"
readiness_timeout = "1s"
shutdown_grace_seconds = 5

[database]
path = "{directory}/state/tablevault.db"

[[auth.tokens]]
role = "admin"
token = "{ADMIN_TOKEN}"

[sources.emu]
endpoint = "{endpoint}"
instance = "{instance}"
access_key_id = "{key_id}"
access_key_secret = "{secret}"

{stores}
"""


class DaemonProcess:
    """One `tablevault serve` child with `config(directory)` as its config file."""

    def __init__(self, config):
        self.binary = os.environ.get("TABLEVAULT_BIN", DEFAULT_BIN)
        if not os.path.isfile(self.binary) or not os.access(self.binary, os.X_OK):
            raise DaemonError(f"TableVault binary not found: {self.binary} (run `cargo build` or set TABLEVAULT_BIN)")
        self.directory = tempfile.TemporaryDirectory(prefix="tablevault-daemon-")
        path = os.path.join(self.directory.name, "tablevault.toml")
        with open(path, "w") as f:
            f.write(config(self.directory.name))
        self.log_path = os.path.join(self.directory.name, "serve.log")
        env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--config", path],
                cwd=self.directory.name, env=env, stdout=subprocess.PIPE, stderr=log,
                stdin=subprocess.DEVNULL, text=True,
                preexec_fn=_die_with_parent if os.name == "posix" else None,
            )
        self.address = self._read_address()
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def _read_address(self):
        result = {}
        reader = threading.Thread(target=lambda: result.update(line=self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(START_TIMEOUT_S)
        line = result.get("line", "").strip()
        if not line.startswith(LISTEN_PREFIX):
            self.proc.kill()
            raise DaemonError(f"daemon did not print its address: got {line!r}\n{self.logs()}")
        return line[len(LISTEN_PREFIX):]

    def logs(self, limit=6000):
        with open(self.log_path, errors="replace") as f:
            return f.read()[-limit:]

    def api(self, method, path, body=None):
        """`method /api/v1{path}` as the admin; returns (HTTP status, decoded JSON or None)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.address}/api/v1{path}", data=data, method=method,
            headers={"authorization": f"Bearer {ADMIN_TOKEN}", "content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        return status, (json.loads(raw) if raw.strip() else None)

    def get(self, path):
        status, body = self.api("GET", path)
        assert status == 200, (path, status, body)
        return body

    def finished_run(self, run_id, timeout_s=60):
        """Polls the run until it leaves queued/running; returns its JSON."""
        def attempt():
            run = self.get(f"/runs/{run_id}")
            return run["status"] not in ("queued", "running"), run
        return poll_until(f"run {run_id} to end", timeout_s, attempt)

    def stop(self):
        """SIGTERM, and insist that the daemon exits by itself within its grace period."""
        try:
            if self.proc.poll() is not None:
                raise DaemonError(f"daemon died early with status {self.proc.returncode}\n{self.logs()}")
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise DaemonError(f"daemon ignored SIGTERM for {STOP_TIMEOUT_S}s\n{self.logs()}")
        finally:
            self.directory.cleanup()


def poll_until(what, timeout_s, attempt, interval_s=0.05):
    """Calls `attempt` (-> (done, seen)) until it is done and returns what it saw; fails after
    `timeout_s` with the last thing it saw."""
    deadline = time.monotonic() + timeout_s
    while True:
        done, seen = attempt()
        if done:
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}; last seen: {seen}")
        time.sleep(interval_s)
