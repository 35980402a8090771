"""Baseline for the MongoDB backup benchmark: what a user would write instead of TableVault.

Scans a whole table with the official Python SDK (all versions, following
next_start_primary_key) and inserts each page into MongoDB with pymongo's insert_many, one
document per row shaped like TableVault's (`_id` from the key, pk, cells with n/v/ts), with the
same write concern (majority, journaled). Prints one JSON object with rows, seconds,
rows_per_second, cpu_seconds (user + system of this process during the copy) and
peak_rss_mib on stdout.

    python_scan_insert_many.py ENDPOINT AKID SECRET INSTANCE TABLE MONGODB_URI
"""

import json
import resource
import sys
import time

from pymongo import MongoClient
from pymongo.write_concern import WriteConcern
from tablestore import INF_MAX, INF_MIN, Direction, OTSClient


def main():
    endpoint, akid, secret, instance, table, uri = sys.argv[1:7]
    client = OTSClient(endpoint, akid, secret, instance, logger_name="baseline")
    mongo = MongoClient(uri)
    collection = mongo["baseline"].get_collection(
        table, write_concern=WriteConcern(w="majority", j=True)
    )
    pk_names = [c[0] for c in client.describe_table(table).table_meta.schema_of_primary_key]
    start = [(n, INF_MIN) for n in pk_names]
    end = [(n, INF_MAX) for n in pk_names]
    rows = 0
    began = time.monotonic()
    cpu_began = time.process_time()
    while start:
        _, start, page, _ = client.get_range(
            table, Direction.FORWARD, start, end, max_version=2**31 - 1, limit=1000
        )
        documents = [
            {
                "_id": {str(i): v for i, (_, v) in enumerate(row.primary_key)},
                "pk": [{"n": n, "v": v} for n, v in row.primary_key],
                "cells": [{"n": c[0], "v": c[1], "ts": c[2]} for c in row.attribute_columns],
            }
            for row in page
        ]
        if documents:
            collection.insert_many(documents, ordered=False)
        rows += len(page)
    seconds = time.monotonic() - began
    cpu_seconds = time.process_time() - cpu_began
    mongo.drop_database("baseline")
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
