"""The six ways a review found to double or lose rows, each reproduced as the adversary did it, on
local disk and on S3 (moto, behind the proxy that answers conditional deletes as AWS does, and
SeaweedFS, which answers them itself). Every
test ends with every row of the table exactly once (DuckDB, as multisets), and nothing outside
the table touched.

1. an unguarded journal write (the record that guards the publish cannot be written)
2. two runs over overlapping data (a sub-path, a parent path, another --journal_path, another
   spelling), and an input removed by someone else while a run removes it
3. a run going on past a journal it cannot settle (a truncated record or plan, a symlinked
   spelling of the table, a copy of the table made with its journal)
4. a forged journal that would widen the delete fence
5. an input replaced between the last check and its removal
6. a partition folder that is a symbolic link out of the table"""

import json
import os
import re
import shutil
import signal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from support.journal import edit_records, record_files
from support.paused_run import PausedRun, assert_excludes
from support.tables import (RowsSnapshot, TableSpec, data_files, partition_path, snapshot, tool_files,
                            write_table)

TARGET = 0.125
KILLED = -signal.SIGKILL


def fnv1a(text: str) -> int:
    h = 14695981039346656037
    for b in text.encode():
        h = ((h ^ b) * 1099511628211) % 2**64
    return h


def record_name(partition: str) -> str:
    """The journal record of a partition (RunLayout::PartitionRecordName)."""
    return f"p-{fnv1a(partition):016x}.json"


def make(root: Path, parts, files=10, rows=100) -> RowsSnapshot:
    write_table(root, TableSpec(partitions=parts, files_per_partition=files, rows_per_file=rows))
    snap = RowsSnapshot()
    for p in parts:
        snap.capture(partition_path(p), data_files(root / partition_path(p)))
    return snap


def assert_whole(root: Path, rows: RowsSnapshot, parts):
    for p in parts:
        rows.assert_same(partition_path(p), data_files(root / partition_path(p)))


def flags(root, *extra):
    return ["--table_path", root, "--target_file_size_mb", TARGET, *extra]


def paused(binary, tmp_path, args, point, name="a", env=None):
    return PausedRun(binary, args, point, tmp_path / f"fifo-{name}", env)


def while_paused(binary, tmp_path, args, point, act, env=None):
    """Runs the binary paused at `point`, does `act()` meanwhile, then lets it go on:
    (exit code, stdout, stderr)."""
    first = paused(binary, tmp_path, args, point, env=env)
    try:
        first.wait_paused()
        act()
        return first.resume()
    finally:
        first.kill()


def next_run_settles(run, table, rows, parts, says):
    """The next ordinary run over `table` finishes what a crash left, saying `says`, and every
    row is there once."""
    r = run(*flags(table, "--delete_original_files", "true", "--json"))
    assert r.code == 0, r.stderr
    assert any(all(w in line for w in says) for line in r.summary["recovered"]), r.summary
    assert_whole(table, rows, parts)
    assert tool_files(table) == []


def next_run_leaves_to_a_person(run, table, says=(), only=None):
    """The next ordinary run over `table` finds the crashed run's outputs but no record vouching
    for the files that hold their rows: whether those are its originals or duplicates kept on
    purpose cannot be told, so every partition holding its outputs is left exactly as it is,
    blocked, with the way out said (exit 4); the other partitions are compacted. Returns the
    blocked partitions' paths."""
    holding = sorted({f.parent for f in table.rglob("part-*-c*.parquet")
                      if "_s3_compaction" not in f.parts})
    if only is not None:  # the partitions whose outputs no record accounts for
        holding = [table / p for p in only]
    assert holding
    before = {p: snapshot(p) for p in holding}
    r = run(*flags(table, "--delete_original_files", "true", "--json"))
    assert r.code == 4, r.stderr
    assert any(all(w in line for w in ("If that run finished", *says))
               for line in r.summary["recovered"]), r.summary["recovered"]
    assert {p: snapshot(p) for p in holding} == before
    blocked = {d["partition"] for d in r.summary["details"]
               if "not compacted" in (d.get("reason") or "")}
    assert blocked == {str(p.relative_to(table)) for p in holding}, r.summary["details"]
    return blocked


def crash(run, table, point="mid_publish"):
    """A run over `table` (a path) killed at `point`, deleting its originals."""
    crashed = run(*flags(table, "--delete_original_files", "true"),
                  env={"S3C_FAULT_POINT": point})
    assert crashed.code == KILLED, crashed.stderr


ONE = [{"p": "1"}]
P1 = "p=1"


# --- 1. an unguarded journal write -----------------------------------------------------------

def test_no_publishing_record_no_publish(binary, run, tmp_path):
    """The partition's record cannot be written (a folder stands where its temporary file goes):
    nothing is published, the run says so, and the run is never killed at after_publish
    because it never gets there."""
    root = tmp_path / "t"
    rows = make(root, ONE)
    before = snapshot(root / P1)
    first = paused(binary, tmp_path, flags(root, "--delete_original_files", "true", "--json"),
                   "after_plan", env={"S3C_FAULT_POINT": "after_publish"})
    try:
        first.wait_paused()
        run_dir = next((root / "_s3_compaction" / "runs").iterdir())
        # The run's first batch of records: its only partition's.
        (run_dir / "b-000000-000001.json.tmp").mkdir()
        code, out, err = first.resume()
    finally:
        first.kill()
    assert code == 4, err  # not KILLED: nothing was published, so after_publish never came
    failed = [d for d in json.loads(out)["details"] if d["status"] == "failed"]
    assert "cannot write the journal" in failed[0]["reason"]
    assert "nothing published" in failed[0]["reason"]
    assert snapshot(root / P1) == before
    again = run(*flags(root, "--delete_original_files", "true", "--json"))
    assert again.code == 0, again.stderr
    assert again.summary["partitions"]["compacted"] == 1
    assert_whole(root, rows, ONE)
    assert tool_files(root) == []


# --- 2. overlapping runs ---------------------------------------------------------------------

NESTED = [{"y": "1", "m": "1"}, {"y": "1", "m": "2"}, {"y": "2", "m": "1"}]


