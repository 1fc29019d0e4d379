"""What a second adversarial round found with Glue and S3, each a regression test ending with
every row exactly once (DuckDB, as multisets): partitions registered at one folder; a Glue run
and a path run over a partition the catalog places outside the table; a store that ignores the
ETag of a conditional delete; a grace-period delete after an operator pointed a partition back;
a partition dropped from the catalog before recovery; recovery without the earlier run's target;
a file that differs from the outputs only in what an alignment would throw away."""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from support.journal import edit_text, is_record_name
from support.glue import add_partition, create_table, partitions
from support.paused_run import PausedRun, assert_excludes
from support.tables import RowsSnapshot, TableSpec, data_files, events_schema, write_table

DB = "adversarial"
SCHEMA = events_schema(nested=False)
TARGET = 0.125
KEYS = [("year", "string"), ("month", "string")]


def glue_table(aws, bucket, tmp_path, layout: dict, files=6):
    """A Glue table at s3://bucket/warehouse/events whose partitions live where `layout` says
    (values -> key prefix); returns (name, rows per distinct prefix)."""
    name = "t_" + bucket.replace("-", "_")[-14:]
    create_table(aws.glue, DB, name, f"s3://{bucket}/warehouse/events", SCHEMA, KEYS)
    rows = RowsSnapshot()
    for i, prefix in enumerate(sorted(set(layout.values()))):
        local = tmp_path / "src" / str(i)
        write_table(local, TableSpec(partitions=[{"p": "x"}], files_per_partition=files,
                                     rows_per_file=100, seed=11 + i, nested=False))
        aws.s3.upload_tree(local / "p=x", bucket, prefix)
        rows.capture(prefix, sorted((local / "p=x").glob("*.parquet")))
    for values, prefix in layout.items():
        add_partition(aws.glue, DB, name, list(values), f"s3://{bucket}/{prefix}", SCHEMA)
    return name, rows


def glue_flags(name, *extra):
    return ["--database_name", DB, "--table_name", name, "--target_file_size_mb", TARGET, *extra]


def assert_prefix_whole(aws, bucket, rows, prefix, tmp_path, name=None):
    files = aws.s3.download_prefix(bucket, prefix + "/", tmp_path / "check" / prefix)
    rows.assert_same(name or prefix, files)


def test_partitions_registered_at_one_folder_are_left_alone(run, aws, bucket, tmp_path):
    folder = "warehouse/events/year=2023/month=5"
    name, rows = glue_table(aws, bucket, tmp_path, {("2023", "5"): folder, ("2023", "05"): folder})
    r = run(*glue_flags(name, "--delete_original_files", "true", "--json"), env=aws.env())
    assert r.code == 4, r.stderr
    reasons = [d["reason"] for d in r.summary["details"]]
    assert len(reasons) == 2 and all("folder of its own" in why for why in reasons), reasons
    assert_prefix_whole(aws, bucket, rows, folder, tmp_path)


@pytest.mark.parametrize("first_is", ["glue", "path"])
def test_a_glue_run_and_a_path_run_over_a_partition_outside_the_table_exclude_each_other(
        binary, run, aws, bucket, tmp_path, first_is):
    outside = "other/year=2023/month=6"
    name, rows = glue_table(aws, bucket, tmp_path, {("2023", "6"): outside})
    glue = glue_flags(name, "--delete_original_files", "true")
    path = ["--table_path", f"s3://{bucket}/other", "--target_file_size_mb", TARGET,
            "--delete_original_files", "true"]
    first_args, second_args = (glue, path) if first_is == "glue" else (path, glue)
    first = PausedRun(binary, first_args, "after_plan", tmp_path / "fifo", aws.env())
    assert_excludes(first, lambda: run(*second_args, env=aws.env()))
    assert run(*second_args, env=aws.env()).code == 0
    assert_prefix_whole(aws, bucket, rows, outside, tmp_path)


def test_a_store_that_ignores_conditional_deletes_never_loses_a_replaced_input(
        binary, run, local_s3, bucket, tmp_path):
    """Straight to moto, which ignores the <ETag> of DeleteObjects: the tool finds out (one
    probe per bucket) and checks every original again right before deleting it."""
    local = tmp_path / "src"
    write_table(local, TableSpec(partitions=[{"p": "1"}], files_per_partition=8,
                                 rows_per_file=100, nested=False))
    local_s3.upload_tree(local, bucket, "t")
    victim = "t/p=1/part-00004.parquet"
    replacement = tmp_path / "new"
    write_table(replacement, TableSpec(partitions=[{"p": "1"}], files_per_partition=1,
                                       rows_per_file=33, seed=99, nested=False))
    first = PausedRun(binary, ["--table_path", f"s3://{bucket}/t", "--target_file_size_mb", TARGET,
                               "--delete_original_files", "true"], "before_remove",
                      tmp_path / "fifo", local_s3.env())
    try:
        first.wait_paused()
        local_s3.client.upload_file(str(replacement / "p=1" / "part-00000.parquet"), bucket, victim)
        code, _, err = first.resume()
    finally:
        first.kill()
    assert code == 4, err
    assert "ignores the ETag condition" in err
    kept = local_s3.objects(bucket, victim)
    assert kept, "the replaced input was deleted"
    path = tmp_path / "kept.parquet"
    local_s3.client.download_file(bucket, victim, str(path))
    assert pq.ParquetFile(path).metadata.num_rows == 33  # the replacement, untouched


