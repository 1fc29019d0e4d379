"""What a run's summary carries for a report (kind "run" of the issue-16 data contract): the
storage requests it made, counted by kind and checked against what S3 saw (the proxy in front
of moto counts every request by operation); the stages' times; and the file-size histograms
before and after, per partition and in all, checked against the files on disk."""

import random
import re
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from support.tables import (TableSpec, data_files, events_batch, events_schema, partition_path,
                            write_table)

STAGES = ["recovery", "listing", "planning", "reading", "writing", "verifying", "publishing",
          "removing", "catalog"]

def proxy_counts(proxy) -> Counter:
    return proxy.count_by_kind()


def bucket_of(size: int, buckets: list) -> int:
    """The bucket a file of `size` bytes falls in, from the bounds the summary itself gives."""
    for i, b in enumerate(buckets):
        if size >= b["lower"] and (b["upper"] is None or size < b["upper"]):
            return i
    raise AssertionError(f"no bucket for {size}")


def histogram_of(sizes, buckets) -> list:
    counts = [0] * len(buckets)
    for size in sizes:
        counts[bucket_of(size, buckets)] += 1
    return counts


def check_stages(s: dict, expected: set):
    names = [st["name"] for st in s["stages"]]
    assert set(names) <= set(STAGES) and len(names) == len(set(names)), names
    assert names == [n for n in STAGES if n in names]  # in the stages' order
    assert expected <= set(names), names
    for st in s["stages"]:
        assert st["seconds"] >= 0 and 0 <= st["start"] <= st["end"] <= s["seconds"] + 0.05, st
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s["started_at"]), s["started_at"]


def check_histogram_totals(s: dict):
    buckets = s["histogram"]["buckets"]
    assert len(buckets) == 12 and buckets[0]["lower"] == 0 and buckets[-1]["upper"] is None
    for d in s["details"]:
        assert len(d["histogram_before"]) == len(d["histogram_after"]) == 12
        assert sum(d["histogram_before"]) == d["files_before"], d
        assert sum(d["histogram_after"]) == d["files_after"], d
    assert sum(s["histogram"]["before"]) == s["files"]["before"]
    assert sum(s["histogram"]["after"]) == s["files"]["after"]
    for side in ("before", "after"):
        summed = [sum(d[f"histogram_{side}"][i] for d in s["details"]) for i in range(12)]
        assert s["histogram"][side] == summed


# --- S3: our counts against what S3 saw --------------------------------------------------

PARTS = [{"year": "2023", "month": "05"}, {"year": "2023", "month": "06"}]


@pytest.fixture
def s3_table(local_s3, bucket, tmp_path):
    local = tmp_path / "src"
    write_table(local, TableSpec(partitions=PARTS, files_per_partition=30, rows_per_file=250))
    local_s3.upload_tree(local, bucket, "warehouse/events")
    return f"s3://{bucket}/warehouse/events"


@pytest.mark.parametrize("originals", ["delete", "archive"])
def test_s3_requests_counted_by_kind_match_what_s3_saw(run, local_s3, aws_proxy, bucket,
                                                        s3_table, originals):
    """Every request of the run, counted at our own seams (Arrow's calls mapped to the requests
    Arrow sends; our DeleteObjects, listings and lease requests counted where we send them),
    equals what the proxy counted, kind by kind. No tolerance is needed: without faults nothing
    is retried (a retry would be one call to us and two requests to S3), and Arrow's S3 client
    makes exactly the requests the mapping names for these calls."""
    aws_proxy.reset()
    env = dict(local_s3.env(), AWS_ENDPOINT_URL=aws_proxy.endpoint)
    r = run("--table_path", s3_table, "--target_file_size_mb", 0.125, "--delete_original_files",
            "true" if originals == "delete" else "false", "--json", env=env)
    assert r.code == 0, r.stderr
    s = r.summary
    assert s["kind"] == "run" and s["partitions"]["compacted"] == len(PARTS)
    assert "requests_estimated" not in s
    seen = proxy_counts(aws_proxy)
    ours = s["requests"]
    assert set(ours) == {"list", "head", "get", "put", "copy", "delete"}
    assert {k: ours[k] for k in seen} == dict(seen), (ours, dict(seen))
    # Plausible, too: every input read whole, every output staged, copied and read back.
    assert ours["get"] >= s["files"]["rewritten"] + s["files"]["written"]
    assert ours["copy"] >= s["files"]["written"]
    assert aws_proxy.signature_failures == []


