"""Secondary and search indexes through backup, delete and restore, into both stores, with the
official Python SDK on both ends.

A table with two secondary indexes (a global one given to CreateTable, a local one added with
CreateIndex) and two search indexes (one with eleven fields of nine kinds: LONG, DOUBLE,
BOOLEAN, KEYWORD, TEXT with an analyzer and its parameters, a virtual TEXT field, NESTED,
GEO_POINT, DATE with formats, VECTOR with its options; routing fields and an index sort) is
written through the SDK. The search index reads back as created; the table is backed up,
deleted with its indexes, restored under its own name, and everything the SDK can describe
(table options, secondary indexes, search index list and definitions, rows) must be the same.
"""

import enum
import json
import uuid

import pytest
from tablestore import (
    AnalyzerType,
    CapacityUnit,
    FieldSchema,
    FieldSort,
    FieldType,
    FuzzyAnalyzerParameter,
    IndexSetting,
    PrimaryKeySort,
    ReservedThroughput,
    Row,
    SearchIndexMeta,
    SecondaryIndexMeta,
    SecondaryIndexType,
    SingleWordAnalyzerParameter,
    Sort,
    SortMode,
    SortOrder,
    SplitAnalyzerParameter,
    TableMeta,
    TableOptions,
    VectorDataType,
    VectorMetricType,
    VectorOptions,
)

# The module-scoped fixtures (a MongoDB server, a config with both stores) and the helpers of
# the table round trip.
from test_backup_round_trip import config_file, read_table, tablevault  # noqa: F401

STORES = ["archive", "mongo"]
ROWS = 40


def full_text_fields():
    """Every kind of field the search index can hold, each flag set explicitly."""
    flags = dict(index=True, store=True, is_array=False, enable_sort_and_agg=True)
    return [
        FieldSchema("id", FieldType.LONG, **flags),
        FieldSchema("price", FieldType.DOUBLE, **flags),
        FieldSchema("in_stock", FieldType.BOOLEAN, **flags),
        FieldSchema("city", FieldType.KEYWORD, index=True, store=True, is_array=True,
                    enable_sort_and_agg=False),
        FieldSchema("title", FieldType.TEXT, index=True, store=True, is_array=False,
                    enable_sort_and_agg=False, analyzer=AnalyzerType.SPLIT,
                    analyzer_parameter=SplitAnalyzerParameter(",")),
        FieldSchema("summary", FieldType.TEXT, index=True, store=False, is_array=False,
                    enable_sort_and_agg=False, analyzer=AnalyzerType.FUZZY,
                    analyzer_parameter=FuzzyAnalyzerParameter(1, 5)),
        FieldSchema("city_words", FieldType.TEXT, index=True, store=False, is_array=False,
                    enable_sort_and_agg=False, analyzer=AnalyzerType.SINGLEWORD,
                    analyzer_parameter=SingleWordAnalyzerParameter(True, False),
                    is_virtual_field=True, source_fields=["city"]),
        FieldSchema("tags", FieldType.NESTED, index=True, store=True, is_array=False,
                    enable_sort_and_agg=False, sub_field_schemas=[
                        FieldSchema("tag", FieldType.KEYWORD, **flags),
                        FieldSchema("weight", FieldType.LONG, **flags),
                    ]),
        FieldSchema("location", FieldType.GEOPOINT, **flags),
        FieldSchema("created", FieldType.DATE, **flags,
                    date_formats=["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd"]),
        FieldSchema("embedding", FieldType.VECTOR, index=True, store=False, is_array=False,
                    enable_sort_and_agg=False,
                    vector_options=VectorOptions(VectorDataType.VD_FLOAT_32,
                                                 VectorMetricType.VM_COSINE, 4)),
    ]


def search_indexes():
    full = SearchIndexMeta(
        full_text_fields(),
        index_setting=IndexSetting(routing_fields=["id"]),
        index_sort=Sort([FieldSort("price", sort_order=SortOrder.DESC, sort_mode=SortMode.MAX),
                          PrimaryKeySort(SortOrder.ASC)]),
        time_to_live=-1,
    )
    # Unset setting and sort decode as empty ones: given empty, they compare as created.
    small = SearchIndexMeta(
        [FieldSchema("city", FieldType.KEYWORD, index=True, store=False, is_array=False,
                     enable_sort_and_agg=True)],
        index_setting=IndexSetting(),
        index_sort=Sort([]),
        time_to_live=-1,
    )
    return {"full": full, "small": small}


