"""Crash recovery: the run kills itself (SIGKILL, from the test-only S3C_FAULT_POINT) at each step
of the commit protocol; then `s3-compaction recover`, or simply the next run, must leave every
partition with exactly the rows it had (as multisets, read by DuckDB), and nothing of the tool's
own behind but what the user asked to keep (archived originals).

Path mode on local disk (in place with delete and with archive, and to a target), path mode on
S3 (moto and SeaweedFS), and Glue mode (moto; in place, and repointed to a target, where the
catalog decides what readers see)."""

import os
import signal
from pathlib import Path

import pytest

from support.glue import partitions, register_table
from support.tables import (RowsSnapshot, TableSpec, data_files, events_schema, partition_path,
                            tool_files, write_table)

TARGET = 0.125  # MiB: several outputs per partition, so a crash can fall between two of them
PARTS = [{"year": "2023", "month": "05"}, {"year": "2023", "month": "06"}]
IN_PLACE_POINTS = ["after_plan", "after_write", "before_publish", "mid_publish", "after_publish",
                   "mid_remove", "after_remove"]
KILLED = -signal.SIGKILL


def make_table(root: Path):
    write_table(root, TableSpec(partitions=PARTS, files_per_partition=40, rows_per_file=250))
    rows = RowsSnapshot()
    for p in PARTS:
        rows.capture(partition_path(p), data_files(root / partition_path(p)))
    return rows


def stray_in_partitions(root: Path) -> list[str]:
    """Anything in a partition folder that is not a Parquet file readers would read."""
    out = []
    for p in PARTS:
        folder = root / partition_path(p)
        out += [str(f) for f in folder.iterdir() if f not in data_files(folder)]
    return out


def assert_table_whole(root: Path, rows: RowsSnapshot):
    for p in PARTS:
        rows.assert_same(partition_path(p), data_files(root / partition_path(p)))
    assert stray_in_partitions(root) == []
    assert tool_files(root) == []


@pytest.mark.parametrize("policy", ["delete", "archive"])
@pytest.mark.parametrize("point", IN_PLACE_POINTS)
def test_crash_in_place_then_recover(run, tmp_path, point, policy):
    root = tmp_path / "events"
    rows = make_table(root)
    flags = ["--table_path", root, "--target_file_size_mb", TARGET,
             "--delete_original_files", "true" if policy == "delete" else "false"]

    crashed = run(*flags, env={"S3C_FAULT_POINT": point})
    assert crashed.code == KILLED, crashed.stderr
    # Something of the run is left for recovery to find: at least its plan.
    assert (root / "_s3_compaction" / "runs").is_dir()

    r = run("recover", "--table_path", root, "--json")
    assert r.code == 0, r.stderr
    recovered = r.summary["recovered"]
    if point in ("after_plan", "after_write"):
        assert recovered == []  # nothing visible had happened; the staging is swept
    else:
        assert recovered and all("rolled forward" in line for line in recovered), recovered
    assert_table_whole(root, rows)
    archive = root / "_s3_compaction" / "archive"
    if policy == "delete":
        assert not archive.exists()
    else:
        # A partition rolled forward has every original kept, once, in the archive.
        for p in PARTS:
            if any(f"partition {partition_path(p)}: rolled forward" in line for line in recovered):
                kept = sorted(archive.glob(f"*/{partition_path(p)}/*.parquet"))
                rows.assert_same(partition_path(p), kept)

    # Recovery is idempotent, and the table compacts normally afterwards.
    again = run("recover", "--table_path", root, "--json")
    assert again.code == 0 and again.summary["recovered"] == [], again.stderr
    if point in ("after_plan", "after_write"):
        done = run(*flags, "--json")
        assert done.code == 0, done.stderr
        assert done.summary["partitions"]["compacted"] == len(PARTS)
        assert_table_whole(root, rows)


