"""The benchmark over S3: the same job against a local S3 (the moto server), every request
counted at a proxy (tests/support/aws_proxy.py), per input file read. Measures requests, not
speed: moto is a Python server, far slower than S3, so its times say nothing about S3's.

    .venv/bin/python bench/s3_requests.py --binary build/s3-compaction [--files 1000] [--docs]
        [--tools s3-compaction,pyarrow,polars,spark]

Tools: s3-compaction (in place, originals deleted: the original job); pyarrow
(`write_dataset`), Polars (`sink_parquet`) and Spark (bench/peers.py's job, over s3a://), each to
another prefix (out-TOOL): reading and writing only. Prints a Markdown table; --docs writes it into
docs/BENCHMARKS.md.

Spark runs as in bench/run.py (spark-submit from the pyspark package, local mode: the JVM's own
requests are counted) with Hadoop's s3a connector: `--packages org.apache.hadoop:hadoop-aws:3.5.0`
(matching pyspark's hadoop-client-api-3.5.0), which brings software.amazon.awssdk:bundle:2.35.4
(the AWS SDK v2, ~655 MiB), analyticsaccelerator-s3:1.3.1 and wildfly-openssl:2.2.5.Final from
Maven Central. spark-submit fetches them once, with Ivy, into ~/.cache/s3-compaction-bench/ivy
(outside the repository; ~1.3 GiB on disk: Ivy keeps a cache and a copy of the jars); later runs
use that cache. s3a keeps its defaults, as a Glue user's Spark would (see SPARK_S3A).

DuckDB is not measured: it reads S3 only through its httpfs extension, which it downloads from
extensions.duckdb.org, unreachable here; no PyPI package ships httpfs for the duckdb pinned in
requirements.txt (2.0.1): duckdb-extension-httpfs stops at 1.5.5, and duckdb 2.0.1 refuses an
extension built for another version."""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

import generate  # noqa: E402
from run import command, write_docs  # noqa: E402
from support.aws_proxy import AwsProxy  # noqa: E402
from support.s3 import LocalS3  # noqa: E402

KINDS = {"GET": {"GetObject"}, "HEAD": {"HeadObject", "HeadBucket"}, "LIST": {"ListObjects"},
         "PUT": {"PutObject", "UploadPart", "CreateMultipartUpload", "CompleteMultipartUpload"},
         "COPY": {"CopyObject"}, "DELETE": {"DeleteObject", "DeleteObjects"}}
TOOLS = ["s3-compaction", "pyarrow", "polars", "spark"]
NOT_MEASURED = {"duckdb": "DuckDB: not measured: it reads S3 only through its httpfs extension, "
                          "downloaded from extensions.duckdb.org (unreachable here); no PyPI "
                          "package ships httpfs for duckdb 2.0.1"}

# Spark's s3a connector, and where spark-submit's Ivy keeps it (see the module's docstring).
SPARK_PACKAGES = "org.apache.hadoop:hadoop-aws:3.5.0"
SPARK_IVY = Path.home() / ".cache" / "s3-compaction-bench" / "ivy"
# Only what points s3a at the proxy: endpoint, path-style, http, the test credentials, region.
# Everything else is s3a's default, as a Glue user would have it: Spark's FileOutputCommitter
# (algorithm 1, whose renames s3a does as COPY + DELETE; Glue's own EMRFS S3-optimized committer
# exists only on Glue and EMR), the default input stream (in 3.5.0 the Analytics Accelerator's,
# which reads a small file whole in one GET), read-ahead, multipart sizes, directory markers and
# no bucket probe. No tuning.
SPARK_S3A = {
    "fs.s3a.path.style.access": "true",
    "fs.s3a.connection.ssl.enabled": "false",
    "fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
    "fs.s3a.access.key": "testing",
    "fs.s3a.secret.key": "testing",
    "fs.s3a.endpoint.region": "us-east-1",
}


def pyarrow_job(endpoint: str, bucket: str, rows_per_target: int):
    import pyarrow.dataset as ds
    from pyarrow import fs

    s3 = fs.S3FileSystem(endpoint_override=endpoint, access_key="testing", secret_key="testing",
                         region="us-east-1", scheme="http")
    data = ds.dataset(f"{bucket}/events", filesystem=s3, format="parquet", partitioning="hive")
    ds.write_dataset(data, f"{bucket}/out-pyarrow", filesystem=s3, format="parquet",
                     partitioning=["dt", "hour"], partitioning_flavor="hive",
                     max_rows_per_file=rows_per_target, existing_data_behavior="overwrite_or_ignore")


