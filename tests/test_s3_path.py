"""A table on S3 with no catalog (--table_path s3://...), against each local S3 (moto and
SeaweedFS): rows before == rows after per partition (files copied down and compared by DuckDB),
sizes near the target, originals deleted or archived as asked, and a dry run that changes no
object."""

from collections import Counter

import pytest

from support.tables import RowsSnapshot, TableSpec, partition_path, write_table

PARTS = [{"year": "2023", "month": "05"}, {"year": "2023", "month": "06"}]
TARGET = 0.125  # MiB

pytestmark = pytest.mark.s3_stores


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
    # No warning but the one moto earns: it ignores the ETag of a conditional DeleteObjects,
    # which the tool probes once per bucket (through the proxy, which answers as AWS does, and
    # from SeaweedFS, which honours it, it says nothing); and S3 was finalised before exit.
    ignored = [] if local_s3.deletes_conditionally else [
        f"s3-compaction: warning: s3://{uri.split('/')[2]} ignores the ETag condition of "
        "DeleteObjects: originals are checked again right before each delete instead (a "
        "replacement landing in between would be deleted)"]
    assert r.stderr.splitlines() == ignored, r.stderr
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
    # Nothing staged is left behind, and no folder marker is made anywhere.
    assert not [k for k in objects if "_s3_compaction" in k or k.endswith("/")], objects.keys()


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
    # Moving an object leaves no zero-byte folder marker behind (t/p=a/), in the table or the
    # archive; the only objects of ours are the archived files.
    objects = local_s3.objects(bucket)
    assert not [k for k in objects if k.endswith("/")], sorted(objects)
    assert not [k for k in objects if "_s3_compaction" in k and not k.startswith(archive_prefix)]


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


@pytest.mark.parametrize("attempts", ["abc", "0", "101"])
def test_an_absurd_aws_max_attempts_is_a_usage_error_before_any_request(run, local_s3, bucket,
                                                                        s3_table, attempts):
    uri, _ = s3_table
    before = local_s3.objects(bucket)
    r = run("--table_path", uri, "--delete_original_files", "true",
            env={**local_s3.env(), "AWS_MAX_ATTEMPTS": attempts})
    assert r.code == 2, r.stderr
    assert f"error: AWS_MAX_ATTEMPTS is '{attempts}': it must be a whole number" in \
        r.stderr.splitlines()[0], r.stderr
    assert local_s3.objects(bucket) == before


def test_s3_missing_table(run, local_s3, bucket):
    r = run("--table_path", f"s3://{bucket}/nothing/here", env=local_s3.env())
    assert r.code == 3
    assert f"s3://{bucket}/nothing/here" in r.stderr


@pytest.mark.parametrize("checksums", ["default", "when_required"])
def test_uploads_work_with_and_without_checksum_trailers(run, local_s3, aws_proxy, bucket,
                                                        s3_table, tmp_path, checksums):
    """Arrow's AWS SDK sends uploads as aws-chunked with a CRC trailer by default, which some
    S3-compatible servers reject; AWS_REQUEST_CHECKSUM_CALCULATION=when_required sends plain
    signed payloads instead. Both must work (AWS and moto accept both)."""
    uri, rows = s3_table
    aws_proxy.reset()
    env = local_s3.env()
    env["AWS_ENDPOINT_URL"] = aws_proxy.endpoint
    if checksums == "when_required":
        env["AWS_REQUEST_CHECKSUM_CALCULATION"] = "when_required"
    r = run("--table_path", uri, "--target_file_size_mb", TARGET, "--delete_original_files",
            "true", env=env)
    assert r.code == 0, r.stderr
    # The table's files (Arrow's SDK); the journal and lease are small PUTs of our own client.
    uploads = [s for s in aws_proxy.seen if s.operation in ("PutObject", "UploadPart")
               and "/_s3_compaction/runs/" not in s.path and not s.path.endswith("lease.json")]
    assert uploads and all(s.status == 200 for s in uploads)
    chunked = {s.content_encoding == "aws-chunked" for s in uploads}
    assert chunked == ({True} if checksums == "default" else {False})
    for p in PARTS:
        files = local_s3.download_prefix(bucket, f"warehouse/events/{partition_path(p)}",
                                         tmp_path / "dl" / partition_path(p))
        rows.assert_same(partition_path(p), files)
    assert aws_proxy.signature_failures == []


