"""Point-in-time restore end to end (issue 12), with every write and every read done by the
official Python SDK: the real `tablevault serve` daemon, the emulator, and each change store
(archive, and the MongoDB test server).

A continuous schedule captures a table while the SDK writes WAVES waves of changes
(point_in_time_waves.py: puts, updates adding versions with explicit timestamps and deleting
one version or a whole column, row deletes, batches, a row rewritten more often than the table
keeps versions). After each wave the test records the instant, waits until the daemon's
`capture.captured_until` has passed it, and reads the whole table with the SDK (get_range,
every version). A base backup runs in the middle of wave BASE_IN_WAVE, so the chain of changes
crosses it; the stream's shard is split (the emulator's control switch) in the middle of wave
SPLIT_IN_WAVE. Then each instant after the base is restored into a new table, which must equal
that instant's snapshot exactly: every row, column, value type, version and timestamp. The
instant before the base, and one after what is captured, are refused with a 422 naming the
restorable window.
"""

from datetime import datetime, timedelta, timezone

import pytest
from tablestore import OTSServiceError

from conftest import ACCESS_KEY_ID, ACCESS_KEY_SECRET, INSTANCE
from daemon_process import DaemonProcess, config_text, poll_until
from expect import now_ms
from point_in_time_waves import HOT_WRITES, MAX_VERSIONS, SCHEMA, Waves
from round_trip_data import read_table

STORES = ["archive", "mongo"]
WAVES = 4
BASE_IN_WAVE = 2
SPLIT_IN_WAVE = 3
CAPTURE_LIMIT_S = 30


@pytest.fixture(scope="module")
def daemon(emulator, mongo_server):
    """The daemon with source `emu` (the session's emulator) and stores `archive`, `mongo`."""
    stores = lambda directory: f"""
[stores.archive]
kind = "archive"
path = "{directory}/archive"

[stores.mongo]
kind = "mongodb"
uri = "{mongo_server.uri}"
database_prefix = "tvpitr"
"""  # noqa: E731
    source = (emulator.endpoint, INSTANCE, ACCESS_KEY_ID, ACCESS_KEY_SECRET)
    process = DaemonProcess(lambda directory: config_text(directory, source, stores(directory)))
    yield process
    process.stop()


def rfc3339(instant):
    return instant.isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_instant(text):
    return None if text is None else datetime.fromisoformat(text)


def continuous_schedule(daemon, table, store):
    """Creates the schedule (its cron never fires during the test) and waits for capture."""
    status, schedule = daemon.api("POST", "/schedules", {
        "name": f"pitr-{table}", "cron": "0 3 1 1 *", "source": "emu", "store": store,
        "tables": [table], "mode": "continuous",
    })
    assert status == 201, schedule

    def attempt():
        capture = daemon.get(f"/schedules/{schedule['id']}")["capture"]
        return capture["status"] == "running", capture
    poll_until("capture running", CAPTURE_LIMIT_S, attempt)
    return schedule["id"]


def wait_until_captured(daemon, schedule_id, instant):
    """Polls the schedule until `capture.captured_until` has passed `instant`."""
    def attempt():
        capture = daemon.get(f"/schedules/{schedule_id}")["capture"]
        until = parse_instant(capture["captured_until"])
        return until is not None and until >= instant, capture
    poll_until(f"capture past {rfc3339(instant)}", CAPTURE_LIMIT_S, attempt)


def restore(daemon, schedule_id, table, instant, target):
    return daemon.api("POST", "/restores", {
        "schedule_id": schedule_id, "point_in_time": rfc3339(instant), "tables": [table],
        "rename": {table: target},
    })


def delete_if_present(client, table):
    try:
        client.delete_table(table)
    except OTSServiceError as e:
        if e.get_error_code() != "OTSObjectNotExist":
            raise


def assert_refused(response, *phrases):
    status, problem = response
    assert status == 422, problem
    for phrase in phrases:
        assert phrase in problem["detail"], problem


def start_base_backup(daemon, schedule_id):
    """Runs the schedule's base backup now and returns once it has started (so whatever the
    test writes next lands during its scan or after it); returns the run id."""
    status, accepted = daemon.api("POST", f"/schedules/{schedule_id}/run", {})
    assert status == 202, accepted

    def attempt():
        run = daemon.get(f"/runs/{accepted['run_id']}")
        return run["status"] != "queued", run
    poll_until("the base backup to start", CAPTURE_LIMIT_S, attempt)
    return accepted["run_id"]


def write_waves(daemon, emulator, client, table, schedule_id):
    """Writes the waves (a base backup in one, a shard split in another); returns the instant
    after each wave with the table as the SDK read it then, and the base's run id."""
    waves = Waves(client, table, now_ms() - 60_000)
    runs, splits, snapshots = [], [], []

    def middle_of(w):
        if w == BASE_IN_WAVE:
            runs.append(start_base_backup(daemon, schedule_id))
        elif w == SPLIT_IN_WAVE:
            splits.append(emulator.control("POST", "/_emulator/streams/split", {"table": table}))

    for w in range(1, WAVES + 1):
        waves.write(w, middle=lambda: middle_of(w))
        if w == BASE_IN_WAVE:
            run = daemon.finished_run(runs[0])
            assert run["status"] == "succeeded", (run, daemon.logs())
        instant = datetime.now(timezone.utc)
        wait_until_captured(daemon, schedule_id, instant)
        snapshots.append((instant, read_table(client, table)))
    assert len(splits) == 1 and len(splits[0]["children"]) == 2, splits
    return snapshots, runs[0]


@pytest.mark.parametrize("store", STORES)
def test_a_restore_to_each_instant_equals_what_the_sdk_read_then(store, client, emulator, daemon, make_table):
    table = make_table(SCHEMA, max_version=MAX_VERSIONS)
    schedule_id = continuous_schedule(daemon, table, store)
    targets = []
    try:
        snapshots, base_run = write_waves(daemon, emulator, client, table, schedule_id)
        base = daemon.get(f"/backups/{daemon.get(f'/runs/{base_run}')['backup_id']}")
        assert (base["status"], base["store"]) == ("completed", store), base
        assert len({repr(rows) for _, rows in snapshots}) == WAVES, "every wave changed the table"
        hot = dict(snapshots[-1][1])[(("s", ("string", "hot")), ("i", ("int", 0)))]
        assert len(hot) == MAX_VERSIONS < HOT_WRITES, "the hot row keeps only the newest versions"

        # Before the base had finished, and after what is captured: refused, naming the window.
        assert_refused(restore(daemon, schedule_id, table, snapshots[0][0], f"{table}_early"),
                       "before the restorable window", "the restorable window is from")
        future = datetime.now(timezone.utc) + timedelta(hours=1)
        assert_refused(restore(daemon, schedule_id, table, future, f"{table}_future"),
                       "after the restorable window", "the restorable window is from")

        for w, (instant, expected) in enumerate(snapshots[BASE_IN_WAVE - 1:], start=BASE_IN_WAVE):
            target = f"{table}_at_{w}"
            targets.append(target)
            status, accepted = restore(daemon, schedule_id, table, instant, target)
            assert status == 202, (rfc3339(instant), accepted)
            run = daemon.finished_run(accepted["run_id"])
            assert run["status"] == "succeeded", (run, daemon.logs())
            assert run["backup_id"] == base["id"], "the replay starts from the base in the wave"
            assert read_table(client, target) == expected, f"the table at wave {w} ({rfc3339(instant)})"
    finally:
        status, _ = daemon.api("DELETE", f"/schedules/{schedule_id}")
        assert status == 204
        for target in targets:
            delete_if_present(client, target)