@pytest.mark.parametrize("first_is", ["parent", "child"])
def test_runs_over_nested_paths_exclude_each_other(binary, run, tmp_path, first_is):
    root = tmp_path / "sub"
    rows = make(root, NESTED, files=6)
    parent, child = root, root / "y=1"
    first_root, second_root = (parent, child) if first_is == "parent" else (child, parent)
    first = paused(binary, tmp_path, flags(first_root, "--delete_original_files", "true"),
                   "after_plan")
    assert_excludes(first, lambda: run(*flags(second_root, "--delete_original_files", "true")))
    after = run(*flags(second_root, "--delete_original_files", "true"))
    assert after.code == 0, after.stderr
    assert_whole(root, rows, NESTED)


@pytest.mark.parametrize("how", ["journal_paths", "symlink"])
def test_two_spellings_of_one_table_meet_at_one_lease(binary, run, tmp_path, how):
    root = tmp_path / "t"
    rows = make(root, ONE)
    if how == "journal_paths":
        a = flags(root, "--journal_path", tmp_path / "j1", "--delete_original_files", "true")
        b = flags(root, "--journal_path", tmp_path / "j2", "--delete_original_files", "true")
    else:
        (tmp_path / "link").symlink_to(root)
        a = flags(root, "--delete_original_files", "true")
        b = flags(tmp_path / "link", "--delete_original_files", "true")
    first = paused(binary, tmp_path, a, "after_write")
    try:
        first.wait_paused()
        second = run(*b)
        assert second.code == 3, second.stderr
        assert "is being compacted by run" in second.stderr
        code, _, err = first.resume()
    finally:
        first.kill()
    assert code == 0, err
    assert_whole(root, rows, ONE)


def test_a_journal_elsewhere_is_found_by_a_run_with_another(run, tmp_path):
    """A run with --journal_path J1 crashes half way; a run with --journal_path J2 must not
    compact the half-published partition: it stops and says how to finish J1's run."""
    root = tmp_path / "t"
    rows = make(root, ONE)
    crashed = run(*flags(root, "--journal_path", tmp_path / "j1", "--delete_original_files",
                         "true"), env={"S3C_FAULT_POINT": "mid_publish"})
    assert crashed.code == KILLED
    other = run(*flags(root, "--journal_path", tmp_path / "j2", "--delete_original_files", "true"))
    assert other.code == 3, other.stderr
    assert f"--journal_path {tmp_path / 'j1'}" in other.stderr
    fixed = run("recover", "--table_path", root, "--journal_path", tmp_path / "j1")
    assert fixed.code == 0, fixed.stderr
    done = run(*flags(root, "--journal_path", tmp_path / "j2", "--delete_original_files", "true"))
    assert done.code == 0, done.stderr
    assert_whole(root, rows, ONE)
    assert tool_files(root) == []


OTHER_RUN_OUTPUT = "part-00000-20991231T235959Z-0ff1ce-c000.parquet"


@pytest.mark.parametrize("elsewhere", ["another_run", "nowhere"])
def test_an_input_removed_by_another_while_removing_is_a_conflict(binary, run, tmp_path,
                                                                  elsewhere):
    """While the run removes its originals, another removes one of them: another run of the tool
    that compacted it into an output of its own (when the lease cannot keep them apart: a store
    ignoring conditional writes, --force_unlock on a live run), or someone who simply deleted it.
    The run stops removing (exit 4, journal kept); recovery settles the partition so that every
    row is there once."""
    root = tmp_path / "t"
    rows = make(root, ONE)
    victim = root / P1 / "part-00007.parquet"

    def take_it():
        if elsewhere == "another_run":
            shutil.copy(victim, root / P1 / OTHER_RUN_OUTPUT)
        victim.unlink()

    code, out, err = while_paused(binary, tmp_path,
                                  flags(root, "--delete_original_files", "true", "--json"),
                                  "before_remove", take_it)
    assert code == 4, err
    failed = [d for d in json.loads(out)["details"] if d["status"] == "failed"]
    assert failed[0]["reason"].startswith("conflict:"), failed
    r = run("recover", "--table_path", root, "--json")
    assert r.code == 0, r.stderr
    assert any("settled by content" in line for line in r.summary["recovered"]), r.summary
    assert_whole(root, rows, ONE)
    assert tool_files(root) == []


def test_a_file_that_merely_shares_rows_is_never_removed(binary, run, tmp_path):
    """In the same conflict, a file no run of the tool wrote that holds the same rows (an
    at-least-once writer's duplicate) is someone's data: recovery removes nothing and says so,
    rather than guess (exit 4, the partition blocked for a human)."""
    root = tmp_path / "t"
    make(root, ONE)
    victim = root / P1 / "part-00007.parquet"

    def duplicate_it():
        shutil.copy(victim, root / P1 / "duplicate.parquet")
        victim.unlink()

    code, _, err = while_paused(binary, tmp_path, flags(root, "--delete_original_files", "true"),
                                "before_remove", duplicate_it)
    assert code == 4, err
    before = snapshot(root / P1)
    r = run("recover", "--table_path", root, "--json")
    assert r.code == 4, r.stderr
    assert any("check the partition by hand" in line for line in r.summary["recovered"]), r.summary
    assert snapshot(root / P1) == before
    blocked = run(*flags(root, "--delete_original_files", "true", "--json"))
    assert blocked.code == 4
    assert "not compacted" in blocked.summary["details"][0]["reason"]
    assert snapshot(root / P1) == before


# --- 3. never past an unsettled journal ------------------------------------------------------

@pytest.mark.parametrize("spoil", ["record", "plan"])
def test_a_truncated_journal_is_settled_by_content(run, tmp_path, spoil):
    """A record truncated: its plan still names the originals, which vouch for the outputs'
    rows: settled. The plan truncated: nothing names them, so nothing is removed on the rows'
    word alone (they may be duplicates kept on purpose): left to a person."""
    root = tmp_path / "t"
    parts = [{"p": "1"}, {"p": "2"}]
    rows = make(root, parts)
    crash(run, root)
    run_dir = next((root / "_s3_compaction" / "runs").iterdir())
    victim = run_dir / "plan.json" if spoil == "plan" else record_files(run_dir)[0]
    victim.write_text(victim.read_text()[:40])
    if spoil == "record":
        next_run_settles(run, root, rows, parts, ["settled by content"])
    else:
        next_run_leaves_to_a_person(run, root, ["its plan cannot be read"])


