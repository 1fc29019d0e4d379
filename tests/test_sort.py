"""--sort_by: each compacted partition's rows sorted as a whole, across its output files, in
bounded memory (an external merge sort spilling under --spill_path). Checked with DuckDB: the
rows read back in file order are in the spec's order, consecutive files' leading-key ranges do
not overlap, and the multiset of rows is the inputs'. The spill is gone on every exit path."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from support.tables import RowsSnapshot, data_files

KILLED = -signal.SIGKILL
TARGET = "0.25"  # MiB: several output files per partition


def write_partition(folder: Path, files: int, rows: int, seed: int):
    """Unsorted rows: a random id, a string with many repeats, a nullable int, a struct."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i:04d}" for i in range(500)])
    for i in range(files):
        k = rng.integers(-50, 50, rows)
        t = pa.table({
            "id": pa.array(rng.integers(0, 2**40, rows)),
            "w": pa.array(words[rng.integers(0, len(words), rows)]),
            "k": pa.array(k, mask=rng.random(rows) < 0.1),
            "s": pa.StructArray.from_arrays(
                [pa.array(rng.integers(0, 1000, rows)), pa.array(rng.random(rows))], ["a", "b"]),
        })
        pq.write_table(t, folder / f"part-{i:05d}.parquet")


def make_table(root: Path, partitions=("p=1", "p=2"), files=30, rows=3000) -> RowsSnapshot:
    snapshot = RowsSnapshot()
    for n, part in enumerate(partitions):
        write_partition(root / part, files, rows, seed=n)
        snapshot.capture(part, data_files(root / part))
    return snapshot


def output_files(folder: Path) -> list[Path]:
    """The partition's files in the order the run wrote them (c000, c001, ...)."""
    return sorted(data_files(folder), key=lambda p: p.name)


def quoted(files) -> str:
    return "[" + ", ".join(f"'{f}'" for f in files) + "]"


def assert_sorted(folder: Path, order_by: str, key_expr: str):
    """Read in file order, the key column is exactly what ORDER BY gives."""
    files = output_files(folder)
    con = duckdb.connect()
    got = con.execute(f"SELECT {key_expr} FROM read_parquet({quoted(files)})").fetchall()
    want = con.execute(f"SELECT {key_expr} FROM read_parquet({quoted(files)}) "
                       f"ORDER BY {order_by}").fetchall()
    assert got == want, f"{folder}: not in the order {order_by}"
    return files


def leading_ranges(files, column) -> list[tuple]:
    out = []
    for f in files:
        md = pq.ParquetFile(f).metadata
        idx = [md.schema.column(i).path for i in range(md.num_columns)].index(column)
        stats = [md.row_group(r).column(idx).statistics for r in range(md.num_row_groups)]
        out.append((min(s.min for s in stats if s.has_min_max),
                    max(s.max for s in stats if s.has_min_max)))
    return out


@pytest.mark.parametrize("spec,order_by,key_expr,leading,descending", [
    ("id", "id", "id", "id", False),
    ("w DESC, id", "w DESC, id", "w, id", "w", True),
    ("k NULLS LAST, id DESC", "k NULLS LAST, id DESC", "k, id", "k", False),
    ("s.a DESC NULLS FIRST, id", "s.a DESC NULLS FIRST, id", "s.a, id", "s.a", True),
])
def test_a_sorted_partition_reads_back_in_order(run, tmp_path, spec, order_by, key_expr, leading,
                                                descending):
    root = tmp_path / "t"
    rows = make_table(root)
    r = run("--table_path", root, "--sort_by", spec, "--target_file_size_mb", TARGET,
            "--delete_original_files", "true", "--json")
    assert r.code == 0, r.stderr
    assert r.summary["partitions"]["compacted"] == 2
    assert r.summary["sort"]["rows"] == 2 * 30 * 3000
    for part in ("p=1", "p=2"):
        rows.assert_same(part, data_files(root / part))
        files = assert_sorted(root / part, order_by, key_expr)
        assert len(files) >= 3
        # Consecutive files' leading-key ranges do not overlap (equal boundary values allowed).
        ranges = leading_ranges(files, leading)
        for (lo1, hi1), (lo2, hi2) in zip(ranges, ranges[1:]):
            assert (lo2 <= hi1 and hi2 <= lo1) if descending else hi1 <= lo2, ranges
        # Every row group says how it is sorted.
        for f in files:
            md = pq.ParquetFile(f).metadata
            for g in range(md.num_row_groups):
                assert md.row_group(g).sorting_columns, f


