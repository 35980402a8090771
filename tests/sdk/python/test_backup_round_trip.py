"""Backup, verify and restore through the `tablevault` CLI, into both stores, with every row
written and read back by the official Python SDK.

The data covers what glue scripts lose: int64 extremes, doubles by bit pattern (-0.0, ±inf,
NaN, subnormals), binaries with every byte, empty strings and binaries, unicode, 1–4 primary
key columns of mixed types, many versions per cell with explicit timestamps up to 300 days
old, 2 MB cells (one row over 4 MB), a row of 300 columns, key-only rows, an auto-increment
key, and 12,000 rows over several split ranges. Each store gets `backup --output json`,
`backups`, `verify --against-source`, then `restore --rename T=T_r_<store>`; the restored
tables must equal the source tables exactly: same rows in the same order, same values with
their types, every version with its timestamp.
"""

import json
import os
import subprocess
import tempfile
import uuid

import pytest
from tablestore import PK_AUTO_INCR

from conftest import ACCESS_KEY_ID, ACCESS_KEY_SECRET, INSTANCE
from emulator_process import DEFAULT_BIN
from expect import now_ms
from round_trip_data import BIG_ROWS, DAY_MS, Dataset, read_table, write_all

# The engine's smallest split size; the big table (~4 MB) spans several ranges of it.
SPLIT_SIZE_BYTES = 1024 * 1024
STORES = ["archive", "mongo"]
CLI_TIMEOUT_S = 300


@pytest.fixture(scope="module")
def dataset(client):
    data = Dataset(client, uuid.uuid4().hex[:8])
    base = now_ms() - 300 * DAY_MS
    try:
        write_all(data, base)
        yield data
    finally:
        data.delete_all()


@pytest.fixture(scope="module")
def source_rows(client, dataset):
    """The source tables as the SDK reads them, checked once against what was written."""
    rows = {role: read_table(client, name) for role, name in dataset.tables.items()}
    for role, expected in dataset.expected.items():
        if expected is None:
            continue
        as_read = {pk: sorted(cells) for pk, cells in rows[role]}
        assert len(rows[role]) == len(expected), role
        assert as_read == expected, f"{role}: the source does not hold what was written"
    autoinc = rows["autoinc"]
    assert len(autoinc) == 60 and len({pk for pk, _ in autoinc}) == 60
    assert len(rows["big"]) == BIG_ROWS
    return rows


# --- the CLI and the stores ----------------------------------------------------------------


@pytest.fixture(scope="module")
def config_file(emulator, mongo_server):
    """A TOML config: source `emu` (the session's emulator), stores `archive` and `mongo`."""
    directory = tempfile.TemporaryDirectory(prefix="tablevault-round-trip-")
    archive = os.path.join(directory.name, "archive")
    path = os.path.join(directory.name, "tablevault.toml")
    with open(path, "w") as f:
        f.write(f"""
[sources.emu]
endpoint = "{emulator.endpoint}"
instance = "{INSTANCE}"
access_key_id = "{ACCESS_KEY_ID}"
access_key_secret = "{ACCESS_KEY_SECRET}"

[stores.archive]
kind = "archive"
path = "{archive}"

[stores.mongo]
kind = "mongodb"
uri = "{mongo_server.uri}"
database_prefix = "tvsdk"

[engine]
split_size_bytes = {SPLIT_SIZE_BYTES}
batch_rows = 500
""")
    yield {"path": path, "archive": archive}
    directory.cleanup()


def tablevault(config, *args):
    """Runs `tablevault SUBCOMMAND --config FILE ARGS...`; returns (exit code, stdout, stderr)."""
    binary = os.environ.get("TABLEVAULT_BIN", DEFAULT_BIN)
    command = [binary, args[0], "--config", config["path"], *args[1:]]
    done = subprocess.run(command, capture_output=True, text=True, timeout=CLI_TIMEOUT_S)
    return done.returncode, done.stdout, done.stderr


def table_args(dataset):
    return [arg for name in dataset.tables.values() for arg in ("--table", name)]


def archive_ranges(config, backup_id, table):
    """Split ranges of `table` in a published archive backup (segments are r<range>-<seq>)."""
    directory = os.path.join(config["archive"], backup_id, "tables", table)
    return {name.split("-")[0] for name in os.listdir(directory) if name.endswith(".tvseg")}


# --- the round trip ------------------------------------------------------------------------


@pytest.mark.parametrize("store", STORES)
def test_backup_verify_restore_round_trip(store, client, dataset, source_rows, config_file):
    # Back up every table.
    code, out, err = tablevault(config_file, "backup", "--source", "emu", "--store", store,
                                *table_args(dataset), "--output", "json")
    assert code == 0, err
    summary = json.loads(out)
    backup_id = summary["id"]
    by_table = {t["name"]: t for t in summary["tables"]}
    assert set(by_table) == set(dataset.tables.values())
    for role, name in dataset.tables.items():
        assert by_table[name]["rows"] == len(source_rows[role]), role
    assert summary["rows"] == sum(len(rows) for rows in source_rows.values())
    if store == "archive":
        ranges = archive_ranges(config_file, backup_id, dataset.tables["big"])
        assert len(ranges) >= 3, f"the big table spans several split ranges: {ranges}"

    # The backup is listed, and verifies against its manifest and the live source.
    code, out, err = tablevault(config_file, "backups", "--store", store, "--output", "json")
    assert code == 0, err
    assert [b["id"] for b in json.loads(out)] == [backup_id]
    code, out, err = tablevault(config_file, "verify", "--store", store, "--backup", backup_id,
                                "--against-source", "emu", "--output", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] is True and len(report["tables"]) == len(dataset.tables), report

    # Restore every table under a new name (the MongoDB store by `latest`).
    renames = {name: f"{name}_r_{store}" for name in dataset.tables.values()}
    dataset.created += renames.values()
    rename_args = [arg for old, new in renames.items() for arg in ("--rename", f"{old}={new}")]
    chosen = backup_id if store == "archive" else "latest"
    code, out, err = tablevault(config_file, "restore", "--store", store, "--source", "emu",
                                "--backup", chosen, *rename_args, "--output", "json")
    assert code == 0, err
    restored = json.loads(out)
    assert restored["backup_id"] == backup_id
    assert all(t["created"] for t in restored["tables"]), restored

    # Every restored table equals its source exactly, row by row, version by version.
    for role, name in dataset.tables.items():
        target = renames[name]
        assert read_table(client, target) == source_rows[role], f"{role}: restored table differs"
        assert_same_settings(client, name, target, role)
    for target in renames.values():
        client.delete_table(target)


def assert_same_settings(client, source, target, role):
    """Key schema and options carry over; an auto-increment key comes back as a plain key."""
    was = client.describe_table(source)
    now = client.describe_table(target)
    source_key = [tuple(column[:2]) for column in was.table_meta.schema_of_primary_key]
    assert [tuple(column[:2]) for column in now.table_meta.schema_of_primary_key] == source_key, role
    if role == "autoinc":
        assert list(was.table_meta.schema_of_primary_key[1][2:]) == [PK_AUTO_INCR]
        assert list(now.table_meta.schema_of_primary_key[1][2:]) == [], "restored as a plain key"
    for option in ("max_version", "time_to_live", "max_time_deviation"):
        assert getattr(now.table_options, option) == getattr(was.table_options, option), (role, option)
