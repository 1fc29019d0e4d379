"""The page merge (--merge pages, and auto's choice of it) against the row path and against every
reader: random schemas and writer settings, merged by pages and by rows, must give back exactly
the inputs' rows in order; files written by pyarrow, DuckDB, Polars and Spark (parquet-java),
merged by pages, read back by all four as the same multiset of rows each read before."""

import json
import os
import random
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from support import thrift_compact as tc
from support.tables import data_files

# How many random cases, and the first seed: by default 60 new seeds a day (the days since
# 1970-01-01 UTC times 60), so that successive CI runs try new tables; the summary names them.
CASES = int(os.environ.get("S3C_PAGE_MERGE_CASES", "60"))
FIRST_SEED = int(os.environ.get("S3C_PAGE_MERGE_FIRST_SEED") or int(time.time() // 86400) * CASES)


def merge(run, root, how, *extra):
    r = run("--table_path", root, "--delete_original_files", "true", "--json", "--merge", how,
            *extra)
    assert r.code == 0, r.stderr + r.stdout
    return r.summary


def methods(summary) -> set:
    return {d.get("method") for d in summary["details"] if d["status"] != "skipped"}


# ---------------------------------------------------------------------------------------------
# Random tables


def random_type(rng: random.Random, depth=0) -> pa.DataType:
    scalars = [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint16(),
               pa.uint32(), pa.uint64(), pa.float32(), pa.float64(), pa.bool_(), pa.string(),
               pa.large_string(), pa.binary(), pa.binary(5), pa.decimal128(5, 2),
               pa.decimal128(15, 3), pa.decimal128(30, 4), pa.date32(), pa.timestamp("ms"),
               pa.timestamp("us", tz="UTC"), pa.timestamp("ns"), pa.time32("ms"),
               pa.time64("us"), pa.float16(), pa.dictionary(pa.int32(), pa.string())]
    if depth < 2 and rng.random() < 0.25:
        kind = rng.choice(["list", "struct", "map", "large_list"])
        if kind == "list":
            return pa.list_(random_type(rng, depth + 1))
        if kind == "large_list":
            return pa.large_list(random_type(rng, depth + 1))
        if kind == "map":
            return pa.map_(pa.string(), random_type(rng, depth + 1))
        return pa.struct([pa.field(f"f{i}", random_type(rng, depth + 1))
                          for i in range(rng.randint(1, 3))])
    return rng.choice(scalars)


def random_value(rng: random.Random, t: pa.DataType, cardinality: int, null_rate: float):
    if rng.random() < null_rate:
        return None
    k = rng.randrange(cardinality)
    if pa.types.is_dictionary(t):
        return f"d{k}"
    if pa.types.is_boolean(t):
        return k % 2 == 0
    if pa.types.is_integer(t):
        bits = t.bit_width
        lo, hi = (0, 2 ** bits - 1) if pa.types.is_unsigned_integer(t) else (-2 ** (bits - 1), 2 ** (bits - 1) - 1)
        return lo + (k * 2654435761) % (hi - lo + 1)
    if pa.types.is_float16(t):
        import numpy as np
        return np.float16(k / 4)
    if pa.types.is_floating(t):
        return k / 8 - 3.5
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return f"value-{k}-" + "x" * (k % 7)
    if pa.types.is_fixed_size_binary(t):
        return k.to_bytes(5, "little")
    if pa.types.is_binary(t):
        return bytes([k % 256]) * (k % 9)
    if pa.types.is_decimal(t):
        bound = 10 ** (t.precision - 1)
        return Decimal((k * 7) % bound - bound // 2).scaleb(-t.scale)
    if pa.types.is_date(t):
        return k % 40000
    if pa.types.is_timestamp(t):
        return k * 1_000_003 * (1000 if t.unit == "ns" else 1)
    if pa.types.is_time32(t):
        return k % 86_400_000
    if pa.types.is_time64(t):
        return k % 86_400_000_000
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return [random_value(rng, t.value_type, cardinality, null_rate / 2)
                for _ in range(rng.randrange(4))]
    if pa.types.is_map(t):
        return [(f"k{j}", random_value(rng, t.item_type, cardinality, null_rate / 2))
                for j in range(rng.randrange(3))]
    if pa.types.is_struct(t):
        return {f.name: random_value(rng, f.type, cardinality, null_rate / 2) for f in t}
    raise AssertionError(t)


def random_array(rng, t, rows, cardinality, null_rate):
    values = [random_value(rng, t, cardinality, null_rate) for _ in range(rows)]
    if pa.types.is_float16(t):
        import numpy as np
        arr = np.array([0 if v is None else v for v in values], dtype=np.float16)
        return pa.array(arr, type=t, mask=np.array([v is None for v in values], dtype=bool))
    if pa.types.is_dictionary(t):
        return pa.array(values, type=pa.string()).dictionary_encode().cast(t)
    return pa.array(values, type=t)


def random_case(seed: int, folder: Path):
    """Writes 2 to 7 files of one random schema into `folder` with per-file writer settings
    that keep the physical schema; returns whether every file has a page index."""
    rng = random.Random(seed)
    fields = [pa.field(f"c{i}", random_type(rng), nullable=rng.random() < 0.8)
              for i in range(rng.randint(1, 6))]
    schema = pa.schema(fields)
    int96 = rng.random() < 0.15
    decimals_as_int = rng.random() < 0.3
    page_index = rng.random() < 0.3
    folder.mkdir(parents=True)
    for f in range(rng.randint(2, 7)):
        rows = rng.choice([0, 1, 7, 100, 1000, 3000]) if rng.random() < 0.3 else rng.randint(1, 2500)
        cardinality = rng.choice([1, 3, 50, 100_000])
        null_rate = rng.choice([0.0, 0.0, 0.1, 0.5, 1.0])
        columns = []
        for field in fields:
            rate = null_rate if field.nullable else 0.0
            columns.append(random_array(rng, field.type, rows, cardinality, rate))
        table = pa.Table.from_arrays(columns, schema=schema)
        kwargs = dict(
            compression=rng.choice(["snappy", "zstd", "none", "gzip"]),
            data_page_version=rng.choice(["1.0", "2.0"]),
            use_dictionary=rng.random() < 0.8,
            dictionary_pagesize_limit=rng.choice([64, 1024, 1 << 20]),
            data_page_size=rng.choice([128, 4096, 1 << 20]),
            write_statistics=rng.random() < 0.8,
            row_group_size=rng.choice([50, 1000, 1 << 20]),
            store_decimal_as_integer=decimals_as_int,
            use_deprecated_int96_timestamps=int96,
            write_page_index=page_index or rng.random() < 0.1,
            write_page_checksum=rng.random() < 0.2,
        )
        try:
            pq.write_table(table, folder / f"part-{f:03d}.parquet", **kwargs)
        except pa.ArrowIndexError:
            # pyarrow 26 fails to write some dictionary columns inside structs in small pieces
            # without dictionary encoding ("Index 0 out of bounds"; seed 232): its defaults.
            kwargs.update(row_group_size=1 << 20, data_page_size=1 << 20, use_dictionary=True)
            pq.write_table(table, folder / f"part-{f:03d}.parquet", **kwargs)
    return page_index


def same(a: pa.Table, b: pa.Table) -> bool:
    """Equal schemas and equal rows in order (dictionary-encoded values compared as values, in
    whatever dictionary they are)."""
    return a.schema == b.schema and a.to_pylist() == b.to_pylist()


def read_outputs(folder: Path) -> pa.Table:
    files = sorted(data_files(folder))
    return pa.concat_tables([pq.read_table(f) for f in files]) if files else None


def first_difference(a: pa.Table, b: pa.Table) -> str:
    if a.schema != b.schema:
        return f"schemas differ:\n{a.schema}\n--\n{b.schema}"
    if a.num_rows != b.num_rows:
        return f"{a.num_rows} rows against {b.num_rows}"
    for name in a.column_names:
        x, y = a.column(name).to_pylist(), b.column(name).to_pylist()
        for i in range(len(x)):
            if x[i] != y[i]:
                return f"column {name}, row {i}: {x[i]} against {y[i]}"
    return "equal"


def test_random_tables_pages_equal_rows_equal_inputs(run, tmp_path, coverage_note):
    """Random schemas (every scalar type, nesting, nulls everywhere), random writer settings per
    file (codec, data page v1/v2, dictionary on/off and forced fallback, tiny pages and row
    groups, statistics on/off, page index, checksums, INT96, decimals as integers): merged by
    pages and by rows, both give back exactly the inputs' rows, in order."""
    seeds = list(range(FIRST_SEED, FIRST_SEED + CASES))
    pages_used = 0
    for seed in seeds:
        case = tmp_path / f"case{seed}"
        page_index = random_case(seed, case / "pages" / "p=1")
        shutil.copytree(case / "pages", case / "rows")
        expected = pa.concat_tables(pq.read_table(f) for f in sorted(data_files(case / "pages" / "p=1")))
        # Every fifth case also takes a digest of every row read and written.
        by_pages = merge(run, case / "pages", "pages", *(["--verify", "content"] if seed % 5 == 0 else []))
        by_rows = merge(run, case / "rows", "rows")
        if by_pages["details"][0]["status"] == "skipped":
            continue  # nothing to compact (one file holds rows)
        assert methods(by_pages) == {"pages"}, (seed, by_pages["details"])
        assert methods(by_rows) == {"rows"}, seed
        pages_used += 1
        got_pages = read_outputs(case / "pages" / "p=1")
        got_rows = read_outputs(case / "rows" / "p=1")
        assert same(got_pages, expected), f"seed {seed}: pages: {first_difference(got_pages, expected)}"
        assert same(got_rows, expected), f"seed {seed}: rows: {first_difference(got_rows, expected)}"
        # One output file, one row group: pages of many inputs per column chunk.
        outputs = data_files(case / "pages" / "p=1")
        assert len(outputs) == 1
        md = pq.ParquetFile(outputs[0]).metadata
        assert md.num_row_groups == 1
        # A page index is kept when every input has one.
        if page_index:
            assert md.row_group(0).column(0).has_offset_index, seed
        shutil.rmtree(case)
    coverage_note("page merge: random tables, pages against rows against the inputs",
                  f"{len(seeds)} random cases (seeds {seeds[0]}-{seeds[-1]}: "
                  f"S3C_PAGE_MERGE_FIRST_SEED={seeds[0]} S3C_PAGE_MERGE_CASES={CASES} "
                  f"repeats them), {pages_used} merged by pages, 0 failed")
    assert pages_used >= len(seeds) * 0.8


def test_auto_takes_pages_and_says_why_not(run, tmp_path):
    """auto merges pages where the inputs share the output's physical schema; where they do not
    (a column written as INT32 in one file and INT64 in another: the schema is unified) it
    writes rows and says why."""
    same = tmp_path / "t" / "p=same"
    drift = tmp_path / "t" / "p=drift"
    same.mkdir(parents=True)
    drift.mkdir(parents=True)
    for i in range(4):
        t = pa.table({"id": pa.array(range(i * 1000, (i + 1) * 1000), pa.int64()),
                      "name": [f"n{j % 37}" for j in range(1000)]})
        pq.write_table(t, same / f"f{i}.parquet")
        d = pa.table({"id": pa.array(range(1000), pa.int32() if i % 2 else pa.int64()),
                      "name": [f"n{j % 37}" for j in range(1000)]})
        pq.write_table(d, drift / f"f{i}.parquet")
    r = run("--table_path", tmp_path / "t", "--dry-run")
    assert r.code == 0, r.stderr
    line = {l.split()[0]: l for l in r.stdout.splitlines() if "p=" in l}
    assert line["p=same"].endswith("by pages"), r.stdout
    # p=drift's small files are planned from its first footer (the others are read whole when
    # it runs): the run finds the difference, plans the partition again from every footer, and
    # writes rows.
    summary = merge(run, tmp_path / "t", "auto")
    by = {d["partition"]: d for d in summary["details"]}
    assert by["p=same"]["method"] == "pages"
    assert by["p=drift"]["method"] == "rows"
    assert "f1.parquet stores its columns unlike f0.parquet" == by["p=drift"]["method_reason"]
    got = duckdb.sql(f"SELECT count(*), sum(id) FROM read_parquet('{same}/*.parquet')").fetchall()[0]
    assert got == (4000, sum(range(4000)))


def test_sizes_and_row_groups_on_compressed_bytes(run, tmp_path):
    """Files cut within 5% of the target and row groups near the row group size, counted on
    the inputs' compressed bytes before anything is written."""
    folder = tmp_path / "t" / "p=1"
    folder.mkdir(parents=True)
    rng = random.Random(7)
    n = 5000
    for i in range(120):
        t = pa.table({"id": pa.array(range(i * n, (i + 1) * n), pa.int64()),
                      "blob": [rng.randbytes(40) for _ in range(n)]})
        pq.write_table(t, folder / f"f{i:03d}.parquet", compression="none")
    total = sum(f.stat().st_size for f in data_files(folder))
    summary = merge(run, tmp_path / "t", "pages", "--target_file_size_mb", "8",
                    "--row_group_size_mb", "2")
    assert methods(summary) == {"pages"}
    outputs = sorted(data_files(folder))
    sizes = [f.stat().st_size for f in outputs]
    assert abs(sum(sizes) - total) < total * 0.05
    assert len(sizes) >= 3
    for size in sizes[:-1]:
        assert abs(size - (8 << 20)) <= 0.05 * (8 << 20), sizes  # 5%: sizes known beforehand
    for f in outputs:
        md = pq.ParquetFile(f).metadata
        for g in range(md.num_row_groups - 1):
            assert md.row_group(g).total_byte_size >= 1 << 20, (f, g)
    got = duckdb.sql(f"SELECT count(*), count(DISTINCT id) FROM read_parquet('{folder}/*.parquet')").fetchall()[0]
    assert got == (120 * n, 120 * n)


# ---------------------------------------------------------------------------------------------
# Every writer, every reader

SPARK_WRITE_AND_READ = r"""
import json, sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master('local[1]').appName('pages')
         .config('spark.ui.enabled', 'false').config('spark.driver.memory', '768m')
         .config('spark.sql.session.timeZone', 'UTC').getOrCreate())
mode, root = sys.argv[1], sys.argv[2]
if mode == 'write':
    spark.sql('''
      SELECT id, CAST(id * 3 AS INT) AS small, CAST(id AS DOUBLE) / 7 AS ratio,
             CASE WHEN id % 5 = 0 THEN NULL ELSE concat('name-', CAST(id % 40 AS STRING)) END AS name,
             CAST(id AS DECIMAL(10, 2)) / 3 AS price, CAST(id AS DECIMAL(30, 4)) AS big,
             timestamp_micros(1700000000000000 + id * 1000003) AS ts, date_add(DATE'2020-01-01', CAST(id % 900 AS INT)) AS day,
             id % 3 = 0 AS flag, CAST(concat('b', id % 11) AS BINARY) AS raw,
             array(CAST(id % 4 AS INT), CAST(NULL AS INT)) AS arr,
             named_struct('a', id % 9, 'b', CASE WHEN id % 2 = 0 THEN NULL ELSE 'odd' END) AS st,
             map('k', CAST(id % 6 AS STRING)) AS m
      FROM range(0, 24000)''').repartition(8).write.parquet(root + '/w=spark')
def dump(df):
    return sorted(json.dumps(r.asDict(recursive=True), default=str, sort_keys=True) for r in df.collect())
out = {w: dump(spark.read.parquet(root + '/w=' + w)) for w in sys.argv[3:]}
# A filtered read: parquet-java skips pages by the column index and offset index where present.
out['filtered'] = dump(spark.read.parquet(root + '/w=pyarrow_v1').where('id BETWEEN 3000 AND 3100 OR id = 11999'))
print(json.dumps(out))
spark.stop()
"""


def spark_available():
    import importlib.util
    return importlib.util.find_spec("pyspark") is not None and shutil.which("java")


def spark(mode, root, writers):
    proc = subprocess.run([sys.executable, "-c", SPARK_WRITE_AND_READ, mode, str(root), *writers],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def write_inputs(root: Path):
    """Six or more small files per writer, in a partition of its own."""
    # pyarrow: data page v1 + snappy, v2 + zstd, dictionary fallback forced.
    rng = random.Random(3)
    for variant, kwargs in {
        "pyarrow_v1": dict(compression="snappy", data_page_version="1.0", write_page_index=True,
                           data_page_size=4096),
        "pyarrow_v2": dict(compression="zstd", data_page_version="2.0"),
        "pyarrow_fallback": dict(compression="snappy", dictionary_pagesize_limit=256,
                                 data_page_size=1024),
    }.items():
        folder = root / f"w={variant}"
        folder.mkdir(parents=True)
        for i in range(6):
            n = 2000
            t = pa.table({
                "id": pa.array(range(i * n, (i + 1) * n), pa.int64()),
                "name": [None if j % 9 == 0 else f"user-{rng.randrange(300)}" for j in range(n)],
                "amount": pa.array([Decimal(rng.randrange(10 ** 6)).scaleb(-2) for _ in range(n)],
                                   pa.decimal128(12, 2)),
                "ts": pa.array([1_700_000_000_000_000 + j * 1013 for j in range(n)], pa.timestamp("us", tz="UTC")),
                "tags": [[f"t{rng.randrange(5)}" for _ in range(rng.randrange(3))] if j % 4 else None
                         for j in range(n)],
                "point": [{"x": rng.random(), "y": None if j % 3 == 0 else j} for j in range(n)],
                "attrs": [[("k", str(j % 7))] for j in range(n)],
                "all_null": pa.nulls(n, pa.int32()),
                "fixed": [rng.randbytes(4) for _ in range(n)],
            }, schema=pa.schema([("id", pa.int64()), ("name", pa.string()), ("amount", pa.decimal128(12, 2)),
                                 ("ts", pa.timestamp("us", tz="UTC")), ("tags", pa.list_(pa.string())),
                                 ("point", pa.struct([("x", pa.float64()), ("y", pa.int64())])),
                                 ("attrs", pa.map_(pa.string(), pa.string())), ("all_null", pa.int32()),
                                 ("fixed", pa.binary(4))]))
            pq.write_table(t, folder / f"part-{i}.parquet", **kwargs)
    # DuckDB.
    folder = root / "w=duckdb"
    folder.mkdir()
    con = duckdb.connect()
    for i in range(6):
        con.execute(f"""COPY (SELECT i AS id, 'd' || (i % 50) AS name, (i / 7)::DECIMAL(18, 3) AS amount,
                              TIMESTAMP '2024-01-01' + to_microseconds(i * 1000) AS ts, [i % 3, NULL] AS arr,
                              {{'a': i % 5, 'b': CASE WHEN i % 2 = 0 THEN NULL ELSE 'x' END}} AS st,
                              MAP {{'k': i % 4}} AS m, i % 2 = 0 AS flag, (i % 100)::UTINYINT AS tiny,
                              DATE '2020-01-01' + (i % 365)::INT AS day, i::DOUBLE / 3 AS ratio
                            FROM range({i * 3000}, {(i + 1) * 3000}) t(i))
                        TO '{folder}/part-{i}.parquet' (FORMAT parquet)""")
    # DuckDB's UUIDs (FIXED_LEN_BYTE_ARRAY(16), which Spark refuses to read) and HUGEINTs.
    folder = root / "w=duckdb_uuid"
    folder.mkdir()
    for i in range(6):
        con.execute(f"""COPY (SELECT i AS id, uuid() AS u, (i * 1000000000000)::HUGEINT AS huge
                            FROM range({i * 1000}, {(i + 1) * 1000}) t(i))
                        TO '{folder}/part-{i}.parquet' (FORMAT parquet)""")
    # Polars.
    import polars as pl
    folder = root / "w=polars"
    folder.mkdir()
    for i in range(6):
        n = 2500
        df = pl.DataFrame({
            "id": list(range(i * n, (i + 1) * n)),
            "name": [None if j % 6 == 0 else f"p{j % 70}" for j in range(n)],
            "cat": pl.Series([f"c{j % 4}" for j in range(n)], dtype=pl.Categorical),
            "vals": [[j % 5, j % 7] for j in range(n)],
            "st": [{"a": j, "b": f"s{j % 3}"} for j in range(n)],
            "day": pl.date_range(pl.date(2020, 1, 1), pl.date(2020, 1, 1), eager=True).extend_constant(None, n - 1),
            "ratio": [j / 9 for j in range(n)],
            "flag": [j % 2 == 0 for j in range(n)],
        })
        df.write_parquet(folder / f"part-{i}.parquet")


def read_all_readers(root: Path, writers) -> dict:
    """Per writer's partition, per reader: the sorted rows as text."""
    import polars as pl
    out = {}
    for w in writers:
        folder = root / f"w={w}"
        files = sorted(str(f) for f in data_files(folder))
        out[w] = {
            "pyarrow": sorted(repr(r) for r in pa.concat_tables(pq.read_table(f) for f in files).to_pylist()),
            "duckdb": sorted(repr(r) for r in duckdb.sql(f"SELECT * FROM read_parquet({files!r})").fetchall()),
            "polars": sorted(repr(r) for r in pl.concat([pl.read_parquet(f) for f in files], how="vertical_relaxed").rows()),
        }
    return out


@pytest.mark.skipif(not spark_available(), reason="needs pyspark and java")
def test_every_writer_merged_by_pages_reads_back_in_every_reader(run, tmp_path):
    root = tmp_path / "t"
    write_inputs(root)
    writers = ["pyarrow_v1", "pyarrow_v2", "pyarrow_fallback", "duckdb", "duckdb_uuid", "polars",
               "spark"]
    spark_reads = [w for w in writers if w != "duckdb_uuid"]
    spark_before = spark("write", root, spark_reads)
    before = read_all_readers(root, writers)
    for w in writers:
        assert len(data_files(root / f"w={w}")) >= 6, w
    summary = merge(run, root, "pages")
    by = {d["partition"]: d for d in summary["details"]}
    for w in writers:
        assert by[f"w={w}"]["method"] == "pages", (w, by[f"w={w}"].get("method_reason"))
        assert len(data_files(root / f"w={w}")) == 1, w
    after = read_all_readers(root, writers)
    spark_after = spark("read", root, spark_reads)
    for w in writers:
        for reader in ("pyarrow", "duckdb", "polars"):
            assert after[w][reader] == before[w][reader], (w, reader)
    for w in spark_reads:
        assert spark_after[w] == spark_before[w], (w, "spark")
    assert len(spark_after["filtered"]) == 102 and spark_after["filtered"] == spark_before["filtered"]
    # Every output page carries a CRC (parquet-java writes them by default, and Arrow does not say
    # which input pages had one), and a reader that checks them reads every row.
    out = data_files(root / "w=pyarrow_v2")[0]
    pf = tc.ParquetFile(out)
    for c in range(len(pf.row_groups()[0].val(1).items)):
        assert all(p.header.val(4) is not None for p in pf.pages(0, c)), c
    assert pq.read_table(out, page_checksum_verification=True).num_rows == 12000
    # The page index of inputs that had one is kept.
    md = pq.ParquetFile(data_files(root / "w=pyarrow_v1")[0]).metadata
    assert md.row_group(0).column(0).has_offset_index and md.row_group(0).column(0).has_column_index
    # The merged dictionary: one dictionary page per column chunk, the chunk's statistics
    # those of every input together.
    md = pq.ParquetFile(data_files(root / "w=pyarrow_v1")[0]).metadata
    name = md.row_group(0).column(1)
    assert name.has_dictionary_page
    assert name.statistics.min == "user-0" and name.statistics.max == "user-99"
