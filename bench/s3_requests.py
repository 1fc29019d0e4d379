"""The benchmark over S3: the same job against a local S3 (the moto server), every request
counted at a proxy (tests/support/aws_proxy.py), per input file read. Measures requests, not
speed: moto is a Python server, far slower than S3, so its times say nothing about S3's.

    .venv/bin/python bench/s3_requests.py --binary build/s3-compaction [--files 1000] [--docs]

Tools: s3-compaction (in place, originals deleted: the original job); pyarrow
(`write_dataset`) and Polars (`sink_parquet`), both to another prefix: reading and writing only. Prints a Markdown table; --docs
writes it into docs/BENCHMARKS.md."""

from __future__ import annotations

import argparse
import datetime
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

import generate  # noqa: E402
from run import write_docs  # noqa: E402
from support.aws_proxy import AwsProxy  # noqa: E402
from support.s3 import LocalS3  # noqa: E402

KINDS = {"GET": {"GetObject"}, "HEAD": {"HeadObject", "HeadBucket"}, "LIST": {"ListObjects"},
         "PUT": {"PutObject", "UploadPart", "CreateMultipartUpload", "CompleteMultipartUpload"},
         "COPY": {"CopyObject"}, "DELETE": {"DeleteObject", "DeleteObjects"}}


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=str(ROOT / "build" / "s3-compaction"))
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--file-kb", type=int, default=100)
    ap.add_argument("--target-mb", type=float, default=128)
    ap.add_argument("--docs", action="store_true")
    args = ap.parse_args()

    s3 = LocalS3()
    proxy = AwsProxy(s3.endpoint).start()
    try:
        with tempfile.TemporaryDirectory(prefix="s3c-bench-s3-") as tmp:
            src = Path(tmp) / "events"
            meta = generate.generate(src, args.files, args.file_kb, days=1)
            target_bytes = int(args.target_mb * 2**20)
            rows_per_target = max(1, int(meta["rows"] * target_bytes / meta["bytes"]))
            rows = {}
            for tool in ("s3-compaction", "pyarrow", "polars"):
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
                else:
                    polars_job(proxy.endpoint, bucket, rows_per_target)
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
    table = "\n".join(lines)
    print(table)
    if args.docs:
        write_docs(table, "bench:s3")


if __name__ == "__main__":
    main()