def test_requests_per_file(run, local_s3, aws_proxy, bucket, s3_table):
    """What a run costs on S3, counted at the proxy: no HEAD per file, one GET per small input
    (read whole; only each partition's first footer is read at planning), one per output
    (its footer, verified), one PutObject per small output, deletes batched."""
    uri, _ = s3_table
    aws_proxy.reset()
    env = local_s3.env()
    env["AWS_ENDPOINT_URL"] = aws_proxy.endpoint
    r = run("--table_path", uri, "--target_file_size_mb", TARGET, "--delete_original_files",
            "true", "--json", env=env)
    assert r.code == 0, r.stderr
    inputs = r.summary["files"]["rewritten"]
    outputs = r.summary["files"]["written"]
    # The run's own bookkeeping, a fixed cost per run and per batch of partitions (both
    # partitions commit in one): the lease (created, probed for conditional writes with two PUTs
    # that must fail, confirmed before the batch publishes and again before its originals are
    # removed, read and deleted at the end) and the journal (the plan, then the batch's record
    # at each step: publishing, removing, done).
    tool = [s for s in aws_proxy.seen
            if "/_s3_compaction/runs/" in s.path or s.path.split("?")[0].endswith("/lease.json")]
    bookkeeping = Counter(s.operation for s in tool)
    assert bookkeeping == Counter({"PutObject": 4 + 3, "GetObject": 1 + 2,
                                   "DeleteObject": 1}), bookkeeping
    counts = aws_proxy.count() - bookkeeping
    assert counts["HeadObject"] <= 1, counts  # the table root, once; never per file
    assert counts["GetObject"] == inputs + len(PARTS) + outputs, counts
    assert counts["PutObject"] == outputs and counts["CreateMultipartUpload"] == 0, counts
    assert counts["CopyObject"] == outputs, counts
    assert counts["DeleteObject"] == 0, counts
    # Per partition: the staged copies; the first original alone (if that fails, nothing is lost
    # and the partition can be put back); then the rest. And the finished run's journal: its
    # records, then its plan; and once per bucket, the probe of conditional deletes.
    assert counts["DeleteObjects"] <= 3 * len(PARTS) + 2 + 1, counts


def test_large_outputs_use_multipart_upload(run, local_s3, aws_proxy, bucket, tmp_path):
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq

    local = tmp_path / "big" / "p=1"
    local.mkdir(parents=True)
    for i in range(12):  # ~1.1 MiB of incompressible bytes each
        t = pa.table({"id": pa.array(range(i * 100, i * 100 + 100), pa.int64()),
                      "blob": pa.array([os.urandom(11_000) for _ in range(100)], pa.binary())})
        pq.write_table(t, local / f"f{i:02d}.parquet", compression="none")
    local_s3.upload_tree(tmp_path / "big", bucket, "big")
    rows = RowsSnapshot()
    rows.capture("p", sorted(local.glob("*.parquet")))
    aws_proxy.reset()
    env = local_s3.env()
    env["AWS_ENDPOINT_URL"] = aws_proxy.endpoint
    r = run("--table_path", f"s3://{bucket}/big", "--target_file_size_mb", 16,
            "--delete_original_files", "true", "--json", env=env)
    assert r.code == 0, r.stderr
    assert r.summary["files"]["written"] == 1
    counts = aws_proxy.count()
    assert counts["CreateMultipartUpload"] == 1 and counts["UploadPart"] >= 2, counts
    assert counts["CompleteMultipartUpload"] == 1, counts
    files = local_s3.download_prefix(bucket, "big/p=1", tmp_path / "dl")
    rows.assert_same("p", files)


