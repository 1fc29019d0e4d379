"""What a compacted file keeps: schema drift unified, nested types, decimals, timestamps (INT96
stays INT96), codecs, key-value metadata, and partition values that need Hive escaping."""

import importlib.util
import json
import random
import re
import shutil
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from support.tables import (RowsSnapshot, TableSpec, data_files, events_batch, events_schema,
                            partition_path, write_table)


def compact(run, root, *extra):
    # --verify=content here, where the types are varied: the digest of the rows written must
    # equal the digest of the rows read back, for every type these tests make.
    r = run("--table_path", root, "--delete_original_files", "true", "--json", "--verify",
            "content", *extra)
    assert r.code == 0, r.stderr + r.stdout
    return r.summary


def test_schema_drift_is_unified(run, tmp_path):
    """Columns added, removed, reordered and widened across files: one schema, every row."""
    root = tmp_path / "t"
    folder = root / "dt=2023-05-01"
    folder.mkdir(parents=True)
    rng = random.Random(1)
    base = events_batch(rng, 0, 100, events_schema(nested=False))
    # v1: user_id int32, no 'extra'
    for i in range(5):
        pq.write_table(events_batch(rng, i * 100, 100, events_schema(False)), folder / f"a{i}.parquet")
    # v2: user_id widened to int64, 'note' dropped, new column 'extra', columns reordered
    for i in range(5):
        t = events_batch(rng, 1000 + i * 100, 100, events_schema(False)).drop_columns(["note"])
        t = t.set_column(t.schema.get_field_index("user_id"), "user_id",
                         t.column("user_id").cast(pa.int64()))
        t = t.append_column("extra", pa.array([f"x{j}" for j in range(100)]))
        t = t.select(list(reversed(t.column_names)))
        pq.write_table(t, folder / f"b{i}.parquet")
    rows = RowsSnapshot()
    rows.capture("p", data_files(folder))
    r = run("--table_path", root, "--delete_original_files", "true", "--verbose")
    assert r.code == 0, r.stderr
    # a0's footer was read at planning and b0's deferred: b0 differs, so the partition was
    # planned again from every footer before anything was published.
    assert "re-planning the partition from every footer" in r.stderr
    files = data_files(folder)
    assert len(files) == 1
    rows.assert_same("p", files)
    schema = pq.read_schema(files[0])
    assert schema.field("user_id").type == pa.int64()
    assert schema.field("extra").type == pa.string()
    assert schema.field("note").nullable and schema.field("extra").nullable
    # Column order is the order of first appearance.
    assert schema.names[:len(base.column_names)] == base.column_names
    del base


def test_nested_decimal_timestamp_and_map_columns_survive(run, tmp_path):
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"p": "x"}], files_per_partition=30))
    rows = RowsSnapshot()
    rows.capture("p", data_files(root / "p=x"))
    compact(run, root)
    files = data_files(root / "p=x")
    rows.assert_same("p", files)
    schema = pq.read_schema(files[0])
    assert schema.field("device").type == pa.struct([("os", pa.string()), ("version", pa.int16())])
    assert schema.field("tags").type == pa.list_(pa.string())
    assert schema.field("attrs").type == pa.map_(pa.string(), pa.int64())
    assert schema.field("price").type == pa.decimal128(12, 2)
    assert schema.field("ts").type == pa.timestamp("us")
    assert not schema.field("event_id").nullable