@pytest.mark.parametrize("point", ["mid_publish", "after_publish", "mid_remove"])
def test_a_journal_whose_plan_was_deleted_is_never_swept(run, tmp_path, point):
    """plan.json gone, the run's records left: not a run that died writing its plan (litter),
    but one that may have published outputs beside its originals. Swept, it would leave both,
    every row twice, and the next run would make that permanent. From `removing` on, the
    records name the originals they checked: settled by content; before, nothing names them:
    left to a person."""
    root = tmp_path / "t"
    parts = [{"p": "1"}, {"p": "2"}]
    rows = make(root, parts)
    crash(run, root, point)
    run_dir = next((root / "_s3_compaction" / "runs").iterdir())
    (run_dir / "plan.json").unlink()
    assert record_files(run_dir)
    shown = run("inspect", "--table_path", root, "--json")
    assert shown.code == 0, shown.stderr
    journals = {j["run_id"]: j for j in shown.summary["journals"]}
    assert journals[run_dir.name]["state"] == "plan lost", journals
    if point == "mid_remove":
        next_run_settles(run, root, rows, parts, ["plan.json is missing", "settled by content"])
    else:
        next_run_leaves_to_a_person(run, root, ["plan.json is missing"])


@pytest.mark.parametrize("point", ["after_publish", "mid_remove"])
@pytest.mark.parametrize("forge_as", ["lost", "rolled_back"])
def test_outputs_beside_a_partition_with_no_record_of_a_publish_are_settled(run, tmp_path, point,
                                                                            forge_as):
    """The records of a run that published are lost (its batch objects deleted) or forged to
    say `rolled_back`: by the journal nothing visible happened, but its outputs stand beside the
    originals. Taking the journal's word would leave every row twice; the outputs named for the
    run are found and settled by content."""
    root = tmp_path / "t"
    parts = [{"p": "1"}, {"p": "2"}]
    rows = make(root, parts)
    crash(run, root, point)
    run_dir = next((root / "_s3_compaction" / "runs").iterdir())
    records = record_files(run_dir)
    assert records
    if forge_as == "lost":
        for record in records:
            record.unlink()
    else:
        edit_records(records, lambda record: record.update(state="rolled_back"))
    next_run_settles(run, root, rows, parts, ["settled by content"])


def test_a_lost_wave_plan_does_not_hide_the_wave_it_published(run, tmp_path):
    """plan-000002.json of a run crashed in its third wave deleted: its partitions are in no
    plan any more, but its outputs stand beside their originals (found by the adversarial
    review: 'nothing to recover', every row of p=3 twice, then compacted for good). Found by
    name; with nothing naming its originals, left to a person."""
    root = tmp_path / "t"
    parts = [{"p": str(i)} for i in range(1, 5)]
    write_table(root, TableSpec(partitions=parts, files_per_partition=6, rows_per_file=100))
    rows = RowsSnapshot()
    for p in parts:
        rows.capture(partition_path(p), data_files(root / partition_path(p)))
    crashed = run(*flags(root, "--delete_original_files", "true", "--wave_files", "10"),
                  env={"S3C_FAULT_POINT": "after_publish@3"})
    assert crashed.code == KILLED, crashed.stderr
    run_dir = next((root / "_s3_compaction" / "runs").iterdir())
    (run_dir / "plan-000002.json").unlink()
    assert next_run_leaves_to_a_person(run, root, only=["p=3"]) == {"p=3"}


def test_a_partition_value_naming_the_tool_folder_is_still_searched(run, tmp_path):
    """The search for a run's outputs skipped every path containing '_s3_compaction', a
    partition value included (found by the adversarial review)."""
    root = tmp_path / "t"
    parts = [{"job": "nightly_s3_compaction"}, {"job": "daily"}]
    rows = make(root, parts)
    crash(run, root, "after_publish")
    run_dir = next((root / "_s3_compaction" / "runs").iterdir())
    (run_dir / "plan.json").unlink()
    assert "job=nightly_s3_compaction" in next_run_leaves_to_a_person(run, root)


def test_a_shard_stops_at_a_journal_whose_plan_was_deleted(run, tmp_path):
    root = tmp_path / "t"
    parts = [{"p": "1"}, {"p": "2"}]
    rows = make(root, parts)
    crash(run, root)
    run_dir = next((root / "_s3_compaction" / "runs").iterdir())
    (run_dir / "plan.json").unlink()
    r = run(*flags(root, "--delete_original_files", "true", "--shard", "0/2"))
    assert r.code == 3, r.stderr
    assert f"the journal of run {run_dir.name} cannot be read" in r.stderr
    assert "plan.json is missing" in r.stderr
    next_run_leaves_to_a_person(run, root, ["plan.json is missing"])


@pytest.mark.parametrize("point", ["after_publish", "mid_remove"])
def test_a_record_saying_done_beside_its_originals_is_not_believed(run, tmp_path, point):
    """A record forged (or stale) to `done` while the run's outputs stand beside originals it
    never removed: believed, its partition was taken as settled and never searched, every row
    twice for good (found by the adversarial review). Done in place means the originals went:
    the partition is left as it is, blocked, with the way out said."""
    root = tmp_path / "t"
    parts = [{"p": "1"}, {"p": "2"}]
    make(root, parts)
    crash(run, root, point)
    run_dir = next((root / "_s3_compaction" / "runs").iterdir())
    edit_records(record_files(run_dir), lambda record: record.update(state="done"))
    holding = sorted({f.parent for f in outputs_of(root)})
    before = {p: snapshot(p) for p in holding}
    r = run(*flags(root, "--delete_original_files", "true", "--json"))
    assert r.code == 4, r.stderr
    assert any("recorded done, but its planned original" in line
               for line in r.summary["recovered"]), r.summary["recovered"]
    assert {p: snapshot(p) for p in holding} == before


def originals_in(folder: Path) -> list[Path]:
    """The partition's files but the tool's outputs (part-<5 digits>-<run id>-c...)."""
    return [f for f in data_files(folder) if not re.match(r"part-\d{5}-\d{8}T\d{6}Z-", f.name)]


def rewrite_without_first_rows(file: Path, dropped: int):
    """A writer's newer version of `file`: its rows but the first `dropped`."""
    table = pq.read_table(file)
    pq.write_table(table.slice(dropped), file)


