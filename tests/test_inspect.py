"""`s3-compaction inspect`: a table's health, read-only. Per partition the files, bytes and small
files the listing shows (checked against the files themselves), a size histogram, what a run
would do (checked against --dry-run), the requests a full scan costs; with --footers also rows,
row groups, codecs and schema drift (checked against pyarrow). Pending journals and leases after
a crash, the last finished run after a run. Nothing written, locally or on S3 (counted at the
proxy: no write, and no GET of a data file without --footers)."""

import json
import math
import os
import shutil
import signal
import urllib.parse
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from support.glue import register_table
from support.paused_run import PausedRun
from support.tables import TableSpec, events_schema, partition_path, snapshot, write_table

KILLED = -signal.SIGKILL
TARGET = 0.25  # MiB
SMALL = 0.75 * TARGET * 2**20
WRITES = {"PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "CreateMultipartUpload",
          "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload", "Post"}
GLUE_WRITES = {"BatchUpdatePartition", "UpdateTable", "UpdatePartition", "CreatePartition",
               "BatchCreatePartition", "DeletePartition", "BatchDeletePartition"}


def bucket_of(size: int) -> int:
    """SizeHistogram's bucket: < 1 KiB, then powers of 4 from 1 KiB, the last >= 1 GiB."""
    if size < 1024:
        return 0
    return min(11, 1 + int(math.floor(math.log(size / 1024, 4) + 1e-12)))


def histogram(sizes) -> list[int]:
    counts = [0] * 12
    for s in sizes:
        counts[bucket_of(s)] += 1
    return counts


def make_table(root: Path):
    """Partitions of 30, 12 and 1 small files, one of a large file beside 4 small ones, and a
    file that is not Parquet."""
    write_table(root, TableSpec(partitions=[{"d": "a"}], files_per_partition=30, rows_per_file=300, seed=1))
    write_table(root, TableSpec(partitions=[{"d": "b"}], files_per_partition=12, rows_per_file=300, seed=2))
    write_table(root, TableSpec(partitions=[{"d": "c"}], files_per_partition=1, rows_per_file=300, seed=3))
    write_table(root, TableSpec(partitions=[{"d": "e"}], files_per_partition=4, rows_per_file=300, seed=4))
    big = pa.table({"id": pa.array(range(60000), pa.int64()),
                    "s": [f"{i:020d}" * 2 for i in range(60000)]})
    pq.write_table(big, root / "d=e" / "large.parquet", compression="none")
    (root / "d=a" / "notes.txt").write_text("not a data file\n")


def listed(root: Path) -> dict:
    """{partition: [sizes of its Parquet files]}"""
    out = {}
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(("_", ".")):
            continue
        out[folder.name] = [f.stat().st_size for f in folder.iterdir() if f.suffix == ".parquet"]
    return out


def inspect(run, *flags, env=None):
    r = run("inspect", *flags, "--target_file_size_mb", TARGET, "--json", env=env)
    assert r.code == 0, r.stderr
    assert r.stderr == "", r.stderr
    doc = r.summary
    assert doc["kind"] == "inspection"
    return doc


