"""Runs that fit a window (--max_partitions, --max_input_gb, --max_runtime_minutes): a backlog is
cleared over several bounded runs, each within its limit, the most beneficial partitions first,
with exit 0, what is left reported as `remaining`, and every partition's rows intact (DuckDB,
as multisets) after every run."""

import signal
from pathlib import Path

import pytest

from support.tables import RowsSnapshot, TableSpec, data_files, partition_path, write_table

# Six partitions; the number of files differs, so benefit (small files removed per byte read)
# orders them: more, smaller files first.
FILES = {"0": 6, "1": 30, "2": 12, "3": 24, "4": 18, "5": 36}


def make_backlog(root: Path):
    rows = RowsSnapshot()
    for value, files in FILES.items():
        # Same total rows per partition, cut into more or fewer files.
        write_table(root, TableSpec(partitions=[{"d": value}], files_per_partition=files,
                                    rows_per_file=3600 // files, seed=int(value)))
        rows.capture(value, data_files(root / f"d={value}"))
    return rows


def assert_rows(root: Path, rows: RowsSnapshot):
    for value in FILES:
        rows.assert_same(value, data_files(root / f"d={value}"))


def compacted(summary) -> list[str]:
    return sorted(p["partition"] for p in summary["details"] if p["status"] == "compacted")


def deferred(summary) -> dict:
    return {p["partition"]: p for p in summary["details"] if p["status"] == "deferred"}


def assert_remaining_adds_up(summary):
    left = deferred(summary)
    assert summary["remaining"] == {
        "partitions": len(left),
        "files": sum(p["input_files"] for p in left.values()),
        "bytes": sum(p["input_bytes"] for p in left.values()),
    }, summary["remaining"]
    assert summary["partitions"]["deferred"] == len(left)
    for p in left.values():  # left exactly as they were
        assert p["files_after"] == p["files_before"] and p["bytes_after"] == p["bytes_before"]


def test_max_partitions_clears_a_backlog_in_three_runs_best_first(run, tmp_path):
    root = tmp_path / "t"
    rows = make_backlog(root)
    order = []
    for expected_left in (4, 2, 0):
        r = run("--table_path", root, "--max_partitions", 2, "--delete_original_files", "true",
                "--json")
        assert r.code == 0, r.stderr
        assert len(compacted(r.summary)) == 2, r.summary["details"]
        assert r.summary["remaining"]["partitions"] == expected_left
        assert r.summary["limits"] == ["--max_partitions 2"]
        assert_remaining_adds_up(r.summary)
        assert all("--max_partitions 2 reached" in p["reason"] for p in deferred(r.summary).values())
        order += compacted(r.summary)
        assert_rows(root, rows)
        assert not list((root / "_s3_compaction").glob("runs/*"))  # nothing left half done
    # Most small files per byte first: every partition has the same rows, so the most files.
    by_benefit = sorted(FILES, key=lambda v: -FILES[v])
    assert [sorted(order[i:i + 2]) for i in (0, 2, 4)] == \
        [sorted(f"d={v}" for v in by_benefit[i:i + 2]) for i in (0, 2, 4)]
    done = run("--table_path", root, "--max_partitions", 2, "--json")
    assert done.code == 0 and compacted(done.summary) == [] and done.summary["remaining"] == \
        {"partitions": 0, "files": 0, "bytes": 0}
    for value in FILES:
        assert len(data_files(root / f"d={value}")) == 1


def test_max_input_gb_keeps_each_run_within_its_bytes(run, tmp_path):
    root = tmp_path / "t"
    rows = make_backlog(root)
    sizes = {v: sum(f.stat().st_size for f in data_files(root / f"d={v}")) for v in FILES}
    # Less than a third of the backlog (so three runs at least), more than any one partition.
    limit_bytes = sum(sizes.values()) // 3
    assert limit_bytes > max(sizes.values())
    limit_gb = limit_bytes / 2**30
    runs = 0
    while True:
        r = run("--table_path", root, "--max_input_gb", f"{limit_gb:.12f}",
                "--delete_original_files", "true", "--json")
        assert r.code == 0, r.stderr
        runs += 1
        assert r.summary["bytes"]["rewritten"] <= limit_bytes
        assert_remaining_adds_up(r.summary)
        assert_rows(root, rows)
        if r.summary["remaining"]["partitions"] == 0:
            break
        assert compacted(r.summary), "a bounded run made no progress"
        assert runs < 6
    assert 3 <= runs <= 6, runs
    for value in FILES:
        assert len(data_files(root / f"d={value}")) == 1


def test_a_partition_larger_than_the_byte_limit_is_left_with_a_note(run, tmp_path):
    root = tmp_path / "t"
    rows = make_backlog(root)
    smallest = min(sum(f.stat().st_size for f in data_files(root / f"d={v}")) for v in FILES)
    r = run("--table_path", root, "--max_input_gb", f"{smallest / 2 / 2**30:.12f}", "--json")
    assert r.code == 0, r.stderr
    assert compacted(r.summary) == [] and r.summary["remaining"]["partitions"] == 6
    assert any("6 partition(s) would read more than --max_input_gb" in n
               for n in r.summary["notes"]), r.summary["notes"]
    assert_rows(root, rows)


@pytest.mark.parametrize("parallelism", [1, 2])
def test_max_runtime_starts_no_new_partition_once_the_time_is_up(run, tmp_path, parallelism):
    """A limit already past when the first partition could start: that one always starts (every
    run makes progress), nothing else does; the partitions run best first."""
    root = tmp_path / "t"
    rows = make_backlog(root)
    for expected_left in range(5, -1, -1):
        r = run("--table_path", root, "--max_runtime_minutes", "0.000001", "--parallelism",
                parallelism, "--delete_original_files", "true", "--json")
        assert r.code == 0, r.stderr
        assert_rows(root, rows)
        assert_remaining_adds_up(r.summary)
        assert r.summary["remaining"]["partitions"] == expected_left
        assert len(compacted(r.summary)) == 1
        assert all("--max_runtime_minutes 1e-06 reached" in p["reason"]
                   for p in deferred(r.summary).values())
        if expected_left == 5:
            assert compacted(r.summary) == ["d=5"]  # 36 files: the most benefit


def test_a_dry_run_shows_what_a_bounded_run_would_leave(run, tmp_path):
    root = tmp_path / "t"
    make_backlog(root)
    r = run("--table_path", root, "--max_partitions", 1, "--dry-run")
    assert r.code == 0, r.stderr
    assert "1 to compact" in r.stdout and "5 deferred" in r.stdout, r.stdout
    assert "remaining   5 partition(s)" in r.stdout and "--max_partitions 1" in r.stdout


def test_a_crash_in_a_bounded_run_is_recovered(run, tmp_path):
    root = tmp_path / "t"
    rows = make_backlog(root)
    crashed = run("--table_path", root, "--max_partitions", 2, "--delete_original_files", "true",
                  env={"S3C_FAULT_POINT": "mid_remove"})
    assert crashed.code == -signal.SIGKILL
    r = run("--table_path", root, "--max_partitions", 2, "--delete_original_files", "true",
            "--json")
    assert r.code == 0, r.stderr
    assert r.summary["recovered"], r.summary
    assert_rows(root, rows)


@pytest.mark.parametrize("flag,value,message", [
    ("--max_partitions", "-1", "--max_partitions"),
    ("--max_input_gb", "nan", "--max_input_gb: not a number"),
    ("--max_runtime_minutes", "-5", "--max_runtime_minutes"),
    ("--max_runtime_minutes", "nan", "--max_runtime_minutes: not a number"),
])
def test_absurd_limits_are_usage_errors(run, tmp_path, flag, value, message):
    root = tmp_path / "t"
    make_backlog(root)
    r = run("--table_path", root, flag, value)
    assert r.code == 2 and message in r.stderr, r.stderr


def test_a_backlog_written_to_a_target_clears_over_bounded_runs(run, tmp_path):
    """Partitions an earlier bounded run wrote to the target are left alone (not refused as a
    target holding other files): each run exits 0 and the backlog clears."""
    root, target = tmp_path / "t", tmp_path / "out"
    rows = make_backlog(root)
    for expected_left in (4, 2, 0):
        r = run("--table_path", root, "--target_s3_path", target, "--max_partitions", 2, "--json")
        assert r.code == 0, r.stderr
        assert len(compacted(r.summary)) == 2 and r.summary["partitions"]["failed"] == 0
        assert r.summary["remaining"]["partitions"] == expected_left
    for value in FILES:
        rows.assert_same(value, data_files(target / f"d={value}"))
        rows.assert_same(value, data_files(root / f"d={value}"))  # originals kept
    again = run("--table_path", root, "--target_s3_path", target, "--json")
    assert again.code == 0, again.stderr
    assert all(p["status"] == "skipped" and "already written to its target" in p["reason"]
               for p in again.summary["details"]), again.summary["details"]


def test_tiny_limits_are_reported_as_given(run, tmp_path):
    root = tmp_path / "t"
    make_backlog(root)
    r = run("--table_path", root, "--max_input_gb", "1e-7", "--max_runtime_minutes", "0.0000001",
            "--dry-run", "--json")
    assert r.code == 0, r.stderr
    assert r.summary["limits"] == ["--max_runtime_minutes 1e-07", "--max_input_gb 1e-07"]
