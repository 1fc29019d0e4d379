"""The page merge on corrupt or forged inputs (cases from an adversarial review, F1-F7): one bad
file among good ones must never cost the good files' rows.

Each test builds a partition `p=1` of a few small files, damages or forges one of them the way
the review's reproduction did, and runs `--merge pages` (or `auto`) with
`--delete_original_files true`. Where the input is bad, the run fails its partition with exit
code 4 and a reason naming the file and the column, and every original stays byte for byte,
with no new file for readers to see. Where the input is odd but readable (old parquet-cpp v2
pages, BIT_PACKED levels), the run succeeds and pyarrow, DuckDB and Polars read the outputs as
the same multiset of rows pyarrow read from the inputs."""

import collections
import hashlib
import struct
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import Result
from support import thrift_compact as tc
from support.tables import data_files


# ---------------------------------------------------------------------------------------------
# Helpers


def partition(tmp_path) -> Path:
    folder = tmp_path / "t" / "p=1"
    folder.mkdir(parents=True)
    return folder


def merge_args(folder: Path, how: str, *extra) -> list:
    return ["--table_path", folder.parent, "--merge", how, "--delete_original_files", "true",
            "--json", *extra]


def digests(folder: Path) -> dict:
    """name -> sha256 of every Parquet file a reader of the partition would read."""
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in data_files(folder)}


def assert_failed_cleanly(result, folder: Path, before: dict, bad: Path, column: str, cause: str):
    """Exit 4; the partition failed for `cause`, naming the file and the column; the partition's
    Parquet files are exactly `before` (none deleted, changed or added)."""
    assert result.code == 4, result.stderr + result.stdout
    [detail] = result.summary["details"]
    assert detail["partition"] == "p=1"
    assert detail["status"] == "failed", detail
    reason = detail["reason"]
    assert bad.name in reason, reason
    assert f"column {column}" in reason, reason
    assert cause in reason, reason
    assert digests(folder) == before


def fails_cleanly(run, folder: Path, bad: Path, column: str, cause: str, how="pages", extra=()):
    before = digests(folder)
    assert bad.name in before and len(before) >= 3
    assert_failed_cleanly(run(*merge_args(folder, how, *extra)), folder, before, bad, column, cause)


def rows_pyarrow(files) -> collections.Counter:
    return collections.Counter(repr(tuple(r.values()))
                               for f in files for r in pq.ParquetFile(f).read().to_pylist())


def rows_duckdb(files) -> collections.Counter:
    con = duckdb.connect()
    return collections.Counter(
        repr(r) for f in files
        for r in con.execute("SELECT * FROM read_parquet(?, hive_partitioning=false)",
                             [str(f)]).fetchall())


def rows_polars(files) -> collections.Counter:
    return collections.Counter(repr(r) for f in files
                               for r in pl.read_parquet(f, hive_partitioning=False).rows())


def merges_to_the_same_rows(run, folder: Path, rows: int, *extra):
    """Exit 0; the originals are replaced by outputs that pyarrow, DuckDB and Polars each read
    as the multiset of rows pyarrow read from the inputs. Returns the outputs."""
    inputs = data_files(folder)
    expected = rows_pyarrow(inputs)
    assert sum(expected.values()) == rows
    r = run(*merge_args(folder, "pages", *extra))
    assert r.code == 0, r.stderr + r.stdout
    [detail] = r.summary["details"]
    assert detail["status"] == "compacted", detail
    outputs = data_files(folder)
    assert outputs and not {f.name for f in inputs} & {f.name for f in outputs}
    for read in (rows_pyarrow, rows_duckdb, rows_polars):
        assert read(outputs) == expected, read.__name__
    merges_to_the_same_rows.detail = detail
    return outputs


def string_files(folder: Path, rows: int, **write):
    """f0..f2: `a` int64 and `s` PLAIN strings of varying length, small pages."""
    for i in range(3):
        t = pa.table({"a": pa.array([i * 100000 + k for k in range(rows)], pa.int64()),
                      "s": pa.array([f"value-{i}-{k}-" + "x" * (k % 13) for k in range(rows)])})
        pq.write_table(t, folder / f"f{i}.parquet", use_dictionary=False, **write)


# ---------------------------------------------------------------------------------------------
# F1: repeated columns whose records disagree with the row group's num_rows