@pytest.mark.parametrize("point", ["before_publish", "mid_publish", "after_publish"])
def test_an_original_changed_before_any_was_removed_rolls_the_run_back(run, tmp_path, point):
    """A run crashed before removing anything, and a writer then replaced one of its originals
    with a newer version (some rows deleted). Recovery rolled forward: the changed file stayed
    beside outputs holding its earlier rows, every one of them twice, the deleted ones back,
    exit 0 (found by the third adversarial review). The run is undone, as the run itself would
    have done it: the partition is the writer's."""
    root = tmp_path / "t"
    make(root, ONE, files=6)
    crash(run, root, point)
    changed = originals_in(root / P1)[3]
    rewrite_without_first_rows(changed, 10)
    writers = RowsSnapshot()
    writers.capture(P1, originals_in(root / P1))
    r = run("recover", "--table_path", root, "--json")
    assert r.code == 0, r.stderr
    assert any("rolled back" in line and changed.name in line for line in r.summary["recovered"])
    assert len(originals_in(root / P1)) == len(data_files(root / P1)) == 6
    writers.assert_same(P1, data_files(root / P1))
    assert tool_files(root) == []


def test_an_original_changed_while_removing_is_left_to_a_person(run, tmp_path):
    """The same change once the run had begun removing: its removed originals' rows are only in
    its outputs, so it cannot be undone, and which version of the changed file's rows readers
    should have only a person can say. It used to be reported done (exit 0), its rows twice.
    The partition is blocked, with the way out said; taken, the table is whole."""
    root = tmp_path / "t"
    rows = make(root, ONE, files=6)
    crash(run, root, "mid_remove")
    left = originals_in(root / P1)
    assert 0 < len(left) < 6
    os.utime(left[-1], ns=(left[-1].stat().st_atime_ns, left[-1].stat().st_mtime_ns + 10**9))
    r = run("recover", "--table_path", root, "--json")
    assert r.code == 4, r.stderr
    assert any("changed after its run began removing" in line
               for line in r.summary["recovered"]), r.summary["recovered"]
    assert left[-1].exists() and len(data_files(root / P1)) > len(originals_in(root / P1))
    before = snapshot(root / P1)
    again = run(*flags(root, "--delete_original_files", "true", "--json"))
    assert again.code == 4, again.stderr
    assert snapshot(root / P1) == before
    # Every later run says the same (the record keeps which file changed), not a message whose
    # way out fits a file delivered again (followed here, it kept the rows twice).
    assert any("changed after its run began removing" in line and left[-1].name in line
               for line in again.summary["recovered"]), again.summary["recovered"]
    left[-1].unlink()  # the way out: the rows as planned are kept
    settled = run("recover", "--table_path", root, "--json")
    assert settled.code == 0, settled.stderr
    assert_whole(root, rows, ONE)
    assert tool_files(root) == []


def test_a_file_delivered_again_by_hard_link_into_a_finished_partition_stays(run, tmp_path):
    """A run of three waves crashed in its third, its first two partitions done. A writer that
    delivers by hard link from its spool delivers one of p=0's files again: same name, size,
    inode and time as the original the run removed. Taken for that original (done records no
    longer believed beside one), it was deleted at recovery: a duplicate kept on purpose lost
    (found by the second adversarial review). Nothing is touched there now."""
    root = tmp_path / "t"
    spool = tmp_path / "spool"
    parts = [{"p": str(p)} for p in range(3)]
    write_table(spool, TableSpec(partitions=parts, files_per_partition=4, rows_per_file=100))
    for p in parts:
        folder = root / partition_path(p)
        folder.mkdir(parents=True)
        for f in data_files(spool / partition_path(p)):
            os.link(f, folder / f.name)
    crashed = run(*flags(root, "--delete_original_files", "true", "--wave_files", 4),
                  env={"S3C_FAULT_POINT": "after_plan@3"})
    assert crashed.code == KILLED, crashed.stderr
    again = data_files(spool / "p=0")[2]
    os.link(again, root / "p=0" / again.name)
    rows = RowsSnapshot()
    for p in parts:
        rows.capture(partition_path(p), data_files(root / partition_path(p)))
    r = run("recover", "--table_path", root, "--json")
    assert r.code == 4, r.stderr
    assert (root / "p=0" / again.name).exists()
    assert_whole(root, rows, parts)


def outputs_of(root: Path) -> list[Path]:
    return sorted(f for f in root.rglob("part-*.parquet") if "_s3_compaction" not in f.parts)


def run_id_of(output: Path) -> str:
    return output.name[11:34]  # part-<5 digits>-<run id>-c...


@pytest.mark.parametrize("evidence", ["nothing", "garbage_record", "garbage_plan", "a_record"])
def test_a_finished_runs_outputs_are_never_settled_on_a_journal_without_a_plan(run, tmp_path,
                                                                               evidence):
    """A run finished and removed its journal; a writer then delivered some of its rows again
    (an at-least-once sink). A folder under the finished run's id (left empty, or with garbage,
    or with a record copied from elsewhere) made recovery take the run for one that never
    finished: its output's rows are all in other files, so the output, the only copy readers
    had counted, was removed (found by the adversarial review). Without a plan or a record
    that reads, nothing is touched and the partition is blocked; with a record, files written
    after the run began never make its outputs removable."""
    root = tmp_path / "t"
    rows = make(root, ONE, files=4)
    done = run(*flags(root, "--delete_original_files", "true"))
    assert done.code == 0, done.stderr
    [output] = outputs_of(root)
    redelivered = root / P1 / "part-redelivered.parquet"
    shutil.copyfile(output, redelivered)
    rows.capture(P1, data_files(root / P1))  # the table now: the output and the re-delivery
    run_dir = root / "_s3_compaction" / "runs" / run_id_of(output)
    run_dir.mkdir(parents=True)
    if evidence == "garbage_record":
        (run_dir / record_name(P1)).write_text("not json")
    elif evidence == "garbage_plan":
        (run_dir / "plan.json").write_text("{")
    elif evidence == "a_record":
        (run_dir / record_name("p=9")).write_text(json.dumps({
            "state": "publishing", "outputs": [], "pending_delete": [], "delete_after_unix": 0,
            "problems": []}))
    before = snapshot(root / P1)
    r = run(*flags(root, "--delete_original_files", "true", "--json"))
    assert r.code == 4, r.stderr
    assert snapshot(root / P1) == before
    assert any("nothing was touched" in line or "cannot settle it by content" in line
               for line in r.summary["recovered"]), r.summary
    assert_whole(root, rows, ONE)
    # Once the folder is gone (as the report says), the partition is compacted again as usual.
    shutil.rmtree(run_dir)
    again = run(*flags(root, "--delete_original_files", "true", "--json"))
    assert again.code == 0, again.stderr
    assert_whole(root, rows, ONE)


