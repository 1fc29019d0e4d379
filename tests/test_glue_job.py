"""python/glue_job.py, the AWS Glue job: PySpark in local mode (local[2]) runs the binary's shards
on its executors against the moto server, with a Glue table in moto; the driver recovers, plans,
and makes the one catalog commit. Checked as in test_glue.py: rows per partition equal as
multisets (downloaded, read by DuckDB), the catalog through boto3, nothing of ours left behind.

The cases that run shards share one SparkContext per module (started once: a JVM costs seconds),
with the job's main() called in this process; the job's own entry point runs in a subprocess for
a first run (its own SparkContext, from S3C_SPARK_MASTER) and for the runs that must not start
Spark at all (nothing to do, a bad predicate), where the master is one that would fail."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from support.glue import add_partition, create_table, partitions, table_definition
from support.tables import RowsSnapshot, TableSpec, events_schema, write_table

# One xdist worker for the module (one Spark context per module).
pytestmark = pytest.mark.xdist_group("test_glue_job")

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "python" / "glue_job.py"
DB = "analytics"
TARGET = 0.125  # MiB
SCHEMA = events_schema()
KEYS = [("year", "string"), ("month", "int")]
PARTS = [("2023", "5"), ("2023", "6"), ("2023", "7"), ("2023", "8"), ("2024", "1")]
FILES, ROWS = 6, 100
SPARK_SETTINGS = {
    "PYSPARK_PYTHON": sys.executable,
    "PYSPARK_SUBMIT_ARGS": "--driver-memory 512m --conf spark.ui.enabled=false pyspark-shell",
}
# As the master (S3C_SPARK_MASTER, and spark-submit's for Glue's getOrCreate): a run that tried
# to start Spark would fail.
NO_SPARK = "no-spark-must-start"

spark_missing = (importlib.util.find_spec("pyspark") is None or shutil.which("java") is None)
needs_spark = pytest.mark.skipif(spark_missing, reason="needs pyspark and a Java runtime")


def load_job():
    spec = importlib.util.spec_from_file_location("glue_job", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["glue_job"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def spark(local_s3, aws_proxy):
    """One SparkContext (local[2]) for the module. Its executors' Python workers inherit the
    environment it starts with: the moto server behind the proxy, as aws.env() gives it."""
    if spark_missing:
        pytest.skip("needs pyspark and a Java runtime")
    from pyspark import SparkConf, SparkContext

    env = {**local_s3.env(), "AWS_ENDPOINT_URL": aws_proxy.endpoint, **SPARK_SETTINGS}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        conf = (SparkConf().setMaster("local[2]").setAppName("test_glue_job")
                .set("spark.ui.enabled", "false").set("spark.driver.memory", "512m"))
        sc = SparkContext(conf=conf)
        sc.setLogLevel("ERROR")
        try:
            yield sc
        finally:
            sc.stop()
            # The JVM goes now, not at interpreter exit: it exits when its stdin closes.
            gateway = SparkContext._gateway
            SparkContext._gateway = SparkContext._jvm = None
            gateway.shutdown()
            if getattr(gateway, "proc", None) is not None:
                gateway.proc.stdin.close()
                gateway.proc.wait(timeout=60)


@pytest.fixture
def table(aws, bucket, tmp_path):
    """A crawler-made table (year string, month int) of 5 partitions in key=value folders, with
    the crawler's statistics; returns (name, rows snapshot, partition -> prefix)."""
    name = "ev_" + bucket.replace("-", "_")[-12:]
    prefix = f"warehouse/{name}"
    create_table(aws.glue, DB, name, f"s3://{bucket}/{prefix}", SCHEMA, KEYS)
    rows, layout = RowsSnapshot(), {}
    for year, month in PARTS:
        local = tmp_path / "src" / f"{year}-{month}"
        write_table(local, TableSpec(partitions=[{"p": "x"}], files_per_partition=FILES,
                                     rows_per_file=ROWS, seed=int(year) * 13 + int(month)))
        layout[(year, month)] = f"{prefix}/year={year}/month={month}"
        aws.s3.upload_tree(local / "p=x", bucket, layout[(year, month)])
        files = sorted((local / "p=x").glob("*.parquet"))
        rows.capture(f"{year}/{month}", files)
        size = sum(f.stat().st_size for f in files)
        add_partition(aws.glue, DB, name, [year, month], f"s3://{bucket}/{layout[(year, month)]}",
                      SCHEMA, stats={"numFiles": str(FILES), "totalSize": str(size),
                                     "recordCount": str(FILES * ROWS), "objectCount": str(FILES),
                                     "sizeKey": str(size), "averageRecordSize": "50"})
    return name, rows, layout


