"""What --verify=content costs next to the default --verify=rows, on the same generated table in
the same run: wall and CPU time of s3-compaction, median of alternating rounds on fresh copies.

    .venv/bin/python bench/verify_cost.py --binary build/s3-compaction [--files 1000] [--rounds 3]

Prints a Markdown table; docs/BENCHMARKS.md keeps the figures with the machine and date."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.tables import TableSpec, write_table  # noqa: E402


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--files", type=int, default=1000, help="small files per partition (4 partitions)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--target-mb", type=float, default=8)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="s3c-verify-bench-"))
    try:
        source = work / "source"
        parts = [{"dt": f"2026-11-{d:02d}"} for d in (21, 22, 23, 24)]
        write_table(source, TableSpec(partitions=parts, files_per_partition=args.files,
                                      rows_per_file=250))
        size = sum(f.stat().st_size for f in source.rglob("*.parquet"))
        rows = len(parts) * args.files * 250
        results: dict[str, list[tuple[float, float]]] = {"rows": [], "content": []}
        for _ in range(args.rounds):
            for mode in ("rows", "content"):
                table = work / mode
                shutil.rmtree(table, ignore_errors=True)
                shutil.copytree(source, table)
                results[mode].append(timed([args.binary, "--table_path", str(table),
                                            "--target_file_size_mb", str(args.target_mb),
                                            "--delete_original_files", "true", "--verify", mode]))
        wall = {m: statistics.median(w for w, _ in r) for m, r in results.items()}
        cpu = {m: statistics.median(c for _, c in r) for m, r in results.items()}
        print(f"{datetime.date.today()}, {platform.machine()}, {os.cpu_count()} cores; "
              f"{len(parts) * args.files:,} files, {size / 2**20:.0f} MiB, {rows:,} rows; "
              f"median of {args.rounds}")
        print("| --verify | wall (s) | CPU (s) | wall vs rows | CPU vs rows |")
        print("|---|---|---|---|---|")
        for mode in ("rows", "content"):
            print(f"| {mode} | {wall[mode]:.2f} | {cpu[mode]:.2f} | "
                  f"{wall[mode] / wall['rows']:.2f}x | {cpu[mode] / cpu['rows']:.2f}x |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