def test_a_target_in_another_bucket(run, local_s3, bucket, s3_table, tmp_path):
    """The table in one bucket, --target_s3_path in another: the partitions are written there
    (server-side copies across buckets), the originals go only when asked, and nothing of the
    tool's own is left in either bucket."""
    uri, rows = s3_table
    other = bucket[:50] + "-out"
    local_s3.client.create_bucket(Bucket=other)
    r = run("--table_path", uri, "--target_s3_path", f"s3://{other}/compacted",
            "--target_file_size_mb", TARGET, "--delete_original_files", "true", "--json",
            env=local_s3.env())
    assert r.code == 0, r.stderr
    assert r.summary["partitions"]["compacted"] == len(PARTS)
    for p in PARTS:
        files = local_s3.download_prefix(other, f"compacted/{partition_path(p)}/",
                                         tmp_path / "out" / partition_path(p))
        rows.assert_same(partition_path(p), files)
        assert local_s3.objects(bucket, f"warehouse/events/{partition_path(p)}/") == {}
    for b in (bucket, other):
        assert not [k for k in local_s3.objects(b) if "_s3_compaction" in k], b


def test_a_second_run_over_a_compacted_table_reads_no_file(run, local_s3, aws_proxy, bucket,
                                                           s3_table):
    """What a scheduled run costs when there is nothing to do: its listings, the lease and the
    journal's folder; not one GET of a data file."""
    uri, _ = s3_table
    env = dict(local_s3.env(), AWS_ENDPOINT_URL=aws_proxy.endpoint)
    first = run("--table_path", uri, "--target_file_size_mb", TARGET, "--delete_original_files",
                "true", env=env)
    assert first.code == 0, first.stderr
    aws_proxy.reset()
    again = run("--table_path", uri, "--target_file_size_mb", TARGET, "--delete_original_files",
                "true", "--json", env=env)
    assert again.code == 0, again.stderr
    assert again.summary["partitions"]["skipped"] == len(PARTS)
    assert all("small file(s), fewer than --min_input_files" in d["reason"] or
               "already near the target" in d["reason"] for d in again.summary["details"])
    data_reads = [s.path for s in aws_proxy.seen
                  if s.operation in ("GetObject", "HeadObject") and ".parquet" in s.path]
    assert data_reads == []
    writes = [s for s in aws_proxy.seen if s.operation in ("PutObject", "CopyObject")
              and ".parquet" in s.path]
    assert writes == []


@pytest.mark.parametrize("flag,spelling", [("--table_path", "{b}/./sp"),
                                           ("--target_s3_path", "{b}/x/../sp"),
                                           ("--target_s3_path", "{b}/./sp"),
                                           ("--archive_path", "{b}//sp"),
                                           ("--journal_path", "{b}/sp/.")])
def test_s3_uris_with_dot_segments_are_refused_before_anything(run, local_s3, aws_proxy, bucket,
                                                                s3_table, flag, spelling):
    """S3 keys are literal: 's3://b/x/../sp' is not 's3://b/sp'. Such a URI is refused before
    any request (it used to stage files under a prefix nothing cleaned up)."""
    uri, _ = s3_table
    before = local_s3.objects(bucket)
    odd = "s3://" + spelling.format(b=bucket)
    args = {"--table_path": uri}
    args[flag] = odd
    aws_proxy.reset()
    env = local_s3.env()
    env["AWS_ENDPOINT_URL"] = aws_proxy.endpoint
    r = run(*[x for kv in args.items() for x in kv], "--delete_original_files",
            "true" if flag != "--archive_path" else "false", env=env)
    assert r.code == 2, (r.code, r.stderr)
    assert f"S3 URI '{odd}' has an empty, '.' or '..' segment" in r.stderr
    assert len([l for l in r.stderr.splitlines() if "error" in l]) == 1
    assert local_s3.objects(bucket) == before
    assert aws_proxy.seen == []