def job_args(name, binary, *extra):
    return ["--database_name", DB, "--table_name", name, "--s3c_binary", binary,
            "--target_file_size_mb", str(TARGET), *extra]


def run_in_process(spark, capsys, *args):
    """The job's main() on the module's SparkContext: (exit code, summary, stderr)."""
    capsys.readouterr()
    code = load_job().main(list(args), spark_context=spark)
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert summary["exit_code"] == code
    return code, summary, err


def run_job(env: dict, *args, master: str = "local[2]"):
    """The script as Glue runs it, in its own process (its own SparkContext, if any) with
    exactly `env`: (exit code, summary, stdout, stderr)."""
    env = dict(env, S3C_SPARK_MASTER=master)
    if master == NO_SPARK:
        env["PYSPARK_SUBMIT_ARGS"] = f"--master {NO_SPARK} " + env["PYSPARK_SUBMIT_ARGS"]
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          env=env, timeout=300)
    summary = json.loads(proc.stdout) if proc.stdout.strip() else None
    if summary is not None:
        assert summary["exit_code"] == proc.returncode
    return proc.returncode, summary, proc.stdout, proc.stderr


def run_script(aws, *args, master="local[2]", extra_env=None):
    """run_job with this process's environment pointed at the local AWS: (code, summary, stderr)."""
    env = {**os.environ, **aws.env(), **SPARK_SETTINGS, **(extra_env or {})}
    code, summary, _, stderr = run_job(env, *args, master=master)
    return code, summary, stderr


def download(aws, bucket, prefix, dest):
    return aws.s3.download_prefix(bucket, prefix, dest / prefix.replace("/", "_"))


def compacted(summary) -> list:
    return [d["partition"] for d in summary["details"] if d["status"] == "compacted"]


def assert_shards_cover(out, expected: list, n: int):
    """Every planned partition compacted by exactly one shard; every shard succeeded."""
    assert out["steps"] == ["recover", "plan", "shards", "commit"]
    assert out["spark_tasks"] == n and [s["shard"] for s in out["shards"]] == [
        f"{k}/{n}" for k in range(n)]
    every = []
    for s in out["shards"]:
        assert s["exit_code"] == 0, s["stderr_tail"]
        assert s["summary"]["shard"] == s["shard"]
        every += compacted(s["summary"])
    assert sorted(every) == sorted(expected)
    assert out["commit"]["exit_code"] == 0, out["commit"]["stderr_tail"]


def part_path(key) -> str:
    return f"year={key[0]}/month={key[1]}"


# --- (a) in place, originals deleted, 2 shards, one catalog commit -----------------------------

