'use strict';
// Every value type written and read back exactly, multi-version cells and UpdateRow ops.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startEmulator } = require('./emulator');
const {
  TableStore, Long, Int64, IGNORE, makeClient, uniqueName, createTable, expectHttpError,
  canonical, pkOf, expectedPk, cellsOf,
} = require('./support');

let emulator;
let client;

before(async () => {
  emulator = await startEmulator();
  client = makeClient(emulator.endpoint);
});
after(async () => emulator && emulator.stop());

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

// Sorted by column name: Tablestore returns attribute columns in name order.
const CELLS = [
  ['b_false', false],
  ['b_true', true],
  ['d_inf', Infinity],
  ['d_nan', NaN],
  ['d_neg_inf', -Infinity],
  ['d_neg_zero', -0],
  ['d_subnormal', 5e-324],
  ['d_tenth', 0.1],
  ['i_2p31_plus1', Long.fromString('2147483649')],
  ['i_max', Long.fromString('9223372036854775807')],
  ['i_min', Long.fromString('-9223372036854775808')],
  ['i_neg', Long.fromNumber(-42)],
  ['s_empty', ''],
  ['s_unicode', '表格存储 héllo 😀'],
  ['x_all_bytes', ALL_BYTES],
  ['x_empty', Buffer.alloc(0)],
];

test('every attribute type round-trips with exact bits and types', async () => {
  const name = await createTable(client, uniqueName('types'), [
    { name: 'pk_i', type: 'INTEGER' }, { name: 'pk_s', type: 'STRING' }, { name: 'pk_b', type: 'BINARY' },
  ]);
  const pk = [{ pk_i: Long.fromString('-9223372036854775808') }, { pk_s: '日本語' }, { pk_b: ALL_BYTES }];

  await client.putRow({
    tableName: name, condition: IGNORE, primaryKey: pk,
    attributeColumns: CELLS.map(([n, v]) => ({ [n]: v })),
  });
  const { row } = await client.getRow({ tableName: name, primaryKey: pk, maxVersions: 1 });

  assert.deepEqual(pkOf(row), expectedPk(pk));
  assert.deepEqual(cellsOf(row), CELLS.map(([n, v]) => [n, canonical(v)]));
  const byName = Object.fromEntries(row.attributes.map((c) => [c.columnName, c.columnValue]));
  assert.ok(byName.i_max instanceof Int64, 'int64 cells come back as Int64 (TableStore.Long)');
  assert.equal(byName.i_max.toString(10), '9223372036854775807');
  assert.ok(Object.is(byName.d_neg_zero, -0));
  assert.ok(Number.isNaN(byName.d_nan));
  assert.ok(Buffer.isBuffer(byName.x_all_bytes) && byName.x_all_bytes.equals(ALL_BYTES));
  assert.ok(row.primaryKey[0].value instanceof Int64);
  assert.ok(Buffer.isBuffer(row.primaryKey[2].value));
  await client.deleteTable({ tableName: name });
});

test('missing row reads as an empty row', async () => {
  const name = await createTable(client, uniqueName('missing'), [{ name: 'k', type: 'STRING' }]);

  const { row } = await client.getRow({ tableName: name, primaryKey: [{ k: 'nope' }] });

  assert.deepEqual(row, {});
  await client.deleteTable({ tableName: name });
});

