'use strict';
// Table lifecycle through the official Node SDK: create, describe, list, update, delete, errors.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startEmulator } = require('./emulator');
const { TableStore, makeClient, uniqueName, createTable, expectHttpError } = require('./support');

let emulator;
let client;

before(async () => {
  emulator = await startEmulator();
  client = makeClient(emulator.endpoint);
});
after(async () => emulator && emulator.stop());

const PK = [
  { name: 'pk_s', type: 'STRING' },
  { name: 'pk_i', type: 'INTEGER' },
  { name: 'pk_b', type: 'BINARY' },
];

test('created table is described back with schema, options and defined columns', async () => {
  const name = uniqueName('describe');
  await createTable(client, name, PK, {
    maxVersions: 4,
    timeToLive: 86400 * 7,
    definedColumn: [
      { name: 'c_int', type: TableStore.DefinedColumnType.DCT_INTEGER },
      { name: 'c_str', type: TableStore.DefinedColumnType.DCT_STRING },
    ],
  });

  const desc = await client.describeTable({ tableName: name });

  assert.equal(desc.tableMeta.tableName, name);
  assert.deepEqual(desc.tableMeta.primaryKey.map((p) => [p.name, p.type]), [['pk_s', 2], ['pk_i', 1], ['pk_b', 3]]);
  assert.deepEqual(desc.tableMeta.definedColumn.map((c) => [c.name, c.type]), [['c_int', 1], ['c_str', 4]]);
  assert.equal(Number(desc.tableOptions.maxVersions), 4);
  assert.equal(Number(desc.tableOptions.timeToLive), 86400 * 7);
  assert.equal(Number(desc.reservedThroughputDetails.capacityUnit.read), 0);
  assert.equal(Number(desc.reservedThroughputDetails.capacityUnit.write), 0);
  assert.ok(desc.RequestId, 'x-ots-requestid is exposed as RequestId');
  await client.deleteTable({ tableName: name });
});

test('listTable shows created tables and forgets deleted ones', async () => {
  const first = await createTable(client, uniqueName('list'), [{ name: 'k', type: 'INTEGER' }]);
  const second = await createTable(client, uniqueName('list'), [{ name: 'k', type: 'STRING' }]);

  let listed = (await client.listTable({})).tableNames;
  assert.ok(listed.includes(first) && listed.includes(second), JSON.stringify(listed));

  await client.deleteTable({ tableName: first });
  await client.deleteTable({ tableName: second });
  listed = (await client.listTable({})).tableNames;
  assert.ok(!listed.includes(first) && !listed.includes(second), JSON.stringify(listed));
});

test('updateTable changes options', async () => {
  const name = await createTable(client, uniqueName('update'), [{ name: 'k', type: 'INTEGER' }]);

  await client.updateTable({ tableName: name, tableOptions: { maxVersions: 9, timeToLive: 86400 * 30 } });
  const desc = await client.describeTable({ tableName: name });

  assert.equal(Number(desc.tableOptions.maxVersions), 9);
  assert.equal(Number(desc.tableOptions.timeToLive), 86400 * 30);
  await client.deleteTable({ tableName: name });
});

test('duplicate create is HTTP 409, missing table is HTTP 404', async () => {
  const name = await createTable(client, uniqueName('dup'), [{ name: 'k', type: 'INTEGER' }]);

  await expectHttpError(createTable(client, name, [{ name: 'k', type: 'INTEGER' }]), 409, 'OTSObjectAlreadyExist');
  await client.deleteTable({ tableName: name });
  await expectHttpError(client.describeTable({ tableName: name }), 404, 'OTSObjectNotExist');
  await expectHttpError(client.deleteTable({ tableName: name }), 404, 'OTSObjectNotExist');
});

test('bad table name and five primary key columns are HTTP 400', async () => {
  await expectHttpError(createTable(client, 'bad-name', [{ name: 'k', type: 'INTEGER' }]), 400, 'OTSParameterInvalid');
  const five = [0, 1, 2, 3, 4].map((i) => ({ name: `k${i}`, type: 'INTEGER' }));
  await expectHttpError(createTable(client, uniqueName('five'), five), 400, 'OTSParameterInvalid');
});
