"""Every value type and edge value is written and read back bit for bit."""

import math

import pytest
from tablestore import Condition, Row, RowExistenceExpectation

from expect import assert_cell_values, assert_pk, assert_timestamps_plausible, canonical, now_ms

INT_CELLS = [
    ("i_max", 2**63 - 1),
    ("i_min", -(2**63)),
    ("i_2p31_plus1", 2**31 + 1),
    ("i_neg_2p31_minus1", -(2**31) - 1),
    ("i_2p53_plus1", 2**53 + 1),
    ("i_zero", 0),
    ("i_minus_one", -1),
]
DOUBLE_CELLS = [
    ("d_zero", 0.0),
    ("d_neg_zero", -0.0),
    ("d_inf", math.inf),
    ("d_neg_inf", -math.inf),
    ("d_nan", math.nan),
    ("d_subnormal", 5e-324),
    ("d_min_normal", 2.2250738585072014e-308),
    ("d_max", 1.7976931348623157e308),
    ("d_tenth", 0.1),
    ("d_neg", -123456.789),
]
BOOL_CELLS = [("b_true", True), ("b_false", False)]
STRING_CELLS = [
    ("s_empty", ""),
    ("s_ascii", "hello"),
    ("s_accents", "héllo wörld"),
    ("s_cjk", "表格存储"),
    ("s_emoji", "😀 rocket 🚀"),
    ("s_nul", "a\x00b"),
    ("s_long", "x" * 100_000),
]
BINARY_CELLS = [
    ("x_all_bytes", bytearray(range(256))),
    ("x_empty", bytearray()),
    ("x_zero", bytearray(b"\x00")),
]
ALL_CELLS = sorted(INT_CELLS + DOUBLE_CELLS + BOOL_CELLS + STRING_CELLS + BINARY_CELLS)

PK_SCHEMA = [("pk_i", "INTEGER"), ("pk_s", "STRING"), ("pk_b", "BINARY")]
PK_CASES = [
    [("pk_i", 2**63 - 1), ("pk_s", "max"), ("pk_b", bytearray(range(256)))],
    [("pk_i", -(2**63)), ("pk_s", "日本語キー"), ("pk_b", bytearray(b"\x00"))],
    [("pk_i", 2**31 + 1), ("pk_s", "a\x00b"), ("pk_b", bytearray(b"\xff" * 1024))],
    [("pk_i", -1), ("pk_s", "s" * 1024), ("pk_b", bytearray(b"\x80\x7f"))],
]


@pytest.fixture(params=["native_parser", "pure_python_parser"])
def reader(request, client, pure_python_client):
    return client if request.param == "native_parser" else pure_python_client


def test_every_attribute_type_round_trips_exactly(client, reader, make_table):
    name = make_table(PK_SCHEMA)
    pk = PK_CASES[0]
    before = now_ms()

    client.put_row(name, Row(pk, ALL_CELLS), Condition(RowExistenceExpectation.IGNORE))
    _, row, _ = reader.get_row(name, pk, max_version=1)

    assert_pk(row.primary_key, pk)
    # Tablestore returns attribute columns sorted by name.
    assert_cell_values(row.attribute_columns, ALL_CELLS)
    assert_timestamps_plausible(row.attribute_columns, before, now_ms())


@pytest.mark.parametrize("pk", PK_CASES, ids=["int_max", "int_min_unicode", "2p31_1kb_binary", "neg1_1kb_string"])
def test_primary_key_edge_values_round_trip(client, reader, make_table, pk):
    name = make_table(PK_SCHEMA)

    client.put_row(name, Row(pk, [("v", 1)]), Condition(RowExistenceExpectation.IGNORE))
    _, row, _ = reader.get_row(name, pk)

    assert_pk(row.primary_key, pk)
    assert_cell_values(row.attribute_columns, [("v", 1)])


def test_binary_values_come_back_as_binary_not_string(client, make_table):
    name = make_table([("k", "BINARY")])
    pk = [("k", bytearray(b"\x01\x02"))]

    client.put_row(name, Row(pk, [("bin", bytearray(b"\xfe\xff")), ("str", "text")]), Condition("IGNORE"))
    _, row, _ = client.get_row(name, pk)

    assert isinstance(row.primary_key[0][1], (bytes, bytearray))
    cells = dict((c[0], c[1]) for c in row.attribute_columns)
    assert isinstance(cells["bin"], (bytes, bytearray)) and bytes(cells["bin"]) == b"\xfe\xff"
    assert isinstance(cells["str"], str) and cells["str"] == "text"


def test_missing_row_reads_as_none(client, make_table):
    name = make_table([("k", "INTEGER")])

    _, row, _ = client.get_row(name, [("k", 42)])

    assert row is None


def test_columns_to_get_returns_only_named_columns(client, make_table):
    name = make_table([("k", "INTEGER")])
    pk = [("k", 7)]
    client.put_row(name, Row(pk, [("a", 1), ("b", 2.5), ("c", "three")]), Condition("IGNORE"))

    _, row, _ = client.get_row(name, pk, columns_to_get=["c", "a"])

    assert_pk(row.primary_key, pk)
    assert_cell_values(row.attribute_columns, [("a", 1), ("c", "three")])


def test_put_row_replaces_the_whole_row(client, make_table):
    name = make_table([("k", "STRING")])
    pk = [("k", "row")]
    client.put_row(name, Row(pk, [("old", 1), ("kept_name", "old value")]), Condition("IGNORE"))

    client.put_row(name, Row(pk, [("kept_name", "new value")]), Condition("IGNORE"))
    _, row, _ = client.get_row(name, pk, max_version=10)

    assert_cell_values(row.attribute_columns, [("kept_name", "new value")])


def test_delete_row_removes_it(client, make_table):
    name = make_table([("k", "INTEGER")])
    pk = [("k", -5)]
    client.put_row(name, Row(pk, [("v", True)]), Condition("IGNORE"))

    client.delete_row(name, Row(pk), Condition("IGNORE"))
    _, row, _ = client.get_row(name, pk)

    assert row is None


def test_double_bits_survive_including_nan_and_negative_zero(client, make_table):
    name = make_table([("k", "INTEGER")])
    pk = [("k", 1)]
    cells = [("a_neg_zero", -0.0), ("b_nan", math.nan), ("c_subnormal", 5e-324)]

    client.put_row(name, Row(pk, cells), Condition("IGNORE"))
    _, row, _ = client.get_row(name, pk)

    got = {c[0]: c[1] for c in row.attribute_columns}
    assert math.copysign(1.0, got["a_neg_zero"]) == -1.0
    assert math.isnan(got["b_nan"])
    assert canonical(got["c_subnormal"]) == canonical(5e-324)
