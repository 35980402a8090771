"""Oracle for TableVault's cross-checks: encodes rows with the official Python SDK's own
PlainBuffer encoder and computes its v2 request signatures.

Reads JSON lines on stdin, writes one JSON line per input on stdout, in order:

  {"id": 1, "kind": "put", "primary_key": [...], "cells": [...], "delete_marker": false}
      -> {"id": 1, "hex": "75000000..."}            or {"id": 1, "error": "..."}
  {"id": 2, "kind": "signature", "secret": "sk", "action": "ListTable", "headers": [["x-ots-date", "..."], ...]}
      -> {"id": 2, "signature": "base64..."}

Rows use the JSON form of TableVault's `Row` (src/tablestore/row.rs): values are
{"type": ..., "value": ...}, binaries hex, doubles 16 hex digits of their bit pattern.
kind is primary_key (serialize_primary_key), put (serialize_for_put_row), update
(serialize_for_update_row) or delete (serialize_for_delete_row).

Two SDK shortcomings are worked around, and reported in the answer, so that the bytes of its
writer can still be compared:
  * cell names go in as UTF-8 `bytes` when they are not ASCII: given a `str`, the SDK writes
    the name length in characters, not bytes (write_cell_name: len(name)), a corrupt buffer;
  * the SDK pre-computes a buffer capacity that ignores update-row timestamps and INCREMENT ops
    and counts names in characters; when its writer then raises "The buffer is full", we retry
    with a larger capacity ("size_workaround": true). Only the capacity check changes.
"""

import contextlib
import json
import struct
import sys

from tablestore.auth import RequestContext, SignV2
from tablestore.credentials import Credentials
from tablestore.error import OTSClientError
from tablestore.metadata import INF_MAX, INF_MIN, PK_AUTO_INCR, UpdateType
from tablestore.plainbuffer.plain_buffer_builder import PlainBufferBuilder

UPDATE_TYPES = {
    None: UpdateType.PUT,
    "delete_one_version": UpdateType.DELETE,
    "delete_all_versions": UpdateType.DELETE_ALL,
    "increment": UpdateType.INCREMENT,
}


class NotExpressible(Exception):
    """The row has a shape the SDK's encoder for this kind cannot produce."""


def name_of(text):
    return text if text.isascii() else text.encode("utf-8")


def pk_value(value):
    kind = value["type"]
    if kind == "integer":
        return value["value"]
    if kind == "string":
        return value["value"]
    if kind == "binary":
        return bytearray(bytes.fromhex(value["value"]))
    return {"inf_min": INF_MIN, "inf_max": INF_MAX, "auto_increment": PK_AUTO_INCR}[kind]


def cell_value(value):
    if value is None:
        return None
    kind, raw = value["type"], value["value"]
    if kind == "double":
        return struct.unpack("<d", struct.pack("<Q", int(raw, 16)))[0]
    if kind == "binary":
        return bytearray(bytes.fromhex(raw))
    return raw  # integer, boolean, string


def primary_key(request):
    return [(name_of(c["name"]), pk_value(c["value"])) for c in request["primary_key"]]


def put_columns(cells):
    columns = []
    for cell in cells:
        if cell.get("op") is not None or cell.get("value") is None:
            raise NotExpressible("put cells have a value and no op")
        column = (name_of(cell["name"]), cell_value(cell["value"]))
        if cell.get("timestamp") is not None:
            column += (cell["timestamp"],)
        columns.append(column)
    return columns


def update_columns(cells):
    """Groups consecutive cells by op into the SDK's {update type: [cells]} dict."""
    groups = {}
    last = object()
    for cell in cells:
        update_type = UPDATE_TYPES[cell.get("op")]
        if update_type != last and update_type in groups:
            raise NotExpressible("cells of one op must be contiguous (one dict entry per op)")
        last = update_type
        column = (name_of(cell["name"]), cell_value(cell.get("value")), cell.get("timestamp"))
        groups.setdefault(update_type, []).append(column)
    return groups


def encode(request):
    kind = request["kind"]
    cells = request.get("cells", [])
    marker = request.get("delete_marker", False)
    if kind != "delete" and marker:
        raise NotExpressible("only delete rows carry the delete marker")
    pk = primary_key(request)
    if kind == "primary_key":
        if cells:
            raise NotExpressible("a primary key has no cells")
        return PlainBufferBuilder.serialize_primary_key(pk)
    if kind == "put":
        return PlainBufferBuilder.serialize_for_put_row(pk, put_columns(cells))
    if kind == "update":
        return PlainBufferBuilder.serialize_for_update_row(pk, update_columns(cells))
    if kind == "delete":
        if cells or not marker:
            raise NotExpressible("a delete row is a key and the delete marker")
        return PlainBufferBuilder.serialize_for_delete_row(pk)
    raise NotExpressible("unknown kind " + kind)


@contextlib.contextmanager
def generous_capacity():
    """Adds slack to the SDK's capacity estimates (see the module docstring)."""
    names = ["compute_primary_key_size", "compute_put_row_size", "compute_update_row_size",
             "compute_delete_row_size"]
    originals = {name: getattr(PlainBufferBuilder, name) for name in names}
    try:
        for name, original in originals.items():
            setattr(PlainBufferBuilder, name,
                    staticmethod(lambda *args, _f=original: _f(*args) + (1 << 20)))
        yield
    finally:
        for name, original in originals.items():
            setattr(PlainBufferBuilder, name, staticmethod(original))


def answer_row(request):
    try:
        return {"hex": bytes(encode(request)).hex()}
    except OTSClientError as error:
        if "buffer is full" not in str(error):
            raise
    with generous_capacity():
        return {"hex": bytes(encode(request)).hex(), "size_workaround": True}


def answer_signature(request):
    headers = {name: value for name, value in request["headers"]}
    context = RequestContext(Credentials("oracle-ak", request["secret"]))
    SignV2("utf-8").make_request_signature_and_add_headers("/" + request["action"], headers, context)
    return {"signature": headers["x-ots-signature"]}


def answer(request):
    if request["kind"] == "signature":
        return answer_signature(request)
    return answer_row(request)


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            reply = answer(request)
        except Exception as error:  # reported per request; the caller decides what it means
            reply = {"error": "%s: %s" % (type(error).__name__, error)}
        reply["id"] = request.get("id")
        sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
