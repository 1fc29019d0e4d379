"""Compacting a table with no catalog (--table_path), in place and to a target: rows before ==
rows after (as multisets, read by DuckDB), file sizes near the target, originals deleted or
archived as asked, untouched partitions untouched."""

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from support.tables import (RowsSnapshot, TableSpec, data_files, partition_path, snapshot,
                            write_table)

KIB = 1024
TARGET_MB = 0.25  # 256 KiB: several output files per partition from ~1.7 MiB of small files


def three_level_partitions():
    return [{"year": "2023", "month": "05", "day": "01"},
            {"year": "2023", "month": "05", "day": "02"},
            {"year": "2023", "month": "06", "day": "01"}]


@pytest.fixture
def table(tmp_path):
    root = tmp_path / "events"
    parts = three_level_partitions()
    write_table(root, TableSpec(partitions=parts, files_per_partition=120, rows_per_file=250))
    return root, parts


def capture(root, parts):
    rows = RowsSnapshot()
    for p in parts:
        rows.capture(partition_path(p), data_files(root / partition_path(p)))
    return rows


def assert_sizes_near_target(files, target_bytes, tolerance=0.10):
    """Every file but the partition's smallest (its last) within tolerance of the target."""
    sizes = sorted(f.stat().st_size for f in files)
    for size in sizes[1:]:
        assert abs(size - target_bytes) <= tolerance * target_bytes, (
            f"{size} bytes is not within {tolerance:.0%} of {target_bytes}: {sizes}")


def test_in_place_with_delete_keeps_every_row_and_hits_the_target(run, table):
    root, parts = table
    rows = capture(root, parts)
    before = {partition_path(p): len(data_files(root / partition_path(p))) for p in parts}

    r = run("--table_path", root, "--target_file_size_mb", TARGET_MB,
            "--delete_original_files", "true", "--json")
    assert r.code == 0, r.stderr
    s = r.summary
    assert s["partitions"] == {"considered": 3, "compacted": 3, "copied": 0, "planned": 0,
                               "skipped": 0, "failed": 0, "deferred": 0}
    assert s["originals"] == "deleted"
    for p in parts:
        folder = root / partition_path(p)
        files = data_files(folder)
        rows.assert_same(partition_path(p), files)
        assert 3 <= len(files) < before[partition_path(p)] // 10
        assert_sizes_near_target(files, int(TARGET_MB * 1024 * KIB))
        # Nothing but the new files is left in the partition.
        assert sorted(x.name for x in folder.iterdir()) == sorted(f.name for f in files)
        # Row groups of a sensible size, not one per input file.
        for f in files:
            assert pq.ParquetFile(f).metadata.num_row_groups <= 8
    assert s["files"]["before"] == sum(before.values())
    assert s["files"]["after"] == sum(len(data_files(root / partition_path(p))) for p in parts)
    assert s["rows"]["rewritten"] == 3 * 120 * 250
    # The staging area is gone, and with nothing archived no _s3_compaction folder remains.
    assert not (root / "_s3_compaction").exists()


def test_in_place_without_delete_archives_the_originals(run, table):
    root, parts = table
    rows = capture(root, parts)
    originals = {partition_path(p): sorted(f.name for f in data_files(root / partition_path(p)))
                 for p in parts}
    r = run("--table_path", root, "--target_file_size_mb", TARGET_MB, "--json")
    assert r.code == 0, r.stderr
    s = r.summary
    assert s["originals"] == "archived"
    archive = Path(s["archive"])
    assert archive.is_relative_to(root / "_s3_compaction" / "archive")
    for p in parts:
        rel = partition_path(p)
        # Readers of the partition see each row once: only the new files are there ...
        new_files = data_files(root / rel)
        rows.assert_same(rel, new_files)
        assert not set(f.name for f in new_files) & set(originals[rel])
        # ... and every original is in the archive, untouched.
        archived = data_files(archive / rel)
        assert sorted(f.name for f in archived) == originals[rel]
        rows.assert_same(rel, archived)


