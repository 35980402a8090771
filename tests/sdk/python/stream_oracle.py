"""Oracle for TableVault's Stream API cross-check: reads GetStreamRecordResponse bodies with the
official Python SDK (tablestore 6.4.8) -- its generated protobuf classes (table_store_pb2, from
the table_store.proto the SDK ships) and its own PlainBuffer reader.

Reads JSON lines {"id": N, "response_hex": "..."} on stdin and writes one JSON line per input:

  {"id": N, "next_shard_iterator": "..." | null,
   "records": [{"action": "PUT_ROW", "sequence": [epoch, timestamp_us, row_index],
                "row": {"primary_key": [[name, value]], "cells": [[name, value, timestamp]]}
                       | null, "row_error": "..." | null}]}

Values use the JSON form of TableVault's `Value` ({"type": ..., "value": ...}; binaries hex,
doubles the 16 hex digits of their bit pattern).

The SDK has no Stream API, so two steps are done here by hand, both following the Java SDK's
layout (PlainBufferCodedOutputStream.writeExtension / writeSequenceInfo):
  * the sequence-info extension (tag 0x0B, 29 bytes right before the row checksum) is parsed
    with struct, independently of TableVault's reader;
  * it is then cut out before the SDK's reader runs, since that reader knows no extension tag.
    The row checksum does not cover the extension, so the SDK still verifies every checksum.
The SDK's reader fails on cells with an op byte (CELL_TYPE: it references an undefined name),
so UPDATE_ROW records with deletes come back with "row_error".
"""

import json
import struct
import sys

from tablestore.plainbuffer.plain_buffer_builder import PlainBufferBuilder  # noqa: F401 (SDK present)
from tablestore.plainbuffer.plain_buffer_coded_stream import PlainBufferCodedInputStream
from tablestore.plainbuffer.plain_buffer_stream import PlainBufferInputStream
from tablestore.protobuf import table_store_pb2 as pb

EXTENSION_LEN = 29  # 0x0B len32(24) 0x0C len32(19) 0x0D u32 0x0E i64 0x0F u32


def split_extension(record):
    body, checksum = record[:-2], record[-2:]
    ext = body[-EXTENSION_LEN:]
    tag, length, item, item_len, t_epoch, epoch, t_ts, ts, t_idx, idx = struct.unpack(
        "<BIBIBIBqBI", ext
    )
    if (tag, length, item, item_len, t_epoch, t_ts, t_idx) != (0x0B, 24, 0x0C, 19, 0x0D, 0x0E, 0x0F):
        raise ValueError("no sequence-info extension before the row checksum")
    return body[:-EXTENSION_LEN] + checksum, [epoch, ts, idx]


def value_json(value):
    if isinstance(value, bool):
        return {"type": "boolean", "value": value}
    if isinstance(value, int):
        return {"type": "integer", "value": value}
    if isinstance(value, float):
        bits = struct.unpack("<Q", struct.pack("<d", value))[0]
        return {"type": "double", "value": format(bits, "016x")}
    if isinstance(value, (bytes, bytearray)):
        return {"type": "binary", "value": bytes(value).hex()}
    return {"type": "string", "value": value}


def read_row(plain):
    stream = PlainBufferCodedInputStream(PlainBufferInputStream(bytes(plain)))
    primary_key, attributes = stream.read_row()
    return {
        "primary_key": [[name, value_json(v)] for name, v in primary_key],
        "cells": [[name, value_json(v), ts] for name, v, ts in attributes],
    }


def answer(request):
    response = pb.GetStreamRecordResponse()
    response.ParseFromString(bytes.fromhex(request["response_hex"]))
    records = []
    for record in response.stream_records:
        plain, sequence = split_extension(bytes(record.record))
        row, row_error = None, None
        try:
            row = read_row(plain)
        except Exception as error:  # the SDK's reader raises NameError on op bytes
            row_error = "%s: %s" % (type(error).__name__, error)
        records.append(
            {
                "action": pb.ActionType.Name(record.action_type),
                "sequence": sequence,
                "row": row,
                "row_error": row_error,
            }
        )
    next_iterator = (
        response.next_shard_iterator if response.HasField("next_shard_iterator") else None
    )
    return {"id": request["id"], "next_shard_iterator": next_iterator, "records": records}


for line in sys.stdin:
    if line.strip():
        print(json.dumps(answer(json.loads(line))), flush=True)
