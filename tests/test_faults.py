"""Faults injected by the proxy between the tool and moto (S3 and Glue): each run either completes
correctly after retries, or fails cleanly, and then a run without faults finishes the job. In
every case the rows of every partition equal the rows before, and nothing of the tool's own is
left behind. Also: a DeleteObjects that refuses a few keys, and --dry-run, counted at the proxy
(in path mode also in front of SeaweedFS)."""

from dataclasses import dataclass
from pathlib import Path

import pytest

from support.glue import partitions, register_table
from support.tables import RowsSnapshot, TableSpec, data_files, events_schema, partition_path, write_table

DB = "faults"
TARGET = 0.125
PARTS = [{"year": "2023", "month": "05"}, {"year": "2023", "month": "06"}]
P0 = partition_path(PARTS[0])
WRITES = {"PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "UploadPart",
          "CreateMultipartUpload", "CompleteMultipartUpload", "BatchUpdatePartition",
          "UpdatePartition", "UpdateTable", "CreateTable", "CreatePartition"}


@pytest.fixture
def table(aws, bucket, tmp_path):
    local = tmp_path / "src"
    write_table(local, TableSpec(partitions=PARTS, files_per_partition=30, rows_per_file=250))
    rows = RowsSnapshot()
    for p in PARTS:
        rows.capture(partition_path(p), data_files(local / partition_path(p)))
    aws.s3.upload_tree(local, bucket, "warehouse/events")
    name = "events_" + bucket.replace("-", "_")[-12:]
    if aws.glue:  # not on SeaweedFS, which has no Glue
        register_table(aws.glue, DB, name, bucket, "warehouse/events", events_schema(), PARTS)
    return name, rows


def glue_flags(name, *extra):
    return ["--database_name", DB, "--table_name", name, "--target_file_size_mb", TARGET,
            "--delete_original_files", "true", "--json", *extra]


def assert_rows(aws, bucket, rows, where: Path, duplicates_allowed: bool = False):
    """Every partition's folder holds exactly its rows before, as a reader sees it (or, with
    duplicates_allowed, at least them)."""
    for p in PARTS:
        prefix = f"warehouse/events/{partition_path(p)}/"
        files = aws.s3.download_prefix(bucket, prefix, where / prefix)
        if duplicates_allowed:
            rows.assert_none_missing(partition_path(p), files)
        else:
            rows.assert_same(partition_path(p), files)


def assert_whole(aws, bucket, rows, tmp_path):
    assert_rows(aws, bucket, rows, tmp_path)
    assert [k for k in aws.s3.objects(bucket) if "_s3_compaction" in k] == []


def arm(aws, operation, kind, times):
    from support.aws_proxy import Fault

    aws.proxy.faults.append(Fault(operation, kind, times))


@dataclass(frozen=True)
class Outcome:
    codes: tuple  # the exit codes the run may end with
    why: str      # where the fault lands, and what that costs
    says: str = ""  # text the run's output must contain


def must_succeed(operation, kind, times):
    """A fault the retries absorb: the run must succeed."""
    return pytest.param(operation, kind, times, Outcome((0,), "retried"),
                        id=f"{operation}-{kind}-{times}")


def may_fail(operation, kind, times, codes, why, says=""):
    """A fault that may outlast the retries. Never exit 1: that is an internal error
    (src/cli/exit_code.h), and an injected storage fault is an expected failure."""
    assert 1 not in codes, (operation, kind, times)
    return pytest.param(operation, kind, times, Outcome(codes, why, says),
                        id=f"{operation}-{kind}-{times}")


