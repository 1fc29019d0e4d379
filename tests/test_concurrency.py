"""Other runs and other writers, while a run is stopped at a step of its commit protocol (a pause
point, synchronised through named pipes): the lease keeps a second run out, --force_unlock takes
it, files written meanwhile are never deleted, moved or hidden, inputs changed meanwhile are not
deleted, and --delete_grace_minutes keeps originals until a later run. The lease's cases also on
S3, against moto and SeaweedFS."""

import json
import os
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from support.glue import partitions, register_table
from support.journal import count_records, edit_records, record_files
from support.paused_run import PausedRun
from support.tables import (RowsSnapshot, TableSpec, data_files, events_batch, events_schema,
                            partition_path, write_table)

TARGET = 0.125
PARTS = [{"year": "2023", "month": "05"}, {"year": "2023", "month": "06"}]
P0 = partition_path(PARTS[0])


def make_table(root: Path):
    write_table(root, TableSpec(partitions=PARTS, files_per_partition=40, rows_per_file=250))


def capture(root: Path) -> RowsSnapshot:
    rows = RowsSnapshot()
    for p in PARTS:
        rows.capture(partition_path(p), data_files(root / partition_path(p)))
    return rows


def new_file(path: Path, seed: int, rows: int = 100):
    import random

    pq.write_table(events_batch(random.Random(seed), 10_000_000 + seed * 1000, rows,
                                events_schema()), path)


@pytest.fixture
def table(tmp_path):
    root = tmp_path / "events"
    make_table(root)
    return root


def flags(root, *extra):
    return ["--table_path", root, "--target_file_size_mb", TARGET, *extra]


def paused(binary, tmp_path, args, point, env=None, name="a"):
    run = PausedRun(binary, args, point, tmp_path / f"fifo-{name}", env)
    return run


# --- the lease -------------------------------------------------------------------------------

def test_a_second_run_is_refused_while_the_first_holds_the_lease(binary, run, table, tmp_path):
    rows = capture(table)
    first = paused(binary, tmp_path, flags(table, "--delete_original_files", "true"), "after_plan")
    try:
        first.wait_paused()
        second = run(*flags(table, "--delete_original_files", "true"))
        assert second.code == 3, second.stderr
        assert "is being compacted by run" in second.stderr
        assert f"pid {first.proc.pid}" in second.stderr and "--force_unlock" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
        code, _, err = first.resume()
    finally:
        first.kill()
    assert code == 0, err
    for p in PARTS:
        rows.assert_same(partition_path(p), data_files(table / partition_path(p)))
    assert not (table / "_s3_compaction").exists()


def test_force_unlock_takes_the_lease_and_the_first_run_publishes_nothing(binary, run, table,
                                                                          tmp_path):
    rows = capture(table)
    args = flags(table, "--delete_original_files", "true")
    first = paused(binary, tmp_path, args, "after_write")
    try:
        first.wait_paused()
        second = run(*args, "--force_unlock", "--json")
        assert second.code == 0, second.stderr
        assert "taking over the lease" in second.stderr and "--force_unlock" in second.stderr
        assert second.summary["partitions"]["compacted"] == len(PARTS)
        after_second = {p: sorted(os.listdir(table / p)) for p in map(partition_path, PARTS)}
        code, _, err = first.resume()
    finally:
        first.kill()
    # The first run finds its lease gone before publishing anything, and says so.
    assert code == 4, err
    assert "lease was taken by another run" in err
    assert {p: sorted(os.listdir(table / p)) for p in after_second} == after_second
    for p in PARTS:
        rows.assert_same(partition_path(p), data_files(table / partition_path(p)))
    assert not (table / "_s3_compaction").exists()


def write_lease(table: Path, host: str, expires_in: int):
    lease = table / "_s3_compaction" / "lease.json"
    lease.parent.mkdir(parents=True, exist_ok=True)
    now = int(time.time())
    lease.write_text(json.dumps({"run_id": "20260101T000000Z-abcdef", "host": host, "pid": 1,
                                 "acquired_unix": now - 60, "expires_unix": now + expires_in}))


