"""Stores that ignore conditional writes are refused (issue 17, point 2).

The lease keeps two runs apart only if the store honours If-None-Match (create only if absent)
and If-Match (replace only that version). Some S3-compatible stores ignore them; there two runs
would both "hold" the lease. Once it has taken a lease on S3 the tool probes the store: two more
PUTs of the lease under conditions that must fail. The proxy in front of moto or SeaweedFS plays
such a store by removing the headers from PUTs before forwarding them (both stores honour both;
for SeaweedFS, which checks signatures, the proxy signs the PUT again)."""

from collections import Counter

import pytest

from support.tables import RowsSnapshot, TableSpec, partition_path, write_table

pytestmark = pytest.mark.s3_stores

PARTS = [{"day": "01"}, {"day": "02"}]


@pytest.fixture
def s3_table(local_s3, bucket, tmp_path):
    local = tmp_path / "src"
    write_table(local, TableSpec(partitions=PARTS, files_per_partition=12, rows_per_file=100))
    local_s3.upload_tree(local, bucket, "warehouse/events")
    rows = RowsSnapshot()
    for p in PARTS:
        rows.capture(partition_path(p), sorted((local / partition_path(p)).glob("*.parquet")))
    return f"s3://{bucket}/warehouse/events", rows


def lease_puts(proxy) -> list[int]:
    """The statuses S3 answered to the PUTs of the table's lease, in order."""
    return [s.status for s in proxy.seen
            if s.method == "PUT" and s.path.split("?")[0].endswith("/_s3_compaction/lease.json")]


def test_a_store_that_honours_conditions_answers_both_probes_412(run, local_s3, aws_proxy,
                                                                 s3_table):
    uri, _ = s3_table
    aws_proxy.reset()
    env = dict(local_s3.env(), AWS_ENDPOINT_URL=aws_proxy.endpoint)
    r = run("--table_path", uri, "--target_file_size_mb", 1, "--delete_original_files", "true",
            "--json", env=env)
    assert r.code == 0, r.stderr
    # Created, then If-None-Match: * and a wrong If-Match, both refused; no renewal in so short
    # a run.
    assert lease_puts(aws_proxy) == [200, 412, 412]
    assert "conditional" not in r.stderr


@pytest.mark.parametrize("stripped", [("If-None-Match",), ("If-Match",),
                                      ("If-None-Match", "If-Match")])
@pytest.mark.parametrize("command", ["run", "recover"])
def test_a_store_that_ignores_conditional_writes_stops_with_nothing_changed(
        run, local_s3, aws_proxy, bucket, s3_table, stripped, command):
    uri, _ = s3_table
    before = local_s3.objects(bucket)
    aws_proxy.reset()
    aws_proxy.strip_conditional = set(stripped)
    env = dict(local_s3.env(), AWS_ENDPOINT_URL=aws_proxy.endpoint)
    args = ["--table_path", uri, "--target_file_size_mb", 1, "--delete_original_files", "true"]
    r = run(*(["recover"] if command == "recover" else []), *args, env=env)
    assert r.code == 3, (r.code, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert f"ignores {stripped[0]}" in lines[0], lines[0]
    assert f"{uri}/_s3_compaction/lease.json" in lines[0], lines[0]
    assert aws_proxy.endpoint in lines[0] and "--accept_unconditional_store" in lines[0]
    # Nothing read, nothing written but the lease, which is gone again: the bucket is exactly
    # as it was.
    assert local_s3.objects(bucket) == before
    ops = Counter(s.operation for s in aws_proxy.seen)
    assert ops["CopyObject"] == 0 and ops["DeleteObjects"] == 0, ops
    assert not [s for s in aws_proxy.seen if s.method == "PUT" and "lease.json" not in s.path]


def test_accepting_the_risk_runs_with_a_warning_and_loses_nothing(run, local_s3, aws_proxy,
                                                                  bucket, s3_table, tmp_path):
    uri, rows = s3_table
    aws_proxy.reset()
    aws_proxy.strip_conditional = {"If-None-Match", "If-Match"}
    env = dict(local_s3.env(), AWS_ENDPOINT_URL=aws_proxy.endpoint)
    r = run("--table_path", uri, "--target_file_size_mb", 1, "--delete_original_files", "true",
            "--accept_unconditional_store", "--json", env=env)
    assert r.code == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if "ignores If-None-Match" in line]
    assert len(warnings) == 1 and "--accept_unconditional_store" in warnings[0], r.stderr
    assert r.summary["partitions"]["compacted"] == len(PARTS)
    for p in PARTS:
        prefix = f"warehouse/events/{partition_path(p)}"
        files = local_s3.download_prefix(bucket, prefix, tmp_path / "after" / partition_path(p))
        rows.assert_same(partition_path(p), files)
        assert len(files) == 1
    assert not [k for k in local_s3.objects(bucket) if "_s3_compaction" in k]