def test_int96_sentinel_dates_survive(run, tmp_path):
    """9999-12-31 and 0001-01-01 lie outside what 64-bit nanoseconds hold; read as nanoseconds
    (Arrow's default) they come back as 1816 and 1754. They must come out as they went in."""
    import datetime as dt

    root = tmp_path / "t"
    folder = root / "p=x"
    folder.mkdir(parents=True)
    values = [dt.datetime(9999, 12, 31, 23, 59, 59, 999999), dt.datetime(1, 1, 1),
              dt.datetime(2023, 5, 1, 12, 0, 0, 123456), None]
    for i in range(3):
        t = pa.table({"id": pa.array([i] * 4, pa.int32()), "ts": pa.array(values, pa.timestamp("us"))})
        pq.write_table(t, folder / f"f{i}.parquet", use_deprecated_int96_timestamps=True)
    compact(run, root)
    files = data_files(folder)
    assert len(files) == 1
    got = pq.read_table(files[0], coerce_int96_timestamp_unit="us").column("ts").to_pylist()
    assert sorted(got, key=str) == sorted(values * 3, key=str)
    assert pq.ParquetFile(files[0]).schema.column(1).physical_type == "INT96"


def test_int96_with_nanoseconds_is_refused_not_truncated(run, tmp_path):
    root = tmp_path / "t"
    folder = root / "p=x"
    folder.mkdir(parents=True)
    for i in range(2):
        t = pa.table({"ts": pa.array([1_000_000_000_000_000_123 + i], pa.timestamp("ns"))})
        pq.write_table(t, folder / f"f{i}.parquet", use_deprecated_int96_timestamps=True)
    before = {f.name: f.read_bytes() for f in data_files(folder)}
    r = run("--table_path", root, "--delete_original_files", "true", "--json")
    assert r.code == 4
    reason = r.summary["details"][0]["reason"]
    assert "sub-microsecond" in reason and "'ts'" in reason and "f0.parquet" in reason
    assert {f.name: f.read_bytes() for f in data_files(folder)} == before


def test_int96_timestamps_stay_int96(run, tmp_path):
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"p": "x"}], files_per_partition=10, int96=True))
    def ts_physical_type(f):
        return pq.ParquetFile(f).schema.column(pq.read_schema(f).get_field_index("ts")).physical_type

    assert ts_physical_type(data_files(root / "p=x")[0]) == "INT96"
    rows = RowsSnapshot()
    rows.capture("p", data_files(root / "p=x"))
    compact(run, root)
    files = data_files(root / "p=x")
    rows.assert_same("p", files)
    assert ts_physical_type(files[0]) == "INT96"


def codecs_of(files) -> set:
    """The codec of every column chunk of every row group of `files`, as pyarrow names them."""
    out = set()
    for f in files:
        meta = pq.ParquetFile(f).metadata
        for g in range(meta.num_row_groups):
            out |= {meta.row_group(g).column(c).compression for c in range(meta.num_columns)}
    return out


# What the tool writes when neither the inputs nor --compression say otherwise (compaction_plan.h):
# a case whose expected codec is this one would pass whether or not the inputs' codec was kept.
DEFAULT_CODEC = "SNAPPY"


@pytest.mark.parametrize("codec", ["zstd", "gzip", "none", "lz4", "brotli"])
def test_codec_of_the_inputs_is_kept(run, tmp_path, codec):
    expected = {"none": "UNCOMPRESSED"}.get(codec, codec.upper())  # pyarrow calls LZ4_RAW "LZ4"
    assert expected != DEFAULT_CODEC
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"p": "x"}], files_per_partition=10,
                                compression=codec, nested=False))
    assert codecs_of(data_files(root / "p=x")) == {expected}
    rows = RowsSnapshot()
    rows.capture("p", data_files(root / "p=x"))
    compact(run, root)
    files = data_files(root / "p=x")
    rows.assert_same("p", files)
    assert codecs_of(files) == {expected}


@pytest.mark.parametrize("inputs,flag,expected,name_ending", [
    ("snappy", "zstd:7", "ZSTD", r"-c\d{3}\.zstd\.parquet"),
    ("zstd", "snappy", "SNAPPY", r"-c\d{3}\.snappy\.parquet"),  # the flag wins, even the default
    ("gzip", "none", "UNCOMPRESSED", r"-c\d{3}\.parquet"),  # as Spark names them: no codec
])
def test_compression_flag_changes_the_codec(run, tmp_path, inputs, flag, expected, name_ending):
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"p": "x"}], files_per_partition=10,
                                compression=inputs, nested=False))
    assert expected not in codecs_of(data_files(root / "p=x"))  # a flag ignored would show
    rows = RowsSnapshot()
    rows.capture("p", data_files(root / "p=x"))
    compact(run, root, "--compression", flag)
    files = data_files(root / "p=x")
    rows.assert_same("p", files)
    assert all(re.search(name_ending + "$", f.name) for f in files), files
    assert codecs_of(files) == {expected}


