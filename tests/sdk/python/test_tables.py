"""Table lifecycle through the official Python SDK: create, describe, list, update, delete."""

from tablestore import (
    PK_AUTO_INCR,
    CapacityUnit,
    ReservedThroughput,
    TableMeta,
    TableOptions,
)

from expect import service_error

SCHEMA = [("pk_s", "STRING"), ("pk_i", "INTEGER"), ("pk_b", "BINARY")]
DEFINED = [("c_int", "INTEGER"), ("c_double", "DOUBLE"), ("c_bool", "BOOLEAN"), ("c_str", "STRING"), ("c_bin", "BINARY")]


def create(client, name, schema, defined=None, options=None):
    client.create_table(
        TableMeta(name, schema, defined),
        options or TableOptions(),
        ReservedThroughput(CapacityUnit(0, 0)),
    )


def test_create_then_describe_returns_schema_options_and_defined_columns(client, make_table):
    name = make_table(SCHEMA, defined_columns=DEFINED, max_version=3, time_to_live=86400 * 7, max_time_deviation=3600)

    desc = client.describe_table(name)

    assert desc.table_meta.table_name == name
    assert desc.table_meta.schema_of_primary_key == SCHEMA
    assert desc.table_meta.defined_columns == DEFINED
    assert desc.table_options.time_to_live == 86400 * 7
    assert desc.table_options.max_version == 3
    assert desc.table_options.max_time_deviation == 3600
    assert desc.reserved_throughput_details.capacity_unit.read == 0
    assert desc.reserved_throughput_details.capacity_unit.write == 0
    assert desc.request_id


def test_auto_increment_option_is_described_back(client, make_table):
    name = make_table([("part", "STRING"), ("seq", "INTEGER", PK_AUTO_INCR)])

    desc = client.describe_table(name)

    assert desc.table_meta.schema_of_primary_key == [("part", "STRING"), ("seq", "INTEGER", PK_AUTO_INCR)]


def test_list_table_shows_created_tables_and_not_deleted_ones(client, unique_name):
    first, second = unique_name(), unique_name()
    create(client, first, [("k", "INTEGER")])
    create(client, second, [("k", "STRING")])

    listed = client.list_table()
    assert isinstance(listed, tuple)
    assert {first, second} <= set(listed)

    client.delete_table(first)
    client.delete_table(second)
    listed = client.list_table()
    assert first not in listed and second not in listed


def test_update_table_changes_options(client, make_table):
    name = make_table([("k", "INTEGER")], max_version=1, time_to_live=-1)

    resp = client.update_table(name, TableOptions(time_to_live=86400 * 30, max_version=7, max_time_deviation=7200))

    assert resp.table_options.time_to_live == 86400 * 30
    assert resp.table_options.max_version == 7
    assert resp.table_options.max_time_deviation == 7200
    desc = client.describe_table(name)
    assert desc.table_options.time_to_live == 86400 * 30
    assert desc.table_options.max_version == 7
    assert desc.table_options.max_time_deviation == 7200
    assert desc.table_meta.schema_of_primary_key == [("k", "INTEGER")]


def test_delete_table_then_describe_is_not_exist(client, unique_name):
    name = unique_name()
    create(client, name, [("k", "INTEGER")])

    client.delete_table(name)

    with service_error(404, "OTSObjectNotExist"):
        client.describe_table(name)


def test_create_existing_table_is_already_exist(client, make_table):
    name = make_table([("k", "INTEGER")])

    with service_error(409, "OTSObjectAlreadyExist"):
        create(client, name, [("k", "INTEGER")])


def test_operations_on_missing_table_are_not_exist(client, unique_name):
    missing = unique_name()
    with service_error(404, "OTSObjectNotExist"):
        client.describe_table(missing)
    with service_error(404, "OTSObjectNotExist"):
        client.delete_table(missing)
    with service_error(404, "OTSObjectNotExist"):
        client.update_table(missing, TableOptions(max_version=2))
    with service_error(404, "OTSObjectNotExist"):
        client.get_row(missing, [("k", 1)])


def test_bad_table_names_are_parameter_invalid(client):
    for bad in ["1starts_with_digit", "has-dash", "has space", "x" * 256, ""]:
        with service_error(400, "OTSParameterInvalid"):
            create(client, bad, [("k", "INTEGER")])


def test_five_primary_key_columns_are_parameter_invalid(client, unique_name):
    schema = [(f"k{i}", "INTEGER") for i in range(5)]
    with service_error(400, "OTSParameterInvalid"):
        create(client, unique_name(), schema)


def test_zero_primary_key_columns_are_parameter_invalid(client, unique_name):
    with service_error(400, "OTSParameterInvalid"):
        create(client, unique_name(), [])