def test_a_live_lease_of_another_host_is_respected_until_forced(run, table):
    write_lease(table, "worker-7", 600)
    r = run(*flags(table))
    assert r.code == 3
    assert "run 20260101T000000Z-abcdef (host worker-7, pid 1)" in r.stderr
    assert not any((table / P0).glob("part-00000-*"))  # nothing written
    forced = run(*flags(table), "--force_unlock")
    assert forced.code == 0, forced.stderr
    assert not (table / "_s3_compaction" / "lease.json").exists()


def test_an_expired_lease_is_taken_over(run, table):
    write_lease(table, "worker-7", -5)
    r = run(*flags(table))
    assert r.code == 0, r.stderr
    assert "taking over the lease" in r.stderr and "it expired" in r.stderr


# --- other writers ---------------------------------------------------------------------------

def test_files_written_during_a_run_are_never_touched(binary, table, tmp_path):
    rows = capture(table)
    first = paused(binary, tmp_path, flags(table, "--delete_original_files", "true"),
                   "after_write")
    try:
        first.wait_paused()
        newcomer = table / P0 / "late-arrival.parquet"
        new_file(newcomer, seed=1)
        stat_before = newcomer.stat()
        code, _, err = first.resume()
    finally:
        first.kill()
    assert code == 0, err
    assert newcomer.exists() and newcomer.stat().st_mtime_ns == stat_before.st_mtime_ns
    files = data_files(table / P0)
    assert newcomer in files
    rows.assert_same(P0, [f for f in files if f != newcomer])
    late = RowsSnapshot()
    late.capture("late", [newcomer])
    late.assert_same("late", [newcomer])


@pytest.mark.parametrize("point", ["after_write", "after_publish"])
@pytest.mark.parametrize("change", ["changed", "vanished"])
def test_inputs_that_change_during_a_run_are_not_deleted(binary, table, tmp_path, point, change):
    victim = table / P0 / "part-00003.parquet"
    first = paused(binary, tmp_path, flags(table, "--delete_original_files", "true", "--json"),
                   point)
    try:
        first.wait_paused()
        if change == "changed":
            new_file(victim, seed=3, rows=77)  # another writer replaced it
        else:
            victim.unlink()
        # What the partition holds now, leaving out outputs the paused run may have published.
        now = RowsSnapshot()
        now.capture(P0, [f for f in data_files(table / P0) if "-c0" not in f.name])
        code, out, err = first.resume()
    finally:
        first.kill()
    assert code == 4, err
    summary = json.loads(out)
    failed = [d for d in summary["details"] if d["status"] == "failed"]
    assert [d["partition"] for d in failed] == [P0]
    assert f"part-00003.parquet {change} since planning" in failed[0]["reason"]
    # The partition is exactly as the other writer left it: nothing published, nothing deleted.
    now.assert_same(P0, data_files(table / P0))
    assert not (table / "_s3_compaction").exists() or not any(
        p.is_file() for p in (table / "_s3_compaction").rglob("*") if "archive" not in p.parts)


# --- grace period ----------------------------------------------------------------------------

def let_grace_pass_and_recover(run, table, records, *flags):
    """Moves the journal records' deadline into the past (time passing), then recovers (with
    `flags`: recovery touches only the places its own flags name, a target among them)."""
    edit_records(records, lambda record: record.update(delete_after_unix=int(time.time()) - 1))
    done = run("recover", "--table_path", table, *flags, "--json")
    assert done.code == 0, done.stderr
    return done


