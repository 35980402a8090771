"""Fixtures for the official-Python-SDK suite: one emulator per session, SDK clients, tables."""

import re
import uuid

import pytest
from tablestore import (
    CapacityUnit,
    OTSClient,
    OTSServiceError,
    ReservedThroughput,
    TableMeta,
    TableOptions,
)
from tablestore.retry import NoRetryPolicy

from emulator_process import EmulatorProcess
from mongo_process import MongoServer

INSTANCE = "sdktest"
ACCESS_KEY_ID = "sdk-test-ak"
ACCESS_KEY_SECRET = "sdk-test-secret"


@pytest.fixture(scope="session")
def emulator():
    proc = EmulatorProcess(INSTANCE, ACCESS_KEY_ID, ACCESS_KEY_SECRET)
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def mongo_server():
    """A MongoDB test server (secantusd-rs) of the test module's own, for the store tests."""
    server = MongoServer()
    yield server
    server.stop()


def make_client(endpoint, secret=ACCESS_KEY_SECRET, key_id=ACCESS_KEY_ID, **kwargs):
    # No retries: every error the emulator returns must reach the test unchanged.
    # native_fallback=False: a response the native PlainBuffer parser rejects fails the test
    # instead of being silently re-read by the Python decoder.
    kwargs.setdefault("retry_policy", NoRetryPolicy())
    kwargs.setdefault("native_fallback", False)
    return OTSClient(endpoint, key_id, secret, INSTANCE, **kwargs)


@pytest.fixture(scope="session")
def client(emulator):
    return make_client(emulator.endpoint)


@pytest.fixture(scope="session")
def pure_python_client(emulator):
    """Decodes responses with the SDK's pure-Python PlainBuffer reader (checks every CRC)."""
    return make_client(emulator.endpoint, enable_native=False)


@pytest.fixture
def unique_name(request):
    """Table names unique per test (Tablestore names: [A-Za-z_][A-Za-z0-9_]*, <= 255 bytes)."""
    stem = re.sub(r"[^A-Za-z0-9_]", "_", request.node.name)[:60]
    counter = iter(range(1000))

    def name():
        return f"t_{stem}_{uuid.uuid4().hex[:8]}_{next(counter)}"

    return name


@pytest.fixture
def make_table(client, unique_name):
    """Creates tables for one test and deletes them afterwards (an instance holds <= 64 tables)."""
    created = []

    def create(schema, defined_columns=None, max_version=1, time_to_live=-1, max_time_deviation=86400):
        name = unique_name()
        client.create_table(
            TableMeta(name, schema, defined_columns),
            TableOptions(time_to_live=time_to_live, max_version=max_version, max_time_deviation=max_time_deviation),
            ReservedThroughput(CapacityUnit(0, 0)),
        )
        created.append(name)
        return name

    yield create
    for name in created:
        try:
            client.delete_table(name)
        except OTSServiceError as e:
            if e.get_error_code() != "OTSObjectNotExist":
                raise