@pytest.mark.parametrize("how,rows", [("pages", 100), ("auto", 20000)])
def test_repetition_level_flip_fails_the_partition(run, tmp_path, how, rows):
    """F1 (e05): a flipped repetition level gives f0's list chunk one record more than its row
    group; merged as is, every later row's list shifted against its id (good files included)."""
    folder = partition(tmp_path)
    for i in range(3):
        ids = [i * 1000 + k for k in range(rows)]
        pq.write_table(pa.table({"id": pa.array(ids, pa.int64()),
                                 "l": pa.array([[v, -v] for v in ids], pa.list_(pa.int64()))}),
                       folder / f"f{i}.parquet", compression="none")
    bad = folder / "f0.parquet"
    last = tc.ParquetFile(bad).pages(0, 1)[-1]
    b = bytearray(bad.read_bytes())
    rep_len = struct.unpack("<I", b[last.data_start:last.data_start + 4])[0]
    k = b.index(0xAA, last.data_start + 4)  # bit-packed levels 0,1,0,1,...
    assert k < last.data_start + 4 + rep_len
    b[k] = 0xA2  # one level 1 (next element) becomes 0 (a new record)
    bad.write_bytes(bytes(b))
    assert pq.ParquetFile(bad).read().num_rows == rows
    fails_cleanly(run, folder, bad, "l.list.element",
                  f"its pages hold {rows + 1} rows where row group 0 has {rows}", how=how)


@pytest.mark.parametrize("delta", [-1, +1])
def test_list_records_against_row_group_rows_fail_the_partition(run, tmp_path, delta):
    """F1 (e04): a list-only file whose row group says one row less or more than its records;
    merged as is, a good file's row was replaced by the orphan record (or the output became
    unreadable to DuckDB and Polars)."""
    folder = partition(tmp_path)
    for i in range(3):
        pq.write_table(pa.table({"l": pa.array([[i * 1000 + k, k] for k in range(100)],
                                               pa.list_(pa.int64()))}),
                       folder / f"f{i}.parquet", compression="none")
    bad = folder / "f0.parquet"
    pf = tc.ParquetFile(bad)
    rg = pf.row_groups()[0]
    rg.set(3, rg.val(3) + delta)
    pf.meta.set(3, pf.meta.val(3) + delta)
    pf.save()
    fails_cleanly(run, folder, bad, "l.list.element",
                  f"its pages hold 100 rows where row group 0 has {100 + delta}")


# ---------------------------------------------------------------------------------------------
# F2: corrupt page data after a chunk's first page


@pytest.mark.parametrize("how,rows,page_size", [("pages", 2000, 4096), ("auto", 20000, 64 << 10)])
def test_corrupt_compressed_later_page_fails_the_partition(run, tmp_path, how, rows, page_size):
    """F2 (e01, e01c): corrupt snappy bytes in f1's last page of `s`, copied without being
    decompressed; the merged row group could not be read, so f0's and f2's rows were lost."""
    folder = partition(tmp_path)
    string_files(folder, rows, compression="snappy", data_page_size=page_size)
    bad = folder / "f1.parquet"
    pages = tc.ParquetFile(bad).pages(0, 1)
    assert len(pages) > 1
    b = bytearray(bad.read_bytes())
    middle = pages[-1].data_start + pages[-1].data_len // 2
    for k in range(middle, middle + 4):
        b[k] ^= 0x5A
    bad.write_bytes(bytes(b))
    fails_cleanly(run, folder, bad, "s", "Corrupt snappy compressed data", how=how)


@pytest.mark.parametrize("extra", [(), ("--compression", "zstd")], ids=["raw", "zstd"])
def test_plain_length_past_its_page_fails_the_partition(run, tmp_path, extra):
    """F2 (e02, e02b): a PLAIN byte-array length in f1's last page of `s` that runs past the
    page, copied raw or recompressed without being decoded; the output was unreadable."""
    folder = partition(tmp_path)
    string_files(folder, 2000, compression="none", data_page_size=4096)
    bad = folder / "f1.parquet"
    last = tc.ParquetFile(bad).pages(0, 1)[-1]
    b = bytearray(bad.read_bytes())
    def_len = struct.unpack("<I", b[last.data_start:last.data_start + 4])[0]
    first_value = last.data_start + 4 + def_len  # v1 page: def levels, then PLAIN values
    assert struct.unpack("<I", b[first_value:first_value + 4])[0] < 64
    b[first_value:first_value + 4] = struct.pack("<I", 0x7FFF0000)
    bad.write_bytes(bytes(b))
    fails_cleanly(run, folder, bad, "s", "PLAIN values cannot be read", extra=extra)


