"""Baseline for the backup benchmark: what a user would write instead of TableVault.

Scans a whole table with the official Python SDK (all versions, following
next_start_primary_key) and writes one JSON line per row to a file. Prints one JSON object with
rows, seconds, rows_per_second, cpu_seconds (user + system of this process
during the scan) and peak_rss_mib on stdout.

    python_scan_jsonl.py ENDPOINT AKID SECRET INSTANCE TABLE OUTPUT
"""

import base64
import json
import resource
import sys
import time

from tablestore import INF_MAX, INF_MIN, Direction, OTSClient


def cell_value(v):
    if isinstance(v, (bytes, bytearray)):
        return {"b64": base64.b64encode(bytes(v)).decode()}
    return v


def main():
    endpoint, akid, secret, instance, table, output = sys.argv[1:7]
    client = OTSClient(endpoint, akid, secret, instance, logger_name="baseline")
    pk_names = [c[0] for c in client.describe_table(table).table_meta.schema_of_primary_key]
    start = [(n, INF_MIN) for n in pk_names]
    end = [(n, INF_MAX) for n in pk_names]
    rows = 0
    began = time.monotonic()
    cpu_began = time.process_time()
    with open(output, "w") as out:
        while start:
            _, start, page, _ = client.get_range(
                table, Direction.FORWARD, start, end, max_version=2**31 - 1, limit=5000
            )
            for row in page:
                doc = {
                    "pk": [[n, cell_value(v)] for n, v in row.primary_key],
                    "cells": [[c[0], cell_value(c[1]), c[2]] for c in row.attribute_columns],
                }
                out.write(json.dumps(doc))
                out.write("\n")
            rows += len(page)
    seconds = time.monotonic() - began
    cpu_seconds = time.process_time() - cpu_began
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "rows_per_second": rows / seconds,
                "cpu_seconds": cpu_seconds,
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