def test_target_path_leaves_the_source_alone(run, table, tmp_path):
    root, parts = table
    rows = capture(root, parts)
    before = snapshot(root)
    target = tmp_path / "compacted"
    r = run("--table_path", root, "--target_s3_path", target, "--target_file_size_mb", TARGET_MB,
            "--json")
    assert r.code == 0, r.stderr
    assert r.summary["originals"] == "kept"
    assert snapshot(root) == before
    for p in parts:
        files = data_files(target / partition_path(p))
        rows.assert_same(partition_path(p), files)
        assert_sizes_near_target(files, int(TARGET_MB * 1024 * KIB))
    assert not (target / "_s3_compaction").exists()


def test_target_path_with_delete_removes_the_originals(run, table, tmp_path):
    root, parts = table
    rows = capture(root, parts)
    target = tmp_path / "compacted"
    r = run("--table_path", root, "--target_s3_path", target, "--target_file_size_mb", TARGET_MB,
            "--delete_original_files", "true")
    assert r.code == 0, r.stderr
    for p in parts:
        assert data_files(root / partition_path(p)) == []
        rows.assert_same(partition_path(p), data_files(target / partition_path(p)))


def test_target_path_refuses_a_folder_that_already_holds_files(run, table, tmp_path):
    """A target partition holding only what earlier runs wrote there is left alone (a bounded
    run's backlog, a retry after a partial failure); one holding anything else is refused."""
    root, parts = table
    target = tmp_path / "compacted"
    assert run("--table_path", root, "--target_s3_path", target, "--target_file_size_mb",
               TARGET_MB).code == 0
    before_target, before_source = snapshot(target), snapshot(root)
    again = run("--table_path", root, "--target_s3_path", target, "--target_file_size_mb",
                TARGET_MB, "--json")
    assert again.code == 0, again.stderr
    assert all(d["status"] == "skipped" and "already written to its target" in d["reason"]
               for d in again.summary["details"]), again.summary["details"]
    assert snapshot(target) == before_target and snapshot(root) == before_source
    foreign = target / partition_path(parts[0]) / "someone-elses.parquet"
    foreign.write_bytes((root / partition_path(parts[0])).glob("*.parquet").__next__().read_bytes())
    before_target = snapshot(target)
    r = run("--table_path", root, "--target_s3_path", target, "--target_file_size_mb", TARGET_MB)
    assert r.code == 4
    assert "already holds" in r.stdout
    assert snapshot(target) == before_target and snapshot(root) == before_source


def test_predicate_selects_partitions_and_leaves_the_rest_untouched(run, table):
    root, parts = table
    rows = capture(root, parts)
    untouched = snapshot(root / "year=2023" / "month=06")
    r = run("--table_path", root, "--partition_predicate", "year = '2023' AND month = 5",
            "--target_file_size_mb", TARGET_MB, "--delete_original_files", "true", "--json")
    assert r.code == 0, r.stderr
    assert r.summary["partitions"]["considered"] == 2
    assert sorted(d["partition"] for d in r.summary["details"]) == [
        "year=2023/month=05/day=01", "year=2023/month=05/day=02"]
    assert snapshot(root / "year=2023" / "month=06") == untouched
    for p in parts:
        rows.assert_same(partition_path(p), data_files(root / partition_path(p)))


def test_dry_run_changes_nothing_and_prints_the_plan(run, table):
    root, parts = table
    before = snapshot(root)
    r = run("--table_path", root, "--target_file_size_mb", TARGET_MB, "--dry-run",
            "--delete_original_files", "true")
    assert r.code == 0, r.stderr
    assert snapshot(root) == before
    assert not (root / "_s3_compaction").exists()
    assert "dry run" in r.stdout
    for p in parts:
        assert partition_path(p) in r.stdout
    assert "GET" in r.stdout and "DELETE" in r.stdout

    j = run("--table_path", root, "--target_file_size_mb", TARGET_MB, "--dry-run", "--json")
    assert j.code == 0
    s = j.summary
    assert s["dry_run"] is True and s["partitions"]["planned"] == 3
    assert s["requests"]["get"] >= 3 * 120  # each file read whole, once
    assert 1 <= s["requests"]["delete"] <= 10  # batched: 1,000 originals a request
    assert snapshot(root) == before