@needs_spark
def test_shards_compact_in_place_and_the_driver_commits_the_catalog_once(
        aws, bucket, table, binary, spark, capsys, tmp_path):
    name, rows, layout = table
    table_before = table_definition(aws.glue, DB, name)
    parts_before = partitions(aws.glue, DB, name)
    untouched = aws.s3.objects(bucket, layout[("2024", "1")])
    selected = [k for k in PARTS if k[0] == "2023"]

    code, out, err = run_in_process(
        spark, capsys, *job_args(name, binary, "--partition_predicate", "year='2023'",
                                 "--delete_original_files", "true", "--shards", "2"),
        "--JOB_NAME", "compaction", "--TempDir", "s3://glue-temp/x")  # Glue's own: ignored
    assert code == 0, err
    assert out["plan"]["planned"] == 4 and out["plan"]["exit_code"] == 0
    assert_shards_cover(out, [part_path(k) for k in selected], 2)
    assert "committed 4 of 4" in " ".join(out["commit"]["summary"]["notes"])
    assert "shard 0/2 on " in err and "commit: exit 0" in err

    for key in selected:
        files = download(aws, bucket, layout[key], tmp_path / "dl")
        rows.assert_same("/".join(key), files)
        assert 1 <= len(files) < FILES
    assert aws.s3.objects(bucket, layout[("2024", "1")]) == untouched
    assert not [k for k in aws.s3.objects(bucket) if "_s3_compaction" in k]

    # Statistics updated by the commit alone: one batched catalog update, from the driver.
    assert aws.proxy.count("BatchUpdatePartition") == 1
    assert table_definition(aws.glue, DB, name) == table_before
    parts_after = partitions(aws.glue, DB, name)
    for key in selected:
        after, before = parts_after[key], parts_before[key]
        files = download(aws, bucket, layout[key], tmp_path / "again")
        assert after["StorageDescriptor"] == before["StorageDescriptor"]
        assert after["Parameters"]["numFiles"] == after["Parameters"]["objectCount"] == str(len(files))
        assert after["Parameters"]["totalSize"] == str(sum(f.stat().st_size for f in files))
        assert after["Parameters"]["recordCount"] == str(FILES * ROWS)
    assert parts_after[("2024", "1")] == parts_before[("2024", "1")]


@needs_spark
def test_sort_by_is_passed_to_every_shard_and_shown(aws, bucket, table, binary, spark, capsys,
                                                    tmp_path):
    import duckdb

    name, rows, layout = table
    selected = [k for k in PARTS if k[0] == "2023"]
    code, out, err = run_in_process(
        spark, capsys, *job_args(name, binary, "--partition_predicate", "year='2023'",
                                 "--sort_by", "event_id DESC", "--delete_original_files", "true",
                                 "--shards", "2"))
    assert code == 0, err
    assert out["plan"]["sort"]["by"] == "event_id DESC NULLS LAST"
    assert "sorted by event_id DESC NULLS LAST" in err
    assert_shards_cover(out, [part_path(k) for k in selected], 2)
    assert sum(s["summary"]["sort"]["rows"] for s in out["shards"]) == len(selected) * FILES * ROWS
    for key in selected:
        files = sorted(download(aws, bucket, layout[key], tmp_path / "dl"), key=lambda f: f.name)
        rows.assert_same("/".join(key), files)
        ids = [r[0] for r in duckdb.connect().execute(
            "SELECT event_id FROM read_parquet([" + ", ".join(f"'{f}'" for f in files) + "])").fetchall()]
        assert ids == sorted(ids, reverse=True)