def canonical(value):
    """SDK objects as plain data, to compare exactly ('' and [] as unset; enums by number, as
    the SDK decodes some of them to plain integers)."""
    if isinstance(value, enum.IntEnum):
        return int(value)
    if isinstance(value, (list, tuple)):
        items = [canonical(v) for v in value]
        return items or None
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in sorted(value.items())}
    if hasattr(value, "__dict__"):
        return {"class": type(value).__name__, **canonical(vars(value))}
    return None if value == "" else value


def as_sdk_decodes(meta):
    """A created definition as the SDK decodes it: an unset proto2 enum reads as its first
    value, so `json_type` comes back OBJECT_JSON (1) and `text_similarity` BM25 (1)."""
    def field(f):
        f = dict(f)
        for key in ("json_type", "text_similarity"):
            if f[key] is None:
                f[key] = 1
        if f["sub_field_schemas"]:
            f["sub_field_schemas"] = [field(sub) for sub in f["sub_field_schemas"]]
        return f
    return {**meta, "fields": [field(f) for f in meta["fields"]]}


def create_indexed_table(client, name):
    client.create_table(
        TableMeta(name, [("id", "INTEGER")],
                  [("city", "STRING"), ("price", "DOUBLE"), ("in_stock", "BOOLEAN")]),
        TableOptions(time_to_live=-1, max_version=1),
        ReservedThroughput(CapacityUnit(0, 0)),
        secondary_indexes=[SecondaryIndexMeta(f"{name}_by_city", ["city"], ["price"])],
    )
    for i in range(ROWS):
        client.put_row(name, Row([("id", i)], [
            ("city", f"city{i % 7}"),
            ("price", i * 1.25),
            ("in_stock", i % 2 == 0),
            ("title", f"title,{i},words"),
            ("summary", f"summary {i}"),
            ("tags", '[{"tag": "t%d", "weight": %d}]' % (i % 3, i)),
            ("location", f"{30 + i / 100},{120 + i / 100}"),
            ("created", "2026-12-01 10:00:00"),
            ("embedding", "[0.1, 0.2, 0.3, %f]" % (i / ROWS)),
        ]))
    # Rows first, then a local index over them (the order a restore uses too).
    client.create_secondary_index(
        name, SecondaryIndexMeta(f"{name}_local", ["id", "price"], ["city"],
                                 index_type=SecondaryIndexType.LOCAL_INDEX),
        include_base_data=True,
    )
    for index_name, meta in search_indexes().items():
        client.create_search_index(name, index_name, meta)


def described(client, name):
    """Everything the SDK tells about the table and its indexes."""
    table = client.describe_table(name)
    search = {}
    for table_name, index_name in client.list_search_index(name):
        assert table_name == name
        meta, _sync = client.describe_search_index(name, index_name)
        search[index_name] = canonical(meta)
    return {
        "options": canonical(table.table_options),
        "defined_columns": canonical(table.table_meta.defined_columns),
        "secondary_indexes": canonical(table.secondary_indexes),
        "search_indexes": search,
    }


@pytest.mark.parametrize("store", STORES)
def test_indexes_round_trip_through_backup_and_restore(store, client, config_file):  # noqa: F811
    name = f"ix_{store}_{uuid.uuid4().hex[:8]}"
    create_indexed_table(client, name)
    try:
        before = described(client, name)
        rows = read_table(client, name)
        assert len(rows) == ROWS
        assert sorted(before["search_indexes"]) == ["full", "small"]
        assert len(before["secondary_indexes"]) == 2
        # The SDK reads back exactly what it created.
        for index_name, meta in search_indexes().items():
            assert before["search_indexes"][index_name] == as_sdk_decodes(canonical(meta)), index_name

        code, out, err = tablevault(config_file, "backup", "--source", "emu", "--store", store,
                                    "--table", name, "--output", "json")
        assert code == 0, err

        for index_name in before["search_indexes"]:
            client.delete_search_index(name, index_name)
        client.delete_secondary_index(name, f"{name}_local")
        client.delete_table(name)
        assert name not in client.list_table()

        chosen = "latest" if store == "mongo" else json.loads(out)["id"]
        code, out, err = tablevault(config_file, "restore", "--store", store, "--source", "emu",
                                    "--backup", chosen, "--table", name, "--output", "json")
        assert code == 0, err

        assert described(client, name) == before
        assert read_table(client, name) == rows
    finally:
        if name in client.list_table():
            for _table, index_name in client.list_search_index(name):
                client.delete_search_index(name, index_name)
            client.delete_table(name)
