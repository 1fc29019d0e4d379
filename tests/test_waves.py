"""Waves (--wave_files): a run over more input files than a wave holds plans, journals and commits
one wave of partitions at a time, each wave's plan written (plan.json, then plan-<k>.json) before
that wave's first visible change, and its records in its own batch objects (b-<k>-<n>.json). A
crash in any wave leaves the waves before it finished, the one it was in recoverable, and the
ones after it untouched; recovery and the next run finish the job with every row once.

The tables here are small and --wave_files smaller still, so that a few partitions make several
waves; tests/test_request_estimate.py holds --dry-run's estimate of a run in waves to what S3
sees, and the benchmark bench/scale.py measures what waves bound (memory, the largest journal
object) on a million files."""

import json
import signal
from pathlib import Path

import pytest

from support.paused_run import PausedRun
from support.tables import RowsSnapshot, TableSpec, data_files, partition_path, tool_files, write_table

KILLED = -signal.SIGKILL
PARTS = [{"day": f"{d:02d}"} for d in range(1, 7)]
FILES = 3
WAVE = 6  # input files a wave: two partitions, so six partitions are three waves


def make_table(root: Path) -> RowsSnapshot:
    write_table(root, TableSpec(partitions=PARTS, files_per_partition=FILES, rows_per_file=40,
                                nested=False))
    rows = RowsSnapshot()
    for p in PARTS:
        rows.capture(partition_path(p), data_files(root / partition_path(p)))
    return rows


def flags(root, *more):
    return ["--table_path", root, "--target_file_size_mb", 1, "--delete_original_files", "true",
            "--wave_files", WAVE, *more]


def files_per_partition(root: Path) -> list[int]:
    return [len(data_files(root / partition_path(p))) for p in PARTS]


def assert_rows(root: Path, rows: RowsSnapshot):
    for p in PARTS:
        rows.assert_same(partition_path(p), data_files(root / partition_path(p)))


def assert_whole(root: Path, rows: RowsSnapshot):
    assert_rows(root, rows)
    assert tool_files(root) == []


def assert_next_run_finishes(run, root: Path, rows: RowsSnapshot):
    again = run(*flags(root, "--json"))
    assert again.code == 0, again.stderr
    assert files_per_partition(root) == [1] * len(PARTS)
    assert_whole(root, rows)


def test_a_table_of_several_waves_is_compacted_whole(run, tmp_path):
    root = tmp_path / "events"
    rows = make_table(root)
    r = run(*flags(root, "--json", "--verbose"))
    assert r.code == 0, r.stderr
    assert "6 partition(s) in 3 waves of at most 6 input files" in r.stderr, r.stderr
    statuses = [d["status"] for d in r.summary["details"]]
    assert statuses == ["compacted"] * len(PARTS), r.summary["details"]
    assert [d["partition"] for d in r.summary["details"]] == [partition_path(p) for p in PARTS]
    assert files_per_partition(root) == [1] * len(PARTS)
    assert_whole(root, rows)


def test_a_table_past_a_wave_is_never_held_whole_and_links_stay_alone(run, tmp_path):
    """Past a wave's files, discovery keeps each partition's count only and each wave lists its
    own partitions again (one LIST each): what a run holds stays a wave's, however large the
    table (bench/scale.py measures it). Listed again, a file that is a symbolic link is still
    someone else's: left alone, and so is what it points at."""
    outside = tmp_path / "outside.parquet"
    make_table(tmp_path / "donor")
    outside.write_bytes(data_files(tmp_path / "donor" / partition_path(PARTS[0]))[0].read_bytes())
    before = outside.read_bytes()
    counts = {}
    for wave in (WAVE, 1000):
        root = tmp_path / f"events-{wave}"
        rows = make_table(root)
        link = root / partition_path(PARTS[0]) / "linked.parquet"
        link.symlink_to(outside)
        r = run("--table_path", root, "--target_file_size_mb", 1, "--delete_original_files",
                "true", "--wave_files", wave, "--json")
        assert r.code == 0, r.stderr
        assert any("symbolic links, left untouched" in n for n in r.summary["notes"]), r.summary
        assert link.is_symlink() and outside.read_bytes() == before
        link.unlink()
        assert files_per_partition(root) == [1] * len(PARTS)
        assert_whole(root, rows)
        counts[wave] = r.summary["requests"]["list"]
    # The partitions of the run in waves were listed once more each, and only that.
    assert counts[WAVE] == counts[1000] + len(PARTS), counts


def test_one_wave_by_default_and_with_a_limit(run, tmp_path):
    root = tmp_path / "events"
    rows = make_table(root)
    r = run("--table_path", root, "--target_file_size_mb", 1, "--delete_original_files", "true",
            "--verbose")
    assert r.code == 0, r.stderr
    assert "waves" not in r.stderr
    # A limit chooses among every partition: the run is one wave whatever --wave_files says.
    root2 = tmp_path / "limited"
    make_table(root2)
    r = run(*flags(root2, "--max_partitions", 5, "--verbose", "--json"))
    assert r.code == 0, r.stderr
    assert "waves" not in r.stderr
    assert sorted(files_per_partition(root2)) == [1] * 5 + [FILES]
    assert_whole(root, rows)