@pytest.mark.parametrize("shard", [False, True])
def test_an_empty_folder_of_a_crashed_run_is_not_swept_over_its_outputs(run, tmp_path, shard):
    """Every journal object of a run that published removed, its folder left empty: swept as a
    run that died writing its plan, it left the outputs beside their originals, and the next
    run compacted both together: every row twice for good (found by the adversarial review;
    shards did the same). Its outputs are found by name; nothing vouches for the files holding
    their rows (a finished run's cleanup cut short leaves the same empty folder, and there such
    files are duplicates kept on purpose): left to a person, shards included."""
    root = tmp_path / "t"
    parts = [{"p": "1"}, {"p": "2"}]
    make(root, parts)
    crash(run, root, "after_publish")
    run_dir = next((root / "_s3_compaction" / "runs").iterdir())
    for f in list(run_dir.iterdir()):
        f.unlink()
    holding = sorted({f.parent for f in outputs_of(root)})
    before = {p: snapshot(p) for p in holding}
    if shard:
        for k in ("0/2", "1/2"):
            r = run(*flags(root, "--delete_original_files", "true", "--shard", k, "--json"))
            assert r.code in (0, 4), r.stderr
            assert {p: snapshot(p) for p in holding} == before
    next_run_leaves_to_a_person(run, root, ["holds no plan or record", "remove " + str(run_dir)])
    assert run_dir.is_dir()


def test_a_folder_of_a_run_that_died_writing_its_plan_is_swept(run, tmp_path):
    root = tmp_path / "t"
    rows = make(root, ONE)
    run_dir = root / "_s3_compaction" / "runs" / "20260101T000000Z-abcdef"
    run_dir.mkdir(parents=True)
    (run_dir / "plan.json.tmp").write_text("{")
    r = run(*flags(root, "--delete_original_files", "true", "--json"))
    assert r.code == 0, r.stderr
    assert not run_dir.exists()
    assert_whole(root, rows, ONE)


def test_a_run_folder_that_cannot_be_removed_is_a_partial_failure(run, tmp_path):
    """A run folder settled but not removed (no permission, a store refusing the delete) used to
    end the run with exit 0: the line saying so was among the recovery lines, and every run met
    the folder again without anyone told. The run's partitions are compacted, and it exits 4,
    naming the folder; once it can go, the next run removes it."""
    root = tmp_path / "t"
    rows = make(root, ONE)
    run_dir = root / "_s3_compaction" / "runs" / "20260101T000000Z-abcdef"
    run_dir.mkdir(parents=True)
    (run_dir / "plan.json.tmp").write_text("{")
    saved = tmp_path / "saved"
    shutil.copytree(root, saved)
    # Which storage operation removes the folder: counted on one run, failed on the same state.
    log = tmp_path / "ops.log"
    counted = run(*flags(root, "--delete_original_files", "true"), env={"S3C_OP_LOG": str(log)})
    assert counted.code == 0, counted.stderr
    [n] = [int(line.split("\t")[0]) for line in log.read_text().splitlines()
           if line.split("\t")[1] == "DeleteDir" and line.endswith(run_dir.name)]
    shutil.rmtree(root)
    shutil.copytree(saved, root)
    r = run(*flags(root, "--delete_original_files", "true", "--json"), env={"S3C_FAIL_OP": str(n)})
    assert r.code == 4, r.stderr
    [failed] = [d for d in r.summary["details"] if d["status"] == "failed"]
    assert failed["partition"] == "(recovery)"
    assert "could not be removed" in failed["reason"], failed
    assert any(str(run_dir) in line and "by hand" in line for line in r.summary["recovered"])
    assert run_dir.is_dir()
    assert len(outputs_of(root)) == 1  # compacted all the same
    assert_whole(root, rows, ONE)
    again = run(*flags(root, "--delete_original_files", "true", "--json"))
    assert again.code == 0, again.stderr
    assert not run_dir.exists()
    assert_whole(root, rows, ONE)


def test_the_same_table_through_a_symlink_is_recovered(run, tmp_path):
    root = tmp_path / "t"
    rows = make(root, ONE)
    (tmp_path / "link").symlink_to(root)
    crash(run, tmp_path / "link")
    next_run_settles(run, root, rows, ONE, ["rolled forward"])


def test_a_copy_of_a_table_with_its_journal(run, tmp_path):
    root = tmp_path / "t"
    rows = make(root, ONE)
    crash(run, root)
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    next_run_settles(run, copy, rows, ONE, ["about the table at", "settled by content"])
    # The original is recovered from its own journal, untouched by the copy's run.
    again = run("recover", "--table_path", root)
    assert again.code == 0, again.stderr
    assert_whole(root, rows, ONE)


# --- 4. a forged journal ---------------------------------------------------------------------

def test_a_forged_plan_cannot_widen_the_fence(run, tmp_path):
    root = tmp_path / "t"
    rows = make(root, ONE)
    victim = tmp_path / "victim"
    write_table(victim / "data", TableSpec(partitions=[{"q": "1"}], files_per_partition=2))
    victim_before = snapshot(victim)
    run_id = "20260101T000000Z-abcdef"
    forged = root / "_s3_compaction" / "runs" / run_id
    forged.mkdir(parents=True)
    p1 = str(root / P1)
    forged_input = str(victim / "data" / "q=1" / "part-00000.parquet")
    (forged / "plan.json").write_text(json.dumps({
        "version": 1, "run_id": run_id, "table": str(root), "table_location": str(root),
        "staging_root": str(victim), "archive_root": str(victim / "archive"), "policy": "delete",
        "repoint": False, "delete_grace_minutes": 0, "scope": "",
        "partitions": [{"path": P1, "location": str(victim / "data" / "q=1"),
                        "output_dir": str(victim / "data" / "q=1"),
                        "inputs": [{"uri": forged_input, "size": 1, "mtime_ns": 0}]},
                       {"path": "p=2", "location": p1, "output_dir": p1,
                        "inputs": [{"uri": p1 + "/part-00000.parquet", "size": 1,
                                    "mtime_ns": 0}]}]}))
    (forged / record_name(P1)).write_text(json.dumps({
        "state": "removing", "outputs": [], "pending_delete": [], "delete_after_unix": 0,
        "problems": []}))
    for args in (["recover", "--table_path", root], flags(root, "--delete_original_files", "true")):
        r = run(*args)
        assert r.code in (0, 4), r.stderr
        assert snapshot(victim) == victim_before
    assert_whole(root, rows, ONE)