MUST_SUCCEED = [must_succeed(*case) for case in [
    ("GetObject", "throttle", 2), ("GetObject", "server_error", 1), ("GetObject", "slow", 1),
    ("PutObject", "throttle", 2), ("PutObject", "server_error", 1), ("PutObject", "reset", 1),
    ("CopyObject", "throttle", 2), ("CopyObject", "reset", 1),
    ("DeleteObjects", "throttle", 2), ("DeleteObjects", "server_error", 1),
    ("ListObjects", "throttle", 1), ("ListObjects", "slow", 1),
    ("GetTable", "throttle", 3), ("GetTable", "truncated", 1), ("GetTable", "reset", 1),
    ("GetPartitions", "throttle", 2), ("GetPartitions", "truncated", 1),
    ("BatchUpdatePartition", "throttle", 2), ("BatchUpdatePartition", "slow", 1),
]]
# Where a fault lands follows from the order of a run's requests: the first ListObjects looks
# for the journal and the first PutObject creates the lease, both before any partition starts,
# so a failure there is a run that could not start (3). The first GetObject reads an input's
# footer, CopyObject publishes a staged output and DeleteObjects removes staged copies and
# originals: a failure there fails that partition, left as it was or finished by the next run (4).
# A single fault is retried (0) or costs that much; GIVE_UP in a row outlast the retry budget of
# the requests they hit: these runs set the standard AWS_MAX_ATTEMPTS to ATTEMPTS (the default, 8,
# would spend a minute in back-off for the same outcome).
GIVE_UP, ATTEMPTS = 12, 3
MAY_FAIL = [
    may_fail("GetObject", "truncated", 1, (0, 4), "an input read: retried, or its partition fails"),
    may_fail("GetObject", "reset", 1, (0, 4), "an input read: retried, or its partition fails"),
    may_fail("ListObjects", "truncated", 1, (0, 3),
             "the journal's listing at the start: retried, or the run cannot start"),
    may_fail("PutObject", "truncated", 1, (0, 3),
             "the lease's creation: retried, or the run cannot start"),
    may_fail("DeleteObjects", "reset", 1, (0, 4),
             "removing staged copies or originals: retried, or the partition fails and the "
             "journal keeps what is left for the next run"),
    may_fail("CopyObject", "truncated", 1, (0, 4),
             "publishing an output: retried, or its partition is rolled back"),
    may_fail("GetObject", "throttle", GIVE_UP, (4,), "the first input reads give up: their partitions "
             "fail, each left as it was", says="SlowDown"),
    may_fail("PutObject", "server_error", GIVE_UP, (3,),
             "the lease cannot be created: the run cannot start", says="lease.json"),
    may_fail("DeleteObjects", "server_error", GIVE_UP, (4,), "staged copies and originals cannot be "
             "removed: the partitions fail, the journal keeps them for the next run",
             says="InternalError"),
    may_fail("BatchUpdatePartition", "server_error", GIVE_UP, (0,),
             "in place the files are right whatever the catalog says: statistics not updated "
             "are a note, not a failure", says="not updated in the catalog"),
]


@pytest.mark.parametrize("operation,kind,times,outcome", MUST_SUCCEED + MAY_FAIL)
def test_a_fault_is_retried_or_fails_cleanly(run, aws, bucket, table, tmp_path, operation, kind,
                                             times, outcome):
    name, rows = table
    arm(aws, operation, kind, times)
    attempts = {"AWS_MAX_ATTEMPTS": str(ATTEMPTS)} if times >= GIVE_UP else {}
    r = run(*glue_flags(name), env=aws.env(**attempts))
    hits = sum(f.hits for f in aws.proxy.faults)
    assert hits > 0, f"the fault never fired: {aws.proxy.count()}"
    assert r.code in outcome.codes, f"expected {outcome.codes} ({outcome.why}): {r.stderr}"
    assert outcome.says in r.stdout + r.stderr, r.stdout + r.stderr
    if r.code != 0:
        # One clear line per problem; no stack traces, no half sentences.
        assert r.stderr.strip() and "Traceback" not in r.stderr
    aws.proxy.faults.clear()
    if r.code != 0:
        again = run(*glue_flags(name), env=aws.env())
        assert again.code == 0, again.stderr
    assert_whole(aws, bucket, rows, tmp_path)


def test_a_delete_applied_but_unanswered_is_a_conflict_never_an_undo(run, aws, bucket, table,
                                                                      tmp_path):
    """The DeleteObjects that removes a partition's originals reaches S3 and is applied, but
    every answer is lost (the connection drops mid-answer, on every attempt). The run cannot
    tell whether it removed them, so it must not undo the publish (the outputs are then the
    only copy of those rows): the partition fails, its outputs and journal are kept, and the
    next run settles it by content. Readers never miss a row; until the next run they see the
    rows of the originals still there twice (docs/ARCHITECTURE.md, the commit's removal step)."""
    from support.aws_proxy import Fault

    name, rows = table
    first_original = f"warehouse/events/{P0}/part-00000.parquet"
    aws.proxy.faults.append(Fault("DeleteObjects", "truncated", 99, matching=first_original))
    r = run(*glue_flags(name), env=aws.env(AWS_MAX_ATTEMPTS="2"))
    assert sum(f.hits for f in aws.proxy.faults) >= 2, aws.proxy.count()
    assert r.code == 4, r.stderr
    # One DeleteObjects may carry the originals of both partitions: each it carried fails.
    failed = [d["partition"] for d in r.summary["details"] if d["status"] == "failed"]
    assert P0 in failed, r.summary["details"]
    assert first_original not in aws.s3.objects(bucket)  # the delete was applied
    assert_rows(aws, bucket, rows, tmp_path / "after-failed-run", duplicates_allowed=True)
    assert [k for k in aws.s3.objects(bucket) if "/_s3_compaction/runs/" in k]  # kept

    aws.proxy.faults.clear()
    again = run(*glue_flags(name), env=aws.env())
    assert again.code == 0, again.stderr
    for partition in failed:
        assert any(partition in line for line in again.summary["recovered"]), again.summary
    assert_whole(aws, bucket, rows, tmp_path)


