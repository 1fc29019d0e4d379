"""Test and demo tables: Hive-partitioned Parquet tables of many small files, written with
pyarrow, and independent checks of what a compaction did (DuckDB reads the files, never our
own code)."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"
_HIVE_ESCAPED = set('"#%\'*/:=?\\{[]^') | {chr(c) for c in range(1, 0x20)} | {"\x7f"}


def hive_escape(value: str) -> str:
    """Hive's FileUtils.escapePathName."""
    return "".join(f"%{ord(c):02X}" if c in _HIVE_ESCAPED else c for c in value)


def partition_path(spec: dict) -> str:
    """{'year': '2023', 'city': None} -> 'year=2023/city=__HIVE_DEFAULT_PARTITION__'"""
    return "/".join(
        f"{hive_escape(k)}={DEFAULT_PARTITION if v is None else hive_escape(str(v))}"
        for k, v in spec.items()
    )


# --- data --------------------------------------------------------------------------------

def events_schema(nested: bool = True) -> pa.Schema:
    fields = [
        pa.field("event_id", pa.int64(), nullable=False),
        pa.field("user_id", pa.int32()),
        pa.field("kind", pa.string()),
        pa.field("amount", pa.float64()),
        pa.field("price", pa.decimal128(12, 2)),
        pa.field("ts", pa.timestamp("us")),
        pa.field("note", pa.string()),
    ]
    if nested:
        fields += [
            pa.field("device", pa.struct([("os", pa.string()), ("version", pa.int16())])),
            pa.field("tags", pa.list_(pa.string())),
            pa.field("attrs", pa.map_(pa.string(), pa.int64())),
        ]
    return pa.schema(fields)


KINDS = ["click", "view", "purchase", "scroll", "signup", "logout"]


def events_batch(rng: random.Random, first_id: int, rows: int, schema: pa.Schema) -> pa.Table:
    """Rows with realistic repetition (dictionary-friendly strings), some nulls, and nesting."""
    base = dt.datetime(2023, 5, 1)
    cols = {
        "event_id": [first_id + i for i in range(rows)],
        "user_id": [rng.randrange(10_000) if rng.random() > 0.02 else None for _ in range(rows)],
        "kind": [rng.choice(KINDS) for _ in range(rows)],
        "amount": [round(rng.random() * 1000, 3) if rng.random() > 0.1 else None for _ in range(rows)],
        "price": [decimal.Decimal(rng.randrange(1_000_000)) / 100 for _ in range(rows)],
        "ts": [base + dt.timedelta(microseconds=rng.randrange(86_400_000_000)) for _ in range(rows)],
        "note": [None if rng.random() < 0.5 else f"note-{rng.randrange(500)}" for _ in range(rows)],
        "device": [{"os": rng.choice(["ios", "android", "web"]), "version": rng.randrange(20)}
                   if rng.random() > 0.05 else None for _ in range(rows)],
        "tags": [[rng.choice(KINDS) for _ in range(rng.randrange(4))] for _ in range(rows)],
        "attrs": [[(f"k{rng.randrange(5)}", rng.randrange(100)) for _ in range(rng.randrange(3))]
                  for _ in range(rows)],
    }
    return pa.table({f.name: pa.array(cols[f.name], type=f.type) for f in schema}, schema=schema)


@dataclass
class TableSpec:
    partitions: list            # list of dicts: key -> value (None for the default partition)
    files_per_partition: int = 20
    rows_per_file: int = 200
    seed: int = 7
    compression: str = "snappy"
    nested: bool = True
    int96: bool = False


def write_table(root: Path, spec: TableSpec, schema: pa.Schema | None = None) -> dict:
    """Writes spec under root; returns {partition_path: rows}."""
    rng = random.Random(spec.seed)
    schema = schema or events_schema(spec.nested)
    written = {}
    next_id = 0
    for part in spec.partitions:
        rel = partition_path(part)
        folder = root / rel
        folder.mkdir(parents=True, exist_ok=True)
        for f in range(spec.files_per_partition):
            table = events_batch(rng, next_id, spec.rows_per_file, schema)
            next_id += spec.rows_per_file
            pq.write_table(table, folder / f"part-{f:05d}.parquet", compression=spec.compression,
                           use_deprecated_int96_timestamps=spec.int96)
        written[rel] = spec.files_per_partition * spec.rows_per_file
    return written


# --- checks ------------------------------------------------------------------------------

def data_files(folder: Path) -> list[Path]:
    """The Parquet files a reader of this partition folder would read (hidden names skipped)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(("_", ".")) and p.suffix == ".parquet")


def snapshot(root: Path) -> dict:
    """Every file under root with size and mtime: equal snapshots mean nothing changed."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            st = p.stat()
            out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


def tool_files(root: Path) -> list[str]:
    """Files under the table's _s3_compaction folder other than archived originals: what a
    finished run must not leave behind."""
    tool = root / "_s3_compaction"
    if not tool.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in tool.rglob("*")
                  if p.is_file() and p.relative_to(tool).parts[0] != "archive")


class RowsSnapshot:
    """The rows of some partitions, captured by DuckDB before a run, compared as multisets after."""

    def __init__(self):
        self.con = duckdb.connect()
        self.tables = {}

    @staticmethod
    def _source(files) -> str:
        quoted = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
        return f"read_parquet([{quoted}], union_by_name=true, hive_partitioning=false)"

    def capture(self, name: str, files) -> int:
        table = f"t{len(self.tables)}"
        self.con.execute(f"CREATE TABLE {table} AS SELECT * FROM {self._source(files)}")
        self.tables[name] = table
        return self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def differences(self, name: str, files) -> tuple[int, int, int]:
        """(rows before, rows after, rows in one multiset but not the other)."""
        table = self.tables[name]
        after = self._source(files)
        before_n = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        after_n = self.con.execute(f"SELECT count(*) FROM {after}").fetchone()[0] if files else 0
        if not files:
            return before_n, 0, before_n
        diff = self.con.execute(
            f"SELECT count(*) FROM ((SELECT * FROM {table} EXCEPT ALL SELECT * FROM {after}) "
            f"UNION ALL (SELECT * FROM {after} EXCEPT ALL SELECT * FROM {table}))").fetchone()[0]
        return before_n, after_n, diff

    def assert_none_missing(self, name: str, files):
        """Every row before is among the rows of `files` (which may hold more: duplicates)."""
        missing = self.con.execute(
            f"SELECT count(*) FROM (SELECT * FROM {self.tables[name]} EXCEPT ALL "
            f"SELECT * FROM {self._source(files)})").fetchone()[0] if files else -1
        assert missing == 0, f"{name}: {missing} rows before are missing after"

    def assert_same(self, name: str, files):
        before, after, diff = self.differences(name, files)
        assert (before, diff) == (after, 0), (
            f"{name}: {before} rows before, {after} after, {diff} differ as multisets")


def copy_table(src: Path, dst: Path):
    shutil.copytree(src, dst)
