"""Glue tables in moto, made the way a Glue crawler or Athena's CREATE TABLE makes them:
a real StorageDescriptor (columns, location, Parquet input/output formats, ParquetHiveSerDe),
partition keys of string and int types, and crawler-style statistics on partitions."""

from __future__ import annotations

import copy

import pyarrow as pa

PARQUET_SD = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "Parameters": {"serialization.format": "1"},
    },
    "Compressed": False,
    "NumberOfBuckets": -1,
    "StoredAsSubDirectories": False,
}


def hive_type(t: pa.DataType) -> str:
    if pa.types.is_int8(t): return "tinyint"
    if pa.types.is_int16(t): return "smallint"
    if pa.types.is_int32(t): return "int"
    if pa.types.is_int64(t): return "bigint"
    if pa.types.is_float32(t): return "float"
    if pa.types.is_float64(t): return "double"
    if pa.types.is_boolean(t): return "boolean"
    if pa.types.is_string(t) or pa.types.is_large_string(t): return "string"
    if pa.types.is_binary(t): return "binary"
    if pa.types.is_decimal(t): return f"decimal({t.precision},{t.scale})"
    if pa.types.is_timestamp(t): return "timestamp"
    if pa.types.is_date(t): return "date"
    if pa.types.is_list(t): return f"array<{hive_type(t.value_type)}>"
    if pa.types.is_map(t): return f"map<{hive_type(t.key_type)},{hive_type(t.item_type)}>"
    if pa.types.is_struct(t):
        return "struct<" + ",".join(f"{f.name}:{hive_type(f.type)}" for f in t) + ">"
    raise ValueError(t)


def columns(schema: pa.Schema) -> list[dict]:
    return [{"Name": f.name, "Type": hive_type(f.type)} for f in schema]


def create_table(glue, database: str, name: str, location: str, schema: pa.Schema,
                 partition_keys: list[tuple[str, str]], parameters: dict | None = None,
                 table_type: str = "EXTERNAL_TABLE", storage: dict | None = None):
    try:
        glue.create_database(DatabaseInput={"Name": database})
    except glue.exceptions.AlreadyExistsException:
        pass
    sd = copy.deepcopy(PARQUET_SD)
    sd.update({"Columns": columns(schema), "Location": location})
    if storage:
        sd.update(storage)
    table_input = {
        "Name": name,
        "StorageDescriptor": sd,
        "PartitionKeys": [{"Name": k, "Type": t} for k, t in partition_keys],
        "TableType": table_type,
        "Parameters": {"classification": "parquet", "compressionType": "none",
                       "typeOfData": "file", "EXTERNAL": "TRUE", **(parameters or {})},
    }
    glue.create_table(DatabaseName=database, TableInput=table_input)


def add_partition(glue, database: str, table: str, values: list[str], location: str,
                  schema: pa.Schema, stats: dict | None = None):
    sd = copy.deepcopy(PARQUET_SD)
    sd.update({"Columns": columns(schema), "Location": location})
    glue.create_partition(DatabaseName=database, TableName=table, PartitionInput={
        "Values": values,
        "StorageDescriptor": sd,
        "Parameters": {"classification": "parquet", **(stats or {})},
    })


VOLATILE = {"UpdateTime", "LastAccessTime", "VersionId", "IsRegisteredWithLakeFormation"}


def table_definition(glue, database: str, name: str) -> dict:
    """GetTable, minus what Glue changes on its own."""
    table = glue.get_table(DatabaseName=database, Name=name)["Table"]
    return {k: v for k, v in table.items() if k not in VOLATILE}


def partitions(glue, database: str, table: str) -> dict:
    """values tuple -> partition definition."""
    out = {}
    for p in glue.get_partitions(DatabaseName=database, TableName=table)["Partitions"]:
        out[tuple(p["Values"])] = p
    return out


def register_table(glue, database: str, name: str, bucket: str, prefix: str, schema: pa.Schema,
                   parts: list[dict]):
    """A Glue table over s3://bucket/prefix whose partitions (string keys, in the order of each
    dict) live in their key=value folders, as a crawler would register them."""
    from support.tables import partition_path

    keys = list(parts[0])
    create_table(glue, database, name, f"s3://{bucket}/{prefix}", schema, [(k, "string") for k in keys])
    for p in parts:
        add_partition(glue, database, name, [p[k] for k in keys],
                      f"s3://{bucket}/{prefix}/{partition_path(p)}", schema)