def test_listing_only_counts_what_is_there_and_agrees_with_the_dry_run(run, tmp_path):
    root = tmp_path / "t"
    make_table(root)
    before = snapshot(root)
    doc = inspect(run, "--table_path", root)
    assert snapshot(root) == before  # nothing written, not even the tool's folder
    assert not (root / "_s3_compaction").exists()
    assert doc["footers"] is False and doc["small_file_bytes"] == int(SMALL)

    files = listed(root)
    by_name = {p["partition"]: p for p in doc["partitions"]}
    assert set(by_name) == set(files)
    for name, sizes in files.items():
        p = by_name[name]
        small = [s for s in sizes if s < SMALL]
        assert (p["files"], p["bytes"]) == (len(sizes), sum(sizes)), name
        assert (p["small_files"], p["small_bytes"]) == (len(small), sum(small)), name
        assert p["histogram_before"] == histogram(sizes), name
        assert sum(p["histogram_after"]) == p["files_after"], name
        assert p["scan_requests"]["now"] == 1 + 2 * len(sizes)
        assert p["scan_requests"]["after"] == 1 + 2 * p["files_after"]
        assert "footers" not in p
    assert by_name["d=a"]["other_files"] == 1
    # Worst first: most small files.
    assert [p["partition"] for p in doc["partitions"]] == ["d=a", "d=b", "d=e", "d=c"]
    totals = doc["totals"]
    assert totals["files"] == sum(len(s) for s in files.values())
    assert totals["files_after"] == sum(p["files_after"] for p in doc["partitions"])
    assert doc["histogram"]["before"] == histogram([s for v in files.values() for s in v])
    assert len(doc["histogram"]["buckets"]) == 12

    # What a run would do, as the dry run (which reads footers) plans it.
    dry = run("--table_path", root, "--target_file_size_mb", TARGET, "--dry-run", "--json")
    assert dry.code == 0, dry.stderr
    planned = {d["partition"]: d for d in dry.summary["details"]}
    for name, p in by_name.items():
        expected = {"planned": "compact", "skipped": "skip"}[planned[name]["status"]]
        assert p["action"] == expected, (name, p["reason"], planned[name])
        assert p["files_after"] == planned[name]["files_after"], name
    assert by_name["d=c"]["reason"].startswith("1 small file(s), fewer than --min_input_files")
    assert by_name["d=e"]["action"] == "compact"  # 4 small files, the large one kept
    assert by_name["d=e"]["histogram_after"][bucket_of(max(files["d=e"]))] >= 1

    text = run("inspect", "--table_path", root, "--target_file_size_mb", TARGET)
    assert text.code == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == f"table {root}"
    assert any(l.startswith("  a run would compact 3 partition(s): files 48 -> ") for l in lines), text.stdout
    rows = [l for l in lines if l.startswith("  d=")]
    assert [r.split()[0] for r in rows] == ["d=a", "d=b", "d=e", "d=c"]
    assert "last run: no file here was written by s3-compaction" in lines
    assert "pending: nothing half done" in lines and "leases: none" in lines


def test_footers_report_rows_row_groups_codecs_and_drift(run, tmp_path):
    root = tmp_path / "t"
    make_table(root)
    # A partition whose files drifted: a column added, one widened.
    drift = root / "d=f"
    drift.mkdir()
    pq.write_table(pa.table({"id": pa.array([1, 2, 3], pa.int32()), "s": ["a", "b", "c"]}),
                   drift / "p0.parquet", compression="zstd")
    pq.write_table(pa.table({"id": pa.array([4, 5], pa.int64()), "s": ["d", "e"],
                             "x": [1.0, 2.0]}), drift / "p1.parquet", compression="snappy")
    doc = inspect(run, "--table_path", root, "--footers")
    assert doc["footers"] is True
    by_name = {p["partition"]: p for p in doc["partitions"]}
    dry = run("--table_path", root, "--target_file_size_mb", TARGET, "--dry-run", "--json")
    planned = {d["partition"]: d for d in dry.summary["details"]}
    total_rows = 0
    for name, p in by_name.items():
        metas = [pq.read_metadata(f) for f in sorted((root / name).glob("*.parquet"))]
        f = p["footers"]
        assert f["rows"] == sum(m.num_rows for m in metas), name
        assert f["row_groups"] == sum(m.num_row_groups for m in metas), name
        assert sum(f["codecs"].values()) == len(metas), name
        total_rows += f["rows"]
        expected = {"planned": "compact", "skipped": "skip", "failed": "fail"}[planned[name]["status"]]
        assert p["action"] == expected, (name, p["reason"])
    assert doc["totals"]["rows"] == total_rows
    assert by_name["d=a"]["footers"]["codecs"] == {"snappy": 30}
    assert by_name["d=a"]["footers"]["schemas"] == 1 and by_name["d=a"]["footers"]["drift"] == []
    # A settled partition's footers are read too.
    assert by_name["d=c"]["footers"]["rows"] == 300
    f = by_name["d=f"]["footers"]
    assert f["schemas"] == 2 and f["codecs"] == {"zstd": 1, "snappy": 1}
    assert f["drift"] == ["p1.parquet (against p0.parquet): id is int64, not int32; adds x (double)"]


def test_a_corrupt_file_is_named_and_the_inspection_goes_on(run, tmp_path):
    root = tmp_path / "t"
    make_table(root)
    (root / "d=b" / "part-00003.parquet").write_bytes(b"PAR1 this is not a footer PAR1")
    (root / "d=c" / "empty.parquet").write_bytes(b"")
    listing = inspect(run, "--table_path", root)
    by_name = {p["partition"]: p for p in listing["partitions"]}
    # From the listing alone a zero-byte Parquet file is already known to fail a run.
    assert by_name["d=c"]["action"] == "fail" and "empty.parquet" in by_name["d=c"]["reason"]
    footers = inspect(run, "--table_path", root, "--footers")
    by_name = {p["partition"]: p for p in footers["partitions"]}
    assert by_name["d=b"]["action"] == "fail"
    assert "part-00003.parquet" in by_name["d=b"]["reason"]
    assert by_name["d=a"]["action"] == "compact"
    assert footers["totals"]["failing"] == 2