def test_a_grace_period_delete_respects_a_partition_pointed_back(run, aws, bucket, tmp_path):
    old = "warehouse/events/year=2023/month=6"
    name, rows = glue_table(aws, bucket, tmp_path, {("2023", "6"): old})
    target = f"s3://{bucket}/compacted"
    r = run(*glue_flags(name, "--target_s3_path", target, "--delete_original_files", "true",
                        "--delete_grace_minutes", "5"), env=aws.env())
    assert r.code == 0, r.stderr
    # An operator points the partition back at its old location; then the grace period passes.
    part = partitions(aws.glue, DB, name)[("2023", "6")]
    part_input = {k: part[k] for k in ("Values", "StorageDescriptor", "Parameters") if k in part}
    part_input["StorageDescriptor"]["Location"] = f"s3://{bucket}/{old}"
    aws.glue.update_partition(DatabaseName=DB, TableName=name, PartitionValueList=["2023", "6"],
                              PartitionInput=part_input)
    for key in aws.s3.objects(bucket, "warehouse/events/_s3_compaction/runs/"):
        object_name = key.rsplit("/", 1)[-1]
        if is_record_name(object_name):
            text = aws.s3.client.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
            text = edit_text(object_name, text, lambda record: record.update(delete_after_unix=0))
            aws.s3.client.put_object(Bucket=bucket, Key=key, Body=text.encode())
    rec = run("recover", *glue_flags(name, "--target_s3_path", target, "--json"), env=aws.env())
    assert rec.code == 0, rec.stderr
    assert any("originals at" in line and "stay" in line for line in rec.summary["recovered"]), rec.summary
    assert_prefix_whole(aws, bucket, rows, old, tmp_path)


def test_a_partition_dropped_before_recovery_keeps_its_journal(run, aws, bucket, tmp_path):
    outside = "elsewhere/batch-2023-06"
    name, rows = glue_table(aws, bucket, tmp_path, {("2023", "6"): outside})
    flags = glue_flags(name, "--delete_original_files", "true")
    assert run(*flags, env=aws.env(S3C_FAULT_POINT="mid_publish")).code == -9
    part = partitions(aws.glue, DB, name)[("2023", "6")]
    aws.glue.delete_partition(DatabaseName=DB, TableName=name, PartitionValues=["2023", "6"])
    rec = run("recover", *glue_flags(name), env=aws.env())
    assert rec.code == 4, rec.stderr  # cannot see where it is: kept, reported
    assert [k for k in aws.s3.objects(bucket, "warehouse/events/_s3_compaction/runs/")]
    aws.glue.create_partition(DatabaseName=DB, TableName=name, PartitionInput={
        k: part[k] for k in ("Values", "StorageDescriptor", "Parameters") if k in part})
    again = run(*flags, env=aws.env())
    assert again.code == 0, again.stderr
    assert_prefix_whole(aws, bucket, rows, outside, tmp_path)


def test_recover_without_the_runs_target_keeps_its_journal(run, aws, bucket, tmp_path):
    old = "warehouse/events/year=2023/month=6"
    name, rows = glue_table(aws, bucket, tmp_path, {("2023", "6"): old})
    target = ["--target_s3_path", f"s3://{bucket}/compacted"]
    flags = glue_flags(name, *target, "--delete_original_files", "true")
    assert run(*flags, env=aws.env(S3C_FAULT_POINT="after_catalog")).code == -9
    without = run("recover", *glue_flags(name), env=aws.env())
    assert without.code == 4 and "--target_s3_path" in without.stdout, without.stdout
    assert [k for k in aws.s3.objects(bucket, "warehouse/events/_s3_compaction/runs/")]
    with_target = run("recover", *glue_flags(name, *target), env=aws.env())
    assert with_target.code == 0, with_target.stderr
    assert aws.s3.objects(bucket, old + "/") == {}  # the originals went, once repointed
    assert_prefix_whole(aws, bucket, rows, "compacted/year=2023/month=6", tmp_path, name=old)
