"""The original job end to end: a table in the Glue Data Catalog (moto), its files on S3 (moto),
the tool run with the original job's arguments, then checked through boto3 and DuckDB: rows per
partition equal as multisets, files near the target, the catalog as expected, originals gone only
when asked, untouched partitions untouched. Every signed request is verified by the proxy."""

import pytest

from support.glue import add_partition, create_table, partitions, table_definition
from support.tables import RowsSnapshot, TableSpec, events_schema, write_table

DB = "analytics"
TARGET = 0.125  # MiB
SCHEMA = events_schema()
# (year, month) -> where the partition's files are, relative to the bucket. The second does not
# follow the folder convention: the catalog's location is what counts.
LAYOUT = {
    ("2023", "5"): "warehouse/events/year=2023/month=5",
    ("2023", "6"): "elsewhere/batch-2023-06",
    ("2024", "1"): "warehouse/events/year=2024/month=1",
}


@pytest.fixture
def table(aws, bucket, tmp_path):
    """A crawler-made table: year string, month int; returns (name, rows snapshot)."""
    name = "events_" + bucket.replace("-", "_")[-12:]
    create_table(aws.glue, DB, name, f"s3://{bucket}/warehouse/events", SCHEMA,
                 [("year", "string"), ("month", "int")])
    rows = RowsSnapshot()
    for (year, month), prefix in LAYOUT.items():
        local = tmp_path / "src" / f"{year}-{month}"
        write_table(local, TableSpec(partitions=[{"p": "x"}], files_per_partition=40,
                                     rows_per_file=250, seed=int(year) + int(month)))
        aws.s3.upload_tree(local / "p=x", bucket, prefix)
        files = sorted((local / "p=x").glob("*.parquet"))
        rows.capture(f"{year}/{month}", files)
        size = sum(f.stat().st_size for f in files)
        add_partition(aws.glue, DB, name, [year, month], f"s3://{bucket}/{prefix}", SCHEMA,
                      stats={"numFiles": str(len(files)), "totalSize": str(size),
                             "recordCount": str(40 * 250), "objectCount": str(len(files)),
                             "sizeKey": str(size), "averageRecordSize": "50"})
    return name, rows


def download(aws, bucket, prefix, tmp_path):
    return aws.s3.download_prefix(bucket, prefix, tmp_path / "dl" / prefix.replace("/", "_"))


def test_original_job_arguments_compact_in_place(aws, bucket, table, run, tmp_path):
    name, rows = table
    table_before = table_definition(aws.glue, DB, name)
    parts_before = partitions(aws.glue, DB, name)
    untouched = aws.s3.objects(bucket, LAYOUT[("2024", "1")])

    r = run("--database_name", DB, "--table_name", name, "--partition_predicate", "year='2023'",
            "--delete_original_files", "true", "--target_file_size_mb", TARGET, "--json",
            env=aws.env())
    assert r.code == 0, r.stderr
    assert r.summary["partitions"]["compacted"] == 2
    assert r.summary["table"] == f"{DB}.{name}"

    for key in [("2023", "5"), ("2023", "6")]:
        files = download(aws, bucket, LAYOUT[key], tmp_path)
        rows.assert_same("/".join(key), files)
        assert 3 <= len(files) <= 6
        sizes = sorted(f.stat().st_size for f in files)
        for size in sizes[1:]:
            assert abs(size - TARGET * 2**20) <= 0.1 * TARGET * 2**20, sizes
        assert not any(f.name.startswith("part-0000") and "-c0" not in f.name for f in files)
    assert aws.s3.objects(bucket, LAYOUT[("2024", "1")]) == untouched
    assert not [k for k in aws.s3.objects(bucket) if k.endswith("/") or "_s3_compaction" in k]

    # The table is exactly as it was; partitions differ only in the statistics the tool owns.
    assert table_definition(aws.glue, DB, name) == table_before
    # Every request was signed, and the proxy found each signature right (checked with botocore).
    assert aws.proxy.verified["glue"] >= 3 and aws.proxy.verified["s3"] > 50
    assert aws.proxy.count("DeleteObjects") >= 1 and aws.proxy.count("DeleteObject") == 0
    parts_after = partitions(aws.glue, DB, name)
    for values, before in parts_before.items():
        after = parts_after[values]
        assert after["StorageDescriptor"] == before["StorageDescriptor"]
        changed = {k for k in before["Parameters"] if before["Parameters"][k] != after["Parameters"][k]}
        if values[0] == "2023":
            files = download(aws, bucket, LAYOUT[values], tmp_path / "again")
            assert after["Parameters"]["numFiles"] == str(len(files))
            assert after["Parameters"]["objectCount"] == str(len(files))
            assert after["Parameters"]["totalSize"] == str(sum(f.stat().st_size for f in files))
            assert after["Parameters"]["recordCount"] == str(40 * 250)
            assert changed <= {"numFiles", "objectCount", "totalSize", "sizeKey"}
        else:
            assert after == before


