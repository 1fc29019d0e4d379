"""The run journal's record objects, for tests that read or change them as time or an operator
would: a batch's records (b-<wave>-<n>.json, written by the run that committed them together) and a
partition's own (p-<hash>.json, written later by recovery or `commit`; it overrides the batch's
entry). See src/commit/run_journal.h."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable


def is_record_name(name: str) -> bool:
    return (name.startswith("b-") or name.startswith("p-")) and name.endswith(".json")


def record_files(runs: Path) -> list[Path]:
    """Every record object under a journal's runs folder (or one run's folder)."""
    return sorted(p for p in runs.rglob("*.json") if is_record_name(p.name))


def records_in(name: str, text: str) -> list[dict]:
    """The partition records an object holds: a batch's several, a p- record itself."""
    data = json.loads(text)
    if name.startswith("b-"):
        return [entry["record"] for entry in data["partitions"]]
    return [data]


def edit_text(name: str, text: str, change: Callable[[dict], None]) -> str:
    """`text` of the record object `name` with `change` applied to each partition record in it."""
    data = json.loads(text)
    for record in (entry["record"] for entry in data["partitions"]) if name.startswith("b-") else [data]:
        change(record)
    return json.dumps(data)


def edit_records(files: list[Path], change: Callable[[dict], None]) -> None:
    for f in files:
        f.write_text(edit_text(f.name, f.read_text(), change))


def count_records(files: list[Path]) -> int:
    return sum(len(records_in(f.name, f.read_text())) for f in files)
