"""What a run costs in requests, counted at the proxy in front of moto (issue 17, points 3 and 4):
small partitions cost at most 8 requests each beyond reading their files, and --dry-run's
estimate agrees with what a run makes.

The dry run counts the requests it makes to discover and plan (the run makes the same ones) and
estimates the rest from the commit protocol (commit/request_estimate.h). Here each estimate is
held, kind by kind, within 10% of what S3 saw when the same table was then compacted: counted at
the proxy in front of moto, not by the tool. Tables mix partitions of 4 and of 40 small files,
at the bucket's top and deeper; originals deleted, archived, or left behind for a target; in one
wave and in several (--wave_files)."""

import pytest

from support.tables import TableSpec, write_table

KINDS = ["list", "head", "get", "put", "copy", "delete"]

@pytest.mark.parametrize("files", [4, 40])
def test_a_small_partition_costs_at_most_8_requests_beyond_reading_its_files(
        run, local_s3, aws_proxy, bucket, tmp_path, files):
    """Hourly partitions of a few small files are common (a streaming sink's every few minutes).
    Beyond one GET per input file, the rest of a run (the first footer, the output's PUT, its
    read-back and COPY, the originals' listing, and the run's and its batches' bookkeeping:
    lease, journal, removal) is at most 8 requests per partition, in place with the originals
    deleted."""
    partitions = 24
    local = tmp_path / "src"
    write_table(local, TableSpec(partitions=[{"hour": f"{i:02d}"} for i in range(partitions)],
                                 files_per_partition=files, rows_per_file=60))
    local_s3.upload_tree(local, bucket, "events")
    env = dict(local_s3.env(), AWS_ENDPOINT_URL=aws_proxy.endpoint)
    aws_proxy.reset()
    r = run("--table_path", f"s3://{bucket}/events", "--delete_original_files", "true", "--json",
            env=env)
    assert r.code == 0, r.stderr
    assert r.summary["partitions"]["compacted"] == partitions
    assert r.summary["files"]["rewritten"] == partitions * files
    total = sum(aws_proxy.count().values())
    overhead = (total - partitions * files) / partitions
    assert overhead <= 8, (overhead, dict(aws_proxy.count()))
    # The bookkeeping is per batch, not per partition: all 24 partitions commit together.
    journal_puts = [s for s in aws_proxy.seen
                    if s.method == "PUT" and "/_s3_compaction/runs/" in s.path]
    assert len(journal_puts) == 1 + 3, [s.path for s in journal_puts]  # plan, then the batch's
    # three steps


CASES = {
    # name: (prefix in the bucket, flags, [(files per partition, partitions)])
    "deleted": ("warehouse/events", ["--delete_original_files", "true"], [(4, 24), (40, 3)]),
    "archived": ("a/b/c/events", [], [(4, 24), (40, 3)]),
    "to_a_target": ("events", ["--target_s3_path", "TARGET", "--delete_original_files", "true"],
                    [(4, 10), (40, 2)]),
    "target_kept": ("events", ["--target_s3_path", "TARGET"], [(4, 10), (40, 2)]),
    # Waves of 10 partitions or 50 files: a plan and batches of each wave's own.
    "in_waves": ("events", ["--delete_original_files", "true", "--wave_files", "50"],
                 [(4, 24), (40, 3)]),
}


@pytest.mark.parametrize("case", CASES)
def test_the_dry_runs_estimate_is_within_ten_percent_of_what_s3_saw(run, local_s3, aws_proxy,
                                                                      bucket, tmp_path, case):
    prefix, flags, shape = CASES[case]
    local = tmp_path / "src"
    for files, partitions in shape:
        write_table(local, TableSpec(partitions=[{"h": f"{files}-{i:03d}"} for i in range(partitions)],
                                     files_per_partition=files, rows_per_file=60))
    local_s3.upload_tree(local, bucket, prefix)
    uri = f"s3://{bucket}/{prefix}"
    target_bucket = bucket[:50] + "-out"
    local_s3.client.create_bucket(Bucket=target_bucket)
    flags = [f"s3://{target_bucket}/out" if f == "TARGET" else f for f in flags]
    env = dict(local_s3.env(), AWS_ENDPOINT_URL=aws_proxy.endpoint)

    aws_proxy.reset()
    dry = run("--table_path", uri, "--dry-run", "--json", *flags, env=env)
    assert dry.code == 0, dry.stderr
    assert dry.summary["requests_estimated"] is True
    estimate = dry.summary["requests"]
    # The dry run itself wrote nothing.
    assert not [s for s in aws_proxy.seen if s.method in ("PUT", "POST", "DELETE")]

    aws_proxy.reset()
    real = run("--table_path", uri, "--json", *flags, env=env)
    assert real.code == 0, real.stderr
    assert real.summary["partitions"]["compacted"] == sum(n for _, n in shape)
    seen = aws_proxy.count_by_kind()
    for kind in KINDS:
        assert abs(estimate[kind] - seen[kind]) <= 0.1 * seen[kind], f"{kind}: {estimate} {dict(seen)}"
    # Large enough a run that 10% means something.
    assert seen["get"] > 100 and seen["copy"] >= 12


def test_the_estimate_of_a_glue_table_repointed_to_a_target(run, aws, bucket, tmp_path):
    """Partitions moved to a target and repointed: their originals wait for the catalog, then
    go, the wave's partitions together. S3 requests only (the Glue calls are not storage)."""
    from support.glue import register_table
    from support.tables import events_schema

    parts = [{"year": "2023", "month": f"{m:02d}"} for m in range(1, 13)]
    local = tmp_path / "src"
    write_table(local, TableSpec(partitions=parts, files_per_partition=6, rows_per_file=60))
    aws.s3.upload_tree(local, bucket, "events")
    name = "estimate_" + bucket.replace("-", "_")[-12:]
    register_table(aws.glue, "estimates", name, bucket, "events", events_schema(), parts)
    flags = ["--database_name", "estimates", "--table_name", name, "--target_s3_path",
             f"s3://{bucket}/compacted", "--delete_original_files", "true"]
    aws.proxy.reset()
    dry = run(*flags, "--dry-run", "--json", env=aws.env())
    assert dry.code == 0, dry.stderr
    estimate = dry.summary["requests"]
    aws.proxy.reset()
    real = run(*flags, "--json", env=aws.env())
    assert real.code == 0, real.stderr
    assert real.summary["partitions"]["compacted"] == len(parts)
    seen = aws.proxy.count_by_kind(ignore_glue=True)
    for kind in KINDS:
        assert abs(estimate[kind] - seen[kind]) <= 0.1 * seen[kind], f"{kind}: {estimate} {dict(seen)}"