def test_a_sorted_partition_is_left_alone_and_an_unsorted_one_of_large_files_is_sorted(run, tmp_path):
    root = tmp_path / "t"
    rows = make_table(root, partitions=("p=1",), files=4, rows=40000)  # 4 files near 1 MiB
    plain = run("--table_path", root, "--target_file_size_mb", "1", "--json")
    assert plain.code == 0 and plain.summary["partitions"]["skipped"] == 1, plain.summary
    first = run("--table_path", root, "--target_file_size_mb", "1", "--sort_by", "id",
                "--delete_original_files", "true", "--json")
    assert first.code == 0 and first.summary["partitions"]["compacted"] == 1, first.stderr
    rows.assert_same("p=1", data_files(root / "p=1"))
    assert_sorted(root / "p=1", "id", "id")
    again = run("--table_path", root, "--target_file_size_mb", "1", "--sort_by", "id", "--json")
    assert again.code == 0, again.stderr
    (detail,) = again.summary["details"]
    assert detail["status"] == "skipped" and "sorted by id ASC NULLS FIRST" in detail["reason"]
    other = run("--table_path", root, "--target_file_size_mb", "1", "--sort_by", "w",
                "--delete_original_files", "true", "--json")
    assert other.code == 0 and other.summary["partitions"]["compacted"] == 1
    assert_sorted(root / "p=1", "w", "w")
    rows.assert_same("p=1", data_files(root / "p=1"))


MEASURE = ("import resource, subprocess, sys; "
           "rc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True); "
           "print(rc.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
           "print(rc.stdout)")


def sorted_run_peak(binary, root, spill, *args, spec="w, id"):
    out = subprocess.run([sys.executable, "-c", MEASURE, binary, "--table_path", str(root),
                          "--sort_by", spec, "--spill_path", str(spill), "--json",
                          "--delete_original_files", "true", *args],
                         capture_output=True, text=True, check=True).stdout
    first, summary = out.split("\n", 1)
    code, rss = first.split()
    assert code == "0", out
    import json
    return int(rss) / 1024, json.loads(summary)


def test_the_external_sort_stays_within_its_memory_budget(binary, tmp_path):
    """A partition several times the sort budget: sorted runs spill, and peak memory stays flat
    while the partition grows fourfold."""
    spill = tmp_path / "spill"
    spill.mkdir()
    small, large = tmp_path / "small", tmp_path / "large"
    write_partition(small / "p=1", files=20, rows=25000, seed=1)   # 500k rows, ~20 MiB decoded
    write_partition(large / "p=1", files=80, rows=25000, seed=2)   # 2M rows, ~80 MiB decoded
    snapshot = RowsSnapshot()
    snapshot.capture("large", data_files(large / "p=1"))
    flags = ("--sort_memory_mb", "16", "--parallelism", "1", "--target_file_size_mb", "16")
    rss_small, s_small = sorted_run_peak(binary, small, spill, *flags)
    rss_large, s_large = sorted_run_peak(binary, large, spill, *flags)
    assert s_small["sort"]["spill_runs"] >= 1 and s_large["sort"]["spill_runs"] >= 4, \
        (s_small["sort"], s_large["sort"])
    assert rss_large < rss_small + 48, (rss_small, rss_large)
    assert rss_large < 300, rss_large
    assert list(spill.iterdir()) == []  # removed when the sort was done
    snapshot.assert_same("large", data_files(large / "p=1"))
    assert_sorted(large / "p=1", "w, id", "w, id")
    print(f"sort memory: peak {rss_small:.0f} MiB for 500k rows, {rss_large:.0f} MiB for 2M rows "
          f"(16 MiB budget; {s_large['sort']['spill_runs']} runs, "
          f"{s_large['sort']['spilled_bytes'] / 2**20:.0f} MiB spilled)")