def test_a_publish_copy_applied_but_unanswered_is_undone_with_the_rest(run, aws, bucket, table,
                                                                       tmp_path):
    """The CopyObject that publishes an output into a partition is applied by S3, but every
    answer is lost. The run rolls the partition back, and that must remove the copy it cannot
    confirm too: left beside the originals it would double their rows for every reader."""
    from support.aws_proxy import Fault

    name, rows = table
    aws.proxy.faults.append(Fault("CopyObject", "truncated", 99, matching=f"/{P0}/"))
    r = run(*glue_flags(name), env=aws.env(AWS_MAX_ATTEMPTS="2"))
    assert sum(f.hits for f in aws.proxy.faults) >= 2, aws.proxy.count()
    assert r.code == 4, r.stderr
    failed = [d for d in r.summary["details"] if d["status"] == "failed"]
    assert [d["partition"] for d in failed] == [P0], r.summary["details"]
    assert_rows(aws, bucket, rows, tmp_path / "after-failed-run")

    aws.proxy.faults.clear()
    again = run(*glue_flags(name), env=aws.env())
    assert again.code == 0, again.stderr
    assert_whole(aws, bucket, rows, tmp_path)


def test_originals_a_delete_refuses_are_finished_by_the_next_run(run, aws, bucket, table,
                                                                  tmp_path):
    name, rows = table
    aws.proxy.deny_delete_keys = {f"{P0}/part-00028.parquet", f"{P0}/part-00029.parquet"}
    r = run(*glue_flags(name), env=aws.env())
    assert r.code == 4, r.stderr
    failed = [d for d in r.summary["details"] if d["status"] == "failed"]
    assert [d["partition"] for d in failed] == [P0]
    assert "2 original(s) could not be removed" in failed[0]["reason"]
    assert "AccessDenied" in failed[0]["reason"] or "denied" in failed[0]["reason"].lower()
    # The journal keeps them for the next run.
    assert [k for k in aws.s3.objects(bucket) if "/_s3_compaction/runs/" in k]
    outputs = {k: v for k, v in aws.s3.objects(bucket, f"warehouse/events/{P0}/").items()
               if "part-00028" not in k and "part-00029" not in k}

    aws.proxy.reset()
    again = run(*glue_flags(name), env=aws.env())
    assert again.code == 0, again.stderr
    assert any(f"partition {P0}: rolled forward; 2 original(s) deleted" in line
               for line in again.summary["recovered"]), again.summary
    # Nothing was rewritten: the outputs are the same objects, and no data was uploaded.
    assert aws.s3.objects(bucket, f"warehouse/events/{P0}/") == outputs
    assert [s for s in aws.proxy.seen if s.operation in ("PutObject", "CopyObject")
            and ".parquet" in s.path] == []
    assert_whole(aws, bucket, rows, tmp_path)


def dry_run_writes_nothing(run, aws, bucket, where):
    before = aws.s3.objects(bucket)
    aws.proxy.reset()
    r = run(*where, "--target_file_size_mb", TARGET, "--delete_original_files", "true",
            "--dry-run", "--json", env=aws.env())
    assert r.code == 0, r.stderr
    counts = aws.proxy.count()
    assert sum(counts.values()) > 0
    assert not (set(counts) & WRITES), counts
    assert aws.s3.objects(bucket) == before


def test_dry_run_sends_no_write_copy_or_delete(run, aws, bucket, table):
    name, _ = table
    parts_before = partitions(aws.glue, DB, name)
    dry_run_writes_nothing(run, aws, bucket, ["--database_name", DB, "--table_name", name])
    assert partitions(aws.glue, DB, name) == parts_before


@pytest.mark.s3_stores
def test_dry_run_in_path_mode_sends_no_write_copy_or_delete(run, aws, bucket, table):
    dry_run_writes_nothing(run, aws, bucket, ["--table_path", f"s3://{bucket}/warehouse/events"])