def test_delete_grace_keeps_originals_until_a_later_run(run, table):
    rows = capture(table)
    args = flags(table, "--delete_original_files", "true", "--delete_grace_minutes", "30", "--json")
    r = run(*args)
    assert r.code == 0, r.stderr
    # Readers see every row once; the originals wait in the archive, the journal remembers them.
    for p in PARTS:
        rows.assert_same(partition_path(p), data_files(table / partition_path(p)))
    archived = sorted((table / "_s3_compaction" / "archive").rglob("*.parquet"))
    assert len(archived) == 40 * len(PARTS)
    records = record_files(table / "_s3_compaction" / "runs")
    assert count_records(records) == len(PARTS)

    # Not yet due: a run leaves them.
    again = run("recover", "--table_path", table, "--json")
    assert again.code == 0 and again.summary["recovered"] == []
    assert sorted((table / "_s3_compaction" / "archive").rglob("*.parquet")) == archived

    # Time passes (the records' deadline moved into the past): the next run deletes them.
    done = let_grace_pass_and_recover(run, table, records)
    assert len(done.summary["recovered"]) == len(PARTS)
    assert all("grace period over; 40 original(s) deleted" in line
               for line in done.summary["recovered"])
    assert not any((table / "_s3_compaction").rglob("*.parquet"))
    assert not (table / "_s3_compaction" / "runs").exists()
    for p in PARTS:
        rows.assert_same(partition_path(p), data_files(table / partition_path(p)))


# --- Glue: a partition repointed to a target -------------------------------------------------

DB = "concurrency"


def test_newcomers_are_carried_to_the_new_location(binary, aws, bucket, tmp_path):
    local = tmp_path / "src"
    make_table(local)
    rows = capture(local)
    aws.s3.upload_tree(local, bucket, "warehouse/events")
    name = "events_" + bucket.replace("-", "_")[-12:]
    register_table(aws.glue, DB, name, bucket, "warehouse/events", events_schema(), PARTS)
    args = ["--database_name", DB, "--table_name", name, "--target_file_size_mb", TARGET,
            "--target_s3_path", f"s3://{bucket}/compacted", "--delete_original_files", "true",
            "--json"]
    first = paused(binary, tmp_path, args, "after_publish", env=aws.env())
    try:
        first.wait_paused()
        late = tmp_path / "late.parquet"
        new_file(late, seed=5)
        aws.s3.client.upload_file(str(late), bucket, f"warehouse/events/{P0}/late.parquet")
        code, out, err = first.resume()
    finally:
        first.kill()
    assert code == 0, err
    summary = json.loads(out)
    assert any(f"partition {P0}: carried 1 file(s)" in n for n in summary["notes"]), summary
    where = {f"year={v[0]}/month={v[1]}": p["StorageDescriptor"]["Location"]
             for v, p in partitions(aws.glue, DB, name).items()}
    assert where[P0] == f"s3://{bucket}/compacted/{P0}"
    files = aws.s3.download_prefix(bucket, f"compacted/{P0}/", tmp_path / "after")
    moved = [f for f in files if f.name == "late.parquet"]
    assert len(moved) == 1
    rows.assert_same(P0, [f for f in files if f.name != "late.parquet"])
    # The newcomer is also still where its writer put it: nothing of another writer is deleted.
    assert f"warehouse/events/{P0}/late.parquet" in aws.s3.objects(bucket, f"warehouse/events/{P0}/")


def test_delete_grace_with_a_target_leaves_originals_until_due(run, table, tmp_path):
    rows = capture(table)
    target = tmp_path / "compacted"
    args = flags(table, "--target_s3_path", target, "--delete_original_files", "true",
                 "--delete_grace_minutes", "10", "--json")
    r = run(*args)
    assert r.code == 0, r.stderr
    for p in PARTS:
        rows.assert_same(partition_path(p), data_files(target / partition_path(p)))
        # Readers of the old location may still be at work: the originals are all there.
        rows.assert_same(partition_path(p), data_files(table / partition_path(p)))
    records = record_files(table / "_s3_compaction" / "runs")
    assert count_records(records) == len(PARTS)
    done = let_grace_pass_and_recover(run, table, records, "--target_s3_path", target)
    for p in PARTS:
        assert data_files(table / partition_path(p)) == []
        rows.assert_same(partition_path(p), data_files(target / partition_path(p)))
    assert not (table / "_s3_compaction").exists()


