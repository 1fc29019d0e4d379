"""Tables with no partitions (a folder or prefix of Parquet files with no key=value folders, or a
Glue table with no partition keys): the table's own folder is compacted as one partition, with
the same protocol as any other (staging, journal and lease under <table>/_s3_compaction/), in
path mode locally and on S3, and in Glue mode; rows checked as multisets with DuckDB; crashes at
every step of the commit recovered like the others'."""

import signal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from support.glue import create_table, table_definition
from support.tables import (RowsSnapshot, TableSpec, data_files, events_schema, snapshot, tool_files,
                            write_table)

TARGET = 0.125  # MiB: several outputs, so a crash can fall between two of them
KILLED = -signal.SIGKILL
DB = "flat"
SCHEMA = events_schema()
POINTS = ["after_plan", "after_write", "before_publish", "mid_publish", "after_publish",
          "mid_remove", "after_remove"]


def make_flat(root: Path) -> RowsSnapshot:
    """40 small files directly in root; a file in a subfolder and a _SUCCESS marker beside them."""
    write_table(root, TableSpec(partitions=[{}], files_per_partition=40, rows_per_file=250))
    (root / "_SUCCESS").write_text("")
    (root / "notes").mkdir()
    pq.write_table(pa.table({"x": [1, 2, 3]}), root / "notes" / "other.parquet")
    rows = RowsSnapshot()
    rows.capture("table", data_files(root))
    return rows


def assert_whole(root: Path, rows: RowsSnapshot):
    rows.assert_same("table", data_files(root))
    assert (root / "notes" / "other.parquet").is_file()  # not the table's: untouched
    assert (root / "_SUCCESS").is_file()
    assert tool_files(root) == []


@pytest.mark.parametrize("policy", ["delete", "archive"])
def test_a_folder_without_partitions_is_compacted_as_one(run, tmp_path, policy):
    root = tmp_path / "dim"
    rows = make_flat(root)
    before_notes = snapshot(root / "notes")
    dry = run("--table_path", root, "--target_file_size_mb", TARGET, "--dry-run")
    assert dry.code == 0, dry.stderr
    assert "(table)" in dry.stdout and "40 files" in dry.stdout, dry.stdout

    r = run("--table_path", root, "--target_file_size_mb", TARGET, "--json",
            "--delete_original_files", "true" if policy == "delete" else "false")
    assert r.code == 0, r.stderr
    (p,) = r.summary["details"]
    assert p["partition"] == "" and p["status"] == "compacted", p
    assert r.summary["partitions"]["compacted"] == 1
    assert any("subfolders" in n for n in r.summary["notes"]), r.summary["notes"]
    files = data_files(root)
    assert 3 <= len(files) <= 6, files
    sizes = sorted(f.stat().st_size for f in files)
    for size in sizes[1:]:
        assert abs(size - TARGET * 2**20) <= 0.1 * TARGET * 2**20, sizes
    assert_whole(root, rows)
    assert snapshot(root / "notes") == before_notes
    archive = root / "_s3_compaction" / "archive"
    if policy == "delete":
        assert not archive.exists()
    else:
        (run_dir,) = archive.iterdir()
        rows.assert_same("table", sorted(run_dir.glob("*.parquet")))

    # A second run finds nothing to do: the outputs are near the target, the archive hidden.
    again = run("--table_path", root, "--target_file_size_mb", TARGET, "--json")
    assert again.code == 0, again.stderr
    assert again.summary["partitions"]["compacted"] == 0
    assert_whole(root, rows)


def test_a_predicate_on_a_table_without_partitions_is_a_usage_error(run, tmp_path):
    root = tmp_path / "dim"
    make_flat(root)
    before = snapshot(root)
    r = run("--table_path", root, "--partition_predicate", "year='2023'")
    assert r.code == 2, r.stderr
    assert "has no partition keys" in r.stderr and str(root) in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert snapshot(root) == before


def test_to_a_target(run, tmp_path):
    root, target = tmp_path / "dim", tmp_path / "out"
    rows = make_flat(root)
    before = snapshot(root)
    r = run("--table_path", root, "--target_s3_path", target, "--target_file_size_mb", TARGET,
            "--json")
    assert r.code == 0, r.stderr
    assert snapshot(root) == before  # a target leaves the originals alone
    rows.assert_same("table", data_files(target))


