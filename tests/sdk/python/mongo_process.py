"""Starts and stops one MongoDB-compatible test server (`secantusd-rs`) for the SDK suite.

The binary comes from TABLEVAULT_SECANTUSD, then PATH, then ~/.cargo/bin. A missing binary
is an error, never a skip: a skipped store test would look like a passing one.
"""

import ctypes
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading

BINARY = "secantusd-rs"
INSTALL_HINT = (
    "install it with `cargo install secantus-mdb --version 0.5.3-beta.196 --locked "
    "--ignore-rust-version` (scripts/test does) or point TABLEVAULT_SECANTUSD at it"
)
LISTEN_LINE = re.compile(r"listening on (\S+):(\d+)")
START_TIMEOUT_S = 30


class MongoServerError(RuntimeError):
    pass


def find_binary():
    explicit = os.environ.get("TABLEVAULT_SECANTUSD")
    if explicit:
        return explicit
    on_path = shutil.which(BINARY)
    if on_path:
        return on_path
    in_cargo = os.path.join(os.path.expanduser("~"), ".cargo", "bin", BINARY)
    if os.path.isfile(in_cargo):
        return in_cargo
    raise MongoServerError(f"{BINARY} not found: {INSTALL_HINT}")


def _die_with_parent():
    """Linux: kill the server if pytest dies without running fixture teardown."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class MongoServer:
    """One server on a fresh storage directory and a port chosen by the OS."""

    def __init__(self):
        self.binary = find_binary()
        self.storage = tempfile.mkdtemp(prefix="tablevault-mongo-")
        self.lines = []
        # stdout and stderr both drained into one pipe, so the server never blocks on output.
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--host", "127.0.0.1",
                "--port", "0",
                "--storage-path", self.storage,
                "--log-level", "WARNING",
                "--sync-on-commit",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            preexec_fn=_die_with_parent if os.name == "posix" else None,
        )
        self.port = self._wait_for_port()

    @property
    def uri(self):
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true&serverSelectionTimeoutMS=5000"

    def _wait_for_port(self):
        found = threading.Event()
        result = {}

        def drain():
            for line in self.proc.stdout:
                self.lines = (self.lines + [line.rstrip()])[-50:]
                match = LISTEN_LINE.search(line)
                if match and not found.is_set():
                    result["port"] = int(match.group(2))
                    found.set()

        threading.Thread(target=drain, daemon=True).start()
        if not found.wait(START_TIMEOUT_S):
            self.stop()
            raise MongoServerError(
                f"{self.binary} did not report its port within {START_TIMEOUT_S}s; output:\n"
                + "\n".join(self.lines)
            )
        return result["port"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.storage, ignore_errors=True)