def test_target_path_repoints_the_catalog(aws, bucket, table, run, tmp_path):
    name, rows = table
    table_before = table_definition(aws.glue, DB, name)
    parts_before = partitions(aws.glue, DB, name)
    originals = {k: aws.s3.objects(bucket, p) for k, p in LAYOUT.items()}
    target = f"s3://{bucket}/compacted/events"
    r = run("--database_name", DB, "--table_name", name, "--target_s3_path", target,
            "--target_file_size_mb", TARGET, "--json", env=aws.env())
    assert r.code == 0, r.stderr
    assert r.summary["partitions"]["compacted"] == 3
    parts_after = partitions(aws.glue, DB, name)
    for (year, month), before in parts_before.items():
        after = parts_after[(year, month)]
        location = f"{target}/year={year}/month={month}"
        assert after["StorageDescriptor"]["Location"] == location
        sd_rest = {k: v for k, v in after["StorageDescriptor"].items() if k != "Location"}
        assert sd_rest == {k: v for k, v in before["StorageDescriptor"].items() if k != "Location"}
        files = download(aws, bucket, location[len(f"s3://{bucket}/"):], tmp_path)
        rows.assert_same(f"{year}/{month}", files)
    # Originals kept where they were (not asked to delete); the table itself untouched.
    assert {k: aws.s3.objects(bucket, p) for k, p in LAYOUT.items()} == originals
    assert table_definition(aws.glue, DB, name) == table_before


def test_target_path_with_delete_removes_originals_after_repointing(aws, bucket, table, run, tmp_path):
    name, rows = table
    target = f"s3://{bucket}/compacted/events"
    r = run("--database_name", DB, "--table_name", name, "--target_s3_path", target,
            "--delete_original_files", "true", "--partition_predicate", "month = 6",
            "--target_file_size_mb", TARGET, env=aws.env())
    assert r.code == 0, r.stderr
    assert aws.s3.objects(bucket, LAYOUT[("2023", "6")]) == {}
    assert aws.s3.objects(bucket, LAYOUT[("2023", "5")]) != {}
    location = partitions(aws.glue, DB, name)[("2023", "6")]["StorageDescriptor"]["Location"]
    files = download(aws, bucket, location[len(f"s3://{bucket}/"):], tmp_path)
    rows.assert_same("2023/6", files)


def test_export_leaves_the_catalog_alone(aws, bucket, table, run, tmp_path):
    name, rows = table
    parts_before = partitions(aws.glue, DB, name)
    target = f"s3://{bucket}/export"
    r = run("--database_name", DB, "--table_name", name, "--target_s3_path", target,
            "--update_catalog", "false", "--target_file_size_mb", TARGET, env=aws.env())
    assert r.code == 0, r.stderr
    assert partitions(aws.glue, DB, name) == parts_before
    files = download(aws, bucket, "export/year=2023/month=5", tmp_path)
    rows.assert_same("2023/5", files)

    r = run("--database_name", DB, "--table_name", name, "--target_s3_path", target + "2",
            "--update_catalog", "false", "--delete_original_files", "true", env=aws.env())
    assert r.code == 2 and "catalog pointing at deleted files" in r.stderr