def test_each_wave_journals_its_plan_before_its_first_change(binary, tmp_path):
    """Paused once the second wave's plan is written: the first wave is finished (its
    partitions compacted, its plan and batch records still in the journal), the second's plan
    names its own partitions only, and the third's partitions are untouched."""
    root = tmp_path / "events"
    rows = make_table(root)
    paused = PausedRun(binary, flags(root), "after_plan@2", tmp_path / "fifo")
    try:
        paused.wait_paused()
        runs = list((root / "_s3_compaction" / "runs").iterdir())
        assert len(runs) == 1
        names = sorted(f.name for f in runs[0].iterdir())
        assert "plan.json" in names and "plan-000001.json" in names, names
        assert not any(n.startswith("plan-000002") for n in names), names
        assert any(n.startswith("b-000000-") for n in names), names  # the first wave's batch
        first = json.loads((runs[0] / "plan.json").read_text())
        second = json.loads((runs[0] / "plan-000001.json").read_text())
        assert [p["path"] for p in first["partitions"]] == ["day=01", "day=02"]
        assert [p["path"] for p in second["partitions"]] == ["day=03", "day=04"]
        assert {k: v for k, v in first.items() if k != "partitions"} == \
               {k: v for k, v in second.items() if k != "partitions"}
        assert files_per_partition(root) == [1, 1, FILES, FILES, FILES, FILES]
        code, _, err = paused.resume()
    finally:
        paused.kill()
    assert code == 0, err
    assert files_per_partition(root) == [1] * len(PARTS)
    assert_whole(root, rows)


def test_a_wave_whose_plan_cannot_be_written_is_left_as_it_was(binary, run, tmp_path):
    """The first wave commits; the second wave's plan cannot be written (a folder stands where
    its temporary file goes): that wave's partitions, and the third's, fail untouched, the run
    says so (exit 4, the summary keeps the first wave's work), and the next run finishes."""
    root = tmp_path / "events"
    rows = make_table(root)
    paused = PausedRun(binary, flags(root, "--json"), "after_plan", tmp_path / "fifo")
    try:
        paused.wait_paused()
        run_dir = next((root / "_s3_compaction" / "runs").iterdir())
        (run_dir / "plan-000001.json.tmp").mkdir()
        code, out, err = paused.resume()
    finally:
        paused.kill()
    assert code == 4, err
    details = {d["partition"]: d for d in json.loads(out)["details"]}
    assert [details[f"day=0{d}"]["status"] for d in range(1, 7)] == \
           ["compacted"] * 2 + ["failed"] * 4, details
    assert "its wave's plan could not be journaled" in details["day=03"]["reason"]
    assert files_per_partition(root) == [1, 1] + [FILES] * 4
    assert_rows(root, rows)
    assert_next_run_finishes(run, root, rows)


# Points reached once a wave (the plan) or once a batch (a wave here is one batch), except
# mid_publish (once a partition) and mid_remove (twice a batch: the first originals, then the
# rest): each of these is the second wave's, or (after_plan@3) the third's.
@pytest.mark.parametrize("point", ["after_plan@2", "before_publish@2", "mid_publish@3",
                                   "after_publish@2", "mid_remove@3", "after_remove@2",
                                   "after_plan@3"])
def test_a_crash_in_a_later_wave_is_recovered(run, tmp_path, point):
    root = tmp_path / "events"
    rows = make_table(root)
    crashed = run(*flags(root), env={"S3C_FAULT_POINT": point})
    assert crashed.code == KILLED, crashed.stderr
    done = files_per_partition(root)
    assert done[:2] == [1, 1], done  # the first wave was finished before the crash
    if point != "after_plan@3":
        assert done[4:] == [FILES, FILES], done  # the last was never begun
    r = run("recover", "--table_path", root, "--json")
    assert r.code == 0, r.stderr
    # Nothing of the run is left, and no partition holds a row twice or lost one.
    assert_whole(root, rows)
    assert_next_run_finishes(run, root, rows)


@pytest.mark.s3_stores
@pytest.mark.parametrize("point", ["after_publish@2", "mid_remove@3"])
def test_a_crash_in_a_later_wave_is_recovered_on_s3(run, aws, bucket, tmp_path, point):
    local = tmp_path / "src"
    rows = make_table(local)
    aws.s3.upload_tree(local, bucket, "events")
    uri = f"s3://{bucket}/events"
    crashed = run(*flags(uri), env=aws.env(S3C_FAULT_POINT=point))
    assert crashed.code == KILLED, crashed.stderr
    r = run("recover", "--table_path", uri, "--json", env=aws.env())
    assert r.code == 0, r.stderr
    again = run(*flags(uri, "--json"), env=aws.env())
    assert again.code == 0, again.stderr
    for p in PARTS:
        prefix = f"events/{partition_path(p)}/"
        files = aws.s3.download_prefix(bucket, prefix, tmp_path / "check" / prefix)
        assert len(files) == 1, files
        rows.assert_same(partition_path(p), files)
    assert [k for k in aws.s3.objects(bucket) if "_s3_compaction" in k] == []