def polars_job(endpoint: str, bucket: str, rows_per_target: int):
    import polars as pl

    options = {"aws_endpoint_url": endpoint, "aws_access_key_id": "testing",
               "aws_secret_access_key": "testing", "aws_region": "us-east-1",
               "aws_allow_http": "true"}
    frame = pl.scan_parquet(f"s3://{bucket}/events/**/*.parquet", hive_partitioning=True,
                            storage_options=options)
    frame.sink_parquet(pl.PartitionBy(f"s3://{bucket}/out-polars", key=["dt", "hour"],
                                      include_key=False, max_rows_per_file=rows_per_target),
                       storage_options=options)


def spark_job(endpoint: str, bucket: str, target_bytes: int, rows_per_target: int, env: dict,
              log: Path):
    """bench/peers.py's Spark job, submitted as bench/run.py does, over s3a:// through the proxy."""
    cmd = command("spark", "", f"s3a://{bucket}/events", f"s3a://{bucket}/out-spark", target_bytes,
                  rows_per_target)
    conf = {"spark.jars.ivy": str(SPARK_IVY), "spark.hadoop.fs.s3a.endpoint": endpoint,
            **{f"spark.hadoop.{k}": v for k, v in SPARK_S3A.items()}}
    options = ["--packages", SPARK_PACKAGES]
    for key, value in conf.items():
        options += ["--conf", f"{key}={value}"]
    env = dict(os.environ, **env, PYSPARK_PYTHON=sys.executable,
               PYSPARK_DRIVER_PYTHON=sys.executable)
    with open(log, "w") as out:  # Ivy's report and the JVM's warnings
        proc = subprocess.run([cmd[0], *options, *cmd[1:]], env=env, cwd=log.parent, stdout=out,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise RuntimeError(f"spark-submit failed ({proc.returncode}):\n" + log.read_text()[-3000:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=str(ROOT / "build" / "s3-compaction"))
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--file-kb", type=int, default=100)
    ap.add_argument("--target-mb", type=float, default=128)
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--docs", action="store_true")
    args = ap.parse_args()
    tools = [t for t in args.tools.split(",") if t]
    if set(tools) - set(TOOLS):
        ap.error(f"--tools: one or more of {', '.join(TOOLS)}")

    s3 = LocalS3()
    proxy = AwsProxy(s3.endpoint).start()
    try:
        with tempfile.TemporaryDirectory(prefix="s3c-bench-s3-") as tmp:
            src = Path(tmp) / "events"
            meta = generate.generate(src, args.files, args.file_kb, days=1)
            target_bytes = int(args.target_mb * 2**20)
            rows_per_target = max(1, int(meta["rows"] * target_bytes / meta["bytes"]))
            rows = {}
            for tool in tools:
                bucket = f"bench-{tool}"
                s3.client.create_bucket(Bucket=bucket)
                print(f"bench: uploading {args.files:,} files for {tool}", flush=True)
                s3.upload_tree(src, bucket, "events")
                proxy.reset()
                if tool == "s3-compaction":
                    env = dict(s3.env(), AWS_ENDPOINT_URL=proxy.endpoint)
                    subprocess.run([args.binary, "--table_path", f"s3://{bucket}/events",
                                    "--target_file_size_mb", str(args.target_mb),
                                    "--delete_original_files", "true"], env=env, check=True,
                                   stdout=subprocess.DEVNULL)
                elif tool == "pyarrow":
                    pyarrow_job(proxy.endpoint, bucket, rows_per_target)
                elif tool == "polars":
                    polars_job(proxy.endpoint, bucket, rows_per_target)
                else:
                    env = dict(s3.env(), AWS_ENDPOINT_URL=proxy.endpoint)
                    spark_job(proxy.endpoint, bucket, target_bytes, rows_per_target, env,
                              Path(tmp) / "spark.log")
                counts = proxy.count()
                rows[tool] = {kind: sum(counts[op] for op in ops) for kind, ops in KINDS.items()}
                rows[tool]["other"] = sum(v for op, v in counts.items()
                                          if not any(op in ops for ops in KINDS.values()))
    finally:
        proxy.stop()
        s3.stop()

    n = args.files
    lines = [f"{datetime.date.today()}; {n:,} input files of ~{args.file_kb} KB "
             f"({meta['bytes'] / 2**20:.0f} MiB, {meta['partitions']} partitions), target "
             f"{args.target_mb:g} MiB; requests counted at the proxy, per input file in brackets.",
             "",
             "| tool | GET | HEAD | LIST | PUT | COPY | DELETE | other | total per input file |",
             "|---|---|---|---|---|---|---|---|---|"]
    for tool, r in rows.items():
        cells = " | ".join(f"{r[k]:,} ({r[k] / n:.2f})" for k in
                           ("GET", "HEAD", "LIST", "PUT", "COPY", "DELETE", "other"))
        lines.append(f"| {tool} | {cells} | {sum(r.values()) / n:.2f} |")
    lines += ["", *NOT_MEASURED.values()]
    table = "\n".join(lines)
    print(table)
    if args.docs:
        write_docs(table, "bench:s3")


if __name__ == "__main__":
    main()