def test_the_spill_is_removed_when_the_partition_fails(run, tmp_path):
    """A corrupt input met after runs have spilled: the partition fails (exit 4), its files are
    untouched, and nothing is left in the spill folder."""
    root, spill = tmp_path / "t", tmp_path / "spill"
    spill.mkdir()
    write_partition(root / "p=1", files=30, rows=20000, seed=3)
    victim = root / "p=1" / "part-00029.parquet"
    data = bytearray(victim.read_bytes())
    for i in range(200, 4000):  # the first column chunk's pages; the footer stays readable
        data[i] ^= 0x5A
    victim.write_bytes(bytes(data))
    before = {f.name: f.read_bytes() for f in data_files(root / "p=1")}
    r = run("--table_path", root, "--sort_by", "id", "--sort_memory_mb", "1", "--spill_path",
            spill, "--parallelism", "1", "--delete_original_files", "true", "--json")
    assert r.code == 4, r.stderr
    assert r.summary["partitions"]["failed"] == 1
    assert {f.name: f.read_bytes() for f in data_files(root / "p=1")} == before
    assert list(spill.iterdir()) == []


def test_a_killed_sort_leaves_a_spill_the_next_run_sweeps(run, tmp_path):
    root, spill = tmp_path / "t", tmp_path / "spill"
    spill.mkdir()
    rows = make_table(root, partitions=("p=1",), files=20, rows=20000)
    flags = ["--table_path", root, "--sort_by", "id", "--sort_memory_mb", "1", "--spill_path",
             spill, "--parallelism", "1", "--delete_original_files", "true"]
    assert run(*flags, env={"S3C_FAULT_POINT": "mid_sort"}).code == KILLED
    left = list(spill.iterdir())
    assert len(left) == 1 and left[0].name.startswith("s3-compaction-spill-"), left
    assert any(left[0].iterdir())
    stranger = spill / "not-ours"
    stranger.mkdir()
    r = run(*flags, "--json")
    assert r.code == 0, r.stderr
    assert list(spill.iterdir()) == [stranger]  # ours swept, nothing else
    rows.assert_same("p=1", data_files(root / "p=1"))
    assert_sorted(root / "p=1", "id", "id")


@pytest.mark.parametrize("spec,message", [
    ("id UP", "--sort_by"),
    ("id,,w", "--sort_by"),
    ("id, ID", "--sort_by"),
])
def test_bad_specs_are_usage_errors(run, tmp_path, spec, message):
    root = tmp_path / "t"
    make_table(root, partitions=("p=1",), files=3, rows=10)
    r = run("--table_path", root, "--sort_by", spec)
    assert r.code == 2, r.stderr
    first = r.stderr.splitlines()[0]
    assert first.startswith("s3-compaction: error: --sort_by: ") and first.count("--sort_by") == 1, \
        r.stderr


@pytest.mark.parametrize("spec,message", [
    ("nope", "column nope is not in the schema"),
    ("s", "cannot"),
])
def test_a_key_the_partition_cannot_sort_by_fails_it_and_changes_nothing(run, tmp_path, spec,
                                                                         message):
    root = tmp_path / "t"
    make_table(root, partitions=("p=1",), files=3, rows=10)
    before = {f.name: f.read_bytes() for f in data_files(root / "p=1")}
    r = run("--table_path", root, "--sort_by", spec, "--json")
    assert r.code == 4, r.stderr
    (detail,) = r.summary["details"]
    assert detail["status"] == "failed" and message in detail["reason"], detail
    assert {f.name: f.read_bytes() for f in data_files(root / "p=1")} == before


