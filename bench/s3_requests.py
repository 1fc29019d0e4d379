"""The benchmark over S3: the same job against two local S3 stores, the moto server and SeaweedFS
(`weed mini`), with every request counted at the tests' proxy (tests/support/aws_proxy.py); and,
on SeaweedFS, wall time against the peers (issue 17, point 6).

    .venv/bin/python bench/s3_requests.py --binary build/s3-compaction [--store both]
        [--days 1] [--small-files 4] [--large-files 40] [--file-kb 100] [--rounds 3]
        [--tools s3-compaction,pyarrow,polars,spark] [--docs]

Two tables of bench/generate.py's events (24 partitions `dt=/hour=` per --days), generated once
and uploaded afresh for every run (the upload is not measured): a small-partition table
(--small-files files per partition) and a large-partition one (--large-files per partition),
~100 KB files. Needs scripts/setup.sh test's SeaweedFS binary for --store seaweedfs (the
default, both, starts both stores, one after the other).

What it measures, on each store:

- Requests per compacted partition, for s3-compaction in place with the originals deleted (the
  original job's semantics), on both tables: every request the proxy saw beyond one GET per
  input file, by kind and in total, divided by the partitions compacted (what
  tests/test_request_estimate.py holds at 8 or fewer).
- Requests per input file, every tool, on the large-partition table: s3-compaction (in place,
  originals deleted); pyarrow (`write_dataset`), Polars (`sink_parquet`, snappy) and Spark
  (bench/peers.py's job, over s3a://), each to another prefix (out-TOOL): reading and writing
  only. Also the requests answered with a status of 400 or more (expected ones among them: a
  404 for an object looked for, the 412 of s3-compaction's conditional-write probe) and a check
  of each output: its rows, read back by pyarrow, must be the table's.
- Wall time, on SeaweedFS only: the same four jobs on the large-partition table, timed with GNU
  time straight against SeaweedFS (no proxy: a Python proxy would be the bottleneck; the
  counts come from separate passes through it). Round-robin: every round runs each tool once
  (on a fresh copy of the table), starting one tool later each round, --rounds rounds;
  reported as each tool's time over s3-compaction's in the same round: the median and the
  range over the rounds. Absolute times are not meaningful (a shared 2-core machine, a local
  store on the same cores), and moto's are not taken at all: moto is a Python server, far
  slower than S3.

Every tool runs as a process of its own, started the same way in both passes: the binary;
`python bench/peers.py pyarrow|polars s3://...` (the endpoint and credentials from the
environment); Spark as in bench/run.py (spark-submit from the pyspark package, local mode, so
the JVM's own requests and time are counted) with Hadoop's s3a connector: `--packages
org.apache.hadoop:hadoop-aws:3.5.0` (matching pyspark's hadoop-client-api-3.5.0), which brings
software.amazon.awssdk:bundle:2.35.4 (the AWS SDK v2, ~655 MiB), analyticsaccelerator-s3:1.3.1
and wildfly-openssl:2.2.5.Final from Maven Central. spark-submit fetches them once, with Ivy,
into ~/.cache/s3-compaction-bench/ivy (outside the repository; ~1.3 GiB on disk: Ivy keeps a
cache and a copy of the jars). Once there, they go on the driver's class path instead
(--driver-class-path; in local mode the executor is the driver's JVM), so that no run (and no
timing) includes Ivy's resolution or a copy of the jars: as on Glue, where s3a is on the class
path. s3a keeps
its defaults, as a Glue user's Spark would (see SPARK_S3A).

Prints Markdown; --docs writes it, with the machine and the versions, into docs/BENCHMARKS.md
(between the `bench:s3-stores` markers, replacing what an earlier run wrote there).

What it cannot measure:
- DuckDB: it reads S3 only through its httpfs extension, which it downloads from
  extensions.duckdb.org, unreachable here; no PyPI package ships httpfs for the duckdb pinned
  in requirements.txt (2.0.1): duckdb-extension-httpfs stops at 1.5.5, and duckdb 2.0.1 refuses
  an extension built for another version.
- S3's own latency, throughput and request rate limits: both stores are local, on loopback.
- Glue's EMRFS S3-optimized committer (Spark here uses s3a's default committer)."""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import statistics
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
from support.aws_proxy import REQUEST_KIND, AwsProxy  # noqa: E402

