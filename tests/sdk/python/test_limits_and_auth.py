"""Service limits, key/schema errors and authentication, with exact status and code."""

import pytest
from tablestore import Condition, OTSServiceError, Row

from conftest import ACCESS_KEY_ID, ACCESS_KEY_SECRET, make_client
from expect import assert_cell_values, service_error

MB = 1024 * 1024
IGNORE = Condition("IGNORE")


def test_primary_key_string_of_1024_bytes_is_accepted_and_1025_rejected(client, make_table):
    name = make_table([("k", "STRING")])

    client.put_row(name, Row([("k", "é" * 512)], [("v", 1)]), IGNORE)  # 1024 UTF-8 bytes
    with service_error(400, "OTSParameterInvalid"):
        client.put_row(name, Row([("k", "k" * 1025)], [("v", 1)]), IGNORE)


def test_primary_key_binary_over_1kb_is_rejected(client, make_table):
    name = make_table([("k", "BINARY")])

    with service_error(400, "OTSParameterInvalid"):
        client.put_row(name, Row([("k", bytearray(1025))], [("v", 1)]), IGNORE)


def test_cell_of_2mb_is_accepted_and_larger_rejected(client, make_table):
    name = make_table([("k", "INTEGER")])
    exactly_2mb = bytearray(b"\xab" * (2 * MB))

    client.put_row(name, Row([("k", 1)], [("big", exactly_2mb)]), IGNORE)
    _, row, _ = client.get_row(name, [("k", 1)])
    assert_cell_values(row.attribute_columns, [("big", exactly_2mb)])

    with service_error(400, "OTSParameterInvalid"):
        client.put_row(name, Row([("k", 2)], [("big", "s" * (2 * MB + 1))]), IGNORE)
    _, row, _ = client.get_row(name, [("k", 2)])
    assert row is None


def test_wrong_primary_key_type_is_invalid_pk(client, make_table):
    name = make_table([("k", "INTEGER")])

    with service_error(400, "OTSInvalidPK"):
        client.put_row(name, Row([("k", "not an integer")], [("v", 1)]), IGNORE)


def test_missing_primary_key_column_is_invalid_pk(client, make_table):
    name = make_table([("a", "INTEGER"), ("b", "INTEGER")])

    with service_error(400, "OTSInvalidPK"):
        client.put_row(name, Row([("a", 1)], [("v", 1)]), IGNORE)


def test_wrong_secret_is_auth_failed(emulator):
    intruder = make_client(emulator.endpoint, secret=ACCESS_KEY_SECRET + "-wrong")

    with service_error(403, "OTSAuthFailed"):
        intruder.list_table()


def test_unknown_access_key_id_is_auth_failed(emulator):
    intruder = make_client(emulator.endpoint, key_id=ACCESS_KEY_ID + "-unknown")

    with service_error(403, "OTSAuthFailed"):
        intruder.list_table()


def test_wrong_secret_cannot_write(emulator, client, make_table):
    name = make_table([("k", "INTEGER")])
    intruder = make_client(emulator.endpoint, secret="not-the-secret")

    with pytest.raises(OTSServiceError) as info:
        intruder.put_row(name, Row([("k", 1)], [("v", 1)]), IGNORE)

    assert (info.value.get_http_status(), info.value.get_error_code()) == (403, "OTSAuthFailed")
    _, row, _ = client.get_row(name, [("k", 1)])
    assert row is None