def test_journal_path_elsewhere_leaves_nothing_in_the_table(run, table, tmp_path):
    rows = capture(table)
    journal = tmp_path / "journals" / "events"
    r = run(*flags(table, "--delete_original_files", "true", "--journal_path", journal))
    assert r.code == 0, r.stderr
    for p in PARTS:
        rows.assert_same(partition_path(p), data_files(table / partition_path(p)))
    assert not (table / "_s3_compaction").exists()
    # The journal root is the user's folder: it may stay, empty of files.
    assert not [p for p in journal.rglob("*") if p.is_file()]


@pytest.mark.s3_stores
def test_a_live_lease_on_s3_is_respected(run, local_s3, bucket, tmp_path):
    local = tmp_path / "src"
    make_table(local)
    local_s3.upload_tree(local, bucket, "warehouse/events")
    now = int(time.time())
    local_s3.client.put_object(
        Bucket=bucket, Key="warehouse/events/_s3_compaction/lease.json",
        Body=json.dumps({"run_id": "20260101T000000Z-abcdef", "host": "worker-7", "pid": 1,
                         "acquired_unix": now, "expires_unix": now + 600}).encode())
    before = local_s3.objects(bucket)
    r = run("--table_path", f"s3://{bucket}/warehouse/events", env=local_s3.env())
    assert r.code == 3, r.stderr
    assert "run 20260101T000000Z-abcdef (host worker-7, pid 1)" in r.stderr
    assert local_s3.objects(bucket) == before


# --- the lease on S3: created with If-None-Match, taken over, confirmed before each step ------

def s3_table(local_s3, bucket, tmp_path) -> tuple[str, RowsSnapshot]:
    local = tmp_path / "src"
    write_table(local, TableSpec(partitions=PARTS, files_per_partition=10, rows_per_file=250))
    local_s3.upload_tree(local, bucket, "warehouse/events")
    return f"s3://{bucket}/warehouse/events", capture(local)


def assert_s3_whole(local_s3, bucket, rows, tmp_path):
    for p in PARTS:
        prefix = f"warehouse/events/{partition_path(p)}"
        rows.assert_same(partition_path(p),
                         local_s3.download_prefix(bucket, prefix, tmp_path / "after" / prefix))
    assert [k for k in local_s3.objects(bucket) if "_s3_compaction" in k] == []


@pytest.mark.s3_stores
def test_a_second_run_on_s3_is_refused_while_the_first_holds_the_lease(binary, run, local_s3,
                                                                        bucket, tmp_path):
    uri, rows = s3_table(local_s3, bucket, tmp_path)
    args = flags(uri, "--delete_original_files", "true")
    first = paused(binary, tmp_path, args, "after_plan", env=local_s3.env())
    try:
        first.wait_paused()
        second = run(*args, env=local_s3.env())
        assert second.code == 3, second.stderr
        assert "is being compacted by run" in second.stderr
        assert f"pid {first.proc.pid}" in second.stderr
        code, _, err = first.resume()
    finally:
        first.kill()
    assert code == 0, err
    assert_s3_whole(local_s3, bucket, rows, tmp_path)


@pytest.mark.s3_stores
def test_force_unlock_on_s3_takes_the_lease_and_the_first_run_publishes_nothing(
        binary, run, local_s3, bucket, tmp_path):
    uri, rows = s3_table(local_s3, bucket, tmp_path)
    args = flags(uri, "--delete_original_files", "true")
    first = paused(binary, tmp_path, args, "after_write", env=local_s3.env())
    try:
        first.wait_paused()
        second = run(*args, "--force_unlock", "--json", env=local_s3.env())
        assert second.code == 0, second.stderr
        assert "taking over the lease" in second.stderr
        assert second.summary["partitions"]["compacted"] == len(PARTS)
        after_second = local_s3.objects(bucket, "warehouse/events/year=")
        code, _, err = first.resume()
    finally:
        first.kill()
    assert code == 4, err
    assert "lease was taken by another run" in err
    assert local_s3.objects(bucket, "warehouse/events/year=") == after_second
    assert_s3_whole(local_s3, bucket, rows, tmp_path)