KINDS = ["get", "head", "list", "put", "copy", "delete"]  # the proxy's REQUEST_KIND values
TOOLS = ["s3-compaction", "pyarrow", "polars", "spark"]
STORES = ["moto", "seaweedfs"]
NOT_MEASURED = {"duckdb": "DuckDB: not measured: it reads S3 only through its httpfs extension, "
                          "downloaded from extensions.duckdb.org (unreachable here); no PyPI "
                          "package ships httpfs for duckdb 2.0.1."}
DOCS_MARKER = "bench:s3-stores"

# Spark's s3a connector, and where spark-submit's Ivy keeps it (see the module's docstring).
SPARK_PACKAGES = "org.apache.hadoop:hadoop-aws:3.5.0"
SPARK_IVY = Path.home() / ".cache" / "s3-compaction-bench" / "ivy"
SPARK_JARS = ["org.apache.hadoop_hadoop-aws-3.5.0.jar", "software.amazon.awssdk_bundle-2.35.4.jar",
              "software.amazon.s3.analyticsaccelerator_analyticsaccelerator-s3-1.3.1.jar",
              "org.wildfly.openssl_wildfly-openssl-2.2.5.Final.jar"]
# Only what points s3a at the store: endpoint, path-style, http, the test credentials, region.
# Everything else is s3a's default, as a Glue user would have it: Spark's FileOutputCommitter
# (algorithm 1, whose renames s3a does as COPY + DELETE; Glue's own EMRFS S3-optimized committer
# exists only on Glue and EMR), the default input stream (in 3.5.0 the Analytics Accelerator's,
# which reads a small file whole in one GET), read-ahead, multipart sizes, directory markers and
# no bucket probe. No tuning; the same on moto and SeaweedFS.
SPARK_S3A = {
    "fs.s3a.path.style.access": "true",
    "fs.s3a.connection.ssl.enabled": "false",
    "fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
    "fs.s3a.access.key": "testing",
    "fs.s3a.secret.key": "testing",
    "fs.s3a.endpoint.region": "us-east-1",
}
UPLOAD_THREADS = 8


# --- the stores ---------------------------------------------------------------------------------

def start_store(name: str):
    if name == "moto":
        from support.s3 import LocalS3

        return LocalS3()
    from support.seaweedfs import SeaweedFS

    return SeaweedFS()


def proxy_for(store) -> AwsProxy:
    """The proxy as the tests put it in front of the store (tests/conftest.py): signatures
    checked, conditional deletes emulated only for a store without them (moto)."""
    return AwsProxy(store.endpoint, secret_keys={"testing": "testing"},
                    upstream_checks_signatures=store.checks_signatures,
                    upstream_deletes_conditionally=store.deletes_conditionally).start()


def upload(store, local: Path, bucket: str, prefix: str):
    """The table into a new bucket, a few files at a time (not measured)."""
    store.client.create_bucket(Bucket=bucket)
    files = [p for p in sorted(local.rglob("*")) if p.is_file()]
    with concurrent.futures.ThreadPoolExecutor(UPLOAD_THREADS) as pool:
        list(pool.map(lambda p: store.client.upload_file(
            str(p), bucket, f"{prefix}/{p.relative_to(local).as_posix()}"), files))


def drop_bucket(store, bucket: str):
    """Every object, then the bucket: each run's copy goes once it has been checked."""
    keys = list(store.objects(bucket))
    for i in range(0, len(keys), 1000):
        store.client.delete_objects(Bucket=bucket, Delete={
            "Objects": [{"Key": k} for k in keys[i:i + 1000]], "Quiet": True})
    store.client.delete_bucket(Bucket=bucket)


