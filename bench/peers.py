"""The same job done by the tools users would pick instead: read a Hive-partitioned table, write
each partition again as files of about the target size. One tool per process, so that its time
and peak memory are its own:

    python bench/peers.py TOOL SOURCE OUT TARGET_BYTES ROWS_PER_TARGET

TOOL is duckdb, pyarrow, polars, spark or copy (the floor: the same bytes copied, no Parquet).
SOURCE and OUT may be URIs, passed on as they are (bench/s3_requests.py): s3a://bucket/prefix
for spark, s3://bucket/prefix for pyarrow and polars, which then take the endpoint and
credentials from the environment (AWS_ENDPOINT_URL, an http:// one; AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_REGION)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def duckdb_job(src: Path, out: Path, target_bytes: int, rows_per_target: int):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads={os.cpu_count()}")
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{src}/**/*.parquet', hive_partitioning=true)) "
        f"TO '{out}' (FORMAT parquet, PARTITION_BY (dt, hour), FILE_SIZE_BYTES {target_bytes}, "
        f"COMPRESSION snappy)")


def on_s3(uri) -> bool:
    return isinstance(uri, str) and uri.startswith("s3://")


def pyarrow_job(src: Path | str, out: Path | str, target_bytes: int, rows_per_target: int):
    import pyarrow.dataset as ds

    filesystem = None
    if on_s3(src):  # Arrow's S3 filesystem takes bucket/key paths
        from pyarrow import fs

        filesystem = fs.S3FileSystem(
            endpoint_override=os.environ["AWS_ENDPOINT_URL"], scheme="http",
            access_key=os.environ["AWS_ACCESS_KEY_ID"],
            secret_key=os.environ["AWS_SECRET_ACCESS_KEY"], region=os.environ["AWS_REGION"])
        src, out = src[len("s3://"):], out[len("s3://"):]
    data = ds.dataset(str(src), format="parquet", partitioning="hive", filesystem=filesystem)
    ds.write_dataset(data, str(out), format="parquet", partitioning=["dt", "hour"],
                     partitioning_flavor="hive", max_rows_per_file=rows_per_target,
                     max_rows_per_group=min(rows_per_target, 1 << 20),
                     existing_data_behavior="overwrite_or_ignore", filesystem=filesystem)


def polars_job(src: Path | str, out: Path | str, target_bytes: int, rows_per_target: int):
    import polars as pl

    if on_s3(src):  # object_store's options
        options = {"aws_endpoint_url": os.environ["AWS_ENDPOINT_URL"], "aws_allow_http": "true",
                   "aws_access_key_id": os.environ["AWS_ACCESS_KEY_ID"],
                   "aws_secret_access_key": os.environ["AWS_SECRET_ACCESS_KEY"],
                   "aws_region": os.environ["AWS_REGION"]}
        frame = pl.scan_parquet(f"{src}/**/*.parquet", hive_partitioning=True,
                                storage_options=options)
        frame.sink_parquet(pl.PartitionBy(str(out), key=["dt", "hour"], include_key=False,
                                          max_rows_per_file=rows_per_target),
                           compression="snappy", storage_options=options)
        return
    frame = pl.scan_parquet(f"{src}/**/*.parquet", hive_partitioning=True)
    frame.sink_parquet(pl.PartitionBy(str(out), key=["dt", "hour"], include_key=False,
                                      max_rows_per_file=rows_per_target),
                       compression="snappy", mkdir=True)


def spark_job(src: Path, out: Path, target_bytes: int, rows_per_target: int):
    """What the original Glue job does: read, repartition by the partition columns, write
    partitioned with a cap of rows per file."""
    from pyspark.sql import SparkSession

    # Run by spark-submit (bench/run.py), which sets the master and the driver's memory.
    spark = (SparkSession.builder.appName("compaction-bench")
             .config("spark.sql.shuffle.partitions", "48").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    df = spark.read.parquet(str(src))
    (df.repartition("dt", "hour").write.mode("overwrite").partitionBy("dt", "hour")
     .option("maxRecordsPerFile", rows_per_target).option("compression", "snappy")
     .parquet(str(out)))
    spark.stop()


def copy_job(src: Path, out: Path, target_bytes: int, rows_per_target: int):
    shutil.copytree(src, out)


JOBS = {"duckdb": duckdb_job, "pyarrow": pyarrow_job, "polars": polars_job, "spark": spark_job,
        "copy": copy_job}


if __name__ == "__main__":
    tool, src, out, target, rows = sys.argv[1:6]
    # A URI stays a string: Path would fold its "//" (s3a://b/k -> s3a:/b/k).
    JOBS[tool](*(p if "://" in p else Path(p) for p in (src, out)), int(target), int(rows))