def test_a_forged_record_cannot_make_recovery_delete_rows(run, tmp_path):
    """A record in `publishing` naming one of the table's own files as an output, and others as
    inputs: recovery must not remove the inputs (their rows are not in that "output")."""
    root = tmp_path / "t"
    rows = make(root, ONE)
    run_id = "20260101T000000Z-abcdef"
    forged = root / "_s3_compaction" / "runs" / run_id
    forged.mkdir(parents=True)
    p1 = root / P1
    files = sorted(p1.iterdir())
    output = files[0]
    meta = pq.ParquetFile(output).metadata
    inputs = [{"uri": str(f), "size": f.stat().st_size, "mtime_ns": f.stat().st_mtime_ns}
              for f in files[1:]]
    (forged / "plan.json").write_text(json.dumps({
        "version": 1, "run_id": run_id, "table": str(root), "table_location": str(root),
        "staging_root": str(root / "_s3_compaction" / "staging" / run_id),
        "archive_root": str(root / "_s3_compaction" / "archive" / run_id), "policy": "delete",
        "repoint": False, "delete_grace_minutes": 0, "scope": "",
        "partitions": [{"path": P1, "location": str(p1), "output_dir": str(p1), "inputs": inputs}]}))
    (forged / record_name(P1)).write_text(json.dumps({
        "state": "publishing",
        "outputs": [{"staged": "", "source": "", "final": str(output),
                     "bytes": output.stat().st_size, "rows": meta.num_rows}],
        "pending_delete": [], "delete_after_unix": 0, "problems": []}))
    r = run("recover", "--table_path", root, "--json")
    assert r.code in (0, 4), r.stderr
    assert_whole(root, rows, ONE)


# --- 5. an input replaced after the last check -----------------------------------------------

def test_an_input_replaced_after_the_last_check_is_not_deleted(binary, run, tmp_path):
    root = tmp_path / "t"
    rows = make(root, ONE)
    victim = root / P1 / "part-00004.parquet"
    first = paused(binary, tmp_path, flags(root, "--delete_original_files", "true", "--json"),
                   "before_remove")
    try:
        first.wait_paused()
        replacement = root / P1 / ".replacement"
        write_table(tmp_path / "new", TableSpec(partitions=ONE, files_per_partition=1, seed=99,
                                                rows_per_file=33))
        shutil.copy(tmp_path / "new" / P1 / "part-00000.parquet", replacement)
        os.replace(replacement, victim)  # atomically, as writers do
        new_rows = RowsSnapshot()
        new_rows.capture("new", [victim])
        code, out, err = first.resume()
    finally:
        first.kill()
    assert code == 4, err
    failed = [d for d in json.loads(out)["details"] if d["status"] == "failed"]
    assert "part-00004.parquet changed" in failed[0]["reason"], failed
    assert victim.exists()
    new_rows.assert_same("new", [victim])
    # The compacted rows are all there once (in the new files), and so are the replacement's.
    rows.assert_same(P1, [f for f in data_files(root / P1) if f != victim])


# --- 6. a partition folder that is a symbolic link -------------------------------------------

def test_a_symlinked_partition_folder_is_not_followed(run, tmp_path):
    root = tmp_path / "t"
    rows = make(root, [{"p": "a"}])
    elsewhere = tmp_path / "elsewhere"
    write_table(elsewhere, TableSpec(partitions=[{"x": "1"}], files_per_partition=6))
    (root / "p=b").symlink_to(elsewhere / "x=1")
    before = snapshot(elsewhere)
    r = run(*flags(root, "--delete_original_files", "true", "--json"))
    assert r.code == 0, r.stderr
    assert [d["partition"] for d in r.summary["details"]] == ["p=a"]
    assert any("symbolic links" in n for n in r.summary["notes"]), r.summary
    assert snapshot(elsewhere) == before
    rows.assert_same("p=a", data_files(root / "p=a"))


# --- the same on S3: moto behind the proxy, which answers conditional deletes as AWS does, and
# SeaweedFS, which answers them itself (the proxy in front of it only counts and checks) --------

def s3_table(aws, bucket, tmp_path, prefix, parts, files=6) -> RowsSnapshot:
    local = tmp_path / "src"
    rows = make(local, parts, files=files)
    aws.s3.upload_tree(local, bucket, prefix)
    return rows


def assert_s3_whole(aws, bucket, prefix, rows, parts, tmp_path):
    for p in parts:
        key = f"{prefix}/{partition_path(p)}/"
        files = aws.s3.download_prefix(bucket, key, tmp_path / "check" / key)
        rows.assert_same(partition_path(p), files)
    assert [k for k in aws.s3.objects(bucket, prefix + "/")
            if "_s3_compaction" in k and "/archive/" not in k] == []


@pytest.mark.s3_stores
@pytest.mark.parametrize("first_is", ["parent", "child"])
def test_runs_over_nested_s3_paths_exclude_each_other(binary, run, aws, bucket, tmp_path,
                                                      first_is):
    rows = s3_table(aws, bucket, tmp_path, "sub", NESTED)
    parent, child = f"s3://{bucket}/sub", f"s3://{bucket}/sub/y=1"
    first_root, second_root = (parent, child) if first_is == "parent" else (child, parent)
    first = paused(binary, tmp_path, flags(first_root, "--delete_original_files", "true"),
                   "after_plan", env=aws.env())
    assert_excludes(first, lambda: run(*flags(second_root, "--delete_original_files", "true"),
                                       env=aws.env()))
    after = run(*flags(second_root, "--delete_original_files", "true"), env=aws.env())
    assert after.code == 0, after.stderr
    assert_s3_whole(aws, bucket, "sub", rows, NESTED, tmp_path)