def test_spill_path_must_be_a_local_folder(run, tmp_path):
    root = tmp_path / "t"
    make_table(root, partitions=("p=1",), files=3, rows=10)
    r = run("--table_path", root, "--sort_by", "id", "--spill_path", "s3://b/x")
    assert r.code == 2 and "local folder" in r.stderr, r.stderr
    r = run("--table_path", root, "--sort_by", "id", "--spill_path", tmp_path / "missing")
    assert r.code == 2 and "not a folder" in r.stderr, r.stderr


def test_sorting_goes_by_rows_and_the_dry_run_says_so(run, tmp_path):
    root = tmp_path / "t"
    make_table(root, partitions=("p=1",), files=10, rows=2000)
    r = run("--table_path", root, "--sort_by", "id DESC", "--merge", "pages", "--dry-run")
    assert r.code == 0, r.stderr
    assert "by rows (sorted by --sort_by)" in r.stdout, r.stdout
    assert "sorted      each partition by id DESC NULLS LAST" in r.stdout, r.stdout
    done = run("--table_path", root, "--sort_by", "id DESC", "--merge", "pages")
    assert done.code == 0, done.stderr
    assert "sorted      20,000 rows by id DESC NULLS LAST (in memory)" in done.stdout, done.stdout


def test_an_unpartitioned_table_on_s3_is_sorted(run, aws, bucket, tmp_path):
    local = tmp_path / "src"
    write_partition(local, files=20, rows=3000, seed=9)
    rows = RowsSnapshot()
    rows.capture("t", data_files(local))
    aws.s3.upload_tree(local, bucket, "dim")
    r = run("--table_path", f"s3://{bucket}/dim", "--sort_by", "w, id", "--target_file_size_mb",
            TARGET, "--delete_original_files", "true", "--json", env=aws.env())
    assert r.code == 0, r.stderr
    files = aws.s3.download_prefix(bucket, "dim", tmp_path / "dl")
    rows.assert_same("t", files)
    assert_sorted(tmp_path / "dl", "w, id", "w, id")


def _sc(*cols):
    return [pq.SortingColumn(c, descending=False, nulls_first=True) for c in cols]


# Partitions whose files each declare the spec's order (sorting_columns) but that are NOT sorted
# as a whole; every one was skipped as "already sorted" before the review that found them.
NOT_SORTED = {
    "touching ranges, second key out of order": (
        [(pa.table({"k": [1, 2, 5], "s": ["a", "b", "z"]}), dict(sorting_columns=_sc(0, 1))),
         (pa.table({"k": [5, 6, 7], "s": ["a", "b", "c"]}), dict(sorting_columns=_sc(0, 1)))],
        "k, s", "k, s", "k, s"),
    "-0.0 and 0.0 at the boundary": (
        [(pa.table({"x": [-1.0, 0.0], "y": [1, 9]}), dict(sorting_columns=_sc(0, 1))),
         (pa.table({"x": [-0.0, 1.0], "y": [1, 2]}), dict(sorting_columns=_sc(0, 1)))],
        "x, y", "x, y", "x, y"),
    "float16 ranges that overlap": (
        [(pa.table({"h": pa.array(np.array([0, 5], np.float16))}), dict(sorting_columns=_sc(0))),
         (pa.table({"h": pa.array(np.array([1, 2], np.float16))}), dict(sorting_columns=_sc(0)))],
        "h", "h", "h"),
    "NaN in a later file": (
        [(pa.table({"x": [0.0, 1.0, 4.0]}), dict(sorting_columns=_sc(0))),
         (pa.table({"x": [float("nan"), 5.0, 10.0]}), dict(sorting_columns=_sc(0)))],
        # NaN sorts with the nulls (Arrow's rule), first for ASC; DuckDB puts it last.
        "x", None, "x"),
    "row groups out of order in one file": (
        [(pa.table({"k": pa.array(list(range(100, 200)) + list(range(0, 100)), pa.int64())}),
          dict(row_group_size=100, sorting_columns=_sc(0)))],
        "k", "k", "k"),
    "another column spelled the same but for case": (
        [(pa.table({"k": [9, 1, 5], "K": [1, 2, 3]}), dict(sorting_columns=_sc(1))),
         (pa.table({"k": [3, 8, 0], "K": [4, 5, 6]}), dict(sorting_columns=_sc(1)))],
        "k", "k", "k"),
    "a struct field against a column named with a dot": (
        [(pa.table({"a": pa.StructArray.from_arrays([pa.array([1, 2, 3])], ["b"]),
                    "a.b": [9, 1, 5]}), dict(sorting_columns=_sc(0))),
         (pa.table({"a": pa.StructArray.from_arrays([pa.array([4, 5, 6])], ["b"]),
                    "a.b": [3, 8, 0]}), dict(sorting_columns=_sc(0)))],
        '"a.b"', '"a.b"', '"a.b"'),
}