def check_output(store, bucket: str, prefix: str) -> dict:
    """The data files under prefix (a reader's view: no _ or . folders or files) and their rows,
    read back by pyarrow straight from the store."""
    import pyarrow.dataset as ds
    from pyarrow import fs

    files = [k for k in store.objects(bucket, prefix + "/")
             if k.endswith(".parquet") and not any(part.startswith(("_", "."))
                                                    for part in k.split("/"))]
    s3 = fs.S3FileSystem(endpoint_override=store.endpoint, scheme="http", access_key="testing",
                         secret_key="testing", region="us-east-1")
    data = ds.dataset(f"{bucket}/{prefix}", filesystem=s3, format="parquet", partitioning="hive")
    return {"files": len(files), "rows": data.count_rows()}


# --- the tools ----------------------------------------------------------------------------------

def spark_options(endpoint: str) -> list[str]:
    jars = [SPARK_IVY / "jars" / j for j in SPARK_JARS]
    if all(j.is_file() for j in jars):
        # On the driver's class path (in local mode the executor is the driver's JVM): read in
        # place, as on Glue; --jars would also copy the 655 MiB SDK into every run's folder.
        options = ["--driver-class-path", ":".join(map(str, jars))]
    else:  # the first run: Ivy fetches them
        options = ["--packages", SPARK_PACKAGES, "--conf", f"spark.jars.ivy={SPARK_IVY}"]
    conf = {"spark.hadoop.fs.s3a.endpoint": endpoint,
            **{f"spark.hadoop.{k}": v for k, v in SPARK_S3A.items()}}
    for key, value in conf.items():
        options += ["--conf", f"{key}={value}"]
    return options


def tool_command(tool: str, binary: str, endpoint: str, bucket: str, target_mb: float,
                 rows_per_target: int) -> list[str]:
    target_bytes = int(target_mb * 2**20)
    if tool == "s3-compaction":  # in place, originals deleted: the original job
        return [binary, "--table_path", f"s3://{bucket}/events", "--target_file_size_mb",
                f"{target_mb:g}", "--delete_original_files", "true", "--json"]
    if tool == "spark":
        cmd = command("spark", "", f"s3a://{bucket}/events", f"s3a://{bucket}/out-spark",
                      target_bytes, rows_per_target)
        return [cmd[0], *spark_options(endpoint), *cmd[1:]]
    return command(tool, "", f"s3://{bucket}/events", f"s3://{bucket}/out-{tool}", target_bytes,
                   rows_per_target)


def output_prefix(tool: str) -> str:
    return "events" if tool == "s3-compaction" else f"out-{tool}"


def timed(cmd: list[str], env: dict, work: Path, name: str) -> dict:
    """Runs cmd under GNU time: wall and CPU (user + sys) seconds, its stdout. Raises on a
    non-zero exit, with the end of its output."""
    stats, out, err = (work / f"{name}.{s}" for s in ("time", "out", "err"))
    with open(out, "w") as o, open(err, "w") as e:
        proc = subprocess.run(["/usr/bin/time", "-f", "%e %U %S", "-o", str(stats), *cmd],
                              env=env, cwd=work, stdout=o, stderr=e)
    if proc.returncode != 0:
        raise RuntimeError(f"{name}: {cmd[0]} failed ({proc.returncode}):\n"
                           + err.read_text(errors="replace")[-4000:])
    wall, user, sys_ = stats.read_text().split()[-3:]
    return {"wall": float(wall), "cpu": float(user) + float(sys_), "stdout": out.read_text()}