@pytest.mark.s3_stores
@pytest.mark.parametrize("elsewhere", ["another_run", "nowhere"])
def test_an_input_removed_on_s3_while_removing_is_a_conflict(binary, run, aws, bucket, tmp_path,
                                                             elsewhere):
    rows = s3_table(aws, bucket, tmp_path, "t", ONE, files=10)
    uri = f"s3://{bucket}/t"
    victim = f"t/{P1}/part-00007.parquet"

    def take_it():
        if elsewhere == "another_run":
            aws.s3.client.copy_object(Bucket=bucket, Key=f"t/{P1}/{OTHER_RUN_OUTPUT}",
                                      CopySource={"Bucket": bucket, "Key": victim})
        aws.s3.client.delete_object(Bucket=bucket, Key=victim)

    code, out, err = while_paused(binary, tmp_path,
                                  flags(uri, "--delete_original_files", "true", "--json"),
                                  "before_remove", take_it, env=aws.env())
    assert code == 4, err
    failed = [d for d in json.loads(out)["details"] if d["status"] == "failed"]
    assert failed[0]["reason"].startswith("conflict:"), failed
    r = run("recover", "--table_path", uri, "--json", env=aws.env())
    assert r.code == 0, r.stderr
    assert_s3_whole(aws, bucket, "t", rows, ONE, tmp_path)


@pytest.mark.s3_stores
def test_an_input_replaced_on_s3_after_the_last_check_is_not_deleted(binary, run, aws, bucket,
                                                                     tmp_path):
    rows = s3_table(aws, bucket, tmp_path, "t", ONE, files=10)
    uri = f"s3://{bucket}/t"
    victim = f"t/{P1}/part-00004.parquet"

    def replace_it():
        write_table(tmp_path / "new", TableSpec(partitions=ONE, files_per_partition=1, seed=99,
                                                rows_per_file=33))
        aws.s3.client.upload_file(str(tmp_path / "new" / P1 / "part-00000.parquet"), bucket, victim)

    code, out, err = while_paused(binary, tmp_path,
                                  flags(uri, "--delete_original_files", "true", "--json"),
                                  "before_remove", replace_it, env=aws.env())
    assert code == 4, err
    failed = [d for d in json.loads(out)["details"] if d["status"] == "failed"]
    assert "part-00004.parquet changed" in failed[0]["reason"], failed
    assert aws.s3.objects(bucket, victim)  # the replacement stays
    keys = sorted(k for k in aws.s3.objects(bucket, f"t/{P1}/") if k != victim)
    files = []
    for k in keys:
        files.append(tmp_path / "after" / Path(k).name)
        files[-1].parent.mkdir(parents=True, exist_ok=True)
        aws.s3.client.download_file(bucket, k, str(files[-1]))
    rows.assert_same(P1, files)


# --- what an adversarial review found after the rework (each a regression test) --------------

def forge(root: Path, run_id: str, partitions: list, records: dict, policy="delete"):
    """A journal under root's tool folder: partitions are (path, [input files]); records maps a
    partition path to its record's fields."""
    run_dir = root / "_s3_compaction" / "runs" / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    plan_partitions = []
    for path, inputs in partitions:
        plan_partitions.append({
            "path": path, "location": str(root / path), "output_dir": str(root / path),
            "inputs": [{"uri": str(f), "size": f.stat().st_size, "mtime_ns": f.stat().st_mtime_ns}
                       for f in inputs]})
    (run_dir / "plan.json").write_text(json.dumps({
        "version": 1, "run_id": run_id, "table": str(root), "table_location": str(root),
        "staging_root": str(root / "_s3_compaction" / "staging" / run_id),
        "archive_root": str(root / "_s3_compaction" / "archive" / run_id), "policy": policy,
        "repoint": False, "delete_grace_minutes": 0, "scope": "", "partitions": plan_partitions}))
    for path, fields in records.items():
        record = {"state": "done", "outputs": [], "pending_delete": [], "delete_after_unix": 0,
                  "problems": [], **fields}
        (run_dir / record_name(path)).write_text(json.dumps(record))


@pytest.mark.parametrize("point", ["mid_publish", "after_publish", "before_remove"])
def test_a_run_whose_lease_is_taken_changes_nothing_more(binary, run, tmp_path, point):
    """Another run takes the lease (--force_unlock), finishes the paused run's partitions from
    its journal and removes the originals; the paused run, let go, must not undo its publish
    (its outputs are by then the only copy of the rows)."""
    root = tmp_path / "t"
    parts = [{"p": "1"}, {"p": "2"}]
    rows = make(root, parts, files=5)
    args = flags(root, "--delete_original_files", "true")

    def take_over():
        second = run(*args, "--force_unlock")
        assert second.code == 0, second.stderr

    code, _, err = while_paused(binary, tmp_path, args, point, take_over)
    assert code == 4, err
    assert "lease was taken by another run" in err
    assert_whole(root, rows, parts)
    assert run(*args).code == 0
    assert_whole(root, rows, parts)


def test_a_journal_path_in_another_tables_tool_folder_is_refused(run, tmp_path):
    """Table A journaled in B's own tool folder: a run of B took A's journal for a copy of
    another table's (as a table copied with its journal holds) and removed it, and A's crashed
    run was never finished: its rows stayed twice (found by the adversarial review). Refused
    before anything is written, on both sides of the run."""
    a, b = tmp_path / "a", tmp_path / "b"
    rows = make(a, ONE)
    make(b, ONE)
    for command in ([], ["recover"]):
        r = run(*command, *flags(a, "--journal_path", b / "_s3_compaction"))
        assert r.code == 2, r.stderr
        assert f"tool's own folder of the table at {b}" in r.stderr, r.stderr
    assert not (b / "_s3_compaction").exists() and not (a / "_s3_compaction").exists()
    assert_whole(a, rows, ONE)


@pytest.mark.s3_stores
def test_originals_that_cannot_be_removed_block_their_partition(run, aws, bucket, tmp_path):
    """A key the store will not delete (object lock, a deny policy): every run says so (exit 4)
    and none compacts the partition again (its rows would be doubled for good)."""
    rows = s3_table(aws, bucket, tmp_path, "t", ONE, files=5)
    uri = f"s3://{bucket}/t"
    aws.proxy.deny_delete_keys = {f"{P1}/part-00003.parquet"}
    for attempt in range(3):
        r = run(*flags(uri, "--delete_original_files", "true", "--json"), env=aws.env())
        assert r.code == 4, (attempt, r.stderr)
        assert r.summary["partitions"]["compacted"] == 0 or attempt == 0, r.summary
    outputs = [k for k in aws.s3.objects(bucket, f"t/{P1}/") if "-c000" in k]
    assert len(outputs) == 1, outputs  # compacted once, never again
    aws.proxy.deny_delete_keys = set()
    assert run(*flags(uri, "--delete_original_files", "true"), env=aws.env()).code == 0
    assert_s3_whole(aws, bucket, "t", rows, ONE, tmp_path)


