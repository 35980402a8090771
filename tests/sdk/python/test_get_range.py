"""More than 12,000 rows paged through GetRange, forward and backward, in exact key order."""

import uuid

import pytest
from tablestore import (
    INF_MAX,
    INF_MIN,
    BatchWriteRowRequest,
    CapacityUnit,
    Condition,
    Direction,
    PutRowItem,
    ReservedThroughput,
    Row,
    TableInBatchWriteRowItem,
    TableMeta,
    TableOptions,
)

from expect import canonical_pk

ROWS = 12_345
BATCH = 200

SCHEMAS = {
    "int": [("i", "INTEGER")],
    "string_int": [("s", "STRING"), ("i", "INTEGER")],
    "binary_int_string": [("b", "BINARY"), ("i", "INTEGER"), ("s", "STRING")],
    "int_string_binary_int": [("i", "INTEGER"), ("s", "STRING"), ("b", "BINARY"), ("j", "INTEGER")],
}


def key_value(kind, n, column_index):
    """Deterministic, order-scrambled values incl. negatives, multi-byte UTF-8 and high bytes."""
    mixed = (n * 7919 + column_index * 104729) % ROWS
    if kind == "INTEGER":
        return (mixed - ROWS // 2) * (2**40 if column_index % 2 else 1)
    if kind == "STRING":
        return ["", "a", "é", "z", "日", "a\x00"][mixed % 6] + str(mixed % 97)
    return bytearray([mixed % 256, (mixed * 31) % 256])


def make_keys(schema):
    keys = []
    for n in range(ROWS):
        keys.append([(col, key_value(kind, n, i)) for i, (col, kind) in enumerate(schema)])
    # Make every key unique by the last column, keeping the scrambled prefix.
    last_col, last_kind = schema[-1]
    for n, key in enumerate(keys):
        if last_kind == "INTEGER":
            key[-1] = (last_col, -n if n % 2 else n)
        elif last_kind == "STRING":
            key[-1] = (last_col, f"{key[-1][1]}#{n:05d}")
        else:
            key[-1] = (last_col, bytearray(key[-1][1]) + n.to_bytes(2, "big"))
    return keys


def sort_key(pk):
    # Python orders int numerically, str by code point (= UTF-8 byte order) and bytes bytewise:
    # exactly Tablestore's per-column order.
    return tuple(bytes(v) if isinstance(v, bytearray) else v for _, v in pk)


def load(client, name, keys):
    for start in range(0, len(keys), BATCH):
        items = [PutRowItem(Row(pk, [("n", start + i)]), Condition("IGNORE")) for i, pk in enumerate(keys[start:start + BATCH])]
        request = BatchWriteRowRequest()
        request.add(TableInBatchWriteRowItem(name, items))
        result = client.batch_write_row(request)
        assert result.is_all_succeed()


def read_all(client, name, direction, start, end, limit=None):
    """The SDK's documented loop: re-issue with next_start_primary_key until it is None."""
    rows, pages = [], 0
    while start is not None:
        _, start, page, _ = client.get_range(name, direction, start, end, limit=limit, max_version=1)
        rows.extend(page)
        pages += 1
        assert pages < 1000, "pagination does not terminate"
    return rows, pages


@pytest.fixture(scope="module", params=list(SCHEMAS), ids=list(SCHEMAS))
def loaded_table(request, client):
    schema = SCHEMAS[request.param]
    name = f"t_range_{request.param}_{uuid.uuid4().hex[:8]}"
    client.create_table(TableMeta(name, schema), TableOptions(), ReservedThroughput(CapacityUnit(0, 0)))
    keys = make_keys(schema)
    load(client, name, keys)
    ordinal = {tuple(canonical_pk(pk)): i for i, pk in enumerate(keys)}
    yield name, schema, sorted(keys, key=sort_key), ordinal
    client.delete_table(name)


def full_range(schema):
    return [(c, INF_MIN) for c, _ in schema], [(c, INF_MAX) for c, _ in schema]


def check(rows, expected_keys, ordinal):
    assert len(rows) == len(expected_keys)
    assert [canonical_pk(r.primary_key) for r in rows] == [canonical_pk(k) for k in expected_keys]
    for row in rows:
        ((col, value, _ts),) = row.attribute_columns
        assert (col, value) == ("n", ordinal[tuple(canonical_pk(row.primary_key))])


def test_forward_scan_returns_every_row_in_key_order(client, loaded_table):
    name, schema, sorted_keys, ordinal = loaded_table
    low, high = full_range(schema)

    rows, pages = read_all(client, name, Direction.FORWARD, low, high)

    assert pages >= 3, "12,345 rows need at least three 5000-row pages"
    check(rows, sorted_keys, ordinal)


def test_backward_scan_returns_every_row_in_reverse_key_order(client, loaded_table):
    name, schema, sorted_keys, ordinal = loaded_table
    low, high = full_range(schema)

    rows, pages = read_all(client, name, Direction.BACKWARD, high, low)

    assert pages >= 3
    check(rows, list(reversed(sorted_keys)), ordinal)


def test_limit_bounds_every_page(client, loaded_table):
    name, schema, sorted_keys, ordinal = loaded_table
    low, high = full_range(schema)

    _, next_pk, page, _ = client.get_range(name, Direction.FORWARD, low, high, limit=777, max_version=1)
    assert len(page) == 777
    assert canonical_pk(next_pk) == canonical_pk(sorted_keys[777])

    rows, pages = read_all(client, name, Direction.FORWARD, low, high, limit=2500)
    assert pages >= 5
    check(rows, sorted_keys, ordinal)


def test_inner_range_is_start_inclusive_end_exclusive(client, loaded_table):
    name, schema, sorted_keys, ordinal = loaded_table
    lo, hi = 1234, 8765
    start, end = sorted_keys[lo], sorted_keys[hi]

    forward, _ = read_all(client, name, Direction.FORWARD, start, end)
    check(forward, sorted_keys[lo:hi], ordinal)

    # Backward: start is the greater key (inclusive), end the smaller (exclusive).
    backward, _ = read_all(client, name, Direction.BACKWARD, end, start)
    check(backward, list(reversed(sorted_keys[lo + 1:hi + 1])), ordinal)


def test_partial_key_bounds_with_inf_padding(client, loaded_table):
    name, schema, sorted_keys, ordinal = loaded_table
    if len(schema) < 2:
        pytest.skip("needs at least two primary key columns")
    first_col = schema[0][0]
    pivot = sorted_keys[len(sorted_keys) // 2][0][1]
    start = [(first_col, pivot)] + [(c, INF_MIN) for c, _ in schema[1:]]
    end = [(first_col, INF_MAX)] + [(c, INF_MAX) for c, _ in schema[1:]]
    pivot_key = bytes(pivot) if isinstance(pivot, bytearray) else pivot
    expected = [k for k in sorted_keys if sort_key(k)[0] >= pivot_key]

    rows, _ = read_all(client, name, Direction.FORWARD, start, end)

    check(rows, expected, ordinal)