def tool_env(store, endpoint: str) -> dict:
    env = dict(os.environ, **store.env())
    env.update(AWS_ENDPOINT_URL=endpoint, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    return env


def by_kind(proxy: AwsProxy) -> dict:
    counts = proxy.count()
    kinds = {k: 0 for k in KINDS}
    kinds["other"] = 0
    for op, n in counts.items():
        kinds[REQUEST_KIND.get(op, "other")] += n
    kinds["refused"] = sum(1 for s in proxy.seen if s.status >= 400)
    kinds["refused_ops"] = dict(Counter(f"{s.operation} {s.status}" for s in proxy.seen
                                        if s.status >= 400))
    kinds["ops"] = dict(counts)
    kinds["log"] = [f"{s.method} {s.path} {s.operation} {s.status}" for s in proxy.seen]
    return kinds


# --- the passes ---------------------------------------------------------------------------------

class Bench:
    def __init__(self, args, work: Path, tables: dict):
        self.args, self.work, self.tables = args, work, tables
        self.serial = 0

    def bucket(self, label: str) -> str:
        self.serial += 1
        return f"b{self.serial:03d}-{label}"[:63]

    def rows_per_target(self, table: str) -> int:
        meta = self.tables[table]["meta"]
        return max(1, int(meta["rows"] * self.args.target_mb * 2**20 / meta["bytes"]))

    def run(self, store, tool: str, table: str, endpoint: str, bucket: str) -> dict:
        """One run on a fresh copy of the table; its result checked afterwards."""
        t = self.tables[table]
        upload(store, t["local"], bucket, "events")
        cmd = tool_command(tool, self.args.binary, endpoint, bucket, self.args.target_mb,
                           self.rows_per_target(table))
        result = timed(cmd, tool_env(store, endpoint), self.work, f"{store.name}-{bucket}")
        result.update(check_output(store, bucket, output_prefix(tool)))
        if result["rows"] != t["meta"]["rows"]:
            raise RuntimeError(f"{tool} on {store.name}: {result['rows']:,} rows in its output, "
                               f"the table has {t['meta']['rows']:,}")
        if tool == "s3-compaction":
            summary = json.loads(result["stdout"])
            result["partitions"] = summary["partitions"]["compacted"]
            result["inputs"] = summary["files"]["rewritten"]
            result["own_count"] = summary.get("requests", {})
        drop_bucket(store, bucket)
        return result

    def count(self, store) -> dict:
        """Through the proxy: s3-compaction on both tables, every tool on the large one."""
        proxy = proxy_for(store)
        out = {"overhead": {}, "tools": {}}
        try:
            for table in ("small", "large"):
                tools = self.args.tools if table == "large" else ["s3-compaction"]
                for tool in tools:
                    print(f"bench: {store.name}: counting {tool} on the {table} table", flush=True)
                    # Uploads and checks go straight to the store: the proxy sees the tool only.
                    proxy.reset()
                    result = self.run(store, tool, table, proxy.endpoint,
                                      self.bucket(f"count-{table}-{tool}"))
                    kinds = by_kind(proxy)
                    kinds["signature_failures"] = list(proxy.signature_failures)
                    if tool == "s3-compaction":
                        assert result["inputs"] == self.tables[table]["meta"]["files"], result
                        out["overhead"][table] = {"partitions": result["partitions"],
                                                  "inputs": result["inputs"], "counts": kinds,
                                                  "own_count": result["own_count"]}
                    if table == "large":
                        out["tools"][tool] = {"counts": kinds, "files": result["files"]}
        finally:
            proxy.stop()
        return out

    def time(self, store) -> dict:
        """Round-robin, straight to the store: each round every tool once, one tool later."""
        tools = self.args.tools
        samples = {t: [] for t in tools}
        load = os.getloadavg()
        for r in range(self.args.rounds):
            order = tools[r % len(tools):] + tools[:r % len(tools)]
            for tool in order:
                print(f"bench: {store.name}: round {r + 1}: timing {tool}", flush=True)
                result = self.run(store, tool, "large", store.endpoint,
                                  self.bucket(f"time-{r}-{tool}"))
                samples[tool].append({"wall": result["wall"], "cpu": result["cpu"],
                                      "files": result["files"]})
        return {"samples": samples, "load": [load, os.getloadavg()]}


# --- the report ---------------------------------------------------------------------------------

def versions(binary: str) -> dict:
    import polars
    import pyarrow
    import pyspark

    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
        except OSError:
            return ""

    from support.seaweedfs import weed_path

    weed = " ".join(out([str(weed_path()), "version"]).split("\n")[0].split()[1:])
    java = out(["java", "-version"]) or subprocess.run(["java", "-version"], capture_output=True,
                                                       text=True).stderr
    import moto

    ours = out([binary, "--version"]).strip().removeprefix("s3-compaction ")
    return {"s3-compaction": ours, "SeaweedFS": weed or "?",
            "moto": moto.__version__, "Spark": f"{pyspark.__version__} (pyspark; hadoop-aws 3.5.0, "
            "AWS SDK 2.35.4)", "Java": java.split("\n")[0].strip(),
            "Polars": polars.__version__, "pyarrow": pyarrow.__version__}


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores (nproc), {mem:.0f} GiB"


def fmt_range(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}x ({min(values):.2f}-{max(values):.2f})"


def report(args, tables: dict, counted: dict, timing: dict | None, facts: dict) -> str:
    small, large = tables["small"]["meta"], tables["large"]["meta"]

    def describe(meta, per):
        return (f"{meta['files']:,} files of ~{args.file_kb} KB in {meta['partitions']} "
                f"partitions of {per} ({meta['bytes'] / 2**20:.0f} MiB, {meta['rows']:,} rows)")

    lines = [f"{facts['date']}; {facts['machine']}; load average {facts['load']} at the start. "
             + "; ".join(f"{k} {v}" for k, v in facts["versions"].items()) + ".",
             "",
             f"Tables: small partitions, {describe(small, args.small_files)}; large partitions, "
             f"{describe(large, args.large_files)}. Target {args.target_mb:g} MiB.",
             "",
             "**s3-compaction's requests per compacted partition**, beyond one GET per input file "
             "(in place, originals deleted; counted at the proxy):",
             "",
             "| store | table | partitions | input files | GET | HEAD | LIST | PUT | COPY | "
             "DELETE | total per partition | answered 4xx/5xx |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for store, c in counted.items():
        for table in ("small", "large"):
            o = c["overhead"][table]
            k, n = o["counts"], o["partitions"]
            beyond = dict(k, get=k["get"] - o["inputs"])
            cells = " | ".join(f"{beyond[kind] / n:.2f}" for kind in KINDS)
            total = (sum(k[kind] for kind in KINDS) + k["other"] - o["inputs"]) / n
            refused = ", ".join(f"{op}: {m}" for op, m in sorted(k["refused_ops"].items())) or "0"
            lines.append(f"| {store} | {table} ({args.small_files if table == 'small' else args.large_files}"
                         f" files each) | {n} | {o['inputs']:,} | {cells} | {total:.2f} | "
                         f"{refused} |")
    lines += ["", f"**Requests per input file, every tool**, on the large-partition table "
                  f"({large['files']:,} files):", "",
              "| store | tool | GET | HEAD | LIST | PUT | COPY | DELETE | other | total per "
              "input file | answered 4xx/5xx | files written |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    n = large["files"]
    for store, c in counted.items():
        for tool, t in c["tools"].items():
            k = t["counts"]
            cells = " | ".join(f"{k[kind]:,} ({k[kind] / n:.2f})" for kind in [*KINDS, "other"])
            total = sum(k[kind] for kind in [*KINDS, "other"])
            refused = ", ".join(f"{op}: {m}" for op, m in sorted(k["refused_ops"].items())) or "0"
            lines.append(f"| {store} | {tool} | {cells} | {total / n:.2f} | {refused} | "
                         f"{t['files']:,} |")
    failures = [f"{store}, {tool}: {len(t['counts']['signature_failures'])} "
                f"({t['counts']['signature_failures'][0]})"
                for store, c in counted.items() for tool, t in c["tools"].items()
                if t["counts"]["signature_failures"]]
    if failures:
        lines += ["", "Signatures the proxy could not verify (botocore's check; the store "
                      "accepted the requests): " + "; ".join(failures) + "."]
    if timing:
        samples = timing["samples"]
        base = samples["s3-compaction"]
        rounds = len(base)
        lines += ["", f"**Wall time on SeaweedFS**, the large-partition table, straight to the "
                      f"store (no proxy); {rounds} round-robin rounds; each tool's time over "
                      f"s3-compaction's in the same round, median (min-max). Seconds are shown "
                      f"for scale only: absolute times are not meaningful here (load average "
                      f"{timing['load'][0][0]:.2f} before the rounds, {timing['load'][1][0]:.2f} "
                      f"after).", "",
                  "| tool | wall vs s3-compaction | CPU vs s3-compaction | median wall | "
                  "median CPU | files written |",
                  "|---|---|---|---:|---:|---:|"]
        for tool, s in samples.items():
            wall = [x["wall"] / b["wall"] for x, b in zip(s, base)]
            cpu = [x["cpu"] / b["cpu"] for x, b in zip(s, base)]
            lines.append(f"| {tool} | {fmt_range(wall)} | {fmt_range(cpu)} | "
                         f"{statistics.median(x['wall'] for x in s):.2f} s | "
                         f"{statistics.median(x['cpu'] for x in s):.2f} s | {s[0]['files']} |")
    lines += ["", *NOT_MEASURED.values()]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=str(ROOT / "build" / "s3-compaction"))
    ap.add_argument("--store", choices=["moto", "seaweedfs", "both"], default="both")
    ap.add_argument("--days", type=int, default=1, help="partitions: 24 per day")
    ap.add_argument("--small-files", type=int, default=4, help="files per small partition")
    ap.add_argument("--large-files", type=int, default=40, help="files per large partition")
    ap.add_argument("--file-kb", type=int, default=100)
    ap.add_argument("--target-mb", type=float, default=128)
    ap.add_argument("--rounds", type=int, default=3, help="timing rounds on SeaweedFS (0: none)")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--work", help="keep the tables and every run's output and timings here "
                                   "(default: a temporary folder, removed after)")
    ap.add_argument("--docs", action="store_true")
    args = ap.parse_args()
    args.tools = [t for t in args.tools.split(",") if t]
    if set(args.tools) - set(TOOLS) or "s3-compaction" not in args.tools:
        ap.error(f"--tools: s3-compaction and any of {', '.join(TOOLS[1:])}")
    args.binary = str(Path(args.binary).resolve())
    stores = STORES if args.store == "both" else [args.store]

    facts = {"date": datetime.date.today().isoformat(), "machine": machine(),
             "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
             "versions": versions(args.binary)}
    counted, timing = {}, None
    with tempfile.TemporaryDirectory(prefix="s3c-bench-s3-") as tmp:
        work = Path(args.work or tmp)
        work.mkdir(parents=True, exist_ok=True)
        tables = {}
        for name, per in (("small", args.small_files), ("large", args.large_files)):
            local = work / f"table-{name}"
            partitions = 24 * args.days
            print(f"bench: generating the {name}-partition table ({partitions * per:,} files)",
                  flush=True)
            meta = generate.generate(local, partitions * per, args.file_kb, days=args.days)
            tables[name] = {"local": local, "meta": meta}
        bench = Bench(args, work, tables)
        for name in stores:
            store = start_store(name)
            try:
                counted[name] = bench.count(store)
                if name == "seaweedfs" and args.rounds > 0:
                    timing = bench.time(store)
            finally:
                store.stop()
        text = report(args, tables, counted, timing, facts)
        # Everything measured, every request seen included: for a look behind the tables.
        (work / "results.json").write_text(json.dumps(
            {"facts": facts, "counted": counted, "timing": timing,
             "tables": {k: v["meta"] for k, v in tables.items()}}, indent=1))
    print(text)
    if args.docs:
        write_docs(text, DOCS_MARKER)


if __name__ == "__main__":
    main()