# ---------------------------------------------------------------------------------------------
# F3: parquet-cpp < 2.0 wrote compressed v2 pages flagged is_compressed=false


def old_parquet_cpp(f: Path):
    """Makes f look as parquet-cpp 1.5.1 wrote it (ARROW-10353): every data page v2 flagged
    uncompressed although its values are compressed."""
    def flag(rg, col, idx, h, data):
        if h.val(1) == tc.DATA_PAGE_V2:
            h.val(8).set(7, False, tc.BOOL_FALSE)
        return [(h, data)]
    tc.rewrite_pages(f, flag)
    pf = tc.ParquetFile(f)
    pf.meta.set(6, b"parquet-cpp version 1.5.1", tc.BINARY)
    pf.save()


def test_old_parquet_cpp_v2_pages_merge_readable(run, tmp_path):
    """F3 (e16): pages copied raw with is_compressed=false under a new created_by; no reader
    could decompress the output, so all rows were lost."""
    folder = partition(tmp_path)
    for i in range(3):
        s = [None if k % 7 == 0 else f"s{i}-{k % 13}" for k in range(3000)]
        t = pa.table({"a": pa.array([i * 100000 + k for k in range(3000)], pa.int64()),
                      "s": pa.array(s)})
        pq.write_table(t, folder / f"f{i}.parquet", compression="snappy", data_page_version="2.0",
                       use_dictionary=False, data_page_size=4096)
        old_parquet_cpp(folder / f"f{i}.parquet")
    merges_to_the_same_rows(run, folder, 9000)


def test_old_parquet_cpp_v2_dictionary_pages_merge_readable(run, tmp_path):
    """F3 (e16b): the dictionary remap trusted is_compressed=false and read snappy bytes as
    indices."""
    folder = partition(tmp_path)
    for i in range(3):
        t = pa.table({"s": pa.array([None if k % 7 == 0 else f"s{i}-{(k * k) % 13}"
                                     for k in range(3000)])})
        pq.write_table(t, folder / f"f{i}.parquet", compression="snappy", data_page_version="2.0",
                       data_page_size=4096)
        old_parquet_cpp(folder / f"f{i}.parquet")
    merges_to_the_same_rows(run, folder, 9000)


# ---------------------------------------------------------------------------------------------
# F4, F5: forged page headers in dictionary columns


def test_v2_num_nulls_above_the_levels_fails_the_partition(run, tmp_path):
    """F4 (e07): f1's v2 pages of `s` say 5 nulls more than their definition levels hold; the
    remap took the header's count and turned the last values into dictionary entry 0."""
    folder = partition(tmp_path)
    for i in range(3):
        s = [None if k % 5 == 0 else f"v{i}-{k % 7}" for k in range(2000)]
        t = pa.table({"a": pa.array([i * 100000 + k for k in range(2000)], pa.int64()),
                      "s": pa.array(s)})
        pq.write_table(t, folder / f"f{i}.parquet", compression="none", data_page_version="2.0",
                       write_statistics=False, write_page_index=False)
    bad = folder / "f1.parquet"

    def more_nulls(rg, col, idx, h, data):
        if col == 1 and h.val(1) == tc.DATA_PAGE_V2:
            h.val(8).set(2, h.val(8).val(2) + 5)
        return [(h, data)]
    tc.rewrite_pages(bad, more_nulls)
    assert pq.ParquetFile(bad).read().num_rows == 2000
    fails_cleanly(run, folder, bad, "s", "num_nulls")


def test_second_dictionary_page_fails_the_partition(run, tmp_path):
    """F5 (e03): a second dictionary page (other values) before f1's last page of `s` was
    skipped, and that page's values were silently remapped against the first dictionary."""
    folder = partition(tmp_path)
    for i in range(3):
        t = pa.table({"a": pa.array([i * 100000 + k for k in range(3000)], pa.int64()),
                      "s": pa.array([f"a{k % 10}" for k in range(3000)])})
        pq.write_table(t, folder / f"f{i}.parquet", compression="none", data_page_size=512,
                       write_statistics=False)
    bad = folder / "f1.parquet"
    pages = tc.ParquetFile(bad).pages(0, 1)
    assert pages[0].header.val(1) == tc.DICTIONARY_PAGE and len(pages) > 2
    dictionary = {}

    def second_dictionary(rg, col, idx, h, data):
        if col == 1 and h.val(1) == tc.DICTIONARY_PAGE:
            dictionary["page"] = (h, data)
        if col == 1 and idx == len(pages) - 1:
            h0, d0 = dictionary["page"]
            return [(h0, d0.replace(b"a", b"Z")), (h, data)]
        return [(h, data)]
    tc.rewrite_pages(bad, second_dictionary)
    fails_cleanly(run, folder, bad, "s", "a second dictionary page")