@pytest.mark.parametrize("point", ["mid_publish", "after_publish", "mid_remove"])
def test_the_next_run_recovers_first(run, tmp_path, point):
    """No explicit `recover`: the next ordinary run finishes the crashed one, reports it, and
    finds nothing left to compact."""
    root = tmp_path / "events"
    rows = make_table(root)
    flags = ["--table_path", root, "--target_file_size_mb", TARGET,
             "--delete_original_files", "true"]
    assert run(*flags, env={"S3C_FAULT_POINT": point}).code == KILLED

    r = run(*flags, "--json")
    assert r.code == 0, r.stderr
    assert r.summary["recovered"], r.summary
    assert_table_whole(root, rows)
    # What the crashed run had published is not compacted again.
    rolled_forward = [line for line in r.summary["recovered"] if "rolled forward" in line]
    assert r.summary["partitions"]["compacted"] == len(PARTS) - len(rolled_forward)


@pytest.mark.parametrize("point", ["after_write", "mid_publish", "after_publish"])
def test_crash_writing_to_a_target_then_recover(run, tmp_path, point):
    """To --target_s3_path the originals are never touched: recovery finishes the target. Like
    any run, recovery touches only the places its own flags name, so it is given the target."""
    root = tmp_path / "events"
    target = tmp_path / "compacted"
    rows = make_table(root)
    flags = ["--table_path", root, "--target_s3_path", target, "--target_file_size_mb", TARGET]
    before = {p: sorted(os.listdir(root / p)) for p in map(partition_path, PARTS)}
    assert run(*flags, env={"S3C_FAULT_POINT": point}).code == KILLED

    r = run("recover", "--table_path", root, "--target_s3_path", target, "--json")
    assert r.code == 0, r.stderr
    assert {p: sorted(os.listdir(root / p)) for p in before} == before
    assert tool_files(root) == []
    if point == "after_write":
        assert not any(target.rglob("*.parquet"))
    else:
        # A partition the crashed run had begun to publish is finished at the target; one it
        # had not reached has nothing there. Never a part of one.
        finished = [p for p in PARTS if any(f"partition {partition_path(p)}: rolled forward" in line
                                            for line in r.summary["recovered"])]
        assert finished, r.summary
        for p in PARTS:
            files = data_files(target / partition_path(p))
            if p in finished:
                rows.assert_same(partition_path(p), files)
            else:
                assert files == []
    assert not (target / "_s3_compaction").exists()


# --- S3 and Glue -----------------------------------------------------------------------------

DB = "crashes"
SCHEMA = events_schema()


def s3_table(aws, bucket, tmp_path):
    local = tmp_path / "src"
    rows = make_table(local)
    aws.s3.upload_tree(local, bucket, "warehouse/events")
    return rows


def s3_rows_whole(aws, bucket, rows, tmp_path, locations: dict):
    for p in PARTS:
        prefix = locations[partition_path(p)]
        files = aws.s3.download_prefix(bucket, prefix, tmp_path / "check" / prefix)
        rows.assert_same(partition_path(p), [f for f in files if f.parent.name != "_s3_compaction"])


def s3_tool_objects(aws, bucket):
    return [k for k in aws.s3.objects(bucket)
            if "_s3_compaction" in k and "/_s3_compaction/archive/" not in k]


@pytest.mark.s3_stores
@pytest.mark.parametrize("point", ["after_plan", "mid_publish", "after_publish", "mid_remove",
                                   "after_remove"])
def test_crash_on_s3_then_recover(run, aws, bucket, tmp_path, point):
    rows = s3_table(aws, bucket, tmp_path)
    uri = f"s3://{bucket}/warehouse/events"
    assert run("--table_path", uri, "--target_file_size_mb", TARGET, "--delete_original_files",
               "true", env=aws.env(S3C_FAULT_POINT=point)).code == KILLED
    r = run("recover", "--table_path", uri, "--json", env=aws.env())
    assert r.code == 0, r.stderr
    locations = {partition_path(p): f"warehouse/events/{partition_path(p)}/" for p in PARTS}
    s3_rows_whole(aws, bucket, rows, tmp_path, locations)
    assert s3_tool_objects(aws, bucket) == []


@pytest.fixture
def glue_table(aws, bucket, tmp_path):
    name = "events_" + bucket.replace("-", "_")[-12:]
    rows = s3_table(aws, bucket, tmp_path)
    register_table(aws.glue, DB, name, bucket, "warehouse/events", SCHEMA, PARTS)
    return name, rows