def test_pending_journal_and_lease_after_a_crash_then_the_last_run(run, tmp_path):
    root = tmp_path / "t"
    make_table(root)
    flags = ["--table_path", root, "--target_file_size_mb", TARGET, "--delete_original_files", "true"]
    assert run(*flags, env={"S3C_FAULT_POINT": "after_publish"}).code == KILLED
    before = snapshot(root)
    doc = inspect(run, "--table_path", root)
    assert snapshot(root) == before
    assert len(doc["journals"]) == 1, doc["journals"]
    journal = doc["journals"][0]
    assert journal["state"] == "half done" and journal["partitions"] == 3
    assert "recover" in journal["detail"]
    assert [(l["name"], l["live"]) for l in doc["leases"]] == [("lease.json", False)]
    assert doc["leases"][0]["run_id"] == journal["run_id"]
    text = run("inspect", "--table_path", root).stdout
    assert f"  {journal['run_id']}: half done, 3 partition(s); " in text
    assert "  lease.json: left by run " in text

    r = run(*flags, "--json")
    assert r.code == 0, r.stderr
    doc = inspect(run, "--table_path", root)
    assert doc["journals"] == [] and doc["leases"] == []
    # The newest run whose outputs are there, from their names: no state is kept for it. The
    # crashed run had published its one batch, all three partitions; the next run rolled them
    # forward and had nothing left to compact: the crashed run is the last whose files are there.
    assert r.summary["partitions"]["compacted"] == 0, r.summary
    last = doc["last_run"]
    assert last["run_id"] == journal["run_id"], (last, r.summary["recovered"])
    assert last["partitions"] == 3
    assert last["files"] == len([f for f in root.rglob("*.parquet")
                                 if journal["run_id"] in f.name and "_s3_compaction" not in str(f)])
    assert last["started_at"] == "{}-{}-{}T{}:{}:{}Z".format(
        last["run_id"][0:4], last["run_id"][4:6], last["run_id"][6:8], last["run_id"][9:11],
        last["run_id"][11:13], last["run_id"][13:15])
    assert [p["last_run"] for p in doc["partitions"] if p["last_run"]] == [last["run_id"]] * 3
    assert f"last run: {last['run_id']}, started " in run("inspect", "--table_path", root).stdout


def test_on_s3_as_read_only_as_a_dry_run(run, aws, bucket, tmp_path):
    local = tmp_path / "src"
    make_table(local)
    aws.s3.upload_tree(local, bucket, "warehouse/t")
    uri = f"s3://{bucket}/warehouse/t"
    data = {k for k in aws.s3.objects(bucket) if k.endswith(".parquet")}

    def ops(*flags):
        aws.proxy.reset()
        doc = inspect(run, "--table_path", uri, *flags, env=aws.env())
        seen = list(aws.proxy.seen)
        assert not [s for s in seen if s.operation in WRITES], seen
        return doc, seen

    doc, seen = ops()
    assert doc["totals"]["files"] == len(data)
    assert not [s for s in seen if s.operation == "GetObject" and "_s3_compaction" not in s.path], seen
    doc, seen = ops("--footers")
    gets = {urllib.parse.unquote(s.path.split("?")[0]).split("/", 2)[2] for s in seen
            if s.operation == "GetObject"}
    # Every data file's footer, and the one other file (to tell it is not Parquet), as a run.
    assert gets == data | {"warehouse/t/d=a/notes.txt"}
    assert doc["totals"]["rows"] > 0
    aws.proxy.reset()
    dry = run("--table_path", uri, "--target_file_size_mb", TARGET, "--dry-run", env=aws.env())
    assert dry.code == 0, dry.stderr
    assert not [s for s in aws.proxy.seen if s.operation in WRITES]
    assert aws.s3.objects(bucket).keys() >= data and not [
        k for k in aws.s3.objects(bucket) if "_s3_compaction" in k]


