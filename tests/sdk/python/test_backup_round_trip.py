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
import math
import os
import subprocess
import tempfile
import uuid

import pytest
from tablestore import (
    INF_MAX,
    INF_MIN,
    PK_AUTO_INCR,
    BatchWriteRowRequest,
    CapacityUnit,
    Condition,
    Direction,
    OTSServiceError,
    PutRowItem,
    ReservedThroughput,
    Row,
    RowExistenceExpectation,
    TableInBatchWriteRowItem,
    TableMeta,
    TableOptions,
)

from conftest import ACCESS_KEY_ID, ACCESS_KEY_SECRET, INSTANCE
from emulator_process import DEFAULT_BIN
from expect import canonical, now_ms
from mongo_process import MongoServer

IGNORE = Condition(RowExistenceExpectation.IGNORE)
DAY_MS = 86_400_000
# Cells up to 300 days old need a table deviation beyond that (the default allows one day).
DEVIATION_S = 400 * 86_400
MAX_VERSIONS = 10
READ_ALL_VERSIONS = 1000
CELL_2MB = 2 * 1024 * 1024
BIG_ROWS = 12_000
# The engine's smallest split size; the big table (~4 MB) spans several ranges of it.
SPLIT_SIZE_BYTES = 1024 * 1024
STORES = ["archive", "mongo"]
CLI_TIMEOUT_S = 300

INT_EDGES = [-(2**63), -(2**31) - 1, -1, 0, 1, 2**31 + 1, 2**53 + 1, 2**63 - 1]
DOUBLE_EDGES = [
    0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -5e-324,
    2.2250738585072014e-308, 1.7976931348623157e308, 0.1,
]
STRING_EDGES = ["", "ascii", "héllo wörld", "表格存储", "😀 rocket 🚀", "a\x00b", "ключ"]
BINARY_EDGES = [bytearray(range(256)), bytearray(), bytearray(b"\x00"), bytearray(b"\xff" * 17)]
BOOL_EDGES = [True, False]
ALL_EDGES = INT_EDGES + DOUBLE_EDGES + STRING_EDGES + BINARY_EDGES + BOOL_EDGES


# --- the data ------------------------------------------------------------------------------


class Dataset:
    """Source tables by role, and what each was written with (None: the server chose keys)."""

    def __init__(self, client, suffix):
        self.client = client
        self.suffix = suffix
        self.tables = {}  # role -> table name
        self.expected = {}  # role -> {canonical pk: sorted canonical cells} or None
        self.created = []

    def create(self, role, schema, max_version=MAX_VERSIONS):
        name = f"rt_{role}_{self.suffix}"
        self.client.create_table(
            TableMeta(name, schema),
            TableOptions(time_to_live=-1, max_version=max_version, max_time_deviation=DEVIATION_S),
            ReservedThroughput(CapacityUnit(0, 0)),
        )
        self.created.append(name)
        self.tables[role] = name
        self.expected[role] = {}
        return name

    def put(self, role, pk, cells):
        """Records the row and returns the SDK row to write (cells: (name, value, ts))."""
        expected = self.expected[role]
        if expected is not None:
            key = canonical_pk(pk)
            expected[key] = sorted(expected.get(key, []) + canonical_cells(cells))
        return Row(pk, cells)

    def batch_put(self, role, rows):
        table = self.tables[role]
        for start in range(0, len(rows), 200):
            request = BatchWriteRowRequest()
            items = [PutRowItem(self.put(role, pk, cells), IGNORE) for pk, cells in rows[start:start + 200]]
            request.add(TableInBatchWriteRowItem(table, items))
            result = self.client.batch_write_row(request)
            assert result.is_all_succeed(), result.get_failed_rows()

    def delete_all(self):
        for name in self.created:
            try:
                self.client.delete_table(name)
            except OTSServiceError as e:
                if e.get_error_code() != "OTSObjectNotExist":
                    raise


def canonical_pk(pk):
    return tuple((name, canonical(value)) for name, value in pk)


def canonical_cells(cells):
    return [(name, canonical(value), ts) for name, value, ts in cells]


def write_types(data, base):
    """1 INTEGER key over the int64 edges; every value type and edge value in every row, and
    one column whose versions have different types."""
    data.create("types", [("k", "INTEGER")])
    for row_index, k in enumerate(INT_EDGES):
        cells = [(f"v{i:02d}", value, base + i) for i, value in enumerate(ALL_EDGES)]
        cells += [("mixed", value, base + row_index * 10 + j * DAY_MS)
                  for j, value in enumerate([k, str(k), float(k), bytearray(str(k), "ascii"), k % 2 == 0])]
        data.client.put_row(data.tables["types"], data.put("types", [("k", k)], cells), IGNORE)


