"""A table on S3 with no catalog (--table_path s3://...), against a local moto server: rows
before == rows after per partition (files copied down and compared by DuckDB), sizes near the
target, originals deleted or archived as asked, and a dry run that changes no object."""

import pytest

from support.tables import RowsSnapshot, TableSpec, partition_path, write_table

PARTS = [{"year": "2023", "month": "05"}, {"year": "2023", "month": "06"}]
TARGET = 0.125  # MiB


@pytest.fixture
def s3_table(local_s3, bucket, tmp_path):
    local = tmp_path / "src"
    write_table(local, TableSpec(partitions=PARTS, files_per_partition=60, rows_per_file=250))
    local_s3.upload_tree(local, bucket, "warehouse/events")
    rows = RowsSnapshot()
    for p in PARTS:
        rows.capture(partition_path(p), sorted((local / partition_path(p)).glob("*.parquet")))
    return f"s3://{bucket}/warehouse/events", rows


def data_keys(objects):
    """Objects readers would read: no folder markers, nothing hidden."""
    return {k: v for k, v in objects.items()
            if not k.endswith("/") and not any(s.startswith(("_", ".")) for s in k.split("/"))}


def test_s3_in_place_with_delete(run, local_s3, bucket, s3_table, tmp_path):
    uri, rows = s3_table
    r = run("--table_path", uri, "--target_file_size_mb", TARGET, "--delete_original_files",
            "true", "--json", env=local_s3.env())
    assert r.code == 0, r.stderr
    assert r.stderr == ""  # no warnings, and S3 was finalised before exit
    assert r.summary["partitions"]["compacted"] == 2
    objects = local_s3.objects(bucket)
    for p in PARTS:
        prefix = f"warehouse/events/{partition_path(p)}"
        files = local_s3.download_prefix(bucket, prefix, tmp_path / "after" / partition_path(p))
        rows.assert_same(partition_path(p), files)
        assert 3 <= len(files) <= 6
        sizes = sorted(f.stat().st_size for f in files)
        for size in sizes[1:]:
            assert abs(size - TARGET * 2**20) <= 0.1 * TARGET * 2**20, sizes
        assert not any("/part-0000" in k and "-c0" not in k for k in data_keys(objects)
                       if k.startswith(prefix))
    # Nothing staged is left behind (Arrow may leave empty folder markers, never data).
    assert not [k for k in objects if "_s3_compaction" in k and not k.endswith("/")]


def test_s3_in_place_archives_originals(run, local_s3, bucket, s3_table, tmp_path):
    uri, rows = s3_table
    before = data_keys(local_s3.objects(bucket))
    r = run("--table_path", uri, "--target_file_size_mb", TARGET, "--json", env=local_s3.env())
    assert r.code == 0, r.stderr
    archive = r.summary["archive"]
    assert archive.startswith(f"{uri}/_s3_compaction/archive/")
    archive_prefix = archive[len(f"s3://{bucket}/"):]
    for p in PARTS:
        rel = partition_path(p)
        new = local_s3.download_prefix(bucket, f"warehouse/events/{rel}", tmp_path / "new" / rel)
        rows.assert_same(rel, new)
        archived = local_s3.download_prefix(bucket, f"{archive_prefix}/{rel}", tmp_path / "old" / rel)
        rows.assert_same(rel, archived)
        originals = sorted(k.rsplit("/", 1)[1] for k in before if f"/{rel}/" in k)
        assert sorted(f.name for f in archived) == originals


def test_s3_dry_run_changes_no_object(run, local_s3, bucket, s3_table):
    uri, _ = s3_table
    before = local_s3.objects(bucket)
    r = run("--table_path", uri, "--target_file_size_mb", TARGET, "--dry-run",
            "--delete_original_files", "true", env=local_s3.env())
    assert r.code == 0, r.stderr
    assert local_s3.objects(bucket) == before


def test_s3_uri_without_bucket_is_a_usage_error(run, local_s3):
    r = run("--table_path", "s3://", env=local_s3.env())
    assert r.code == 2 and "without a bucket" in r.stderr


def test_s3_missing_table(run, local_s3, bucket):
    r = run("--table_path", f"s3://{bucket}/nothing/here", env=local_s3.env())
    assert r.code == 3
    assert f"s3://{bucket}/nothing/here" in r.stderr