def test_a_glue_table(run, aws, bucket, tmp_path):
    parts = [{"year": "2023", "month": m} for m in ("01", "02")]
    local = tmp_path / "src"
    write_table(local, TableSpec(partitions=parts, files_per_partition=8, rows_per_file=200))
    aws.s3.upload_tree(local, bucket, "warehouse/ev")
    aws.glue.create_database(DatabaseInput={"Name": "health"})
    register_table(aws.glue, "health", "ev", bucket, "warehouse/ev", events_schema(), parts)
    aws.proxy.reset()
    doc = inspect(run, "--database_name", "health", "--table_name", "ev",
                  "--partition_predicate", "month='02'", env=aws.env())
    assert [p["partition"] for p in doc["partitions"]] == ["year=2023/month=02"]
    assert doc["partitions"][0]["files"] == 8 and doc["partitions"][0]["action"] == "compact"
    assert doc["table"] == "health.ev"
    ops = {s.operation for s in aws.proxy.seen}
    assert not ops & (WRITES | GLUE_WRITES), ops
    missing = run("inspect", "--database_name", "health", "--table_name", "nope", env=aws.env())
    assert missing.code == 3 and len(missing.stderr.splitlines()) == 1, missing.stderr
    assert "nope" in missing.stderr


def test_bad_input(run, tmp_path):
    root = tmp_path / "t"
    make_table(root)
    r = run("inspect", "--table_path", root, "--partition_predicate", "d = ")
    assert r.code == 2 and "partition predicate" in r.stderr, r.stderr
    r = run("inspect", "--table_path", tmp_path / "nothing")
    assert r.code == 3 and len(r.stderr.splitlines()) == 1, r.stderr
    r = run("inspect", "--table_path", root, "--partition_predicate", "nokey = '1'")
    assert r.code == 2 and "nokey" in r.stderr, r.stderr


def test_hostile_partition_names_stay_on_their_line(run, tmp_path):
    root = tmp_path / "t"
    for value in ("a\nb", "<script>x</script>", "ok"):
        write_table(root, TableSpec(partitions=[{"d": value}], files_per_partition=3, rows_per_file=50))
    raw = os.fsencode(root) + b"/d=\xff\xfe"
    os.makedirs(raw)
    with open(raw + b"/x.parquet", "wb") as out:
        pq.write_table(pa.table({"id": [1]}), out)
    text = run("inspect", "--table_path", root)
    assert text.code == 0, text.stderr
    rows = [l for l in text.stdout.splitlines() if l.startswith("  d=")]
    assert len(rows) == 4, text.stdout
    doc = inspect(run, "--table_path", root)
    names = {p["partition"] for p in doc["partitions"]}
    assert "d=\\xFF\\xFE" in names or "d=\\xff\\xfe" in names, names


def test_inspect_decides_as_a_run_under_limits_sort_and_a_target(run, tmp_path):
    """The listing-only decisions agree with the dry run's with the flags that change them."""
    root = tmp_path / "t"
    make_table(root)
    raw = os.fsencode(root) + b"/d=\xff"
    os.makedirs(raw)
    for i in range(3):
        with open(raw + b"/p%d.parquet" % i, "wb") as out:
            pq.write_table(pa.table({"id": [i]}), out)
    for flags in (["--max_partitions", "1"], ["--max_input_gb", "0.0001"], ["--sort_by", "event_id"],
                  ["--target_s3_path", tmp_path / "out"], []):
        doc = inspect(run, "--table_path", root, *flags)
        dry = run("--table_path", root, "--target_file_size_mb", TARGET, *flags, "--dry-run", "--json")
        assert dry.code in (0, 4), dry.stderr
        planned = {d["partition"]: d["status"] for d in dry.summary["details"]}
        got = {p["partition"]: p["action"] for p in doc["partitions"]}
        as_run = {"compact": "planned", "copy": "planned", "skip": "skipped", "fail": "failed",
                  "defer": "deferred"}
        assert {k: as_run[v] for k, v in got.items()} == planned, (flags, got, planned)
        by_name = {p["partition"]: p for p in doc["partitions"]}
        assert "not valid UTF-8" in by_name["d=\\xFF"]["reason"]
        if flags and flags[0] == "--target_s3_path":
            assert by_name["d=c"]["action"] == "copy"
        if flags and flags[0] == "--max_partitions":
            assert sum(a == "defer" for a in got.values()) == 2  # 3 would be compacted


