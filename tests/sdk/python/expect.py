"""Exact comparisons for values read back through the SDK, and expected service errors."""

import contextlib
import struct
import time

import pytest
from tablestore import OTSServiceError


def now_ms():
    return int(time.time() * 1000)


def canonical(value):
    """A form where equality means "the same Tablestore value": type plus exact bits.

    Doubles compare by their IEEE bits (so -0.0 != 0.0 and NaN == NaN of the same payload),
    bools never equal ints, and bytes/bytearray are both binaries.
    """
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("double", struct.pack("<d", value))
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, (bytes, bytearray)):
        return ("binary", bytes(value))
    raise TypeError(f"unexpected value type {type(value).__name__}: {value!r}")


def canonical_pk(primary_key):
    return [(name, canonical(value)) for name, value in primary_key]


def canonical_cells(attribute_columns):
    """[(name, value, timestamp)] -> [(name, canonical value, timestamp)], order kept."""
    return [(cell[0], canonical(cell[1]), cell[2]) for cell in attribute_columns]


def assert_pk(actual, expected):
    assert canonical_pk(actual) == canonical_pk(expected)


def assert_cell_values(actual_cells, expected):
    """Cells (one version each) equal `expected` [(name, value)] in order; timestamps ignored."""
    got = [(cell[0], canonical(cell[1])) for cell in actual_cells]
    assert got == [(name, canonical(value)) for name, value in expected]


def assert_timestamps_plausible(cells, before_ms, after_ms):
    """Server-assigned timestamps are milliseconds of the write."""
    for cell in cells:
        assert before_ms - 1000 <= cell[2] <= after_ms + 1000, cell


@contextlib.contextmanager
def service_error(http_status, code):
    """Expects the block to fail with exactly this HTTP status and Tablestore error code."""
    with pytest.raises(OTSServiceError) as info:
        yield info
    err = info.value
    assert (err.get_http_status(), err.get_error_code()) == (http_status, code), str(err)
    assert err.get_request_id(), "error responses carry x-ots-requestid"