# ---------------------------------------------------------------------------------------------
# F6: BIT_PACKED definition levels


@pytest.mark.parametrize("extra", [(), ("--compression", "zstd")], ids=["raw", "zstd"])
def test_bit_packed_levels_go_through_the_row_path(run, tmp_path, extra):
    """F6 (e12): f3's optional column has BIT_PACKED definition levels; copied raw, the output
    was unreadable to DuckDB and Polars (f0-f2's rows included). Now the group is written by
    rows: no output page keeps BIT_PACKED levels."""
    folder = partition(tmp_path)
    for i in range(4):
        v = pa.array([i * 100000 + k for k in range(3000)], pa.int64())
        pq.write_table(pa.table({"a": v, "o": v}), folder / f"f{i}.parquet", compression="none",
                       use_dictionary=False, write_statistics=False)

    def bit_packed(rg, col, idx, h, data):
        if col == 1 and h.val(1) == tc.DATA_PAGE:
            page = h.val(5)
            rle_len = struct.unpack("<I", data[:4])[0]
            levels = b"\xff" * ((page.val(1) + 7) // 8)  # all defined, one bit each
            page.set(3, tc.BIT_PACKED)
            data = levels + data[4 + rle_len:]
            h.set(2, len(data))
            h.set(3, len(data))
        return [(h, data)]
    tc.rewrite_pages(folder / "f3.parquet", bit_packed)
    outputs = merges_to_the_same_rows(run, folder, 12000, *extra)
    # The summary says what was done, and why.
    detail = merges_to_the_same_rows.detail
    assert detail["method"] == "rows", detail
    assert "BIT_PACKED" in detail["method_reason"], detail
    for f in outputs:
        pf = tc.ParquetFile(f)
        for rg in range(len(pf.row_groups())):
            for page in pf.pages(rg, 1):
                if page.header.val(1) == tc.DATA_PAGE:
                    assert page.header.val(5).val(3) != tc.BIT_PACKED, f.name


# ---------------------------------------------------------------------------------------------
# F7: a dictionary page header claiming far more values than its bytes hold


def test_forged_dictionary_count_fails_fast_in_little_memory(binary, tmp_path):
    """F7 (e11): f1's dictionary page claims 2^27 values in 8 KB; the merger allocated and
    zero-filled memory for the claim (1 GB peak RSS) before failing."""
    folder = partition(tmp_path)
    for i in range(3):
        t = pa.table({"a": pa.array([(k % 1000) + i for k in range(5000)], pa.int64())})
        pq.write_table(t, folder / f"f{i}.parquet", compression="none")
    bad = folder / "f1.parquet"

    def forged_count(rg, col, idx, h, data):
        if h.val(1) == tc.DICTIONARY_PAGE:
            h.val(7).set(1, 1 << 27)
        return [(h, data)]
    tc.rewrite_pages(bad, forged_count)
    before = digests(folder)
    # Measured from a fresh, small process: a child forked from pytest itself starts with
    # pytest's pages counted in its peak RSS.
    measure = ("import resource, subprocess, sys; "
               "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "sys.stderr.write(p.stderr); sys.stdout.write(p.stdout); "
               "print(); print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    proc = subprocess.run([sys.executable, "-c", measure, binary,
                           *map(str, merge_args(folder, "pages"))],
                          capture_output=True, text=True, timeout=300)
    lines = proc.stdout.rstrip("\n").split("\n")
    code, peak_kib = (int(x) for x in lines[-1].split())
    result = Result(code, "\n".join(lines[:-2]), proc.stderr)
    assert_failed_cleanly(result, folder, before, bad, "a", f"{1 << 27} values")
    assert peak_kib < 256 * 1024, f"peak RSS {peak_kib} KiB"
