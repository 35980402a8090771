"""Starts and stops one `tablevault emulator` process for the SDK suite.

The emulator is the only server these tests talk to, over a real socket, with the
official `tablestore` SDK as the client. Nothing here imports TableVault code.
"""

import ctypes
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import urllib.request

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEFAULT_BIN = os.path.join(REPO_ROOT, "target", "debug", "tablevault")
LISTEN_LINE = re.compile(r"^tablevault emulator listening on (http://\S+)$")
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10


class EmulatorError(RuntimeError):
    pass


def _die_with_parent():
    """Linux: SIGTERM the emulator if pytest dies without running fixture teardown."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class EmulatorProcess:
    """One emulator child process plus a client for its unsigned control endpoint."""

    def __init__(self, instance, access_key_id, access_key_secret, extra_args=()):
        self.instance = instance
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.binary = os.environ.get("TABLEVAULT_BIN", DEFAULT_BIN)
        if not os.path.isfile(self.binary) or not os.access(self.binary, os.X_OK):
            raise EmulatorError(
                f"TableVault binary not found or not executable: {self.binary} "
                "(run `cargo build` or set TABLEVAULT_BIN)"
            )
        # stderr goes to a file: a full pipe would block the emulator.
        self.log = tempfile.NamedTemporaryFile(prefix="tablevault-emulator-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [
                self.binary, "emulator",
                "--listen", "127.0.0.1:0",
                "--instance", instance,
                "--access-key-id", access_key_id,
                "--access-key-secret", access_key_secret,
                *extra_args,
            ],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            preexec_fn=_die_with_parent if os.name == "posix" else None,
        )
        self.endpoint = self._read_listen_line()
        # The contract is one stdout line; keep draining so a chatty build cannot block.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def _read_listen_line(self):
        result = {}

        def read():
            result["line"] = self.proc.stdout.readline()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(START_TIMEOUT_S)
        line = result.get("line", "").strip()
        match = LISTEN_LINE.match(line)
        if match is None:
            self.proc.kill()
            raise EmulatorError(
                f"emulator did not print its listen line within {START_TIMEOUT_S}s; "
                f"got {line!r}; stderr log: {self.log.name}\n{self.stderr_tail()}"
            )
        return match.group(1)

    def stderr_tail(self, limit=4000):
        with open(self.log.name, "r", errors="replace") as f:
            return f.read()[-limit:]

    def control(self, method, path, body=None):
        """Calls the unsigned `/_emulator/*` control endpoint; returns decoded JSON (or None)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.endpoint + path, data=data, method=method,
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
        return json.loads(raw) if raw.strip() else None

    def set_faults(self, faults):
        return self.control("POST", "/_emulator/faults", faults)

    def reset(self):
        return self.control("POST", "/_emulator/reset", {})

    def stats(self):
        return self.control("GET", "/_emulator/stats")

    def stop(self):
        """SIGTERM, then insist that the emulator exits by itself (part of its CLI contract)."""
        if self.proc.poll() is not None:
            raise EmulatorError(f"emulator died early with status {self.proc.returncode}\n{self.stderr_tail()}")
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise EmulatorError(f"emulator ignored SIGTERM for {STOP_TIMEOUT_S}s")
        if code != 0:
            raise EmulatorError(f"emulator exited with status {code} on SIGTERM\n{self.stderr_tail()}")