@pytest.mark.parametrize("case", list(NOT_SORTED))
def test_files_that_declare_an_order_they_do_not_hold_as_a_whole_are_sorted(run, tmp_path, case):
    tables, spec, order_by, key = NOT_SORTED[case]
    part = tmp_path / "t" / "p=1"
    part.mkdir(parents=True)
    for i, (t, kw) in enumerate(tables):
        # Padding makes each file count as large: nothing else to compact.
        t = t.append_column("zpad", pa.array([os.urandom(1500).hex() for _ in range(t.num_rows)]))
        pq.write_table(t, part / f"f{i}.parquet", compression="none", **kw)
    rows = RowsSnapshot()
    rows.capture("p=1", data_files(part))
    r = run("--table_path", tmp_path / "t", "--sort_by", spec, "--target_file_size_mb", "0.0625",
            "--small_file_ratio", "0.01", "--delete_original_files", "true", "--json")
    (detail,) = r.summary["details"]
    assert detail["status"] != "skipped", detail
    rows.assert_same("p=1", data_files(part))
    if detail["status"] == "compacted":
        assert r.code == 0, r.stderr
        if order_by is None:  # NaN first, then ascending (DuckDB reads NaN from Parquet oddly)
            import math
            values = pa.concat_tables([pq.read_table(f) for f in output_files(part)])["x"].to_pylist()
            nans = sum(1 for v in values if math.isnan(v))
            assert all(math.isnan(v) for v in values[:nans]) and values[nans:] == sorted(values[nans:])
        else:
            assert_sorted(part, order_by, key)
    else:  # columns no reader can tell apart: failed, nothing changed
        assert r.code == 4 and "differ only in case" in detail["reason"], detail


def test_wide_rows_stay_within_the_budget(binary, tmp_path):
    """Rows of 100 KiB: the merge's output batches are sized by bytes, not only rows (64k such
    rows were the whole partition, copied three times: 1.3 GB at a 16 MiB budget)."""
    part = tmp_path / "t" / "p=1"
    part.mkdir(parents=True)
    rng = np.random.default_rng(5)
    for i in range(10):
        n = 100
        pq.write_table(pa.table({"id": pa.array(rng.integers(0, 10**9, n)),
                                 "blob": pa.array([os.urandom(51200).hex() for _ in range(n)])}),
                       part / f"part-{i:05d}.parquet", compression="none")
    spill = tmp_path / "spill"
    spill.mkdir()
    rss, summary = sorted_run_peak(binary, tmp_path / "t", spill, "--sort_memory_mb", "16",
                                   "--parallelism", "1", "--target_file_size_mb", "32", spec="id")
    assert summary["sort"]["spill_runs"] >= 3, summary["sort"]
    assert rss < 300, rss  # 187 MiB measured; over 400 before output batches were sized by bytes
    print(f"wide rows: peak {rss:.0f} MiB for a 100 MiB partition of 100 KiB rows (16 MiB budget)")