def test_compression_level_is_applied(run, tmp_path):
    """The same inputs at zstd levels 1 and 19: the higher level writes fewer bytes."""
    sizes = {}
    for level in (1, 19):
        root = tmp_path / f"t{level}"
        write_table(root, TableSpec(partitions=[{"p": "x"}], files_per_partition=10,
                                    nested=False))
        compact(run, root, "--compression", f"zstd:{level}")
        files = data_files(root / "p=x")
        assert codecs_of(files) == {"ZSTD"}
        sizes[level] = sum(f.stat().st_size for f in files)
    assert sizes[19] < sizes[1], sizes


def test_key_value_metadata_is_kept(run, tmp_path):
    root = tmp_path / "t"
    folder = root / "p=x"
    folder.mkdir(parents=True)
    spark_schema = '{"type":"struct","fields":[{"name":"event_id","type":"long","nullable":false,"metadata":{}}]}'
    for i in range(4):
        t = pa.table({"event_id": pa.array(range(i * 10, i * 10 + 10), pa.int64())})
        t = t.replace_schema_metadata({"org.apache.spark.sql.parquet.row.metadata": spark_schema,
                                       "writer": "test"})
        pq.write_table(t, folder / f"f{i}.parquet")
    compact(run, root)
    files = data_files(folder)
    kv = pq.ParquetFile(files[0]).metadata.metadata
    assert kv[b"org.apache.spark.sql.parquet.row.metadata"] == spark_schema.encode()
    assert kv[b"writer"] == b"test"


VALUES = ["a/b", "x=y", "50%", "with space", "Zürich", "日本", "🦆", "===", "a:b", "q?", None]


def test_partition_values_needing_escapes(run, tmp_path):
    root = tmp_path / "t"
    parts = [{"city": v} for v in VALUES]
    write_table(root, TableSpec(partitions=parts, files_per_partition=5, nested=False))
    rows = RowsSnapshot()
    for p in parts:
        rows.capture(partition_path(p), data_files(root / partition_path(p)))
    s = compact(run, root)
    assert s["partitions"]["compacted"] == len(VALUES)
    for p in parts:
        files = data_files(root / partition_path(p))
        assert len(files) == 1
        rows.assert_same(partition_path(p), files)


@pytest.mark.parametrize("predicate,expected", [
    ("city = 'a/b'", ["a/b"]),
    ("city IS NULL", [None]),
    ("city LIKE '%ü%' OR city IN ('🦆', '50%')", ["50%", "Zürich", "🦆"]),
    ("city BETWEEN 'a' AND 'b'", ["a/b", "a:b"]),
    ("NOT (city <> 'x=y')", ["x=y"]),
])
def test_predicates_on_escaped_values(run, tmp_path, predicate, expected):
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"city": v} for v in VALUES], files_per_partition=3,
                                nested=False))
    r = run("--table_path", root, "--partition_predicate", predicate, "--dry-run", "--json")
    assert r.code == 0, r.stderr
    got = sorted(d["partition"] for d in r.summary["details"])
    assert got == sorted(partition_path({"city": v}) for v in expected)


