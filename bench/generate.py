"""The benchmark's table: a realistic events table, written with pyarrow from a seed, partitioned
by date and hour (dt=YYYY-MM-DD/hour=HH) into many small files.

Columns: event_id (int64), user_id (int32), event_type (string, 12 values), page (string, a few
thousand values), value (double), ts (timestamp[us]), device (struct<os: string, version:
int16>), tags (list<string>). Files are sized by calibrating rows per file on a sample.
--unique-strings makes `page` near-unique (a session URL per row): the high-cardinality case,
where dictionaries do not pay and merged ones overflow.

    python bench/generate.py OUT [--files 10000] [--file-kb 100] [--codec snappy] [--days 2]
"""

from __future__ import annotations

import argparse
import io
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

EVENT_TYPES = np.array(["view", "click", "scroll", "purchase", "add_to_cart", "remove", "search",
                        "login", "logout", "share", "like", "comment"])
OSES = np.array(["ios", "android", "windows", "macos", "linux"])
TAGS = np.array([f"tag{i}" for i in range(40)])


def schema(nested: bool = True) -> pa.Schema:
    fields = [
        pa.field("event_id", pa.int64(), nullable=False),
        pa.field("user_id", pa.int32()),
        pa.field("event_type", pa.string()),
        pa.field("page", pa.string()),
        pa.field("value", pa.float64()),
        pa.field("ts", pa.timestamp("us")),
    ]
    if nested:
        fields += [pa.field("device", pa.struct([("os", pa.string()), ("version", pa.int16())])),
                   pa.field("tags", pa.list_(pa.string()))]
    return pa.schema(fields)


def batch(rng: np.random.Generator, first_id: int, rows: int, start_us: int, nested: bool,
          unique_strings: bool = False) -> pa.Table:
    if unique_strings:
        sessions = rng.integers(0, 2**62, rows).astype(np.uint64)
        pages = np.char.add("/s/", np.char.mod("%016x", sessions))
    else:
        pages = np.char.add("/p/", rng.zipf(1.3, rows).clip(max=5000).astype(str))
    cols = {
        "event_id": pa.array(np.arange(first_id, first_id + rows, dtype=np.int64)),
        "user_id": pa.array(rng.integers(0, 200_000, rows, dtype=np.int32)),
        "event_type": pa.array(EVENT_TYPES[rng.integers(0, len(EVENT_TYPES), rows)]),
        "page": pa.array(pages),
        "value": pa.array(np.round(rng.exponential(20.0, rows), 2)),
        "ts": pa.array(start_us + np.sort(rng.integers(0, 3_600_000_000, rows)), pa.timestamp("us")),
    }
    if nested:
        oses = OSES[rng.integers(0, len(OSES), rows)]
        versions = rng.integers(1, 30, rows).astype(np.int16)
        cols["device"] = pa.StructArray.from_arrays([pa.array(oses), pa.array(versions)],
                                                    names=["os", "version"])
        counts = rng.integers(0, 4, rows)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        values = TAGS[rng.integers(0, len(TAGS), int(offsets[-1]))]
        cols["tags"] = pa.ListArray.from_arrays(pa.array(offsets), pa.array(values))
    return pa.table(cols, schema=schema(nested))


def rows_per_file(file_kb: int, codec: str, nested: bool, unique_strings: bool = False) -> int:
    rng = np.random.default_rng(0)
    sample_rows = 20_000
    buf = io.BytesIO()
    pq.write_table(batch(rng, 0, sample_rows, 0, nested, unique_strings), buf, compression=codec)
    per_row = len(buf.getvalue()) / sample_rows
    return max(10, int(file_kb * 1024 / per_row))


def generate(out: Path, files: int, file_kb: int, codec: str = "snappy", days: int = 2,
             seed: int = 42, nested: bool = True, unique_strings: bool = False) -> dict:
    """Writes the table; returns {"files", "bytes", "rows", "partitions"}."""
    rng = np.random.default_rng(seed)
    partitions = [(f"2026-11-{d + 1:02d}", h) for d in range(days) for h in range(24)]
    per_file = rows_per_file(file_kb, codec, nested, unique_strings)
    next_id, total_bytes = 0, 0
    for i in range(files):
        dt, hour = partitions[i % len(partitions)]
        folder = out / f"dt={dt}" / f"hour={hour:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        start = int(np.datetime64(f"{dt}T{hour:02d}:00:00", "us").astype(np.int64))
        path = folder / f"part-{i:06d}.{codec}.parquet"
        pq.write_table(batch(rng, next_id, per_file, start, nested, unique_strings), path,
                       compression=codec)
        next_id += per_file
        total_bytes += os.path.getsize(path)
    return {"files": files, "bytes": total_bytes, "rows": next_id, "partitions": len(partitions)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--file-kb", type=int, default=100)
    ap.add_argument("--codec", default="snappy")
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--flat", action="store_true", help="no nested columns")
    ap.add_argument("--unique-strings", action="store_true", help="near-unique `page` values")
    args = ap.parse_args()
    print(generate(Path(args.out), args.files, args.file_kb, args.codec, args.days,
                   nested=not args.flat, unique_strings=args.unique_strings))


if __name__ == "__main__":
    main()