def killing_wrapper(path: Path, binary: str, shard: str, once: bool = False) -> str:
    """A stand-in for the binary that kills `shard` (SIGKILL, the crash tests' fault point) once
    its plan is in the journal, before it writes anything: every time, or only the first time."""
    marker = path.with_suffix(".killed")
    condition = f'[ ! -e "{marker}" ] && : > "{marker}" && ' if once else ""
    path.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        case " $* " in *" --shard {shard} "*) {condition}export S3C_FAULT_POINT=after_plan ;; esac
        exec {binary} "$@"
        """))
    path.chmod(0o755)
    return str(path)


@needs_spark
def test_a_killed_shard_is_run_again_and_never_stops_the_commit_of_the_others(
        aws, bucket, table, binary, spark, capsys, tmp_path):
    """Shard 1 is killed, and killed again when run again: shard 0's partitions are committed
    all the same, the job exits 1, shard 1's are left as they were. The next run's shard 1 is
    killed once: run again, it finishes the table."""
    name, rows, layout = table
    selected = [k for k in PARTS if k[0] == "2023"]
    parts_before = partitions(aws.glue, DB, name)
    args = ["--partition_predicate", "year='2023'", "--delete_original_files", "true",
            "--shards", "2"]

    always = killing_wrapper(tmp_path / "always", binary, "1/2")
    code, out, err = run_in_process(spark, capsys, *job_args(name, always, *args))
    assert code == 1, err  # a killed shard: the CLI's internal error
    assert out["steps"] == ["recover", "plan", "shards", "commit"]
    ok, killed = out["shards"]
    assert ok["exit_code"] == 0 and ok["first_attempt"] is None
    assert killed["exit_code"] == 1 and killed["signal"] == 9
    assert killed["first_attempt"]["signal"] == 9  # run twice, killed twice
    assert "shard 1/2 on " in err and "killed by signal 9" in err
    assert out["commit"]["exit_code"] == 0, out["commit"]["stderr_tail"]
    done = compacted(ok["summary"])
    assert done and len(done) < len(selected)
    after = partitions(aws.glue, DB, name)
    for key in selected:
        files = download(aws, bucket, layout[key], tmp_path / "first")
        rows.assert_same("/".join(key), files)
        if part_path(key) in done:  # committed although its sibling shard failed
            assert len(files) < FILES
            assert after[key]["Parameters"]["numFiles"] == str(len(files))
        else:
            assert len(files) == FILES and after[key] == parts_before[key]

    once = killing_wrapper(tmp_path / "once", binary, "1/2", once=True)
    code, out, err = run_in_process(spark, capsys, *job_args(name, once, *args))
    assert code == 0, err
    assert out["plan"]["planned"] == len(selected) - len(done)
    retried = [s for s in out["shards"] if s["first_attempt"]]
    assert [s["shard"] for s in retried] == ["1/2"] and retried[0]["exit_code"] == 0
    assert "killed by signal 9 after" in err and "run again" in err
    after = partitions(aws.glue, DB, name)
    for key in selected:
        files = download(aws, bucket, layout[key], tmp_path / "second")
        rows.assert_same("/".join(key), files)
        assert len(files) < FILES
        assert after[key]["Parameters"]["numFiles"] == str(len(files))
    assert not [k for k in aws.s3.objects(bucket) if "_s3_compaction" in k]


# --- (b) --target_s3_path: the catalog repointed; originals deleted only when asked ------------

@needs_spark
@pytest.mark.parametrize("delete", ["false", "true"])
def test_target_path_repoints_every_partition(aws, bucket, table, binary, spark, capsys, tmp_path,
                                              delete):
    name, rows, layout = table
    table_before = table_definition(aws.glue, DB, name)
    parts_before = partitions(aws.glue, DB, name)
    originals = {k: aws.s3.objects(bucket, p) for k, p in layout.items()}
    target = f"s3://{bucket}/compacted/{name}"

    code, out, err = run_in_process(
        spark, capsys, *job_args(name, binary, "--target_s3_path", target,
                                 "--delete_original_files", delete, "--shards", "2"))
    assert code == 0, err
    assert out["plan"]["planned"] == len(PARTS)
    assert_shards_cover(out, [part_path(k) for k in PARTS], 2)

    parts_after = partitions(aws.glue, DB, name)
    for key in PARTS:
        after, before = parts_after[key], parts_before[key]
        location = f"{target}/{part_path(key)}"
        assert after["StorageDescriptor"]["Location"] == location
        assert ({k: v for k, v in after["StorageDescriptor"].items() if k != "Location"}
                == {k: v for k, v in before["StorageDescriptor"].items() if k != "Location"})
        files = download(aws, bucket, location[len(f"s3://{bucket}/"):], tmp_path / "dl")
        rows.assert_same("/".join(key), files)
        if delete == "true":
            assert aws.s3.objects(bucket, layout[key]) == {}
        else:
            assert aws.s3.objects(bucket, layout[key]) == originals[key]
    assert aws.proxy.count("BatchUpdatePartition") == 1
    assert table_definition(aws.glue, DB, name) == table_before
    assert not [k for k in aws.s3.objects(bucket) if "_s3_compaction" in k]


# --- (c) the script's own entry point; a second run has nothing to do and starts no Spark ------

@needs_spark
def test_a_run_with_nothing_to_do_starts_no_spark_task(aws, bucket, table, binary, tmp_path):
    name, rows, layout = table
    args = job_args(name, binary, "--partition_predicate", "year='2024' OR month=5",
                    "--delete_original_files", "true", "--shards", "4")
    code, out, err = run_script(aws, *args)
    assert code == 0, err
    # 2 partitions planned: 2 shards, whatever --shards says.
    assert_shards_cover(out, ["year=2023/month=5", "year=2024/month=1"], 2)
    for key in [("2023", "5"), ("2024", "1")]:
        rows.assert_same("/".join(key), download(aws, bucket, layout[key], tmp_path))

    objects = aws.s3.objects(bucket)
    catalog = partitions(aws.glue, DB, name)
    code, out, err = run_script(aws, *args, master=NO_SPARK)
    assert code == 0, err
    assert out["steps"] == ["recover", "plan"]
    assert out["spark_tasks"] == 0 and out["shards"] == [] and out["commit"] is None
    assert out["plan"]["planned"] == 0 and out["plan"]["partitions"]["skipped"] == 2
    assert "nothing to compact: no Spark tasks started" in err
    assert aws.s3.objects(bucket) == objects and partitions(aws.glue, DB, name) == catalog


def test_inspect_writes_its_report_to_s3_and_changes_nothing(aws, bucket, table, binary, tmp_path):
    """--s3c_command inspect: one driver step, no Spark, no change to the table or the catalog;
    the page lands where --report says."""
    name, rows, layout = table
    objects = aws.s3.objects(bucket)
    catalog = partitions(aws.glue, DB, name)
    report = f"s3://{bucket}/reports/{name}.html"
    code, out, err = run_script(aws, *job_args(name, binary, "--s3c_command", "inspect",
                                               "--partition_predicate", "year='2023'",
                                               "--report", report), master=NO_SPARK)
    assert code == 0, err
    assert out["steps"] == ["inspect"] and out["spark_tasks"] == 0
    doc = out["inspect"]["summary"]
    assert doc["kind"] == "inspection"
    selected = sorted(f"year={y}/month={m}" for y, m in PARTS if y == "2023")
    assert sorted(p["partition"] for p in doc["partitions"]) == selected
    assert all(p["files"] == FILES and p["action"] == "compact" for p in doc["partitions"])
    assert f"inspect: exit 0" in err and f"report written to {report}" in err
    after = aws.s3.objects(bucket)
    assert set(after) - set(objects) == {f"reports/{name}.html"}
    assert {k: v for k, v in after.items() if k in objects} == objects
    assert partitions(aws.glue, DB, name) == catalog
    page = aws.s3.client.get_object(Bucket=bucket, Key=f"reports/{name}.html")["Body"].read()
    assert page.startswith(b"<!DOCTYPE html>") and b"<script" not in page


def test_the_job_names_each_shards_report():
    job = load_job()
    assert job.shard_report(None, 0, 2) == []
    assert job.shard_report("s3://b/r/run.html", 1, 4) == ["--report", "s3://b/r/run-shard-1-of-4.html"]
    assert job.shard_report("s3://b/r/run", 0, 1) == ["--report", "s3://b/r/run-shard-0-of-1"]
    assert job.shard_report("/tmp/x.y.html", 0, 2) == ["--report", "/tmp/x.y-shard-0-of-2.html"]
    assert job.shard_report("run.html", 0, 2) == ["--report", "run-shard-0-of-2.html"]


# --- (d) a bad predicate: the CLI's usage error, before any Spark ------------------------------

FAKE_AWSGLUE = '''
"""Stands in for Glue's awsglue.utils: its getResolvedOptions insists on every option it is given
and raises (does not exit) on a missing one; unknown arguments are ignored."""
import argparse


class GlueArgumentError(Exception):
    pass


class GlueArgumentParser(argparse.ArgumentParser):
    def error(self, msg):
        raise GlueArgumentError(msg)


def getResolvedOptions(args, options):
    parser = GlueArgumentParser()
    parser.add_argument("--job-bookmark-option", required=False)
    parser.add_argument("--JOB_ID", required=False)
    parser.add_argument("--JOB_RUN_ID", required=False)
    parser.add_argument("--TempDir", required=False)
    for option in options:
        parser.add_argument("--" + option, required=True)
    parsed, _ = parser.parse_known_args(args[1:])
    return vars(parsed)
'''


@pytest.fixture
def glue_runtime(tmp_path):
    """PYTHONPATH for a fake `awsglue`, so the script takes its Glue path for arguments."""
    pkg = tmp_path / "fake_glue" / "awsglue"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "utils.py").write_text(textwrap.dedent(FAKE_AWSGLUE))
    return {"PYTHONPATH": str(pkg.parent)}


@pytest.mark.parametrize("runtime", ["local", "glue"])
@pytest.mark.parametrize("predicate, message", [
    pytest.param("nope = 1", "partition predicate: unknown key 'nope'; the table's partition keys "
                 "are: year, month", id="unknown-key"),
    pytest.param("year = ", "partition predicate: expected a value", id="bad-syntax"),
])
def test_a_bad_predicate_is_the_clis_usage_error(aws, bucket, table, binary, glue_runtime, runtime,
                                                 predicate, message):
    name, _, _ = table
    objects = aws.s3.objects(bucket)
    catalog = partitions(aws.glue, DB, name)
    glue = ["--JOB_ID", "j_1", "--JOB_RUN_ID", "jr_1", "--job-bookmark-option",
            "job-bookmark-disable", "--TempDir", "s3://glue-temp/x"] if runtime == "glue" else []
    code, out, err = run_script(aws, *glue, *job_args(name, binary, "--partition_predicate",
                                                      predicate, "--s3c_args", "-v"),
                                master=NO_SPARK,
                                extra_env=glue_runtime if runtime == "glue" else None)
    assert code == 2, err
    assert message in err
    assert out["steps"] == ["recover", "plan"] and out["spark_tasks"] == 0
    assert out["recover"]["exit_code"] == 0 and out["plan"]["exit_code"] == 2
    assert "-v" in out["plan"]["command"]  # --s3c_args reach every invocation
    assert aws.s3.objects(bucket) == objects and partitions(aws.glue, DB, name) == catalog


# --- the job's own arguments ------------------------------------------------------------------

BAD_ARGS = {
    "no-database": (["--table_name", "t"], "database_name"),
    "zero-shards": (["--shards", "0"], "--shards: expected"),
    "own-shard": (["--s3c_args", "--shard 0/2"], "--s3c_args: --shard is set by the Glue job itself"),
    "own-catalog": (["--s3c_args", "--update_catalog=false"],
                    "--s3c_args: --update_catalog is set by the Glue job itself"),
    "own-subcommand": (["--s3c_args", "-v commit"], "--s3c_args: commit is set by the Glue job itself"),
    "no-binary": (["--s3c_binary", "/nowhere/s3-compaction"],
                  "no s3-compaction binary: looked at /nowhere/s3-compaction"),
}


@pytest.mark.parametrize("runtime, args, message", [
    pytest.param(runtime, *BAD_ARGS[case], id=f"{case}-{runtime}")
    for case in BAD_ARGS for runtime in ("local", "glue")
    # In Glue a missing binary is also looked for among SparkFiles, which starts Spark: slow.
    if (case, runtime) != ("no-binary", "glue")])
def test_bad_job_arguments_are_usage_errors(aws, glue_runtime, runtime, args, message):
    table = [] if "--table_name" in args else ["--database_name", "d", "--table_name", "t"]
    code, _, err = run_script(aws, "--JOB_NAME", "x", *table, *args, master=NO_SPARK,
                              extra_env=glue_runtime if runtime == "glue" else None)
    assert code == 2, err
    assert message in err


def bundle_archive(folder: Path, binary: str, name: str) -> Path:
    """An archive laid out as deploy/package.sh makes it (s3-compaction/bin/s3-compaction, here
    a launcher of the test binary), with the mode bits S3 leaves a file with."""
    import tarfile

    launcher = folder / "bundle" / "s3-compaction" / "bin" / "s3-compaction"
    launcher.parent.mkdir(parents=True)
    launcher.write_text(f"#!/bin/sh\nexec {binary} \"$@\"\n")
    launcher.chmod(0o755)
    archive = folder / "work" / name
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(launcher.parent.parent, arcname="s3-compaction")
    archive.chmod(0o644)
    return archive


def unpacked_root(exe: str) -> Path:
    return Path(exe).parent.parent.parent  # <tmp>/s3-compaction-<hash>/s3-compaction/bin/...


# Python 3.10 before 3.10.12 (Glue 4.0 is some 3.10) has no tar extraction filters: the job
# checks the members itself.
TAR_FILTERS = pytest.mark.parametrize("filters", [True, False], ids=["filters", "no-filters"])


def without_tar_filters(monkeypatch, filters: bool):
    import tarfile

    if not filters:
        monkeypatch.delattr(tarfile, "data_filter", raising=False)


@TAR_FILTERS
def test_the_binary_is_found_in_a_bundle_archive(tmp_path, binary, monkeypatch, filters):
    """deploy/package.sh's archive in the working directory, as Glue's --extra-files leaves it:
    found by its name, unpacked once, its launcher run."""
    without_tar_filters(monkeypatch, filters)
    archive = bundle_archive(tmp_path, binary, "s3-compaction-linux-x86_64.tar.gz")
    job = load_job()
    monkeypatch.chdir(archive.parent)
    found, exe = job.find_binary(None)
    try:
        assert found == str(archive) and exe.endswith("/s3-compaction/bin/s3-compaction")
        assert job.find_binary("s3-compaction-linux-x86_64.tar.gz")[1] == exe  # unpacked once
        assert subprocess.run([exe, "--version"], capture_output=True).returncode == 0
    finally:
        shutil.rmtree(unpacked_root(exe), ignore_errors=True)


@TAR_FILTERS
@pytest.mark.parametrize("member", ["../outside", "link"])
def test_an_archive_member_that_would_land_outside_is_refused(tmp_path, monkeypatch, filters,
                                                              member):
    """A member named outside the folder, or written through a link that points out of it, is
    refused before it lands anywhere, with or without Python's extraction filters."""
    import tarfile

    without_tar_filters(monkeypatch, filters)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # where it unpacks
    (tmp_path / "tmp").mkdir()
    archive = tmp_path / "s3-compaction.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo(f"s3-compaction/{member}" if member == "link" else member)
        if member == "link":  # a link out, then a file written through it
            info.type, info.linkname = tarfile.SYMTYPE, "../../../outside-dir"
            tar.addfile(info)
            info = tarfile.TarInfo("s3-compaction/link/file")
        info.size = 0
        tar.addfile(info)
    (tmp_path / "outside-dir").mkdir()
    with pytest.raises(Exception):
        load_job().find_binary(str(archive))
    assert not (tmp_path / "outside").exists() and not list((tmp_path / "outside-dir").iterdir())
    assert [p.name for p in (tmp_path / "tmp").iterdir()] == []  # the partial unpacking removed


