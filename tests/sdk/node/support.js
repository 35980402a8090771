'use strict';
// Shared helpers for the Node SDK suite: clients, table setup, exact value checks, errors.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const TableStore = require('tablestore');
const { INSTANCE, ACCESS_KEY_ID, ACCESS_KEY_SECRET } = require('./emulator');

const Long = TableStore.Long;
// The SDK returns every int64 as this class (from int64-buffer); Long.from* build it too.
const Int64 = Long.fromNumber(0).constructor;
const IGNORE = new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null);

function makeClient(endpoint, { secret = ACCESS_KEY_SECRET, keyId = ACCESS_KEY_ID } = {}) {
  // maxRetries 0: each error the emulator returns reaches the test unchanged.
  return new TableStore.Client({
    accessKeyId: keyId,
    secretAccessKey: secret,
    endpoint,
    instancename: INSTANCE,
    maxRetries: 0,
  });
}

function uniqueName(stem) {
  return `t_${stem}_${crypto.randomBytes(4).toString('hex')}`;
}

async function createTable(client, name, primaryKey, { maxVersions = 1, timeToLive = -1, definedColumn } = {}) {
  const tableMeta = { tableName: name, primaryKey };
  if (definedColumn) tableMeta.definedColumn = definedColumn;
  await client.createTable({
    tableMeta,
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive, maxVersions },
  });
  return name;
}

// The Node SDK does not decode protobuf errors: err.code is the HTTP status and err.message
// holds the raw body (which contains the Tablestore error code as text) plus the request id.
async function expectHttpError(promise, status, tablestoreCode) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, status, `expected HTTP ${status}, got ${err.code}: ${err.message}`);
    assert.ok(String(err.message).includes(tablestoreCode), `body should name ${tablestoreCode}: ${err.message}`);
    return true;
  });
}

// A comparable form of one cell value: type tag plus exact bits.
function canonical(value) {
  if (value instanceof Int64) return ['int', value.toString(10)];
  if (Buffer.isBuffer(value)) return ['binary', value.toString('hex')];
  if (typeof value === 'number') {
    const buf = Buffer.alloc(8);
    buf.writeDoubleLE(value);
    return ['double', buf.toString('hex')];
  }
  if (typeof value === 'boolean') return ['bool', value];
  if (typeof value === 'string') return ['string', value];
  throw new Error(`unexpected value ${value}`);
}

function pkOf(row) {
  return row.primaryKey.map((c) => [c.name, canonical(c.value)]);
}

function expectedPk(pk) {
  return pk.map((obj) => { const [name] = Object.keys(obj); return [name, canonical(obj[name])]; });
}

function cellsOf(row, { withTimestamps = false } = {}) {
  return row.attributes.map((c) => (withTimestamps
    ? [c.columnName, canonical(c.columnValue), Number(c.timestamp.toString(10))]
    : [c.columnName, canonical(c.columnValue)]));
}

module.exports = {
  TableStore, Long, Int64, IGNORE,
  makeClient, uniqueName, createTable, expectHttpError,
  canonical, pkOf, expectedPk, cellsOf,
};