def write_mixed_keys(data, base):
    """2, 3 and 4 primary key columns of mixed types, with unicode and binary key values."""
    data.create("pk2", [("s", "STRING"), ("b", "BINARY")])
    data.batch_put("pk2", [
        ([("s", f"ключ-{i % 7}-😀"), ("b", bytearray([i, 255 - i, 0]))],
         [("empty_s", "", base), ("empty_b", bytearray(), base), ("i", 2**31 + 1 + i, base + i)])
        for i in range(60)
    ])
    data.create("pk3", [("i", "INTEGER"), ("s", "STRING"), ("b", "BINARY")])
    data.batch_put("pk3", [
        ([("i", INT_EDGES[i % len(INT_EDGES)]), ("s", STRING_EDGES[1 + i % 6] + str(i)),
          ("b", bytearray(range(i % 256, 256)))],
         [("d", DOUBLE_EDGES[i % len(DOUBLE_EDGES)], base + i)])
        for i in range(60)
    ])
    data.create("pk4", [("a", "INTEGER"), ("b", "STRING"), ("c", "BINARY"), ("d", "INTEGER")])
    rows = []
    for i in range(40):
        pk = [("a", i % 4 - 2), ("b", f"b{i % 3}"), ("c", bytearray([i % 5])), ("d", -(2**63) + i)]
        # Five versions a week apart from 300 days ago, three doubles, two booleans.
        cells = [("m", f"version {j} of {i}", base + j * 7 * DAY_MS) for j in range(5)]
        cells += [("dbl", value, base + DAY_MS + j) for j, value in enumerate([-0.0, math.nan, 5e-324])]
        cells += [("flag", j == 0, base + 2 * DAY_MS + j) for j in range(2)]
        rows.append((pk, cells))
    data.batch_put("pk4", rows)


def write_blobs(data, base):
    """2 MB cells: one row with one, one row with two (over 4 MB: two writes, one row)."""
    name = data.create("blobs", [("k", "STRING")], max_version=1)
    blob = bytearray(range(256)) * (CELL_2MB // 256)
    text = ("0123456789abcdef" * (CELL_2MB // 16))
    data.client.put_row(name, data.put("blobs", [("k", "one")], [("blob", blob, base)]), IGNORE)
    data.client.put_row(name, data.put("blobs", [("k", "two")], [("text", text, base + 1)]), IGNORE)
    second = data.put("blobs", [("k", "two")], [("blob", blob[::-1], base + 2)])
    data.client.update_row(name, Row(second.primary_key, {"put": second.attribute_columns}), IGNORE)


def write_wide(data, base):
    """Rows of 300 columns of rotating types."""
    data.create("wide", [("k", "INTEGER")], max_version=1)
    rows = []
    for k in range(3):
        cells = [(f"c{i:03d}", ALL_EDGES[(i + k) % len(ALL_EDGES)], base + i) for i in range(300)]
        rows.append(([("k", k)], cells))
    data.batch_put("wide", rows)


def write_keys_only(data):
    data.create("keys_only", [("p", "STRING"), ("q", "INTEGER")], max_version=1)
    data.batch_put("keys_only", [([("p", f"p{i % 9}"), ("q", i)], []) for i in range(150)])


def write_autoinc(data, base):
    """Keys assigned by the server: compared with the restored table, not with a model."""
    data.create("autoinc", [("part", "STRING"), ("id", "INTEGER", PK_AUTO_INCR)], max_version=1)
    data.expected["autoinc"] = None
    data.batch_put("autoinc", [
        ([("part", f"p{i % 3}"), ("id", PK_AUTO_INCR)], [("n", i, base + i)]) for i in range(60)
    ])


def write_big(data, base):
    """BIG_ROWS rows over 600 partition keys, two versions of a payload column (~4 MB)."""
    data.create("big", [("part", "STRING"), ("seq", "INTEGER")], max_version=2)
    padding = "p" * 300
    data.batch_put("big", [
        ([("part", f"part-{i % 600:04d}"), ("seq", i)],
         [("payload", f"{i:08d}{padding}", base), ("payload", f"newer {i}", base + DAY_MS), ("n", i, base)])
        for i in range(BIG_ROWS)
    ])


@pytest.fixture(scope="module")
def dataset(client):
    data = Dataset(client, uuid.uuid4().hex[:8])
    base = now_ms() - 300 * DAY_MS
    try:
        write_types(data, base)
        write_mixed_keys(data, base)
        write_blobs(data, base)
        write_wide(data, base)
        write_keys_only(data)
        write_autoinc(data, base)
        write_big(data, base)
        yield data
    finally:
        data.delete_all()


# --- reading back --------------------------------------------------------------------------


def read_table(client, name):
    """Every row, forward, every version: [(canonical pk, canonical cells in read order)]."""
    schema = client.describe_table(name).table_meta.schema_of_primary_key
    start = [(column[0], INF_MIN) for column in schema]
    end = [(column[0], INF_MAX) for column in schema]
    rows = []
    while start is not None:
        _, start, page, _ = client.get_range(
            name, Direction.FORWARD, start, end, max_version=READ_ALL_VERSIONS
        )
        rows += [(canonical_pk(r.primary_key), canonical_cells(r.attribute_columns)) for r in page]
    return rows


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
def mongo_server():
    server = MongoServer()
    yield server
    server.stop()


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