@pytest.mark.parametrize("point", POINTS)
def test_crash_then_recover(run, tmp_path, point):
    root = tmp_path / "dim"
    rows = make_flat(root)
    flags = ["--table_path", root, "--target_file_size_mb", TARGET, "--delete_original_files",
             "true"]
    assert run(*flags, env={"S3C_FAULT_POINT": point}).code == KILLED
    assert (root / "_s3_compaction" / "runs").is_dir()
    r = run("recover", "--table_path", root, "--json")
    assert r.code == 0, r.stderr
    if point in ("after_plan", "after_write"):
        assert r.summary["recovered"] == []
    else:
        assert r.summary["recovered"] and all("rolled forward" in line
                                              for line in r.summary["recovered"]), r.summary
    assert_whole(root, rows)
    done = run(*flags, "--json")
    assert done.code == 0, done.stderr
    assert_whole(root, rows)
    assert len(data_files(root)) <= 6


# --- S3 and Glue -----------------------------------------------------------------------------

def upload_flat(aws, bucket, tmp_path, prefix="warehouse/dim") -> RowsSnapshot:
    local = tmp_path / "src"
    rows = make_flat(local)
    aws.s3.upload_tree(local, bucket, prefix)
    return rows


def s3_whole(aws, bucket, rows, tmp_path, prefix="warehouse/dim", name="check"):
    files = aws.s3.download_prefix(bucket, prefix, tmp_path / name)
    rows.assert_same("table", files)
    keys = aws.s3.objects(bucket, prefix)
    assert f"{prefix}/notes/other.parquet" in keys and f"{prefix}/_SUCCESS" in keys
    assert [k for k in keys if "_s3_compaction" in k and "/archive/" not in k] == []
    return files


def test_on_s3_in_place(run, aws, bucket, tmp_path):
    rows = upload_flat(aws, bucket, tmp_path)
    uri = f"s3://{bucket}/warehouse/dim"
    r = run("--table_path", uri, "--target_file_size_mb", TARGET, "--delete_original_files",
            "true", "--json", env=aws.env())
    assert r.code == 0, r.stderr
    assert r.summary["partitions"]["compacted"] == 1
    files = s3_whole(aws, bucket, rows, tmp_path)
    assert 3 <= len(files) <= 6


@pytest.mark.parametrize("point", ["after_plan", "mid_publish", "after_publish", "mid_remove"])
def test_crash_on_s3_then_recover(run, aws, bucket, tmp_path, point):
    rows = upload_flat(aws, bucket, tmp_path)
    uri = f"s3://{bucket}/warehouse/dim"
    flags = ["--table_path", uri, "--target_file_size_mb", TARGET, "--delete_original_files", "true"]
    assert run(*flags, env=aws.env(S3C_FAULT_POINT=point)).code == KILLED
    r = run("recover", "--table_path", uri, "--json", env=aws.env())
    assert r.code == 0, r.stderr
    s3_whole(aws, bucket, rows, tmp_path)


@pytest.fixture
def glue_table(aws, bucket, tmp_path):
    """A Glue table with no partition keys over s3://bucket/warehouse/dim, with crawler-style
    statistics."""
    name = "dim_" + bucket.replace("-", "_")[-12:]
    rows = upload_flat(aws, bucket, tmp_path)
    objects = aws.s3.objects(bucket, "warehouse/dim/")
    create_table(aws.glue, DB, name, f"s3://{bucket}/warehouse/dim", SCHEMA, [],
                 parameters={"numFiles": str(len(objects)),
                             "totalSize": str(sum(s for s, _ in objects.values())),
                             "averageRecordSize": "50"})
    return name, rows


def assert_statistics_true(aws, bucket, name):
    table = aws.glue.get_table(DatabaseName=DB, Name=name)["Table"]
    objects = {k: v for k, v in aws.s3.objects(bucket, "warehouse/dim/").items()
               if "/" not in k[len("warehouse/dim/"):] and not k.rsplit("/", 1)[1].startswith("_")}
    params = table["Parameters"]
    assert params["numFiles"] == str(len(objects)), params
    assert params["totalSize"] == str(sum(s for s, _ in objects.values())), params


def test_glue_table_without_partition_keys_in_place(run, aws, bucket, glue_table, tmp_path):
    name, rows = glue_table
    before = table_definition(aws.glue, DB, name)
    r = run("--database_name", DB, "--table_name", name, "--target_file_size_mb", TARGET,
            "--delete_original_files", "true", "--json", env=aws.env())
    assert r.code == 0, r.stderr
    assert r.summary["partitions"]["compacted"] == 1
    files = s3_whole(aws, bucket, rows, tmp_path)
    assert 3 <= len(files) <= 6
    assert_statistics_true(aws, bucket, name)
    after = table_definition(aws.glue, DB, name)
    # Nothing of the definition changed but the statistics the tool owns.
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed == {"Parameters"}, changed
    params_changed = {k for k in before["Parameters"]
                      if before["Parameters"][k] != after["Parameters"][k]}
    assert params_changed == {"numFiles", "totalSize"}, params_changed
    assert aws.proxy.count("UpdateTable") == 1
    assert aws.proxy.count("GetPartitions") == 0


