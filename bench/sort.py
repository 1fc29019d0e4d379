"""Sorting while compacting: s3-compaction --sort_by against DuckDB's
COPY (SELECT * FROM read_parquet(...) ORDER BY ...) on the same table, partition by partition, in
the same run; then what sorting buys readers: for a point filter on the leading key, the row
groups a reader must read (those whose min/max statistics admit the value), before and after.

    .venv/bin/python bench/sort.py                  # ~480 MB in 4,800 files, 24 partitions
    .venv/bin/python bench/sort.py --docs           # also into docs/BENCHMARKS.md (bench:sort)

Both outputs are checked: every partition read in file order is in ORDER BY order (DuckDB), and
holds the source's rows (count and sum of row hashes per partition, DuckDB)."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402
from run import row_fingerprint, timed, write_docs  # noqa: E402

DUCKDB_SORT = r"""
import sys, duckdb
from pathlib import Path
src, out, order, threads = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
con = duckdb.connect(config={"threads": int(threads)})
for folder in sorted({p.parent for p in src.rglob("*.parquet")}):
    rel = folder.relative_to(src)
    (out / rel).mkdir(parents=True, exist_ok=True)
    con.execute(f"COPY (SELECT * FROM read_parquet('{folder}/*.parquet', hive_partitioning=false) "
                f"ORDER BY {order}) TO '{out / rel / 'data.parquet'}' (FORMAT parquet, "
                f"COMPRESSION snappy)")
"""


def partition_files(folder: Path) -> dict[Path, list[Path]]:
    out: dict[Path, list[Path]] = {}
    for p in sorted(folder.rglob("*.parquet"), key=lambda p: (str(p.parent), p.name)):
        if "_s3_compaction" in p.parts:
            continue
        out.setdefault(p.parent.relative_to(folder), []).append(p)
    return out


def check_sorted(folder: Path, order: str, key: str):
    import duckdb

    con = duckdb.connect()
    for rel, files in partition_files(folder).items():
        listed = "[" + ", ".join(f"'{f}'" for f in files) + "]"
        got = con.execute(f"SELECT {key} FROM read_parquet({listed})").fetchall()
        want = con.execute(f"SELECT {key} FROM read_parquet({listed}) ORDER BY {order}").fetchall()
        if got != want:
            raise RuntimeError(f"{folder}/{rel}: not in ORDER BY {order}")


def row_groups_for(folder: Path, column: str, values) -> tuple[float, int]:
    """(row groups a point filter on `column` must read, averaged over `values`; row groups in
    all), from every file's footer statistics."""
    ranges = []
    for files in partition_files(folder).values():
        for f in files:
            md = pq.ParquetFile(f).metadata
            idx = [md.schema.column(i).path for i in range(md.num_columns)].index(column)
            for g in range(md.num_row_groups):
                s = md.row_group(g).column(idx).statistics
                ranges.append((s.min, s.max) if s is not None and s.has_min_max else (None, None))
    def must_read(v):
        return sum(1 for lo, hi in ranges if lo is None or lo <= v <= hi)
    return statistics.mean(must_read(v) for v in values), len(ranges)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=str(ROOT / "build" / "s3-compaction"))
    ap.add_argument("--files", type=int, default=4800)
    ap.add_argument("--file-kb", type=int, default=100)
    ap.add_argument("--days", type=int, default=1, help="partitions: 24 per day")
    ap.add_argument("--target-mb", type=float, default=32)
    ap.add_argument("--sort-by", default="user_id, ts", help="the same text for both tools")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--work")
    ap.add_argument("--docs", action="store_true")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="s3c-sort-bench-"))
    src = work / "src"
    if not src.exists():
        meta = generate.generate(src, args.files, args.file_kb, days=args.days)
    else:
        meta = {"files": args.files, "rows": None, "partitions": None,
                "bytes": sum(p.stat().st_size for p in src.rglob("*.parquet"))}
    source_rows = row_fingerprint(src)
    leading = args.sort_by.split(",")[0].split()[0]
    key_columns = ", ".join(c.split()[0] for c in args.sort_by.split(","))
    threads = str(os.cpu_count())
    times = {"s3-compaction": [], "duckdb": []}
    outputs = {}
    for r in range(args.rounds):
        for tool in times:
            out = work / f"{tool}-{r}"
            shutil.rmtree(out, ignore_errors=True)
            if tool == "s3-compaction":
                cmd = [args.binary, "--table_path", str(src), "--target_s3_path", str(out),
                       "--target_file_size_mb", str(args.target_mb), "--sort_by", args.sort_by]
            else:
                cmd = [sys.executable, "-c", DUCKDB_SORT, str(src), str(out), args.sort_by, threads]
            times[tool].append(timed(cmd, work / f"{tool}-{r}.log"))
            if r == 0:
                check_sorted(out, args.sort_by, key_columns)
                if row_fingerprint(out) != source_rows:
                    raise RuntimeError(f"{tool}: rows differ from the source")
                outputs[tool] = out
    rng = np.random.default_rng(7)
    values = [int(v) for v in rng.integers(0, 200_000, 20)]
    before, before_total = row_groups_for(src, leading, values)
    after = {t: row_groups_for(outputs[t], leading, values) for t in outputs}

    med = {t: {k: statistics.median(x[k] for x in v) for k in ("wall", "cpu", "rss_mib")}
           for t, v in times.items()}
    base = med["s3-compaction"]["wall"]
    lines = [
        f"Sorting while compacting (`bench/sort.py`, {datetime.date.today()}, "
        f"{platform.node()}, {os.cpu_count()} cores): {meta['files']:,} files, "
        f"{meta['bytes'] / 2**20:,.0f} MiB, sorted by `{args.sort_by}` into "
        f"{args.target_mb:g} MiB files; median of {args.rounds} rounds.",
        "",
        "| tool | wall | CPU | peak memory | vs s3-compaction (wall) |",
        "|---|---|---|---|---|",
    ]
    for t, m in med.items():
        lines.append(f"| {t} | {m['wall']:.2f} s | {m['cpu']:.2f} s | {m['rss_mib']:,.0f} MiB | "
                     f"{m['wall'] / base:.2f}x |")
    lines += [
        "",
        f"Row groups a reader must read for `{leading} = v` (20 random values, from the footers' "
        "statistics), over the whole table:",
        "",
        "| files | row groups in all | row groups read per lookup |",
        "|---|---|---|",
        f"| before (the small files) | {before_total:,} | {before:,.1f} |",
    ]
    for t, (n, total) in after.items():
        lines.append(f"| after, {t} | {total:,} | {n:,.1f} |")
    text = "\n".join(lines)
    print(text)
    if args.docs:
        write_docs(text, "bench:sort")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
