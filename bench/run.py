"""The side-by-side benchmark: one generated table, the same job done by s3-compaction and by
the tools users would pick instead (DuckDB, pyarrow, Polars, Spark in local mode) and the floor
(a plain copy of the same bytes), in the same run, on the same machine.

    ./dev bench                      # defaults: ~1 GB in 10,000 files of ~100 KB, snappy
    ./dev bench --files 2000 --tools s3-compaction,duckdb,copy --rounds 3
    ./dev bench --unique-strings --docs   # the high-cardinality table, into its own section

s3-compaction runs twice: as users run it (--merge auto: the page merge where it applies) and
with --merge rows (every row decoded and encoded again: "s3-compaction-rows").

For each tool: wall and CPU time and peak memory (GNU time), the files it wrote (count, sizes
against the target), and a row check: every tool's output must hold the same multiset of rows
per partition as the source (DuckDB: count and a sum of row hashes per partition). Prints a
Markdown table of ratios against s3-compaction; --docs writes it, with the machine and date, into
docs/BENCHMARKS.md, and a chart next to it."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402

TOOLS = ["s3-compaction", "s3-compaction-rows", "duckdb", "pyarrow", "polars", "spark", "copy"]

# The cost table's prices (us-east-1, on-demand, as published by AWS; no free tier).
GLUE_DPU_HOUR = 0.44          # G.1X: 1 DPU = 4 vCPU, 16 GB
GLUE_DPUS = 2                 # the smallest Spark job: a driver and one executor
FARGATE_VCPU_HOUR = 0.04048   # Linux/x86
FARGATE_GB_HOUR = 0.004445
S3_GET_PER_1000 = 0.0004      # GET, HEAD
S3_PUT_PER_1000 = 0.005       # PUT, COPY, POST, LIST
# Requests per input file of ~100 KB, counted at the proxy by bench/s3_requests.py (see
# "Over S3" in docs/BENCHMARKS.md): (GET+HEAD, PUT+COPY+LIST). DELETE is free.
REQUESTS_PER_FILE = {"s3-compaction": (1.07, 0.18), "spark": (2.23, 0.28)}
COLUMNS = "event_id, user_id, event_type, page, value, ts, device, tags"


def timed(cmd: list[str], log: Path) -> dict:
    """Runs cmd under GNU time: wall, cpu (user + sys) seconds, peak RSS MiB of its largest
    process."""
    stats = log.with_suffix(".time")
    with open(log, "w") as out:
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(stats), *cmd],
                              stdout=out, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}); see {log}:\n"
                           + log.read_text()[-2000:])
    wall, user, sys_, rss_kb = stats.read_text().split()[-4:]
    return {"wall": float(wall), "cpu": float(user) + float(sys_), "rss_mib": int(rss_kb) / 1024}


def row_fingerprint(folder: Path) -> dict:
    """Per partition: (rows, sum of row hashes) read by DuckDB, never by the tools measured."""
    import duckdb

    con = duckdb.connect()
    rows = con.execute(
        f"SELECT CAST(dt AS VARCHAR), CAST(hour AS INTEGER), count(*), "
        f"sum(hash({COLUMNS})::HUGEINT) FROM read_parquet('{folder}/**/*.parquet', "
        f"hive_partitioning=true) GROUP BY ALL").fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def output_files(folder: Path) -> list[int]:
    return sorted(p.stat().st_size for p in folder.rglob("*.parquet")
                  if "_s3_compaction" not in p.parts)


def rows_per_row_group(folder: Path) -> float:
    """The median rows per row group over every output file's row groups."""
    import pyarrow.parquet as pq

    counts = []
    for p in folder.rglob("*.parquet"):
        if "_s3_compaction" in p.parts:
            continue
        md = pq.ParquetFile(p).metadata
        counts += [md.row_group(g).num_rows for g in range(md.num_row_groups)]
    return statistics.median(counts) if counts else 0


def command(tool: str, binary: str, src: Path, out: Path, target_bytes: int,
            rows_per_target: int) -> list[str]:
    if tool.startswith("s3-compaction"):
        return [binary, "--table_path", str(src), "--target_s3_path", str(out),
                "--target_file_size_mb", str(target_bytes / 2**20),
                "--merge", "rows" if tool == "s3-compaction-rows" else "auto"]
    if tool == "spark":
        # spark-submit execs the JVM, which runs the Python driver as its child: GNU time then
        # sees both (started from Python, the JVM would escape its accounting).
        import pyspark

        submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
        return [str(submit), "--master", f"local[{os.cpu_count()}]", "--driver-memory", "4g",
                "--conf", "spark.ui.enabled=false", str(ROOT / "bench" / "peers.py"), tool,
                str(src), str(out), str(target_bytes), str(rows_per_target)]
    return [sys.executable, str(ROOT / "bench" / "peers.py"), tool, str(src), str(out),
            str(target_bytes), str(rows_per_target)]


