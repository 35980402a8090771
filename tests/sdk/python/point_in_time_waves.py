"""Writes in waves for the point-in-time test (test_point_in_time.py), by the official SDK:
every kind of change a point-in-time restore must replay.

One wave `w` on a table keyed (s STRING, i INTEGER) keeping MAX_VERSIONS versions:
- put_row of the "p" rows (whole rows replaced; every value type, explicit and server
  timestamps);
- update_row of the "u" rows adding two versions each with explicit timestamps, so after a
  few waves they hold more versions than the table keeps;
- the "hot" row rewritten HOT_WRITES times (more than MAX_VERSIONS) in one wave;
- `middle()`: what the test does in the middle of the wave (a base backup, a shard split);
- update_row of the "v" row adding a version and deleting the previous wave's one (the row
  never holds more than two, so which version a read shows is not a question of trimming);
- update_row deleting a column (every version) of a "u" row and adding another column;
- delete_row of one "p" row (the next wave's put brings it back);
- batch_write_row: a put, an update and a delete in one request.
"""

from tablestore import (
    BatchWriteRowRequest,
    Condition,
    DeleteRowItem,
    PutRowItem,
    Row,
    RowExistenceExpectation,
    TableInBatchWriteRowItem,
    UpdateRowItem,
)

IGNORE = Condition(RowExistenceExpectation.IGNORE)
SCHEMA = [("s", "STRING"), ("i", "INTEGER")]
MAX_VERSIONS = 3
P_ROWS = 6
U_ROWS = 3
HOT_WRITES = 5


class Waves:
    """Writes wave after wave to `table`; explicit timestamps start at `base_ms` (in the past,
    within the table's allowed deviation) and differ in every wave."""

    def __init__(self, client, table, base_ms):
        self.client = client
        self.table = table
        self.base_ms = base_ms

    def ts(self, w, n):
        return self.base_ms + w * 1000 + n

    def update(self, pk, put=(), delete=(), delete_all=()):
        columns = {"put": list(put)}
        if delete:
            columns["delete"] = list(delete)
        if delete_all:
            columns["delete_all"] = list(delete_all)
        self.client.update_row(self.table, Row(pk, columns), IGNORE)

    def write(self, w, middle=lambda: None):
        ts = lambda n: self.ts(w, n)  # noqa: E731
        for i in range(P_ROWS):
            cells = [
                ("a", w * 10 + i, ts(i)),
                ("b", f"wave {w} ключ 😀"),
                ("d", w + i / 8, ts(i)),
                ("bin", bytearray([w, i, 0, 255]), ts(i)),
                ("flag", (w + i) % 2 == 0, ts(i)),
            ]
            self.client.put_row(self.table, Row([("s", "p"), ("i", i)], cells), IGNORE)
        for i in range(U_ROWS):
            self.update([("s", "u"), ("i", i)],
                        put=[("a", w * 100 + i, ts(10 + i)), ("a", -w, ts(20 + i)), ("note", f"u{w}")])
        for n in range(HOT_WRITES):
            self.update([("s", "hot"), ("i", 0)], put=[("v", w * 100 + n, ts(30 + n))])
        middle()
        self.update([("s", "v"), ("i", 0)],
                    put=[("a", f"version of wave {w}", ts(40))], delete=[("a", None, self.ts(w - 1, 40))])
        self.update([("s", "u"), ("i", w % U_ROWS)],
                    put=[("c", w + 0.5, ts(50))], delete_all=["note"])
        self.client.delete_row(self.table, Row([("s", "p"), ("i", (w + P_ROWS // 2) % P_ROWS)]), IGNORE)
        request = BatchWriteRowRequest()
        request.add(TableInBatchWriteRowItem(self.table, [
            PutRowItem(Row([("s", "batch"), ("i", w)], [("x", w % 2 == 0, ts(60)), ("y", f"b{w}")]), IGNORE),
            UpdateRowItem(Row([("s", "u"), ("i", 0)], {"put": [("z", bytearray(b"batch"), ts(61))]}), IGNORE),
            DeleteRowItem(Row([("s", "batch"), ("i", w - 1)]), IGNORE),
        ]))
        result = self.client.batch_write_row(request)
        assert result.is_all_succeed(), result.get_failed_rows()