@needs_spark
def test_executors_find_a_shipped_archive_among_spark_files(spark, tmp_path, binary):
    """What --s3c_ship_binary does off a local master: the driver's archive added to SparkFiles;
    an executor that cannot see the driver's path finds it there and unpacks it."""
    import functools
    import uuid

    from pyspark import cloudpickle

    name = f"s3c-{uuid.uuid4().hex[:8]}.tar.gz"  # SparkFiles names are per context
    archive = bundle_archive(tmp_path, binary, name)
    spark.addFile(str(archive))
    job = load_job()
    cloudpickle.register_pickle_by_value(job)
    look = functools.partial(job.find_binary, None, [name])
    (found, exe), = spark.parallelize([0], 1).map(lambda _: look()).collect()
    try:
        assert found != str(archive) and Path(found).name == name  # the executor's copy
        assert subprocess.run([exe, "--version"], capture_output=True).returncode == 0
    finally:
        shutil.rmtree(unpacked_root(exe), ignore_errors=True)


def test_a_shard_line_counts_partitions_left_by_a_limit():
    job = load_job()
    line = job._counts({"partitions": {"compacted": 2, "deferred": 4},
                        "remaining": {"partitions": 4, "files": 4000, "bytes": 1}})
    assert line.startswith("2 compacted, 0 copied, 0 skipped, 0 failed, 4 deferred"), line
    assert "4,000 files left for the next run" in line
    assert "deferred" not in job._counts({"partitions": {"compacted": 1}})