def test_s3_multipart_uploads_count_each_request_as_a_put(run, local_s3, aws_proxy, bucket,
                                                          tmp_path):
    """An output above Arrow's 10 MiB part: create, each part, complete, each one PUT, replayed
    from the writes as Arrow buffers them, equal to what S3 saw."""
    import os

    local = tmp_path / "big" / "p=1"
    local.mkdir(parents=True)
    for i in range(12):  # ~1.1 MiB of incompressible bytes each
        t = pa.table({"id": pa.array(range(i * 100, i * 100 + 100), pa.int64()),
                      "blob": pa.array([os.urandom(11_000) for _ in range(100)], pa.binary())})
        pq.write_table(t, local / f"f{i:02d}.parquet", compression="none")
    local_s3.upload_tree(tmp_path / "big", bucket, "big")
    aws_proxy.reset()
    env = dict(local_s3.env(), AWS_ENDPOINT_URL=aws_proxy.endpoint)
    r = run("--table_path", f"s3://{bucket}/big", "--target_file_size_mb", 16,
            "--delete_original_files", "true", "--json", env=env)
    assert r.code == 0, r.stderr
    assert aws_proxy.count("UploadPart") >= 2, aws_proxy.count()
    seen = proxy_counts(aws_proxy)
    assert {k: r.summary["requests"][k] for k in seen} == dict(seen), (r.summary["requests"], seen)


GLUE_OPERATIONS = {"GetTable", "GetPartitions", "BatchUpdatePartition", "UpdateTable",
                   "GetPartition", "BatchGetPartition"}


@pytest.mark.parametrize("target", [False, True])
def test_glue_run_times_its_catalog_step_and_counts_s3_alone(aws, bucket, run, tmp_path,
                                                              target):
    """With Glue: the catalog step is a stage of its own (a repointed partition's originals are
    removed inside it, timed as removing), and the S3 requests still match what S3 saw; Glue's
    calls are not storage requests."""
    from support.glue import add_partition, create_table

    schema = events_schema()
    name = "report_" + bucket.replace("-", "_")[-12:]
    create_table(aws.glue, "analytics", name, f"s3://{bucket}/warehouse/ev", schema,
                 [("year", "string")])
    for year in ("2023", "2024"):
        local = tmp_path / "src" / year
        write_table(local, TableSpec(partitions=[{"p": "x"}], files_per_partition=20,
                                     rows_per_file=250, seed=int(year)))
        aws.s3.upload_tree(local / "p=x", bucket, f"warehouse/ev/year={year}")
        add_partition(aws.glue, "analytics", name, [year], f"s3://{bucket}/warehouse/ev/year={year}",
                      schema)
    args = ["--database_name", "analytics", "--table_name", name, "--delete_original_files",
            "true", "--target_file_size_mb", 0.125, "--json"]
    if target:
        args += ["--target_s3_path", f"s3://{bucket}/compacted/ev"]
    aws.proxy.reset()
    r = run(*args, env=aws.env())
    assert r.code == 0, r.stderr
    s = r.summary
    assert s["partitions"]["compacted"] == 2
    check_stages(s, {"listing", "planning", "reading", "writing", "verifying", "publishing",
                     "removing", "catalog"})
    glue = {op for op in aws.proxy.count() if op in GLUE_OPERATIONS}
    assert "BatchUpdatePartition" in glue
    for op in glue:
        aws.proxy.seen = [x for x in aws.proxy.seen if x.operation != op]
    seen = proxy_counts(aws.proxy)
    assert {k: s["requests"][k] for k in seen} == dict(seen), (s["requests"], dict(seen))
    check_histogram_totals(s)


# --- local: counts, stages, text ---------------------------------------------------------

def test_local_run_counts_storage_operations_and_times_its_stages(run, tmp_path):
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"p": "1"}, {"p": "2"}], files_per_partition=20,
                                rows_per_file=200, nested=False))
    r = run("--table_path", root, "--delete_original_files", "true", "--json")
    assert r.code == 0, r.stderr
    s = r.summary
    inputs, outputs = s["files"]["rewritten"], s["files"]["written"]
    assert inputs == 40 and outputs == 2
    q = s["requests"]
    assert q["list"] >= 1                      # the table's listing
    assert q["get"] >= inputs + outputs        # each input read, each output read back
    assert q["put"] >= outputs                 # each output written (and the journal)
    assert q["copy"] >= outputs                # each output renamed into place
    assert q["delete"] >= inputs               # each original removed
    assert all(v < 10 * (inputs + outputs) for v in q.values()), q
    check_stages(s, {"recovery", "listing", "planning", "reading", "writing", "verifying",
                     "publishing", "removing"})
    assert "catalog" not in [st["name"] for st in s["stages"]]  # no Glue
    t = s["throughput"]
    assert t["bytes_per_second"] == pytest.approx(s["bytes"]["rewritten"] / s["seconds"], rel=1e-6)
    assert t["rows_per_second"] == pytest.approx(s["rows"]["rewritten"] / s["seconds"], rel=1e-6)

    text = run("--table_path", root)  # nothing left to compact: a cheap run
    assert text.code == 0, text.stderr
    lines = text.stdout.splitlines()
    [requests] = [l for l in lines if l.startswith("  requests    ")]
    assert re.fullmatch(r"  requests    \d+ LIST, \d+ HEAD, \d+ GET, \d+ PUT, \d+ COPY, \d+ DELETE",
                        requests), requests
    [stages] = [l for l in lines if l.startswith("  stages      ")]
    assert "listing" in stages and "planning" in stages and stages.endswith(
        "(busy, summed over threads)"), stages
    assert [l for l in lines if l.startswith("  time        ")]  # the old line, as it was


