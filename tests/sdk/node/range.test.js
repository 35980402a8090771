'use strict';
// More than 12,000 rows paged through getRange forward and backward, in exact key order.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startEmulator } = require('./emulator');
const {
  TableStore, Long, IGNORE, makeClient, uniqueName, createTable, canonical, pkOf, expectedPk,
} = require('./support');

const ROWS = 12345;
const BATCH = 200;

let emulator;
let client;
let table;
let sortedKeys;

// Keys: (string partition, negative-and-positive integer); sorted the way Tablestore sorts:
// strings bytewise (UTF-8), integers numerically.
function makeKeys() {
  const parts = ['', 'a', 'é', 'z', '日'];
  const keys = [];
  for (let n = 0; n < ROWS; n++) {
    const mixed = (n * 7919) % ROWS;
    keys.push({ s: parts[mixed % parts.length] + String(mixed % 13), i: (n % 2 ? -1 : 1) * n, n });
  }
  return keys;
}

function compareKeys(x, y) {
  const c = Buffer.compare(Buffer.from(x.s, 'utf8'), Buffer.from(y.s, 'utf8'));
  return c !== 0 ? c : x.i - y.i;
}

const toPk = (k) => [{ s: k.s }, { i: Long.fromNumber(k.i) }];

before(async () => {
  emulator = await startEmulator();
  client = makeClient(emulator.endpoint);
  table = await createTable(client, uniqueName('range'), [{ name: 's', type: 'STRING' }, { name: 'i', type: 'INTEGER' }]);
  const keys = makeKeys();
  for (let start = 0; start < keys.length; start += BATCH) {
    const rows = keys.slice(start, start + BATCH).map((k) => ({
      type: 'PUT', condition: IGNORE, primaryKey: toPk(k), attributeColumns: [{ n: Long.fromNumber(k.n) }],
    }));
    const data = await client.batchWriteRow({ tables: [{ tableName: table, rows }] });
    assert.ok(data.tables.every((r) => r.isOk), 'every loaded row is written');
  }
  sortedKeys = keys.sort(compareKeys);
});
after(async () => emulator && emulator.stop());

// The SDK's documented loop: re-issue with nextStartPrimaryKey until it is null.
async function readAll(direction, start, end, limit) {
  const rows = [];
  let pages = 0;
  let next = start;
  while (next) {
    const data = await client.getRange({
      tableName: table, direction, inclusiveStartPrimaryKey: next, exclusiveEndPrimaryKey: end, limit, maxVersions: 1,
    });
    rows.push(...data.rows);
    pages += 1;
    assert.ok(pages < 1000, 'pagination terminates');
    next = data.nextStartPrimaryKey ? data.nextStartPrimaryKey.map((c) => ({ [c.name]: c.value })) : null;
  }
  return { rows, pages };
}

function check(rows, expected) {
  assert.equal(rows.length, expected.length);
  assert.deepEqual(rows.map(pkOf), expected.map((k) => expectedPk(toPk(k))));
  rows.forEach((row, idx) => {
    assert.deepEqual(row.attributes.map((c) => [c.columnName, canonical(c.columnValue)]),
      [['n', canonical(Long.fromNumber(expected[idx].n))]]);
  });
}

const MIN = [{ s: TableStore.INF_MIN }, { i: TableStore.INF_MIN }];
const MAX = [{ s: TableStore.INF_MAX }, { i: TableStore.INF_MAX }];

test('forward scan pages through every row in key order', async () => {
  const { rows, pages } = await readAll(TableStore.Direction.FORWARD, MIN, MAX);
  assert.ok(pages >= 3, `12,345 rows need at least three 5000-row pages, got ${pages}`);
  check(rows, sortedKeys);
});

test('backward scan pages through every row in reverse key order', async () => {
  const { rows, pages } = await readAll(TableStore.Direction.BACKWARD, MAX, MIN);
  assert.ok(pages >= 3);
  check(rows, [...sortedKeys].reverse());
});

test('limit bounds pages, inner range is start-inclusive end-exclusive', async () => {
  const lo = 1000;
  const hi = 9000;
  const { rows, pages } = await readAll(TableStore.Direction.FORWARD, toPk(sortedKeys[lo]), toPk(sortedKeys[hi]), 1500);
  assert.ok(pages >= 6, `8000 rows at limit 1500 need 6 pages, got ${pages}`);
  check(rows, sortedKeys.slice(lo, hi));

  const back = await readAll(TableStore.Direction.BACKWARD, toPk(sortedKeys[hi]), toPk(sortedKeys[lo]), 1500);
  check(back.rows, sortedKeys.slice(lo + 1, hi + 1).reverse());
});
