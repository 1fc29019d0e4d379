"""--shard K/N: N processes started at once cover a table's partitions exactly once (every row
kept; on local disk, and on S3 against moto and SeaweedFS), each with a lease of its own; runs
that could overlap them (no --shard, another N) are kept out, and a half-done run of another
layout must be recovered before shards start."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from support.tables import RowsSnapshot, TableSpec, data_files, partition_path, write_table

TARGET = 0.125
PARTS = [{"day": f"{d:02d}", "hour": f"{h:02d}"} for d in range(1, 4) for h in range(3)]


@pytest.fixture
def table(tmp_path):
    root = tmp_path / "events"
    write_table(root, TableSpec(partitions=PARTS, files_per_partition=6, rows_per_file=200))
    return root


def capture(root: Path) -> RowsSnapshot:
    rows = RowsSnapshot()
    for p in PARTS:
        rows.capture(partition_path(p), data_files(root / partition_path(p)))
    return rows


def flags(root, *extra):
    return ["--table_path", str(root), "--target_file_size_mb", str(TARGET),
            "--delete_original_files", "true", "--json", *extra]


def write_lease(table: Path, name: str, host: str = "worker-7", expires_in: int = 600):
    lease = table / "_s3_compaction" / name
    lease.parent.mkdir(parents=True, exist_ok=True)
    now = int(time.time())
    lease.write_text(json.dumps({"run_id": "20260101T000000Z-abcdef", "host": host, "pid": 1,
                                 "acquired_unix": now - 60, "expires_unix": now + expires_in}))


def file_names(root: Path) -> dict:
    return {partition_path(p): sorted(f.name for f in data_files(root / partition_path(p)))
            for p in PARTS}


def compacted(summary) -> set:
    return {d["partition"] for d in summary["details"] if d["status"] == "compacted"}


@pytest.mark.parametrize("n", [1, 3])
def test_n_shards_at_once_cover_every_partition_exactly_once(binary, table, n):
    rows = capture(table)
    procs = [subprocess.Popen([binary, *flags(table, "--shard", f"{k}/{n}")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k in range(n)]
    outs = [p.communicate(timeout=300) for p in procs]
    seen = []
    for k, (p, (out, err)) in enumerate(zip(procs, outs)):
        assert p.returncode == 0, err
        summary = json.loads(out)
        assert summary["shard"] == f"{k}/{n}"
        # A shard considers only its own partitions.
        assert {d["partition"] for d in summary["details"]} == compacted(summary)
        seen.append(compacted(summary))
    every = [p for s in seen for p in s]
    assert sorted(every) == sorted(partition_path(p) for p in PARTS)  # each exactly once
    if n > 1:
        assert all(seen), "with 9 partitions every one of 3 shards should own some"
    for p in PARTS:
        files = data_files(table / partition_path(p))
        assert len(files) == 1
        rows.assert_same(partition_path(p), files)
    assert not (table / "_s3_compaction").exists()  # leases and journals gone


@pytest.mark.s3_stores
def test_three_shards_at_once_on_s3(binary, local_s3, bucket, table, tmp_path):
    """The same on S3: three processes take their leases (If-None-Match) and look at each
    other's at once, and between them compact every partition exactly once."""
    rows = capture(table)
    local_s3.upload_tree(table, bucket, "events")
    uri = f"s3://{bucket}/events"
    env = dict(os.environ, **local_s3.env())
    procs = [subprocess.Popen([binary, *flags(uri, "--shard", f"{k}/3")], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k in range(3)]
    outs = [p.communicate(timeout=300) for p in procs]
    seen = []
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        seen.append(compacted(json.loads(out)))
    assert all(seen)
    assert sorted(p for s in seen for p in s) == sorted(partition_path(p) for p in PARTS)
    for p in PARTS:
        files = local_s3.download_prefix(bucket, f"events/{partition_path(p)}",
                                         tmp_path / "after" / partition_path(p))
        assert len(files) == 1
        rows.assert_same(partition_path(p), files)
    assert [k for k in local_s3.objects(bucket) if "_s3_compaction" in k] == []


def test_the_same_shard_twice_is_refused(run, table):
    write_lease(table, "lease-shard-1-of-3.json")
    r = run(*flags(table, "--shard", "1/3"))
    assert r.code == 3, r.stderr
    assert "host worker-7" in r.stderr


def test_shards_keep_out_runs_that_could_overlap_them(run, table):
    write_lease(table, "lease-shard-0-of-2.json")
    before = file_names(table)
    whole = run(*flags(table))
    assert whole.code == 3, whole.stderr
    assert "lease-shard-0-of-2.json" in whole.stderr and "host worker-7" in whole.stderr
    other_n = run(*flags(table, "--shard", "0/3"))
    assert other_n.code == 3, other_n.stderr
    assert file_names(table) == before  # nothing touched
    assert not (table / "_s3_compaction" / "lease.json").exists()  # released again
    # A sibling of the same N runs beside it, on its own partitions only.
    sibling = run(*flags(table, "--shard", "1/2"))
    assert sibling.code == 0, sibling.stderr
    done = compacted(sibling.summary)
    assert done and len(done) < len(PARTS)


def test_a_whole_run_keeps_out_shards(run, table):
    write_lease(table, "lease.json")
    r = run(*flags(table, "--shard", "0/2"))
    assert r.code == 3, r.stderr
    assert "lease.json" in r.stderr


def test_a_half_done_whole_run_must_be_recovered_before_shards(run, table):
    rows = capture(table)
    crashed = run(*flags(table), env={"S3C_FAULT_POINT": "mid_publish"})
    assert crashed.code == -signal.SIGKILL, crashed.stderr  # killed mid-publish, not failed
    r = run(*flags(table, "--shard", "0/2"))
    assert r.code == 3, r.stderr
    assert "s3-compaction recover" in r.stderr
    assert run("recover", "--table_path", table).code == 0
    for k in range(2):
        shard = run(*flags(table, "--shard", f"{k}/2"))
        assert shard.code == 0, shard.stderr
    for p in PARTS:
        rows.assert_same(partition_path(p), data_files(table / partition_path(p)))
