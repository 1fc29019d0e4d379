"""The README's first command: generate a local Hive-partitioned table of thousands of small
Parquet files, compact it with s3-compaction, and check with DuckDB that every row survived.

Usage: ./dev demo [--files N] [--target-mb N]   (extra flags go to s3-compaction after --)
"""

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from support.tables import RowsSnapshot, TableSpec, data_files, partition_path, write_table  # noqa: E402


def human(n: float) -> str:
    for unit in ["B", "KiB", "MiB", "GiB"]:
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--dir", default=str(ROOT / "demo-data" / "events"))
    ap.add_argument("--files", type=int, default=1000, help="small files per partition")
    ap.add_argument("--target-mb", type=float, default=3)
    ap.add_argument("rest", nargs="*", help="more s3-compaction flags, after --")
    args = ap.parse_args()

    table = Path(args.dir)
    if table.exists():
        shutil.rmtree(table)
    days = [{"year": "2026", "month": "11", "day": f"{d:02d}"} for d in (21, 22, 23, 24)]
    spec = TableSpec(partitions=days, files_per_partition=args.files, rows_per_file=250)
    print(f"demo: writing {len(days) * args.files:,} small Parquet files under {table} ...", flush=True)
    started = time.time()
    write_table(table, spec)
    before_files = sum(len(data_files(table / partition_path(d))) for d in days)
    before_bytes = sum(f.stat().st_size for d in days for f in data_files(table / partition_path(d)))
    print(f"demo: {before_files:,} files, {human(before_bytes)}, written in {time.time() - started:.1f} s")

    rows = RowsSnapshot()
    for d in days:
        rows.capture(partition_path(d), data_files(table / partition_path(d)))

    def show(cmd):
        print("demo: $ " + " ".join(cmd[:1] + [c if " " not in c else repr(c) for c in cmd[1:]]), flush=True)

    # Before: the table's health, from its listing alone (nothing read, nothing written).
    inspect = [args.binary, "inspect", "--table_path", str(table), "--target_file_size_mb",
               str(args.target_mb)]
    show(inspect)
    if subprocess.call(inspect) != 0:
        sys.exit("demo: s3-compaction inspect failed")

    report = table.parent / "events-report.html"
    cmd = [args.binary, "--table_path", str(table), "--target_file_size_mb", str(args.target_mb),
           "--delete_original_files", "true", "--report", str(report), *args.rest]
    show(cmd)
    code = subprocess.call(cmd)
    if code != 0:
        sys.exit(f"demo: s3-compaction exited with {code}")

    print("demo: files now:")
    for d in days:
        files = data_files(table / partition_path(d))
        sizes = ", ".join(human(f.stat().st_size) for f in files[:6]) + (", ..." if len(files) > 6 else "")
        print(f"  {partition_path(d)}: {len(files)} file(s): {sizes}")
    for d in days:
        rows.assert_same(partition_path(d), data_files(table / partition_path(d)))
    total = sum(rows.differences(partition_path(d), data_files(table / partition_path(d)))[1] for d in days)
    print(f"demo: DuckDB check: the {total:,} rows of every partition are the same multiset as before")
    print(f"demo: the run's report, one HTML page to open in a browser: {report}")


if __name__ == "__main__":
    main()
