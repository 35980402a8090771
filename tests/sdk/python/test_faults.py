"""Injected faults as the official SDK sees them: partial batch failures and error responses."""

import pytest
from tablestore import (
    BatchWriteRowRequest,
    CapacityUnit,
    Condition,
    PutRowItem,
    ReservedThroughput,
    Row,
    TableInBatchWriteRowItem,
    TableMeta,
    TableOptions,
)
from tablestore.retry import DefaultRetryPolicy

from conftest import make_client
from expect import assert_cell_values, service_error

IGNORE = Condition("IGNORE")


@pytest.fixture
def faults(emulator):
    """Sets fault settings for one test and always clears them afterwards."""
    yield emulator.set_faults
    emulator.set_faults({})


def put_batch(client, name, keys):
    request = BatchWriteRowRequest()
    request.add(TableInBatchWriteRowItem(name, [PutRowItem(Row([("k", k)], [("v", k)]), IGNORE) for k in keys]))
    return client.batch_write_row(request)


def test_seeded_batch_row_failures_fail_rows_individually(emulator, client, make_table, faults):
    name = make_table([("k", "INTEGER")])
    failed_before = emulator.stats()["failed_batch_rows"]
    faults({"batch_row_failure_rate": 0.5, "seed": 1, "batch_row_error_code": "OTSServerBusy"})

    result = put_batch(client, name, range(200))

    rows = result.get_put_by_table(name)
    failed = [r.index for r in rows if not r.is_ok]
    assert [r.index for r in rows] == list(range(200))
    assert 40 < len(failed) < 160, f"about half of 200 rows fail, got {len(failed)}"
    assert {r.error_code for r in rows if not r.is_ok} == {"OTSServerBusy"}
    assert all(r.error_code is None for r in rows if r.is_ok)
    assert emulator.stats()["failed_batch_rows"] - failed_before == len(failed)
    faults({})
    for r in rows:
        _, row, _ = client.get_row(name, [("k", r.index)])
        if r.is_ok:
            assert_cell_values(row.attribute_columns, [("v", r.index)])
        else:
            assert row is None, f"failed row {r.index} must not be applied"


def test_fail_next_batch_rows_is_exact(client, make_table, faults):
    name = make_table([("k", "INTEGER")])
    faults({"fail_next_batch_rows": 2, "batch_row_error_code": "OTSTimeout"})

    result = put_batch(client, name, range(5))

    rows = result.get_put_by_table(name)
    assert [(r.is_ok, r.error_code) for r in rows] == [
        (False, "OTSTimeout"), (False, "OTSTimeout"), (True, None), (True, None), (True, None),
    ]


def test_injected_error_reaches_client_with_service_status(emulator, client, make_table, faults):
    name = make_table([("k", "INTEGER")])
    client.put_row(name, Row([("k", 1)], [("v", 1)]), IGNORE)
    faults({"fail_next": 1, "error_codes": ["OTSServerBusy"], "actions": ["GetRow"]})
    injected_before = emulator.stats()["injected_errors"]

    with service_error(503, "OTSServerBusy"):
        client.get_row(name, [("k", 1)])
    _, row, _ = client.get_row(name, [("k", 1)])
    assert_cell_values(row.attribute_columns, [("v", 1)])
    assert emulator.stats()["injected_errors"] - injected_before == 1


def test_sdk_default_retry_policy_recovers_from_injected_errors(emulator, client, make_table, faults):
    name = make_table([("k", "INTEGER")])
    client.put_row(name, Row([("k", 1)], [("v", "ok")]), IGNORE)
    retrying = make_client(emulator.endpoint, retry_policy=DefaultRetryPolicy())
    faults({"fail_next": 2, "error_codes": ["OTSServerBusy", "OTSTimeout"], "actions": ["GetRow"]})
    gets_before = emulator.stats()["requests"].get("GetRow", 0)

    _, row, _ = retrying.get_row(name, [("k", 1)])

    assert_cell_values(row.attribute_columns, [("v", "ok")])
    assert emulator.stats()["requests"]["GetRow"] - gets_before == 3, "two failures, then success"


def test_reset_drops_every_table(emulator, client, unique_name):
    name = unique_name()
    client.create_table(TableMeta(name, [("k", "INTEGER")]), TableOptions(), ReservedThroughput(CapacityUnit(0, 0)))
    tables = len(client.list_table())

    answer = emulator.reset()

    assert answer == {"tables_dropped": tables}
    assert client.list_table() == ()
    assert emulator.stats()["tables"] == 0
