'use strict';
// batchWriteRow with a partial failure, request limits as HTTP statuses, wrong secret refused.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startEmulator } = require('./emulator');
const {
  TableStore, Long, IGNORE, makeClient, uniqueName, createTable, expectHttpError, canonical, cellsOf,
} = require('./support');

const EXPECT_EXIST = new TableStore.Condition(TableStore.RowExistenceExpectation.EXPECT_EXIST, null);

let emulator;
let client;
let table;

before(async () => {
  emulator = await startEmulator();
  client = makeClient(emulator.endpoint);
  table = await createTable(client, uniqueName('batch'), [{ name: 'k', type: 'INTEGER' }]);
});
after(async () => emulator && emulator.stop());

const pkOfInt = (i) => [{ k: Long.fromNumber(i) }];
const putRow = (i, condition = IGNORE) => ({
  type: 'PUT', condition, primaryKey: pkOfInt(i), attributeColumns: [{ v: `row ${i}` }],
});

async function read(i) {
  return (await client.getRow({ tableName: table, primaryKey: pkOfInt(i) })).row;
}

test('batch with one failing condition reports per-row results', async () => {
  await client.putRow({ tableName: table, condition: IGNORE, primaryKey: pkOfInt(30), attributeColumns: [{ v: 'old' }] });

  const data = await client.batchWriteRow({ tables: [{ tableName: table, rows: [
    putRow(10),
    putRow(11, EXPECT_EXIST), // row 11 does not exist
    { type: 'UPDATE', condition: IGNORE, primaryKey: pkOfInt(12), attributeColumns: [{ PUT: [{ w: true }] }] },
    { type: 'DELETE', condition: IGNORE, primaryKey: pkOfInt(30) },
  ] }] });

  assert.deepEqual(data.tables.map((r) => [r.tableName, r.isOk, r.errorCode]), [
    [table, true, null],
    [table, false, 'OTSConditionCheckFail'],
    [table, true, null],
    [table, true, null],
  ]);
  assert.deepEqual(cellsOf(await read(10)), [['v', canonical('row 10')]]);
  assert.deepEqual(await read(11), {});
  assert.deepEqual(cellsOf(await read(12)), [['w', canonical(true)]]);
  assert.deepEqual(await read(30), {});
});

test('201 rows in one batch is HTTP 400 and writes nothing', async () => {
  const rows = Array.from({ length: 201 }, (_, i) => putRow(1000 + i));

  await expectHttpError(client.batchWriteRow({ tables: [{ tableName: table, rows }] }), 400, 'OTSParameterInvalid');
  assert.deepEqual(await read(1000), {});
});

test('duplicate row in one batch is HTTP 400', async () => {
  await expectHttpError(
    client.batchWriteRow({ tables: [{ tableName: table, rows: [putRow(2000), putRow(2000)] }] }),
    400, 'OTSParameterInvalid');
});

test('oversized primary key and cell are HTTP 400', async () => {
  await expectHttpError(client.putRow({
    tableName: table, condition: IGNORE, primaryKey: pkOfInt(1), attributeColumns: [{ big: 'x'.repeat(2 * 1024 * 1024 + 1) }],
  }), 400, 'OTSParameterInvalid');

  const strTable = await createTable(client, uniqueName('pklimit'), [{ name: 's', type: 'STRING' }]);
  await expectHttpError(client.putRow({
    tableName: strTable, condition: IGNORE, primaryKey: [{ s: 'k'.repeat(1025) }], attributeColumns: [{ v: 1.5 }],
  }), 400, 'OTSParameterInvalid');
  await client.deleteTable({ tableName: strTable });
});

test('missing table is HTTP 404', async () => {
  await expectHttpError(client.getRow({ tableName: uniqueName('absent'), primaryKey: pkOfInt(1) }), 404, 'OTSObjectNotExist');
});

test('wrong secret is refused with HTTP 403 and writes nothing', async () => {
  const intruder = makeClient(emulator.endpoint, { secret: 'not-the-secret' });

  await expectHttpError(intruder.listTable({}), 403, 'OTSAuthFailed');
  await expectHttpError(intruder.putRow({
    tableName: table, condition: IGNORE, primaryKey: pkOfInt(3000), attributeColumns: [{ v: 'x' }],
  }), 403, 'OTSAuthFailed');
  assert.deepEqual(await read(3000), {});
});
