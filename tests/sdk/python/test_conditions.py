"""Row existence conditions and auto-increment primary keys."""

from tablestore import PK_AUTO_INCR, Condition, ReturnType, Row, RowExistenceExpectation

from expect import assert_cell_values, service_error

EXPECT_EXIST = Condition(RowExistenceExpectation.EXPECT_EXIST)
EXPECT_NOT_EXIST = Condition(RowExistenceExpectation.EXPECT_NOT_EXIST)


def test_put_expect_not_exist_succeeds_once_then_fails(client, make_table):
    name = make_table([("k", "STRING")])
    pk = [("k", "once")]

    client.put_row(name, Row(pk, [("v", 1)]), EXPECT_NOT_EXIST)
    with service_error(403, "OTSConditionCheckFail"):
        client.put_row(name, Row(pk, [("v", 2)]), EXPECT_NOT_EXIST)

    _, row, _ = client.get_row(name, pk)
    assert_cell_values(row.attribute_columns, [("v", 1)])


def test_put_expect_exist_fails_on_missing_row_and_writes_nothing(client, make_table):
    name = make_table([("k", "STRING")])
    pk = [("k", "missing")]

    with service_error(403, "OTSConditionCheckFail"):
        client.put_row(name, Row(pk, [("v", 1)]), EXPECT_EXIST)

    _, row, _ = client.get_row(name, pk)
    assert row is None


def test_put_expect_exist_succeeds_on_existing_row(client, make_table):
    name = make_table([("k", "STRING")])
    pk = [("k", "there")]
    client.put_row(name, Row(pk, [("v", 1)]), Condition("IGNORE"))

    client.put_row(name, Row(pk, [("v", 2)]), EXPECT_EXIST)

    _, row, _ = client.get_row(name, pk)
    assert_cell_values(row.attribute_columns, [("v", 2)])


def test_update_and_delete_expect_exist_fail_on_missing_row(client, make_table):
    name = make_table([("k", "INTEGER")])
    pk = [("k", 99)]

    with service_error(403, "OTSConditionCheckFail"):
        client.update_row(name, Row(pk, {"put": [("v", 1)]}), EXPECT_EXIST)
    with service_error(403, "OTSConditionCheckFail"):
        client.delete_row(name, Row(pk), EXPECT_EXIST)

    _, row, _ = client.get_row(name, pk)
    assert row is None


def test_update_expect_not_exist_fails_on_existing_row(client, make_table):
    name = make_table([("k", "INTEGER")])
    pk = [("k", 5)]
    client.put_row(name, Row(pk, [("v", "keep")]), Condition("IGNORE"))

    with service_error(403, "OTSConditionCheckFail"):
        client.update_row(name, Row(pk, {"put": [("v", "changed")]}), EXPECT_NOT_EXIST)

    _, row, _ = client.get_row(name, pk)
    assert_cell_values(row.attribute_columns, [("v", "keep")])


def test_delete_expect_exist_succeeds_on_existing_row(client, make_table):
    name = make_table([("k", "INTEGER")])
    pk = [("k", 6)]
    client.put_row(name, Row(pk, [("v", 1)]), Condition("IGNORE"))

    client.delete_row(name, Row(pk), EXPECT_EXIST)

    _, row, _ = client.get_row(name, pk)
    assert row is None


def test_auto_increment_returns_assigned_key_with_rt_pk(client, make_table):
    name = make_table([("part", "STRING"), ("seq", "INTEGER", PK_AUTO_INCR)])

    assigned = []
    for i in range(3):
        _, returned = client.put_row(
            name, Row([("part", "p"), ("seq", PK_AUTO_INCR)], [("n", i)]),
            Condition("IGNORE"), return_type=ReturnType.RT_PK,
        )
        assert [c[0] for c in returned.primary_key] == ["part", "seq"]
        assert returned.primary_key[0][1] == "p"
        seq = returned.primary_key[1][1]
        assert isinstance(seq, int) and not isinstance(seq, bool)
        assigned.append(seq)

    assert len(set(assigned)) == 3
    assert assigned == sorted(assigned), "auto-increment values grow within a partition"
    for i, seq in enumerate(assigned):
        _, row, _ = client.get_row(name, [("part", "p"), ("seq", seq)])
        assert_cell_values(row.attribute_columns, [("n", i)])


def test_put_without_return_type_returns_no_row(client, make_table):
    name = make_table([("part", "STRING"), ("seq", "INTEGER", PK_AUTO_INCR)])

    _, returned = client.put_row(name, Row([("part", "q"), ("seq", PK_AUTO_INCR)], [("n", 1)]), Condition("IGNORE"))

    assert returned is None