def test_dry_run_keeps_its_estimate(run, tmp_path):
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"p": "1"}], files_per_partition=10, nested=False))
    r = run("--table_path", root, "--dry-run", "--json")
    assert r.code == 0, r.stderr
    s = r.summary
    assert s["kind"] == "run" and s["dry_run"] is True and s["requests_estimated"] is True
    assert set(s["requests"]) == {"list", "head", "get", "put", "copy", "delete"}
    assert "throughput" not in s
    check_stages(s, {"listing", "planning"})
    assert not {"reading", "writing", "publishing"} & {st["name"] for st in s["stages"]}
    check_histogram_totals(s)
    # The estimated outputs, of equal size, in the bucket of the estimated bytes per file.
    [d] = s["details"]
    assert d["status"] == "planned" and d["output_files"] == 1
    buckets = s["histogram"]["buckets"]
    estimated = d["bytes_after"] - (d["bytes_before"] - d["input_bytes"])
    assert d["histogram_after"] == histogram_of([estimated], buckets)
    before = [f.stat().st_size for f in data_files(root / "p=1")]
    assert d["histogram_before"] == histogram_of(before, buckets)


# --- histograms against the files on disk ------------------------------------------------

ROWS = [3, 3, 3, 40, 40, 40, 400, 400, 3000, 12000]  # from about 2 KiB to about 500 KiB


def write_varied(root: Path, parts: list) -> dict:
    """Files of many sizes in each partition: {partition path: [sizes]}."""
    rng = random.Random(5)
    schema = events_schema(False)
    sizes, next_id = {}, 0
    for part in parts:
        folder = root / partition_path(part)
        folder.mkdir(parents=True)
        for i, rows in enumerate(ROWS):
            pq.write_table(events_batch(rng, next_id, rows, schema), folder / f"f-{i:02d}.parquet")
            next_id += rows
        sizes[partition_path(part)] = [f.stat().st_size for f in data_files(folder)]
    return sizes


@pytest.mark.parametrize("where", ["in_place", "to_target"])
def test_histograms_place_every_file_in_its_bucket(run, tmp_path, where):
    parts = [{"d": "1"}, {"d": "2"}, {"d": "3"}]
    root = tmp_path / "t"
    sizes_before = write_varied(root, parts)
    target = tmp_path / "out"
    args = ["--table_path", root, "--target_file_size_mb", 0.5, "--delete_original_files",
            "true", "--json"]
    if where == "to_target":
        args += ["--target_s3_path", target]
    r = run(*args)
    assert r.code == 0, r.stderr
    s = r.summary
    check_histogram_totals(s)
    buckets = s["histogram"]["buckets"]
    after_root = target if where == "to_target" else root
    all_before, all_after = [], []
    for d in s["details"]:
        assert d["status"] == "compacted", d
        before = sizes_before[d["partition"]]
        after = [f.stat().st_size for f in data_files(after_root / d["partition"])]
        assert d["histogram_before"] == histogram_of(before, buckets), d
        assert d["histogram_after"] == histogram_of(after, buckets), (d, after)
        assert len(set(b for b, n in enumerate(d["histogram_before"]) if n)) >= 3  # varied
        all_before += before
        all_after += after
    assert s["histogram"]["before"] == histogram_of(all_before, buckets)
    assert s["histogram"]["after"] == histogram_of(all_after, buckets)
    # A skipped partition keeps its files: the same histogram after as before.
    again = run(*args)
    assert again.code == 0, again.stderr
    check_histogram_totals(again.summary)
    if where == "in_place":
        for d in again.summary["details"]:
            assert d["status"] == "skipped" and d["histogram_after"] == d["histogram_before"], d
