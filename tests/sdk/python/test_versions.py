"""Multi-version cells: explicit timestamps, max_version and time_range reads, UpdateRow ops."""

from tablestore import Condition, Row

from expect import canonical, now_ms

STEP = 1000  # versions one second apart, all within the table's max_time_deviation


def cells(row):
    return [(c[0], canonical(c[1]), c[2]) for c in row.attribute_columns]


def expected(items):
    return [(n, canonical(v), ts) for n, v, ts in items]


def write_versions(client, name, pk, base):
    """col 'a' gets 4 versions (oldest..newest = 0..3), col 'b' gets 2."""
    for i in range(4):
        client.update_row(name, Row(pk, {"put": [("a", i, base + i * STEP)]}), Condition("IGNORE"))
    client.update_row(name, Row(pk, {"put": [("b", "b0", base), ("b", "b1", base + STEP)]}), Condition("IGNORE"))


def test_max_version_returns_newest_versions_first(client, make_table):
    name = make_table([("k", "STRING")], max_version=10)
    pk, base = [("k", "mv")], now_ms() - 60_000
    write_versions(client, name, pk, base)

    _, row, _ = client.get_row(name, pk, max_version=10)
    assert cells(row) == expected([
        ("a", 3, base + 3 * STEP), ("a", 2, base + 2 * STEP), ("a", 1, base + STEP), ("a", 0, base),
        ("b", "b1", base + STEP), ("b", "b0", base),
    ])

    _, row, _ = client.get_row(name, pk, max_version=2)
    assert cells(row) == expected([
        ("a", 3, base + 3 * STEP), ("a", 2, base + 2 * STEP),
        ("b", "b1", base + STEP), ("b", "b0", base),
    ])

    _, row, _ = client.get_row(name, pk, max_version=1)
    assert cells(row) == expected([("a", 3, base + 3 * STEP), ("b", "b1", base + STEP)])


def test_time_range_selects_versions_in_half_open_interval(client, make_table):
    name = make_table([("k", "STRING")], max_version=10)
    pk, base = [("k", "tr")], now_ms() - 60_000
    write_versions(client, name, pk, base)

    # [base+1s, base+3s) holds a@1, a@2 and b@1.
    _, row, _ = client.get_row(name, pk, max_version=None, time_range=(base + STEP, base + 3 * STEP))
    assert cells(row) == expected([
        ("a", 2, base + 2 * STEP), ("a", 1, base + STEP), ("b", "b1", base + STEP),
    ])

    # Both limits apply together.
    _, row, _ = client.get_row(name, pk, max_version=1, time_range=(base, base + 3 * STEP))
    assert cells(row) == expected([("a", 2, base + 2 * STEP), ("b", "b1", base + STEP)])

    # A specific time picks exactly that version.
    _, row, _ = client.get_row(name, pk, max_version=None, time_range=base)
    assert cells(row) == expected([("a", 0, base), ("b", "b0", base)])


def test_table_max_version_caps_stored_versions(client, make_table):
    name = make_table([("k", "INTEGER")], max_version=2)
    pk, base = [("k", 1)], now_ms() - 60_000
    for i in range(4):
        client.update_row(name, Row(pk, {"put": [("a", i, base + i * STEP)]}), Condition("IGNORE"))

    _, row, _ = client.get_row(name, pk, max_version=10)

    assert cells(row) == expected([("a", 3, base + 3 * STEP), ("a", 2, base + 2 * STEP)])


def test_put_row_with_explicit_timestamps_keeps_them(client, make_table):
    name = make_table([("k", "INTEGER")], max_version=5)
    pk, base = [("k", 2)], now_ms() - 10_000

    client.put_row(name, Row(pk, [("a", "old", base), ("a", "new", base + STEP), ("z", 1.5, base)]), Condition("IGNORE"))
    _, row, _ = client.get_row(name, pk, max_version=5)

    assert cells(row) == expected([("a", "new", base + STEP), ("a", "old", base), ("z", 1.5, base)])


def test_update_put_without_timestamp_uses_server_time(client, make_table):
    name = make_table([("k", "INTEGER")], max_version=5)
    pk = [("k", 3)]
    before = now_ms()

    client.update_row(name, Row(pk, {"put": [("a", 10)]}), Condition("IGNORE"))
    _, row, _ = client.get_row(name, pk)

    (cell,) = row.attribute_columns
    assert (cell[0], canonical(cell[1])) == ("a", canonical(10))
    assert before - 1000 <= cell[2] <= now_ms() + 1000


def test_update_delete_one_version(client, make_table):
    name = make_table([("k", "STRING")], max_version=10)
    pk, base = [("k", "del1")], now_ms() - 60_000
    write_versions(client, name, pk, base)

    client.update_row(name, Row(pk, {"delete": [("a", None, base + STEP)]}), Condition("IGNORE"))
    _, row, _ = client.get_row(name, pk, max_version=10)

    assert cells(row) == expected([
        ("a", 3, base + 3 * STEP), ("a", 2, base + 2 * STEP), ("a", 0, base),
        ("b", "b1", base + STEP), ("b", "b0", base),
    ])


def test_update_delete_all_versions(client, make_table):
    name = make_table([("k", "STRING")], max_version=10)
    pk, base = [("k", "delall")], now_ms() - 60_000
    write_versions(client, name, pk, base)

    client.update_row(name, Row(pk, {"delete_all": ["a"]}), Condition("IGNORE"))
    _, row, _ = client.get_row(name, pk, max_version=10)

    assert cells(row) == expected([("b", "b1", base + STEP), ("b", "b0", base)])


def test_update_mixes_put_delete_and_delete_all_in_one_request(client, make_table):
    name = make_table([("k", "STRING")], max_version=10)
    pk, base = [("k", "mixed")], now_ms() - 60_000
    write_versions(client, name, pk, base)

    client.update_row(name, Row(pk, {
        "put": [("c", bytearray(b"\x00\xff"), base + 5 * STEP)],
        "delete": [("b", None, base)],
        "delete_all": ["a"],
    }), Condition("IGNORE"))
    _, row, _ = client.get_row(name, pk, max_version=10)

    assert cells(row) == expected([("b", "b1", base + STEP), ("c", bytearray(b"\x00\xff"), base + 5 * STEP)])


def test_row_with_only_primary_key_exists(client, make_table):
    name = make_table([("k", "INTEGER")], max_version=3)
    pk = [("k", 4)]

    client.put_row(name, Row(pk, []), Condition("IGNORE"))
    _, row, _ = client.get_row(name, pk)

    assert row is not None
    assert row.primary_key == pk
    assert row.attribute_columns == []