def test_files_near_the_target_are_left_alone(run, tmp_path):
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"p": "a"}], files_per_partition=40,
                                rows_per_file=250))
    big_spec = TableSpec(partitions=[{"p": "a"}], files_per_partition=1, rows_per_file=20000,
                         seed=99)
    big_root = tmp_path / "big"
    write_table(big_root, big_spec)
    big = data_files(big_root / "p=a")[0]
    big_copy = root / "p=a" / "zz-big.parquet"
    big_copy.write_bytes(big.read_bytes())
    big_stat = big_copy.stat()
    target_mb = big_stat.st_size / 0.8 / (1 << 20)  # the big file is 80% of the target
    rows = capture(root, [{"p": "a"}])
    r = run("--table_path", root, "--target_file_size_mb", round(target_mb, 4),
            "--delete_original_files", "true", "--json")
    assert r.code == 0, r.stderr
    d = r.summary["details"][0]
    assert d["input_files"] == 40 and d["output_files"] == 1
    assert big_copy.stat().st_mtime_ns == big_stat.st_mtime_ns
    rows.assert_same("p=a", data_files(root / "p=a"))


def test_min_input_files_and_already_compact_partitions_are_skipped(run, tmp_path):
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"p": "one"}], files_per_partition=1))
    write_table(root, TableSpec(partitions=[{"p": "many"}], files_per_partition=30, seed=3))
    before_one = snapshot(root / "p=one")
    r = run("--table_path", root, "--json")
    assert r.code == 0, r.stderr
    by_name = {d["partition"]: d for d in r.summary["details"]}
    assert by_name["p=one"]["status"] == "skipped"
    assert "--min_input_files" in by_name["p=one"]["reason"]
    assert by_name["p=many"]["status"] == "compacted"
    assert snapshot(root / "p=one") == before_one

    r = run("--table_path", root, "--json", "--min_input_files", "100")
    assert r.summary["partitions"]["skipped"] == 2


def test_parallelism_does_not_change_the_rows(run, tmp_path):
    for parallelism in ("1", "4"):
        root = tmp_path / f"t{parallelism}"
        parts = [{"k": str(i)} for i in range(6)]
        write_table(root, TableSpec(partitions=parts, files_per_partition=25))
        rows = capture(root, parts)
        r = run("--table_path", root, "--parallelism", parallelism, "--target_file_size_mb",
                "0.0625", "--delete_original_files", "true")
        assert r.code == 0, r.stderr
        for p in parts:
            rows.assert_same(partition_path(p), data_files(root / partition_path(p)))


def test_large_partition_splits_into_parallel_groups_with_sizes_on_target(run, tmp_path):
    # ~3.5 MiB of output at a 64 KiB target is ~55 files: more than one group of 20 targets.
    root = tmp_path / "t"
    write_table(root, TableSpec(partitions=[{"p": "big"}], files_per_partition=350,
                                rows_per_file=300, nested=False))
    rows = capture(root, [{"p": "big"}])
    r = run("--table_path", root, "--target_file_size_mb", "0.0625",
            "--delete_original_files", "true", "--json")
    assert r.code == 0, r.stderr
    files = data_files(root / "p=big")
    rows.assert_same("p=big", files)
    assert len(files) > 20
    assert_sizes_near_target(files, 64 * KIB)
    groups = {f.name.split("-")[1] for f in files}
    assert len(groups) > 1, "expected several groups written in parallel"
