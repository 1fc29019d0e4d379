"""Fail every storage call in turn (SQLite's "fail the Nth I/O", LevelDB's fault-injection Env).

For each mode, a reference run with S3C_OP_LOG counts the M storage operations a run makes
(filesystem calls, reads, closes, DeleteObjects, lease requests, Glue calls: see
src/storage/storage_faults.h). Then for every N from 1 to M, on a fresh copy of the table:

  fail   S3C_FAIL_OP=N: the Nth operation returns an error. The run must end cleanly: exit 0
         (retried, or nothing was lost), 3 (it could not start) or 4 (a partition failed):
         never 1 (internal error), never a crash.
  crash  S3C_CRASH_AFTER_OP=N: the process is killed (SIGKILL) right after the Nth operation.

Each case is followed by `recover` and a normal run (same flags), which must both succeed; then
every partition holds exactly its rows before (DuckDB, as multisets), where readers look (the
partition's folder, the target, or where the catalog now points), and nothing of the tool's own
is left but archived originals. The session summary prints M and the number of cases per mode.

Modes: path mode on local disk in place with delete, in place with archive, to a target, and in
place with delete in two waves (--wave_files);
path mode on S3 in place with delete, against moto (behind the proxy) and SeaweedFS; Glue (moto)
in place with delete, and repointed to a target with delete.

A full sweep is S3C_FULL_SWEEP=1 (about half an hour on 2 cores). By default, so that the whole
suite fits CI, each mode runs a deterministic sample of N (`Mode.every`, sampled()): the first and
last ENDS values of N always, and every k-th N in between, the crashes shifted by k/2 from the
failures, so that together they touch twice as many N. Local modes take every second N, the S3
path mode every fourth on each store (SeaweedFS's shifted by one from moto's), the Glue modes every
sixth. Which N a run takes rotates with the day (S3C_SWEEP_OFFSET, by default the days since
1970-01-01 UTC): successive CI runs cover every N in every way within a few days, and the summary
names the offset, so that a failing sample can be run again exactly."""

from __future__ import annotations

import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support.glue import partitions, register_table
from support.tables import RowsSnapshot, TableSpec, data_files, events_schema, partition_path, write_table

