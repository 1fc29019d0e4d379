"""Property-based end-to-end tests (hypothesis): tables made of random partition values and file
names (unicode, Hive escapes, reserved characters, bytes that are not UTF-8), random spellings of
column names and schema drift. Whatever the table, a run ends with a clear outcome (exit 0 or 4,
valid JSON, a reason for every failed partition, never an abort), every compacted partition holds
its rows as a multiset, and every other partition is byte for byte as it was.

The examples are derived from a fixed seed (derandomize), so CI runs the same cases every time;
S3C_PROPERTY_EXAMPLES raises their number for a longer local search."""

import json
import os
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("S3C_PROPERTY_EXAMPLES", "25"))

# Characters a partition value or file name may hold on local disk: letters of several scripts,
# Hive's escaped characters, and the ones that tempt a parser ('=', '%', ':', quotes, spaces).
TEXT = st.text(alphabet=st.sampled_from(list("abcXYZ019 -_.=%:'\"#?&+,;@[]{}~ßéÉ日本🦆\\")),
               min_size=1, max_size=8)
NOT_UTF8 = st.sampled_from([b"\xff", b"\xfe\xfe", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf"])


def hive_escape(value: str) -> str:
    """Hive's escapePathName: the characters it escapes, as %XX."""
    special = set('"#%\'*/:=?\\\x7f{[]^')
    return "".join(f"%{ord(c):02X}" if c in special or ord(c) < 0x20 else c for c in value)


@st.composite
def partition_names(draw):
    """A partition folder name as bytes: p=<escaped value>, now and then with bytes that are
    not UTF-8 in it."""
    name = ("p=" + hive_escape(draw(TEXT))).encode()
    if draw(st.integers(0, 9)) == 0:
        name += draw(NOT_UTF8)
    return name


@st.composite
def file_names(draw, index):
    stem = draw(TEXT).replace("/", "_").lstrip("._") or "f"
    name = f"f{index}-{stem}".encode()
    if draw(st.integers(0, 14)) == 0:
        name += draw(NOT_UTF8)
    return name + b".parquet"


def spelling(draw, name):
    return draw(st.sampled_from([name, name.upper(), name.capitalize(), name[:-1] + name[-1].upper()]))


@st.composite
def file_tables(draw, index):
    """One file's rows: columns id, name and note in random spellings, some left out, id as
    int32 or int64 (widened to int64); now and then a file with two spellings of one column."""
    rows = draw(st.integers(1, 20))
    columns = {}
    columns[spelling(draw, "id")] = pa.array(
        [index * 1000 + k for k in range(rows)],
        draw(st.sampled_from([pa.int32(), pa.int64()])))
    if draw(st.booleans()):
        columns[spelling(draw, "name")] = pa.array([f"n{index}-{k}" for k in range(rows)])
    if draw(st.integers(0, 3)) == 0:
        columns[spelling(draw, "note")] = pa.array([draw(TEXT) for _ in range(rows)])
    twins = draw(st.integers(0, 24)) == 0
    if twins:
        columns["ID" if "id" in columns else "id"] = pa.array([0] * rows, pa.int64())
    names = list(columns)
    order = draw(st.permutations(names))
    return pa.table({n: columns[n] for n in order}), twins


@st.composite
def tables(draw):
    parts = draw(st.lists(partition_names(), min_size=1, max_size=4, unique=True))
    layout = {}
    for part in parts:
        files = []
        for i in range(draw(st.integers(2, 5))):
            files.append((draw(file_names(i)), *draw(file_tables(i))))
        layout[part] = files
    return layout


def normalised_rows(paths):
    """Rows of the files as a sorted list: column names folded to lower case, id as int64,
    columns a file lacks as None."""
    rows = []
    for path in paths:
        with open(path, "rb") as f:  # pyarrow's own paths must be UTF-8; these are bytes
            t = pq.read_table(f)
        by_name = {n.lower(): t.column(n).to_pylist() for n in t.column_names}
        for k in range(t.num_rows):
            rows.append(tuple((c, by_name[c][k] if c in by_name else None)
                              for c in ("id", "name", "note")))
    return sorted(rows, key=repr)


def tree(folder: Path):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(layout=tables())
def test_any_table_ends_clearly_with_every_row_once(binary, tmp_path_factory, layout):
    root = tmp_path_factory.mktemp("prop") / "t"
    root.mkdir()
    folders, before, expected = {}, {}, {}
    for part, files in layout.items():
        folder = root / os.fsdecode(part)
        folder.mkdir()
        for name, table, _ in files:
            with open(folder / os.fsdecode(name), "wb") as f:
                pq.write_table(table, f)
        folders[part] = folder
        before[part] = tree(folder)
        expected[part] = normalised_rows(sorted(folder.iterdir()))

    proc = subprocess.run([binary, "--table_path", str(root), "--delete_original_files", "true",
                           "--target_file_size_mb", "1", "--json"],
                          capture_output=True, timeout=120)
    assert proc.returncode in (0, 4), proc.stderr.decode(errors="replace")
    summary = json.loads(proc.stdout.decode("utf-8"))  # valid UTF-8 and valid JSON, always
    proc.stderr.decode("utf-8")
    details = {d["partition"]: d for d in summary["details"]}
    assert (proc.returncode == 4) == any(d["status"] == "failed" for d in details.values())

    for part, folder in folders.items():
        # The summary names a partition by its folder name, bytes that are not UTF-8 as \xNN.
        detail = details.get(_escaped(part))
        status = detail["status"] if detail else "absent"
        bad_names = not _utf8(part) or any(not _utf8(n) for n, _, _ in layout[part])
        twins = any(t for _, _, t in layout[part])
        if status == "compacted":
            assert not bad_names and not twins
            assert normalised_rows(sorted(folder.iterdir())) == expected[part], part
        else:
            # Failed, skipped or not a partition folder at all (a broken escape): untouched.
            assert tree(folder) == before[part], (part, status)
            if status == "failed":
                assert detail["reason"]
        if bad_names:
            assert status in ("failed", "absent"), (part, status)
            if status == "failed":
                assert "is not valid UTF-8" in detail["reason"] or "\\x" in detail["reason"]
        elif twins and status != "absent":
            assert status == "failed" and "differ only in case" in detail["reason"]
    assert not (root / "_s3_compaction").exists()  # nothing of ours is left


def _utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _escaped(b: bytes) -> str:
    """How the tool reports a name: each byte of an ill-formed UTF-8 sequence as \\xNN."""
    out, i = [], 0
    while i < len(b):
        for n in (1, 2, 3, 4):
            try:
                out.append(b[i:i + n].decode("utf-8"))
                i += n
                break
            except UnicodeDecodeError:
                continue
        else:
            out.append(f"\\x{b[i]:02X}")
            i += 1
    return "".join(out)