def test_columns_differing_only_in_case_are_one_column(run, tmp_path):
    """Hive, Athena and Spark match column names ignoring case: `id` in some files and `ID` in
    others are one column, written under the first spelling (before, the output held both and
    Spark refused the partition with COLUMN_ALREADY_EXISTS). A file holding both spellings
    fails its partition with a clear message, and nothing of it changes."""
    import duckdb

    root = tmp_path / "t"
    folder = root / "p=x"
    folder.mkdir(parents=True)
    for i in range(3):
        pq.write_table(pa.table({"id": pa.array(range(i * 10, i * 10 + 10), pa.int32()),
                                 "Name": [f"n{i}"] * 10}), folder / f"a{i}.parquet")
    for i in range(3):
        pq.write_table(pa.table({"NAME": [f"m{i}"] * 10,
                                 "ID": pa.array(range(100 + i * 10, 110 + i * 10), pa.int64())}),
                       folder / f"b{i}.parquet")
    expected = sorted([(i * 10 + k, f"n{i}") for i in range(3) for k in range(10)] +
                      [(100 + i * 10 + k, f"m{i}") for i in range(3) for k in range(10)])
    summary = compact(run, root)
    assert summary["partitions"]["compacted"] == 1
    files = data_files(folder)
    assert len(files) == 1
    schema = pq.read_schema(files[0])
    assert schema.names == ["id", "Name"]
    assert schema.field("id").type == pa.int64()
    got = duckdb.sql(f"SELECT id, Name FROM read_parquet('{files[0]}')").fetchall()
    assert sorted(got) == expected

    # Spark reads the compacted partition (it refused the one with both spellings). In a
    # process of its own: a JVM this one started would outlive the session and be reused, with
    # this test's environment, by later tests' SparkContexts.
    if importlib.util.find_spec("pyspark") is not None and shutil.which("java"):
        script = (
            "import json, sys\n"
            "from pyspark.sql import SparkSession\n"
            "spark = (SparkSession.builder.master('local[1]').appName('case')\n"
            "         .config('spark.ui.enabled', 'false').config('spark.driver.memory', '512m')\n"
            "         .getOrCreate())\n"
            "rows = spark.read.parquet(sys.argv[1]).select('id', 'name').collect()\n"
            "print(json.dumps([[r['id'], r['name']] for r in rows]))\n"
            "spark.stop()\n")
        proc = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        rows = json.loads(proc.stdout.strip().splitlines()[-1])
        assert sorted(tuple(r) for r in rows) == expected

    both = root / "p=y"
    both.mkdir()
    for i in range(3):
        pq.write_table(pa.table({"id": [1, 2], "Id": [3, 4]}), both / f"c{i}.parquet")
    before = {f.name: f.read_bytes() for f in both.iterdir()}
    r = run("--table_path", root, "--delete_original_files", "true")
    assert r.code == 4, r.stderr
    assert f"columns 'id' and 'Id' of {both}/c0.parquet differ only in case" in r.stdout + r.stderr
    assert {f.name: f.read_bytes() for f in both.iterdir()} == before


def test_nested_fields_differing_only_in_case_keep_their_values(run, tmp_path):
    """Struct fields inside a map's values, a list and a large list, spelled differently per
    file: one field, every value kept (a review found map values nulled by Arrow's cast, which
    matches struct fields by exact name; both verifications had passed)."""
    root = tmp_path / "t"
    folder = root / "p=x"
    folder.mkdir(parents=True)

    def write(i, name, list_type):
        item = pa.struct([(name, pa.int64())])
        t = pa.table({
            "m": pa.array([[(f"k{i}", {name: i})]], pa.map_(pa.string(), item)),
            "l": pa.array([[{name: 10 + i}, None]], list_type(item)),
        })
        pq.write_table(t, folder / f"f{i}.parquet")

    write(0, "v", pa.list_)
    write(1, "V", pa.list_)
    write(2, "v", pa.large_list)
    compact(run, root)
    files = data_files(folder)
    assert len(files) == 1
    got = pq.read_table(files[0]).to_pylist()
    got.sort(key=lambda r: r["l"][0]["v"])
    assert got == [{"m": [(f"k{i}", {"v": i})], "l": [{"v": 10 + i}, None]} for i in range(3)]
