"""How the run's state grows with the table's file count (issue 17, point 5): peak memory, the
largest journal object and wall time, for tables of tiny files from 10,000 to 1,000,000.

    .venv/bin/python bench/scale.py --binary build/s3-compaction [--files 10000,100000,1000000]
        [--per-partition 100] [--wave-files N] [--workdir /tmp/s3c-scale] [--docs]

Each table is local (the state measured is the tool's, not the store's): partitions of
--per-partition files, every file a copy of one ~1 KiB Parquet file of 10 rows (made by pyarrow
once; copying bytes is what makes a million files quick to lay out). The run compacts in place
with --delete_original_files true, in waves of the default --wave_files (100,000 files). It is
paused right after writing its first wave's plan (S3C_PAUSE_POINT after_plan, as the concurrency
tests pause runs), when the journal holds its largest object (later waves' plans are no larger:
each holds at most as many files; a batch's records are far smaller); the run folder's objects
are measured there, then the run goes on. Peak memory is the kernel's
ru_maxrss of the finished process. Prints a Markdown table; --docs writes it into
docs/BENCHMARKS.md between the scale markers. A benchmark, not a test: it takes minutes and a
few GiB of disk at a million files, and removes each table when measured."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.paused_run import PausedRun  # noqa: E402

PEAK_OF_CHILD = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(rc)\n")
BEGIN = "<!-- scale:begin -->"
END = "<!-- scale:end -->"


def lay_out(root: Path, files: int, per_partition: int) -> int:
    root.parent.mkdir(parents=True, exist_ok=True)
    template = root.parent / "template.parquet"
    pq.write_table(pa.table({"id": pa.array(range(10), pa.int64()),
                             "name": pa.array([f"n{i}" for i in range(10)]),
                             "value": pa.array([i * 0.5 for i in range(10)])}), template)
    partitions = (files + per_partition - 1) // per_partition
    made = 0
    for p in range(partitions):
        folder = root / f"day={p // 24:05d}" / f"hour={p % 24:02d}"
        folder.mkdir(parents=True)
        for f in range(min(per_partition, files - made)):
            shutil.copyfile(template, folder / f"part-{f:05d}.parquet")
            made += 1
    return partitions


def journal_objects(table: Path) -> list[int]:
    runs = table / "_s3_compaction" / "runs"
    return [p.stat().st_size for p in runs.rglob("*") if p.is_file()] if runs.exists() else []


def measure(binary: str, workdir: Path, files: int, per_partition: int,
            wave_files: int | None = None) -> dict:
    base = Path(tempfile.mkdtemp(prefix=f"scale-{files}-", dir=workdir))
    table = base / "table"
    started = time.monotonic()
    partitions = lay_out(table, files, per_partition)
    laid = time.monotonic() - started
    args = ["--table_path", str(table), "--delete_original_files", "true", "--json", "--verbose"]
    if wave_files:
        args += ["--wave_files", str(wave_files)]
    # The run under a small Python parent that reports its child's peak memory (ru_maxrss).
    peak_file = base / "peak"
    run = PausedRun(sys.executable, ["-c", PEAK_OF_CHILD, str(peak_file), binary, *args],
                    "after_plan", base / "fifo")
    begun = time.monotonic()
    run.wait_paused(timeout=3600)
    planned = time.monotonic() - begun
    sizes = journal_objects(table)
    code, out, err = run.resume(timeout=3600)
    wall = time.monotonic() - begun
    if code != 0:
        raise SystemExit(f"run over {files} files failed ({code}): {err.strip()[-2000:]}")
    peak_kib = int(peak_file.read_text())
    cut = re.search(r"partition\(s\) in (\d+) waves", err)
    waves = int(cut.group(1)) if cut else 1
    shutil.rmtree(base)
    return {"files": files, "partitions": partitions, "laid_out_s": laid, "planned_s": planned,
            "wall_s": wall, "peak_mib": peak_kib / 1024,
            "largest_journal_object": max(sizes, default=0),
            "journal_objects": len(sizes), "waves": waves}


def table(results: list[dict]) -> str:
    rows = ["| input files | partitions | waves | wall | to the first plan | peak memory | "
            "largest journal object | journal per input file | vs the first row: files, wall, memory, "
            "journal |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    first = results[0]
    for r in results:
        ratio = (f"{r['files'] / first['files']:.0f}x, {r['wall_s'] / first['wall_s']:.1f}x, "
                 f"{r['peak_mib'] / first['peak_mib']:.1f}x, "
                 f"{r['largest_journal_object'] / max(1, first['largest_journal_object']):.1f}x")
        rows.append(f"| {r['files']:,} | {r['partitions']:,} | {r['waves']} | {r['wall_s']:.1f} s | "
                    f"{r['planned_s']:.1f} s | {r['peak_mib']:.0f} MiB | "
                    f"{r['largest_journal_object'] / 2**20:.1f} MiB | "
                    f"{r['largest_journal_object'] / r['files']:.0f} B | {ratio} |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=str(ROOT / "build" / "s3-compaction"))
    parser.add_argument("--files", default="10000,100000,1000000")
    parser.add_argument("--per-partition", type=int, default=100)
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    parser.add_argument("--wave-files", type=int,
                        help="--wave_files for the runs (default: the tool's); with small "
                             "--per-partition, what grows per partition shows apart from a wave's")
    parser.add_argument("--docs", action="store_true")
    a = parser.parse_args()
    workdir = Path(a.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for n in [int(x) for x in a.files.split(",")]:
        r = measure(os.path.abspath(a.binary), workdir, n, a.per_partition, a.wave_files)
        print(f"{n:>9,} files: {r['wall_s']:.1f} s, peak {r['peak_mib']:.0f} MiB, largest "
              f"journal object {r['largest_journal_object']:,} B", file=sys.stderr)
        results.append(r)
    version = subprocess.run([a.binary, "--version"], capture_output=True, text=True).stdout.strip()
    text = (f"Measured {datetime.date.today()} on {platform.node()} ({os.cpu_count()} cores), "
            f"{version}; partitions of {a.per_partition} files of ~1 KiB, in place, originals "
            f"deleted" + (f", waves of {a.wave_files} files" if a.wave_files else "") + ".\n\n" + table(results))
    print(text)
    if a.docs:
        docs = ROOT / "docs" / "BENCHMARKS.md"
        current = docs.read_text()
        if BEGIN in current:
            head, rest = current.split(BEGIN, 1)
            current = head + BEGIN + "\n" + text + "\n" + END + rest.split(END, 1)[1]
        else:
            current += ("\n## State against the table's size\n\n" + BEGIN + "\n" + text + "\n"
                        + END + "\n")
        docs.write_text(current)


if __name__ == "__main__":
    main()