def test_glue_table_without_partition_keys_refuses_a_predicate_and_a_repoint(run, aws, bucket,
                                                                             glue_table):
    name, _ = glue_table
    before = aws.s3.objects(bucket)
    r = run("--database_name", DB, "--table_name", name, "--partition_predicate", "x='1'",
            env=aws.env())
    assert r.code == 2 and "has no partition keys" in r.stderr, r.stderr
    r = run("--database_name", DB, "--table_name", name, "--target_s3_path",
            f"s3://{bucket}/compacted/dim", env=aws.env())
    assert r.code == 2 and "would move the whole table" in r.stderr, r.stderr
    assert aws.s3.objects(bucket) == before


def test_glue_table_without_partition_keys_copied_to_a_target(run, aws, bucket, glue_table,
                                                              tmp_path):
    name, rows = glue_table
    before = table_definition(aws.glue, DB, name)
    r = run("--database_name", DB, "--table_name", name, "--target_s3_path",
            f"s3://{bucket}/compacted/dim", "--update_catalog", "false",
            "--target_file_size_mb", TARGET, "--json", env=aws.env())
    assert r.code == 0, r.stderr
    rows.assert_same("table", aws.s3.download_prefix(bucket, "compacted/dim", tmp_path / "t"))
    s3_whole(aws, bucket, rows, tmp_path)  # the originals, where they were
    assert table_definition(aws.glue, DB, name) == before


@pytest.mark.parametrize("point", ["before_publish", "mid_publish", "mid_remove", "before_catalog"])
def test_crash_in_glue_mode_then_recover(run, aws, bucket, glue_table, tmp_path, point):
    name, rows = glue_table
    flags = ["--database_name", DB, "--table_name", name, "--target_file_size_mb", TARGET,
             "--delete_original_files", "true"]
    assert run(*flags, env=aws.env(S3C_FAULT_POINT=point)).code == KILLED
    r = run("recover", "--database_name", DB, "--table_name", name, "--json", env=aws.env())
    assert r.code == 0, r.stderr
    s3_whole(aws, bucket, rows, tmp_path)
    assert_statistics_true(aws, bucket, name)


@pytest.mark.parametrize("point", ["mid_publish", "after_publish", "mid_remove"])
def test_a_copy_made_after_a_crash_is_settled_by_content(run, tmp_path, point):
    """A crashed run's journal copied with the table is another table's journal: its outputs,
    found by name at the copy's root, are weighed against the other files there (the review
    found them taken for folders: a copy stuck at exit 4 with doubled rows)."""
    import shutil

    root = tmp_path / "dim"
    rows = make_flat(root)
    flags = ["--target_file_size_mb", TARGET, "--delete_original_files", "true"]
    assert run("--table_path", root, *flags, env={"S3C_FAULT_POINT": point}).code == KILLED
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, symlinks=True)
    r = run("--table_path", copy, *flags, "--json")
    assert r.code == 0, r.stderr
    assert any("settled by content" in line or "copy of a table" in line
               for line in r.summary["recovered"]), r.summary["recovered"]
    assert_whole(copy, rows)


def test_a_copy_on_s3_made_after_a_crash_is_settled_by_content(run, aws, bucket, tmp_path):
    rows = upload_flat(aws, bucket, tmp_path)
    flags = ["--target_file_size_mb", TARGET, "--delete_original_files", "true"]
    assert run("--table_path", f"s3://{bucket}/warehouse/dim", *flags,
               env=aws.env(S3C_FAULT_POINT="after_publish")).code == KILLED
    for key in aws.s3.objects(bucket, "warehouse/dim/"):
        aws.s3.client.copy_object(Bucket=bucket, Key="warehouse/copy/" + key[len("warehouse/dim/"):],
                                  CopySource={"Bucket": bucket, "Key": key})
    r = run("--table_path", f"s3://{bucket}/warehouse/copy", *flags, "--json", env=aws.env())
    assert r.code == 0, r.stderr
    s3_whole(aws, bucket, rows, tmp_path, prefix="warehouse/copy")