def catalog_locations(aws, bucket, name) -> dict:
    out = {}
    for values, part in partitions(aws.glue, DB, name).items():
        location = part["StorageDescriptor"]["Location"]
        prefix = location.split(f"s3://{bucket}/", 1)[1].rstrip("/") + "/"
        out[f"year={values[0]}/month={values[1]}"] = prefix
    return out


@pytest.mark.parametrize("point", ["before_publish", "mid_publish", "mid_remove", "before_catalog"])
def test_crash_in_glue_mode_in_place(run, aws, bucket, glue_table, tmp_path, point):
    name, rows = glue_table
    # Crawler-style statistics, for recovery to keep true.
    for values, part in partitions(aws.glue, DB, name).items():
        objects = aws.s3.objects(bucket, f"warehouse/events/year={values[0]}/month={values[1]}/")
        part_input = {k: part[k] for k in ("Values", "StorageDescriptor") if k in part}
        part_input["Parameters"] = {**part.get("Parameters", {}), "numFiles": str(len(objects)),
                                    "totalSize": str(sum(size for size, _ in objects.values()))}
        aws.glue.update_partition(DatabaseName=DB, TableName=name, PartitionValueList=values,
                                  PartitionInput=part_input)
    flags = ["--database_name", DB, "--table_name", name, "--target_file_size_mb", TARGET,
             "--delete_original_files", "true"]
    assert run(*flags, env=aws.env(S3C_FAULT_POINT=point)).code == KILLED
    r = run("recover", "--database_name", DB, "--table_name", name, "--json", env=aws.env())
    assert r.code == 0, r.stderr
    locations = catalog_locations(aws, bucket, name)
    assert locations == {partition_path(p): f"warehouse/events/{partition_path(p)}/"
                         for p in PARTS}
    s3_rows_whole(aws, bucket, rows, tmp_path, locations)
    assert s3_tool_objects(aws, bucket) == []
    # The catalog's file count and size are true for every partition: recovery refreshed those
    # it settled in place (the crashed run never sent them); the others are as they were.
    for values, part in partitions(aws.glue, DB, name).items():
        objects = aws.s3.objects(bucket, f"warehouse/events/year={values[0]}/month={values[1]}/")
        params = part["Parameters"]
        assert params["numFiles"] == str(len(objects)), (values, params)
        assert params["totalSize"] == str(sum(size for size, _ in objects.values())), values


@pytest.mark.parametrize("point", ["after_publish", "after_catalog", "mid_remove"])
def test_crash_in_glue_mode_repointed_to_a_target(run, aws, bucket, glue_table, tmp_path, point):
    """Readers follow the catalog: before it moves they read the originals, after it they read
    the new files; a crash anywhere leaves them seeing every row once, even before recovery."""
    name, rows = glue_table
    target = ["--target_s3_path", f"s3://{bucket}/compacted"]
    flags = ["--database_name", DB, "--table_name", name, "--target_file_size_mb", TARGET,
             *target, "--delete_original_files", "true"]
    assert run(*flags, env=aws.env(S3C_FAULT_POINT=point)).code == KILLED
    s3_rows_whole(aws, bucket, rows, tmp_path / "crashed", catalog_locations(aws, bucket, name))

    r = run("recover", "--database_name", DB, "--table_name", name, *target, "--json",
            env=aws.env())
    assert r.code == 0, r.stderr
    locations = catalog_locations(aws, bucket, name)
    s3_rows_whole(aws, bucket, rows, tmp_path, locations)
    assert s3_tool_objects(aws, bucket) == []
    moved = point != "after_publish"
    for p in PARTS:
        where = locations[partition_path(p)]
        assert where.startswith("compacted/" if moved else "warehouse/"), locations
        # Whichever location readers do not follow holds nothing of the partition any more.
        other = (f"warehouse/events/{partition_path(p)}/" if moved
                 else f"compacted/{partition_path(p)}/")
        assert aws.s3.objects(bucket, other) == {}, other