test('multi-version cells: maxVersions and timeRange, then DELETE one version and DELETE_ALL', async () => {
  const name = await createTable(client, uniqueName('versions'), [{ name: 'k', type: 'STRING' }], { maxVersions: 10 });
  const pk = [{ k: 'row' }];
  const base = Date.now() - 60000;
  for (let i = 0; i < 4; i++) {
    await client.updateRow({
      tableName: name, condition: IGNORE, primaryKey: pk,
      updateOfAttributeColumns: [{ PUT: [{ a: Long.fromNumber(i), timestamp: base + i * 1000 }] }],
    });
  }
  await client.updateRow({
    tableName: name, condition: IGNORE, primaryKey: pk,
    updateOfAttributeColumns: [{ PUT: [{ b: 'b0', timestamp: base }] }],
  });
  const read = async (extra) => cellsOf((await client.getRow({ tableName: name, primaryKey: pk, ...extra })).row,
    { withTimestamps: true });
  const a = (i) => ['a', canonical(Long.fromNumber(i)), base + i * 1000];
  const b0 = ['b', canonical('b0'), base];

  assert.deepEqual(await read({ maxVersions: 10 }), [a(3), a(2), a(1), a(0), b0]);
  assert.deepEqual(await read({ maxVersions: 2 }), [a(3), a(2), b0]);
  assert.deepEqual(await read({
    maxVersions: 10, timeRange: { startTime: String(base + 1000), endTime: String(base + 3000) },
  }), [a(2), a(1)]);

  await client.updateRow({
    tableName: name, condition: IGNORE, primaryKey: pk,
    updateOfAttributeColumns: [{ DELETE: [{ a: Long.fromNumber(base + 2000) }] }],
  });
  assert.deepEqual(await read({ maxVersions: 10 }), [a(3), a(1), a(0), b0]);

  await client.updateRow({
    tableName: name, condition: IGNORE, primaryKey: pk,
    updateOfAttributeColumns: [{ DELETE_ALL: ['a'] }, { PUT: [{ c: true, timestamp: base }] }],
  });
  assert.deepEqual(await read({ maxVersions: 10 }), [b0, ['c', canonical(true), base]]);
  await client.deleteTable({ tableName: name });
});

test('conditions: EXPECT_NOT_EXIST on an existing row is HTTP 403', async () => {
  const name = await createTable(client, uniqueName('cond'), [{ name: 'k', type: 'INTEGER' }]);
  const pk = [{ k: Long.fromNumber(1) }];
  const notExist = new TableStore.Condition(TableStore.RowExistenceExpectation.EXPECT_NOT_EXIST, null);
  const exist = new TableStore.Condition(TableStore.RowExistenceExpectation.EXPECT_EXIST, null);

  await client.putRow({ tableName: name, condition: notExist, primaryKey: pk, attributeColumns: [{ v: 'first' }] });
  await expectHttpError(
    client.putRow({ tableName: name, condition: notExist, primaryKey: pk, attributeColumns: [{ v: 'second' }] }),
    403, 'OTSConditionCheckFail');
  await expectHttpError(
    client.deleteRow({ tableName: name, condition: exist, primaryKey: [{ k: Long.fromNumber(2) }] }),
    403, 'OTSConditionCheckFail');

  const { row } = await client.getRow({ tableName: name, primaryKey: pk });
  assert.deepEqual(cellsOf(row), [['v', canonical('first')]]);
  await client.deleteTable({ tableName: name });
});

test('auto-increment primary key is returned with ReturnType.Primarykey', async () => {
  const name = await createTable(client, uniqueName('autoinc'), [
    { name: 'part', type: 'STRING' }, { name: 'seq', type: 'INTEGER', option: 'AUTO_INCREMENT' },
  ]);

  const data = await client.putRow({
    tableName: name, condition: IGNORE,
    primaryKey: [{ part: 'p' }, { seq: TableStore.PK_AUTO_INCR }],
    attributeColumns: [{ v: 'x' }],
    returnContent: { returnType: TableStore.ReturnType.Primarykey },
  });

  assert.deepEqual(data.row.primaryKey.map((c) => c.name), ['part', 'seq']);
  const seq = data.row.primaryKey[1].value;
  assert.ok(seq instanceof Int64);
  const { row } = await client.getRow({ tableName: name, primaryKey: [{ part: 'p' }, { seq }] });
  assert.deepEqual(cellsOf(row), [['v', canonical('x')]]);
  await client.deleteTable({ tableName: name });
});