def markdown(results: dict, meta: dict) -> str:
    base = results["s3-compaction"]
    lines = [
        f"{meta['date']}, {meta['machine']}; table: {meta['files']:,} files, "
        f"{meta['bytes'] / 2**20:,.0f} MiB, {meta['rows']:,} rows, {meta['partitions']} "
        f"partitions, {meta['codec']}; target {meta['target_mb']:g} MiB; median of "
        f"{meta['rounds']} round(s).",
        "",
        "| tool | wall | CPU | peak memory | files written | median file | output bytes | "
        "rows per row group | rows | wall vs s3-compaction | CPU vs s3-compaction | "
        "memory vs s3-compaction |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for tool, r in results.items():
        files = r["files"]
        median = statistics.median(files) / 2**20 if files else 0
        lines.append(
            f"| {tool} | {r['wall']:.2f} s | {r['cpu']:.2f} s | {r['rss_mib']:.0f} MiB | "
            f"{len(files):,} | {median:.1f} MiB | {sum(files) / 2**20:,.1f} MiB | "
            f"{r['rows_per_row_group']:,.0f} | {'same' if r['rows_ok'] else '**DIFFERENT**'} | "
            f"{r['wall'] / base['wall']:.2f}x | {r['cpu'] / base['cpu']:.2f}x | "
            f"{r['rss_mib'] / base['rss_mib']:.2f}x |")
    return "\n".join(lines)


def cost_table(results: dict, meta: dict) -> str:
    """Dollars per TiB compacted, from this run's throughputs (bytes read per wall second on
    this machine's cores), for 100 KB and 1 MB input files."""
    cores = os.cpu_count() or 1
    tib = 2**40
    rows = []

    def requests_cost(tool: str, file_bytes: int) -> float:
        gets, puts = REQUESTS_PER_FILE[tool]
        files = tib / file_bytes
        return files * (gets * S3_GET_PER_1000 + puts * S3_PUT_PER_1000) / 1000

    def glue(tool: str) -> tuple[float, float]:
        # One G.1X executor (4 vCPU; the other DPU is the driver), at this run's throughput
        # per core; billed per second, one minute at least.
        rate = meta["bytes"] / results[tool]["wall"] / cores * 4
        hours = max(tib / rate, 60) / 3600
        return hours, hours * GLUE_DPUS * GLUE_DPU_HOUR

    def container() -> tuple[float, float]:
        rate = meta["bytes"] / results["s3-compaction"]["wall"] / cores * 2
        hours = tib / rate / 3600
        return hours, hours * (2 * FARGATE_VCPU_HOUR + 4 * FARGATE_GB_HOUR)

    cases = []
    if "spark" in results:
        cases.append(("the original Glue job (Spark, 2 DPU G.1X)", "spark", glue("spark")))
    cases.append(("s3-compaction's Glue job (2 DPU G.1X)", "s3-compaction", glue("s3-compaction")))
    cases.append(("s3-compaction on a 2-vCPU, 4 GB container (Fargate)", "s3-compaction",
                  container()))
    lines = [
        "| how | hours per TiB | compute $/TiB | S3 requests $/TiB, 100 KB files | "
        "total, 100 KB files | S3 requests $/TiB, 1 MB files | total, 1 MB files |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, tool, (hours, compute) in cases:
        small, large = requests_cost(tool, 100_000), requests_cost(tool, 1_000_000)
        lines.append(f"| {label} | {hours:.2f} | ${compute:.2f} | ${small:.2f} | "
                     f"${compute + small:.2f} | ${large:.2f} | ${compute + large:.2f} |")
    return "\n".join(lines)


def chart(results: dict, path: Path, title: str):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tools = list(results)
    base = results["s3-compaction"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, key, label in ((axes[0], "wall", "wall time"), (axes[1], "rss_mib", "peak memory")):
        values = [results[t][key] / base[key] for t in tools]
        bars = ax.barh(tools, values, color=["#2b7bba" if t == "s3-compaction" else "#999999"
                                             for t in tools])
        ax.invert_yaxis()
        ax.set_xlabel(f"{label}, relative to s3-compaction (lower is better)")
        for bar, v in zip(bars, values):
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {v:.2f}x",
                    va="center", fontsize=8)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def write_docs(text: str, marker: str):
    doc = ROOT / "docs" / "BENCHMARKS.md"
    body = doc.read_text()
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    block = f"{start}\n{text}\n{end}"
    if start in body:
        body = body[:body.index(start)] + block + body[body.index(end) + len(end):]
    else:
        body += "\n" + block + "\n"
    doc.write_text(body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=str(ROOT / "build" / "s3-compaction"))
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--file-kb", type=int, default=100)
    ap.add_argument("--codec", default="snappy")
    ap.add_argument("--days", type=int, default=2, help="partitions: 24 per day")
    ap.add_argument("--flat", action="store_true", help="no nested columns")
    ap.add_argument("--unique-strings", action="store_true",
                    help="near-unique strings (the high-cardinality table)")
    ap.add_argument("--target-mb", type=float, default=128)
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--work", help="working folder (default: a temporary one, removed after)")
    ap.add_argument("--docs", action="store_true", help="write the results into docs/BENCHMARKS.md")
    args = ap.parse_args()

    # spark-submit starts its Python driver with these: the virtualenv's, which has pyspark.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    tools = [t for t in args.tools.split(",") if t]
    if "s3-compaction" not in tools:
        tools.insert(0, "s3-compaction")
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="s3c-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        src = work / "source"
        shutil.rmtree(src, ignore_errors=True)
        print(f"bench: generating {args.files:,} files of ~{args.file_kb} KB under {src}", flush=True)
        meta = generate.generate(src, args.files, args.file_kb, args.codec, args.days,
                                 nested=not args.flat, unique_strings=args.unique_strings)
        target_bytes = int(args.target_mb * 2**20)
        rows_per_target = max(1, int(meta["rows"] * target_bytes / meta["bytes"]))
        expected = row_fingerprint(src)
        for f in src.rglob("*.parquet"):  # the same warm page cache for every tool
            f.read_bytes()

        samples: dict[str, list[dict]] = {t: [] for t in tools}
        files: dict[str, list[int]] = {}
        rows_ok: dict[str, bool] = {}
        per_group: dict[str, float] = {}
        for round_ in range(args.rounds):
            order = tools[round_ % len(tools):] + tools[:round_ % len(tools)]
            for tool in order:
                out = work / f"out-{tool}"
                shutil.rmtree(out, ignore_errors=True)
                print(f"bench: round {round_ + 1}: {tool}", flush=True)
                samples[tool].append(timed(command(tool, args.binary, src, out, target_bytes,
                                                   rows_per_target), work / f"{tool}.log"))
                if round_ == 0:
                    files[tool] = output_files(out)
                    per_group[tool] = rows_per_row_group(out)
                    rows_ok[tool] = row_fingerprint(out) == expected
                shutil.rmtree(out, ignore_errors=True)
        results = {}
        for tool in tools:
            results[tool] = {k: statistics.median(s[k] for s in samples[tool])
                             for k in ("wall", "cpu", "rss_mib")}
            results[tool]["files"] = files[tool]
            results[tool]["rows_ok"] = rows_ok[tool]
            results[tool]["rows_per_row_group"] = per_group[tool]
        meta.update(date=datetime.date.today().isoformat(), codec=args.codec,
                    target_mb=args.target_mb, rounds=args.rounds,
                    machine=f"{platform.machine()}, {os.cpu_count()} cores, "
                            f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB")
        table = markdown(results, meta)
        print(table)
        costs = cost_table(results, meta)
        print(costs)
        if args.docs:
            name = "bench-unique" if args.unique_strings else "bench-local"
            png = ROOT / "docs" / f"{name}.png"
            chart(results, png, f"{meta['files']:,} files, {meta['bytes'] / 2**20:,.0f} MiB, "
                                f"target {args.target_mb:g} MiB, {meta['date']}")
            write_docs(table + f"\n\n![wall time and memory against s3-compaction]({name}.png)",
                       "bench:unique" if args.unique_strings else "bench:local")
            if not args.unique_strings:
                write_docs(costs, "bench:cost")
        if not all(rows_ok.values()):
            sys.exit("bench: some tool's rows differ from the source: " +
                     ", ".join(t for t, ok in rows_ok.items() if not ok))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