def test_a_replacement_of_the_same_size_and_time_is_not_taken_for_the_input(binary, run, tmp_path):
    """rsync -t or cp -p replace a file keeping its size and modification time: the new inode
    tells the run it is not the file it compacted."""
    root = tmp_path / "t"
    make(root, ONE, files=5)
    victim = root / P1 / "part-00002.parquet"
    stat = victim.stat()
    replacement = tmp_path / "replacement.parquet"
    shutil.copy(root / P1 / "part-00003.parquet", replacement)
    with open(replacement, "r+b") as f:  # same size, other content (a byte of the footer's key)
        f.truncate(stat.st_size)

    def replace_it():
        os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        os.replace(replacement, victim)

    code, out, err = while_paused(binary, tmp_path,
                                  flags(root, "--delete_original_files", "true", "--json"),
                                  "after_write", replace_it)
    assert code == 4, err
    assert "part-00002.parquet changed since planning (another file now)" in out
    assert victim.exists() and victim.stat().st_ino != stat.st_ino


def test_forged_records_cannot_remove_the_tables_rows(run, tmp_path):
    """Records a run never wrote: an output named as that run's input, pending deletes naming
    the table's data, a partition path climbing out with "..". Nothing of the table goes."""
    root = tmp_path / "t"
    parts = [{"p": "1"}, {"p": "2"}]
    rows = make(root, parts, files=5)
    assert run(*flags(root, "--delete_original_files", "true")).code == 0  # one output each
    output = data_files(root / P1)[0]
    finished = output.name.split("-", 2)[2][:23]  # that run's id, reused
    meta = pq.ParquetFile(output).metadata
    forge(root, finished, [(P1, [output])], {P1: {
        "state": "removing", "outputs": [{"staged": "", "source": "", "final": str(output),
                                           "bytes": output.stat().st_size, "rows": meta.num_rows}]}})
    forge(root, "20200101T000000Z-abcdef", [("p=2", [])], {"p=2": {
        "pending_delete": [str(f) for f in data_files(root / "p=2")]}})
    forge(root, "20200101T000000Z-abcde0", [("../../p=3", list(data_files(root / P1)))],
          {"../../p=3": {"state": "removing"}})
    before = snapshot(tmp_path)
    for args in (["recover", "--table_path", root], flags(root, "--delete_original_files", "true")):
        r = run(*args)
        assert r.code in (0, 4), r.stderr
        assert_whole(root, rows, parts)
    assert not (tmp_path / "p=3").exists()
    assert {k: v for k, v in snapshot(tmp_path).items() if "_s3_compaction" not in k} == \
        {k: v for k, v in before.items() if "_s3_compaction" not in k}


@pytest.mark.parametrize("what", ["plan_version", "lease_types"])
def test_mistyped_journal_or_lease_json_is_an_error_not_an_abort(run, tmp_path, what):
    root = tmp_path / "t"
    rows = make(root, ONE)
    if what == "plan_version":
        run_dir = root / "_s3_compaction" / "runs" / "20200101T000000Z-abcdef"
        run_dir.mkdir(parents=True)
        (run_dir / "plan.json").write_text(json.dumps({"version": "1"}))
    else:
        (tmp_path / "_s3_compaction").mkdir()
        (tmp_path / "_s3_compaction" / "lease.json").write_text(
            json.dumps({"run_id": 5, "expires_unix": "soon"}))
    r = run(*flags(root, "--delete_original_files", "true"))
    assert r.code in (0, 3, 4), r.stderr  # never an abort (-6) or an internal error (1)
    assert "terminate called" not in r.stderr
    assert_whole(root, rows, ONE)


def test_a_shared_journal_folder_keeps_what_is_not_a_run(run, tmp_path):
    root = tmp_path / "t"
    make(root, ONE)
    journal = tmp_path / "journal"
    (journal / "runs" / "2024-report").mkdir(parents=True)
    (journal / "runs" / "2024-report" / "summary.csv").write_text("a,b\n")
    r = run(*flags(root, "--journal_path", journal, "--delete_original_files", "true"))
    assert r.code == 0, r.stderr
    assert (journal / "runs" / "2024-report" / "summary.csv").read_text() == "a,b\n"


def test_two_tables_written_to_one_target_never_meet_there(binary, run, tmp_path):
    root = tmp_path / "t"
    rows = make(root, ONE)
    shutil.copytree(root, tmp_path / "t2")
    target = tmp_path / "target"

    def second_table():
        second = run(*flags(tmp_path / "t2", "--target_s3_path", target))
        assert second.code == 3, second.stderr
        assert "the target" in second.stderr and "is being compacted by run" in second.stderr

    code, _, err = while_paused(binary, tmp_path, flags(root, "--target_s3_path", target),
                                "after_plan", second_table)
    assert code == 0, err
    rows.assert_same(P1, data_files(target / P1))


@pytest.mark.parametrize("link", ["_s3_compaction", "_s3_compaction/runs", "_s3_compaction/staging"])
def test_a_tool_folder_that_is_a_symlink_refuses_the_run(run, tmp_path, link):
    root = tmp_path / "t"
    rows = make(root, ONE)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("x")
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(outside)
    before = snapshot(outside)
    r = run(*flags(root, "--delete_original_files", "true"))
    assert r.code == 3, r.stderr
    assert "is a symbolic link" in r.stderr
    assert snapshot(outside) == before
    assert_whole(root, rows, ONE)


def test_a_partition_folder_swapped_for_a_link_mid_run_is_left_alone(binary, run, tmp_path):
    root = tmp_path / "t"
    rows = make(root, ONE)
    elsewhere = tmp_path / "elsewhere"

    def swap():
        (root / P1).rename(elsewhere)
        (root / P1).symlink_to(elsewhere)

    code, out, err = while_paused(binary, tmp_path,
                                  flags(root, "--delete_original_files", "true", "--json"),
                                  "after_write", swap)
    assert code == 4, err
    assert "is now a symbolic link" in out
    rows.assert_same(P1, data_files(elsewhere))