TARGET = 0.125
KILLED = -signal.SIGKILL
DB = "sweep"
TITLE = "fault sweep: every storage call failed, and crashed after, in turn"
FULL_SWEEP = os.environ.get("S3C_FULL_SWEEP") == "1"
ENDS = 3  # a sampled mode still runs the first and the last ENDS values of N
# Rotates the sample with the day unless set; printed in the summary.
OFFSET = int(os.environ.get("S3C_SWEEP_OFFSET") or int(time.time() // 86400))


@dataclass
class Mode:
    name: str
    parts: list
    files: int
    flags: list = field(default_factory=list)
    target: bool = False
    every: int = 2  # > 1: sample N (see sampled()), unless S3C_FULL_SWEEP=1
    shift: int = 0  # which residue of N mod `every` the sample takes, before OFFSET


def sampled(m: int, every: int, offset: int) -> list[int]:
    """The N of 1..m a mode runs: all of them, or (every > 1) the first and last ENDS, and those
    with N = offset (mod every)."""
    if every <= 1 or FULL_SWEEP:
        return list(range(1, m + 1))
    return [n for n in range(1, m + 1)
            if n <= ENDS or n > m - ENDS or n % every == offset % every]


LOCAL_PARTS = [{"p": "a"}, {"p": "b"}]
S3_PARTS = [{"p": "a"}]


def template(tmp_path_factory, parts, files) -> tuple[Path, RowsSnapshot]:
    root = tmp_path_factory.mktemp("sweep-template") / "t"
    write_table(root, TableSpec(partitions=parts, files_per_partition=files, rows_per_file=60,
                                nested=False))
    rows = RowsSnapshot()
    for p in parts:
        rows.capture(partition_path(p), data_files(root / partition_path(p)))
    return root, rows


def op_count(log: Path) -> int:
    return sum(1 for _ in log.open()) if log.exists() else 0


def leftovers(files: list[str]) -> list[str]:
    """The tool's own files among `files` (relative names), archived originals aside."""
    return [f for f in files if "_s3_compaction" in f and "/_s3_compaction/archive/" not in f
            and not f.startswith("_s3_compaction/archive/")]


class Sweep:
    """Runs the reference and every case of one mode; subclasses say where the table lives."""

    def __init__(self, run, mode: Mode, rows: RowsSnapshot, label: str = ""):
        self.run, self.mode, self.rows = run, mode, rows
        self.note = lambda line: None  # what the mode covered, for the session summary
        self.label = label or mode.name
        self.failures: list[str] = []

    # What a subclass provides.
    def fresh(self, case: str) -> list:  # makes a fresh table, returns the run's table flags
        raise NotImplementedError

    def env(self, **extra) -> dict:
        return extra

    def check(self, case: str, table_flags: list):  # asserts rows and leftovers
        raise NotImplementedError

    def already_exported(self, result) -> bool:
        """A path table exported to a target is not exported twice: the next run refuses to mix
        a partition with what its target already holds (exit 4). That is expected only here;
        check() then verifies what the target holds."""
        if not self.mode.target or result.code != 4:
            return False
        details = result.summary["details"]
        return all(d["status"] != "failed" or "already holds" in d.get("reason", "")
                   for d in details)

    def case_flags(self, case: str) -> list:
        return []

    def go(self, tmp: Path, note):
        self.note = lambda line: note(TITLE, line)
        ref = self.fresh("ref")
        log = tmp / f"{self.mode.name}-ops.log"
        r = self.run(*ref, *self.mode.flags, *self.case_flags("ref"), env=self.env(S3C_OP_LOG=str(log)))
        assert r.code == 0, r.stderr
        m = op_count(log)
        assert m > 10, f"only {m} storage operations counted"
        every = 1 if FULL_SWEEP else self.mode.every
        cases = 0
        first = self.mode.shift + OFFSET
        for kind, var, offset in (("fail", "S3C_FAIL_OP", first),
                                  ("crash", "S3C_CRASH_AFTER_OP", first + every // 2)):
            for n in sampled(m, every, offset):
                self.one(f"{kind}{n}", kind, var, n)
                cases += 1
        nth = {2: "second", 3: "third", 4: "fourth"}.get(every, f"{every}th")
        which = ("fail and crash at every N" if every <= 1 else
                 f"sampled: N = 1-{ENDS} and {m - ENDS + 1}-{m}, failures at every {nth} N "
                 f"from {first % every}, crashes at every {nth} N from "
                 f"{(first + every // 2) % every}; S3C_SWEEP_OFFSET={OFFSET} repeats this "
                 f"sample, S3C_FULL_SWEEP=1 runs all")
        self.note(f"{self.label}: M = {m} storage operations, {cases} of {2 * m} cases "
                  f"ran ({which}), {len(self.failures)} failed")
        assert not self.failures, "\n".join(self.failures[:20])

    def one(self, case: str, kind: str, var: str, n: int):
        table = self.fresh(case)
        extra = [*self.mode.flags, *self.case_flags(case)]
        r = self.run(*table, *extra, env=self.env(**{var: str(n)}))
        expected = (0, 3, 4) if kind == "fail" else (KILLED, 0)
        if r.code not in expected:
            self.failures.append(f"{case}: exit {r.code}: {r.stderr.strip()[-300:]}")
            return
        if "Traceback" in r.stderr or "terminate called" in r.stderr:
            self.failures.append(f"{case}: {r.stderr.strip()[-300:]}")
            return
        rec = self.run("recover", *table, *self.case_flags(case), env=self.env())
        if rec.code != 0:
            self.failures.append(f"{case}: recover exit {rec.code}: {rec.stderr.strip()[-300:]}")
            return
        again = self.run(*table, *extra, "--json", env=self.env())
        if again.code != 0 and not self.already_exported(again):
            self.failures.append(f"{case}: next run exit {again.code}: "
                                 f"{again.stderr.strip()[-300:]} {again.stdout[-600:]}")
            return
        try:
            self.check(case, table)
        except AssertionError as e:
            self.failures.append(f"{case}: {e}")


class LocalSweep(Sweep):
    def __init__(self, run, mode, rows, template_root: Path, work: Path):
        super().__init__(run, mode, rows)
        self.template_root, self.work = template_root, work

    def root(self, case):
        return self.work / case / "t"

    def fresh(self, case):
        shutil.copytree(self.template_root, self.root(case))
        return ["--table_path", self.root(case), "--target_file_size_mb", TARGET]

    def case_flags(self, case):
        return ["--target_s3_path", self.work / case / "target"] if self.mode.target else []

    def check(self, case, table):
        root = self.root(case)
        readers = self.work / case / "target" if self.mode.target else root
        for p in self.mode.parts:
            self.rows.assert_same(partition_path(p), data_files(readers / partition_path(p)))
            if self.mode.target:  # the originals stay where they were
                self.rows.assert_same(partition_path(p), data_files(root / partition_path(p)))
        files = [str(f.relative_to(root)) for f in root.rglob("*") if f.is_file()]
        assert leftovers(files) == [], leftovers(files)
        if self.mode.target:
            assert not (self.work / case / "target" / "_s3_compaction").exists()
        shutil.rmtree(self.work / case)


LOCAL_MODES = [
    Mode("path, in place, delete", LOCAL_PARTS, 3, ["--delete_original_files", "true"]),
    Mode("path, in place, archive", LOCAL_PARTS, 3, []),
    Mode("path, to a target", LOCAL_PARTS, 3, [], target=True),
    # A wave a partition (--wave_files 3): the second wave's plan, batch and commit in turn.
    Mode("path, in place, delete, in waves", LOCAL_PARTS, 3,
         ["--delete_original_files", "true", "--wave_files", "3"]),
]


@pytest.mark.parametrize("mode", LOCAL_MODES, ids=lambda m: m.name.replace(", ", "-").replace(" ", "_"))
def test_every_storage_call_failed_in_turn_on_local_disk(run, tmp_path, tmp_path_factory, mode,
                                                        coverage_note):
    root, rows = template(tmp_path_factory, mode.parts, mode.files)
    LocalSweep(run, mode, rows, root, tmp_path).go(tmp_path, coverage_note)


class S3Sweep(Sweep):
    def __init__(self, run, mode, rows, template_root: Path, aws, bucket: str, glue: bool):
        super().__init__(run, mode, rows, f"{mode.name} [{aws.s3.name}]")
        self.template_root, self.aws, self.bucket, self.glue = template_root, aws, bucket, glue

    def prefix(self, case):
        return f"{case}/events"

    def name(self, case):
        tag = "".join(w[0] for w in self.mode.name.replace(",", "").split())
        return f"t_{tag}_{case}".lower()

    def env(self, **extra):
        return self.aws.env(**extra)

    def fresh(self, case):
        self.aws.s3.upload_tree(self.template_root, self.bucket, self.prefix(case))
        if self.glue:
            register_table(self.aws.glue, DB, self.name(case), self.bucket, self.prefix(case),
                           events_schema(nested=False), self.mode.parts)
            return ["--database_name", DB, "--table_name", self.name(case),
                    "--target_file_size_mb", TARGET]
        return ["--table_path", f"s3://{self.bucket}/{self.prefix(case)}",
                "--target_file_size_mb", TARGET]

    def case_flags(self, case):
        return ["--target_s3_path", f"s3://{self.bucket}/{case}/compacted"] if self.mode.target else []

    def check(self, case, table):
        where = {}
        if self.glue:
            for values, part in partitions(self.aws.glue, DB, self.name(case)).items():
                location = part["StorageDescriptor"]["Location"]
                where[values] = location.split(f"s3://{self.bucket}/", 1)[1].rstrip("/") + "/"
        for p in self.mode.parts:
            prefix = where.get(tuple(p.values()), f"{self.prefix(case)}/{partition_path(p)}/")
            files = self.aws.s3.download_prefix(self.bucket, prefix,
                                                Path(self.template_root).parent / "check" / case / prefix)
            self.rows.assert_same(partition_path(p), files)
            if self.mode.target:
                assert prefix.startswith(f"{case}/compacted/"), where
                # Whichever location readers do not follow holds nothing of the partition.
                old = f"{self.prefix(case)}/{partition_path(p)}/"
                assert self.aws.s3.objects(self.bucket, old) == {}, old
        keys = [k for k in self.aws.s3.objects(self.bucket, f"{case}/")]
        assert leftovers(keys) == [], leftovers(keys)


S3_PATH_MODE = Mode("S3 path, in place, delete", S3_PARTS, 3, ["--delete_original_files", "true"])
S3_EVERY = 4
GLUE_EVERY = 6
GLUE_MODES = [
    Mode("Glue, in place, delete", S3_PARTS, 3, ["--delete_original_files", "true"],
         every=GLUE_EVERY),
    Mode("Glue, repointed to a target, delete", S3_PARTS, 3, ["--delete_original_files", "true"],
         target=True, every=GLUE_EVERY),
]


@pytest.mark.s3_stores
def test_every_storage_call_failed_in_turn_on_s3(run, aws, bucket, tmp_path, tmp_path_factory,
                                                coverage_note):
    # A quarter of N in each way on each store, SeaweedFS's shifted by one from moto's:
    # together every N fails or crashes once, and the day's offset rotates which.
    shift = 1 if aws.s3.name == "seaweedfs" else 0
    mode = Mode(S3_PATH_MODE.name, S3_PATH_MODE.parts, S3_PATH_MODE.files, S3_PATH_MODE.flags,
                every=S3_EVERY, shift=shift)
    root, rows = template(tmp_path_factory, mode.parts, mode.files)
    S3Sweep(run, mode, rows, root, aws, bucket, glue=False).go(tmp_path, coverage_note)


@pytest.mark.parametrize("mode", GLUE_MODES, ids=lambda m: m.name.replace(", ", "-").replace(" ", "_"))
def test_every_storage_call_failed_in_turn_with_glue(run, aws, bucket, tmp_path, tmp_path_factory,
                                                     mode, coverage_note):
    root, rows = template(tmp_path_factory, mode.parts, mode.files)
    S3Sweep(run, mode, rows, root, aws, bucket, glue=True).go(tmp_path, coverage_note)
