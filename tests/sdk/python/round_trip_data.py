"""The source data of the backup round trip (test_backup_round_trip.py), written with the
official Python SDK, and a model of it: what each table must hold when read back; and
`read_table`, how a table is read back (every row and version, also for test_point_in_time.py).

Every table allows cells up to 400 days old, so versions can carry explicit timestamps far in
the past; `base` is 300 days ago.
"""

import math

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

from expect import canonical

IGNORE = Condition(RowExistenceExpectation.IGNORE)
DAY_MS = 86_400_000
# Cells up to 300 days old need a table deviation beyond that (the default allows one day).
DEVIATION_S = 400 * 86_400
MAX_VERSIONS = 10
CELL_2MB = 2 * 1024 * 1024
BIG_ROWS = 12_000
READ_ALL_VERSIONS = 1000

INT_EDGES = [-(2**63), -(2**31) - 1, -1, 0, 1, 2**31 + 1, 2**53 + 1, 2**63 - 1]
DOUBLE_EDGES = [
    0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -5e-324,
    2.2250738585072014e-308, 1.7976931348623157e308, 0.1,
]
STRING_EDGES = ["", "ascii", "héllo wörld", "表格存储", "😀 rocket 🚀", "a\x00b", "ключ"]
BINARY_EDGES = [bytearray(range(256)), bytearray(), bytearray(b"\x00"), bytearray(b"\xff" * 17)]
BOOL_EDGES = [True, False]
ALL_EDGES = INT_EDGES + DOUBLE_EDGES + STRING_EDGES + BINARY_EDGES + BOOL_EDGES


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


def write_all(data, base):
    write_types(data, base)
    write_mixed_keys(data, base)
    write_blobs(data, base)
    write_wide(data, base)
    write_keys_only(data)
    write_autoinc(data, base)
    write_big(data, base)