def test_footers_count_a_failing_partition_from_its_listing(run, tmp_path):
    root = tmp_path / "t"
    make_table(root)
    (root / "d=b" / "garbage.parquet").write_bytes(b"not parquet at all, not even close")
    doc = inspect(run, "--table_path", root, "--footers")
    b = {p["partition"]: p for p in doc["partitions"]}["d=b"]
    sizes = [f.stat().st_size for f in (root / "d=b").glob("*.parquet")]
    assert b["action"] == "fail" and (b["files"], b["bytes"]) == (len(sizes), sum(sizes))


def test_pending_work_that_is_not_what_it_seems(run, binary, tmp_path):
    """A live run's journal is in progress; a copied table's journal belongs to the other table;
    a lease that is a folder blocks runs and is said so; names stay on their line."""
    root = tmp_path / "t"
    make_table(root)
    flags = ["--table_path", root, "--target_file_size_mb", TARGET]
    paused = PausedRun(binary, flags, "after_plan", tmp_path / "fifo")
    try:
        paused.wait_paused()
        doc = inspect(run, "--table_path", root)
        live = [l for l in doc["leases"] if l["live"]]
        assert len(live) == 1
        assert [(j["run_id"], j["state"]) for j in doc["journals"]] == [(live[0]["run_id"], "in progress")]
        # A copy of the table, taken while the run is there, with its journal.
        copy = tmp_path / "copy"
        shutil.copytree(root, copy)
    finally:
        code, _, err = paused.resume()
    assert code == 0, err
    doc = inspect(run, "--table_path", copy)
    assert [j["state"] for j in doc["journals"]] == ["another table's journal"]
    assert str(root) in doc["journals"][0]["detail"]

    other = tmp_path / "u"
    make_table(other)
    (other / "_s3_compaction" / "lease-\x1b[2J.json").mkdir(parents=True)
    (other / "_s3_compaction" / "lease.json").mkdir()
    doc = inspect(run, "--table_path", other)
    assert sorted(l["problem"] for l in doc["leases"]) == ["not a file: it blocks every run until removed"] * 2
    text = run("inspect", "--table_path", other).stdout
    assert "\x1b" not in text and "lease-\\x1B[2J.json: unreadable" in text


def test_a_report_is_refused_in_a_glue_partition_outside_the_table(run, aws, bucket, tmp_path):
    """A Glue partition may live outside its table's root: a page written in its folder would be
    read as data. Refused before anything is written, by inspect, a dry run and a run."""
    parts = [{"d": "x"}, {"d": "y"}]
    local = tmp_path / "src"
    write_table(local, TableSpec(partitions=parts, files_per_partition=4, rows_per_file=50))
    aws.s3.upload_tree(local / "d=x", bucket, "elsewhere/part-x")
    aws.s3.upload_tree(local / "d=y", bucket, "tbl/d=y")
    from support.glue import add_partition, create_table
    aws.glue.create_database(DatabaseInput={"Name": "far"})
    create_table(aws.glue, "far", "t", f"s3://{bucket}/tbl", events_schema(), [("d", "string")])
    add_partition(aws.glue, "far", "t", ["x"], f"s3://{bucket}/elsewhere/part-x", events_schema())
    add_partition(aws.glue, "far", "t", ["y"], f"s3://{bucket}/tbl/d=y", events_schema())
    objects = aws.s3.objects(bucket)
    page = f"s3://{bucket}/elsewhere/part-x/r.html"
    table = ["--database_name", "far", "--table_name", "t"]
    for command in (["inspect", *table, "--html", page], [*table, "--dry-run", "--report", page],
                    [*table, "--report", page]):
        r = run(*command, env=aws.env())
        assert r.code == 2, (command, r.stderr)
        assert "is in the folder of partition d=x" in r.stderr
    assert aws.s3.objects(bucket) == objects
    assert run("inspect", *table, "--html", f"s3://{bucket}/reports/r.html", env=aws.env()).code == 0


def test_folders_linked_in_a_loop_end_the_listing(run, tmp_path):
    """Three folders linked back to the table: the recursive listing follows links (Arrow), so
    only its depth bounds the loop; inspect and a run finish, and the rows are what they were."""
    root = tmp_path / "t"
    make_table(root)
    for name in ("d=l1", "d=l2", "d=l3"):
        (root / name).symlink_to(root, target_is_directory=True)
    doc = inspect(run, "--table_path", root)
    assert {p["partition"] for p in doc["partitions"]} >= {"d=a", "d=b", "d=c", "d=e"}
    r = run("--table_path", root, "--target_file_size_mb", TARGET, "--json", timeout=120)
    assert r.code == 0, r.stderr
    assert r.summary["partitions"]["compacted"] == 3
