"""The HTML report: `s3-compaction report` turns a saved --json (a run's summary, an inspection)
into one self-contained page. Checked from outside: html5lib parses it strictly (no HTML error at
all), headless Chromium renders it with no console error, the rendered DOM holds the charts with a
bar for each non-empty histogram bucket, the screenshot is a real picture, and a partition named
with markup is text, never an element."""

import json
import subprocess
from pathlib import Path

import html5lib
import pytest
from PIL import Image

from support.browser import WINDOW, render
from support.tables import TableSpec, data_files, partition_path, write_table

BUCKETS = 12  # SizeHistogram: powers of 4 from 1 KiB
WHITE = (255, 255, 255)
ORANGE, BLUE = (0xE6, 0x9F, 0x00), (0x00, 0x72, 0xB2)  # Okabe-Ito: before, after


def bucket_of(size: int) -> int:
    bucket = 0
    while bucket + 1 < BUCKETS and size >= 1024 << (2 * bucket):
        bucket += 1
    return bucket


def histogram(files) -> list[int]:
    counts = [0] * BUCKETS
    for f in files:
        counts[bucket_of(f.stat().st_size)] += 1
    return counts


def table_files(root: Path, parts) -> list[Path]:
    return [f for p in parts for f in data_files(root / partition_path(p))]


def strict_parse(page: Path):
    """The page as html5lib's tree; any parse error at all fails the test."""
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), strict=True,
                                 namespaceHTMLElements=False)
    try:
        return parser.parse(page.read_bytes())
    except html5lib.html5parser.ParseError as e:
        pytest.fail(f"{page.name} is not valid HTML5: {e}")


def local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def elements(tree, name: str, css_class: str | None = None) -> list:
    return [e for e in tree.iter() if local(e.tag) == name
            and (css_class is None or css_class in e.get("class", "").split())]


def chart(tree, css_class: str):
    found = elements(tree, "svg", css_class)
    assert len(found) == 1, f"{len(found)} charts of class {css_class}"
    return found[0]


def bars(svg, css_class: str) -> list:
    return [r for r in elements(svg, "rect", css_class) if float(r.get("height", "0")) > 0
            and float(r.get("width", "0")) > 0]


def report(binary, doc_path: Path, page: Path, stdin: str | None = None):
    return subprocess.run([binary, "report", "--from", str(doc_path), "--html", str(page)],
                          input=stdin, capture_output=True, text=True, timeout=60)


def near(colour, want, tolerance=8) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, want))


def assert_real_picture(png: Path):
    image = Image.open(png).convert("RGB")
    assert image.size == WINDOW
    colours = image.getcolors(maxcolors=WINDOW[0] * WINDOW[1])
    assert len(colours) > 20, f"{png.name}: only {len(colours)} colours"
    ink = sum(count for count, colour in colours if colour != WHITE)
    assert ink > 0.02 * WINDOW[0] * WINDOW[1], f"{png.name}: almost blank"
    for name, want in (("orange", ORANGE), ("blue", BLUE)):
        assert sum(count for count, colour in colours if near(colour, want)) > 200, \
            f"{png.name}: no {name} bars"


def assert_renders_cleanly(page: Path, out_dir: Path):
    """Chromium's DOM of the page (html5lib's tree), after checking console and screenshot."""
    rendered = render(page, out_dir)
    assert rendered.console_errors == []
    assert_real_picture(rendered.screenshot)
    assert "<script" not in rendered.dom.lower()
    return html5lib.parse(rendered.dom, treebuilder="etree", namespaceHTMLElements=False)


@pytest.fixture
def table(tmp_path):
    root = tmp_path / "events"
    parts = [{"year": "2023", "month": "05"}, {"year": "2023", "month": "06"}]
    write_table(root, TableSpec(partitions=parts, files_per_partition=12, rows_per_file=60))
    lone = {"year": "2023", "month": "07"}  # one file: left alone
    write_table(root, TableSpec(partitions=[lone], files_per_partition=1, rows_per_file=60, seed=9))
    return root, parts + [lone]


def test_a_run_report_renders(run, binary, table, tmp_path):
    root, parts = table
    before = histogram(table_files(root, parts))
    result = run("--table_path", root, "--json")
    assert result.code == 0, result.stderr
    doc = result.summary
    if "histogram" not in doc:
        # A binary from before the run's histogram was added (issue 16): the test supplies it,
        # as the contract defines it, so the chart is still checked bar by bar.
        doc["histogram"] = {"before": before, "after": histogram(table_files(root, parts))}
    saved = tmp_path / "run.json"
    saved.write_text(json.dumps(doc))
    page = tmp_path / "run.html"
    r = report(binary, saved, page)
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r.stderr

    for tree in (strict_parse(page), assert_renders_cleanly(page, tmp_path)):
        svgs = elements(tree, "svg")
        assert len(svgs) == 2 + ("stages" in doc)
        for svg in svgs:
            assert svg.get("role") == "img" and svg.get("aria-label")
            assert local(svg[0].tag) == "title" and svg[0].text
        sizes = chart(tree, "chart-sizes")
        hist = doc["histogram"]
        assert len(bars(sizes, "bar-before")) == sum(1 for c in hist["before"] if c > 0) > 0
        assert len(bars(sizes, "bar-after")) == sum(1 for c in hist["after"] if c > 0) > 0
        assert len(elements(sizes, "rect", "target")) == 1
        shrunk = [d for d in doc["details"] if d["files_before"] > d["files_after"]]
        assert len(bars(chart(tree, "chart-partitions"), "bar-files-before")) == len(shrunk) == 2
        # Every partition in the table, with its status in words.
        cells = ["".join(e.itertext()) for e in elements(tree, "td", "name")]
        for p in parts:
            assert partition_path(p) in cells
        statuses = {e.text for e in elements(tree, "span", "badge")}
        assert {"compacted", "skipped"} <= statuses
    assert "http" not in page.read_text()


def test_markup_in_a_partition_name_stays_text(run, binary, tmp_path):
    root = tmp_path / "hostile"
    value = "<b>&\"'x"
    write_table(root, TableSpec(partitions=[{"v": value}], files_per_partition=4, rows_per_file=30))
    result = run("--table_path", root, "--json")
    assert result.code == 0, result.stderr
    saved = tmp_path / "run.json"
    saved.write_text(result.stdout)
    name = result.summary["details"][0]["partition"]
    assert "<b>&" in name
    page = tmp_path / "hostile.html"
    assert report(binary, saved, page).returncode == 0

    for tree in (strict_parse(page), assert_renders_cleanly(page, tmp_path)):
        assert elements(tree, "b") == [], "the partition's <b> became an element"
        assert name in ["".join(e.itertext()) for e in elements(tree, "td", "name")]
        assert name in "".join(tree.itertext())
    assert "<b>" not in page.read_text()


INSPECTION = {
    "kind": "inspection", "version": "0.1.0", "table": "analytics.events",
    "location": "s3://lake/events", "generated_at": "2026-12-01T09:00:00Z", "footers": False,
    "target_file_bytes": 134217728, "small_file_bytes": 100663296, "min_input_files": 2,
    "histogram": {"before": [0, 3, 0, 900, 300, 0, 0, 20, 0, 0, 0, 0],
                  "after": [0, 0, 0, 0, 0, 0, 0, 20, 2, 3, 0, 0]},
    "totals": {"partitions": 3, "files": 1223, "bytes": 400000000, "small_files": 1203,
               "small_bytes": 300000000, "other_files": 0, "to_compact": 2, "files_after": 25,
               "bytes_after": 399000000, "scan_requests": {"now": 1226, "after": 28}},
    "partitions": [
        {"partition": f"day={d:02d}", "files": f, "bytes": f * 250000, "small_files": s,
         "small_bytes": s * 250000, "small_share": s / f, "action": a, "reason": why,
         "files_after": after, "bytes_after": f * 250000, "scan_requests": {"now": f + 1,
                                                                           "after": after + 1}}
        for d, f, s, a, why, after in [(1, 900, 900, "compact", "900 small files", 3),
                                       (2, 303, 303, "compact", "303 small files", 2),
                                       (3, 20, 0, "skip", "no small files", 20)]],
    "journals": [], "leases": [], "last_run": None, "notes": [],
}


def test_an_inspection_report_renders(binary, tmp_path):
    saved = tmp_path / "inspection.json"
    saved.write_text(json.dumps(INSPECTION))
    page = tmp_path / "inspection.html"
    r = report(binary, saved, page)
    assert r.returncode == 0, r.stderr
    for tree in (strict_parse(page), assert_renders_cleanly(page, tmp_path)):
        assert len(elements(tree, "svg")) == 2
        sizes = chart(tree, "chart-sizes")
        assert len(bars(sizes, "bar-before")) == 4 and len(bars(sizes, "bar-after")) == 3
        top = chart(tree, "chart-partitions")
        assert len(bars(top, "bar-small")) == 2 and len(bars(top, "bar-kept")) == 0


def test_report_reads_standard_input(binary, tmp_path):
    page = tmp_path / "stdin.html"
    r = subprocess.run([binary, "report", "--from", "-", "--html", str(page)],
                       input=json.dumps(INSPECTION), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    strict_parse(page)


@pytest.mark.parametrize("content,words", [
    (None, "no such file"),
    ("{not json", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"kind": "plan"}', "neither a run's summary nor an inspection"),
    ('{"table": "t"}', "neither a run's summary nor an inspection"),
])
def test_unreadable_input_is_exit_3_in_one_line(binary, tmp_path, content, words):
    saved = tmp_path / "doc.json"
    if content is not None:
        saved.write_text(content)
    page = tmp_path / "out.html"
    r = report(binary, saved, page)
    assert r.returncode == 3, r.stderr
    assert len(r.stderr.splitlines()) == 1 and words in r.stderr and str(saved) in r.stderr
    assert not page.exists()


def test_unwritable_output_is_exit_3(binary, tmp_path):
    saved = tmp_path / "doc.json"
    saved.write_text(json.dumps(INSPECTION))
    r = report(binary, saved, tmp_path / "no" / "such" / "folder" / "out.html")
    assert r.returncode == 3 and len(r.stderr.splitlines()) == 1, r.stderr


@pytest.mark.parametrize("args", [
    ["report", "--from", "x.json"],                          # no --html
    ["report", "--html", "x.html"],                          # no --from
    ["report", "--from", "s3://", "--html", "x.html"],      # no bucket
    ["report", "--from", "x.json", "--html", "x.html", "--json"],
    ["--table_path", "t", "report", "--from", "x.json", "--html", "x.html"],
])
def test_usage_errors_are_exit_2(run, args):
    assert run(*args).code == 2


def test_report_reads_and_writes_s3(run, local_s3, bucket, tmp_path):
    local_s3.client.put_object(Bucket=bucket, Key="docs/inspection.json",
                               Body=json.dumps(INSPECTION).encode())
    r = run("report", "--from", f"s3://{bucket}/docs/inspection.json",
            "--html", f"s3://{bucket}/reports/inspection.html", env=local_s3.env())
    assert r.code == 0, r.stderr
    page = tmp_path / "from-s3.html"
    page.write_bytes(local_s3.client.get_object(Bucket=bucket, Key="reports/inspection.html")
                     ["Body"].read())
    tree = strict_parse(page)
    assert len(elements(tree, "svg")) == 2
    missing = run("report", "--from", f"s3://{bucket}/docs/none.json", "--html", str(page),
                  env=local_s3.env())
    assert missing.code == 3 and len(missing.stderr.splitlines()) == 1, missing.stderr
    assert f"s3://{bucket}/docs/none.json" in missing.stderr


def test_names_with_characters_a_parser_rejects_parse_strictly(binary, tmp_path):
    """Control characters, C1 controls and noncharacters are parse errors in HTML: the page
    writes them as visible \\xNN / \\uXXXX text instead."""
    doc = json.loads(json.dumps(INSPECTION))
    odd = "day=\x01\x1b[31m\x7f\x85\ufdd0\uffff\U0010fffe<\u00e9>\\xFF"
    doc["partitions"][0]["partition"] = odd
    doc["table"] = odd
    saved = tmp_path / "odd.json"
    saved.write_text(json.dumps(doc))
    page = tmp_path / "odd.html"
    assert report(binary, saved, page).returncode == 0
    tree = strict_parse(page)
    cells = ["".join(e.itertext()) for e in elements(tree, "td", "name")]
    assert "day=\\x01\\x1B[31m\\x7F\\u0085\\uFDD0\\uFFFF\\u10FFFE<\u00e9>\\xFF" in cells


def test_inspect_writes_its_page(run, table, tmp_path):
    """`inspect --html` on a real table: the sizes chart bar by bar against the files."""
    root, parts = table
    page = tmp_path / "health.html"
    r = run("inspect", "--table_path", root, "--html", page, "--json")
    assert r.code == 0, r.stderr
    doc = r.summary
    assert doc["histogram"]["before"] == histogram(table_files(root, parts))
    for tree in (strict_parse(page), assert_renders_cleanly(page, tmp_path)):
        sizes = chart(tree, "chart-sizes")
        assert len(bars(sizes, "bar-before")) == sum(1 for c in doc["histogram"]["before"] if c > 0) > 0
        assert len(bars(sizes, "bar-after")) == sum(1 for c in doc["histogram"]["after"] if c > 0) > 0
        top = chart(tree, "chart-partitions")
        assert len(bars(top, "bar-small")) == len(parts)  # every partition has small files
        cells = ["".join(e.itertext()) for e in elements(tree, "td", "name")]
        assert sorted(cells) == sorted(partition_path(p) for p in parts)
    # The page is the rendering of the document --json printed.
    saved = tmp_path / "health.json"
    saved.write_text(r.stdout)
    again = tmp_path / "again.html"
    assert report(_binary(), saved, again).returncode == 0
    assert again.read_bytes() == page.read_bytes()


def _binary() -> str:
    import os
    return os.environ["S3C_BINARY"]


def test_a_run_writes_its_report_and_it_is_its_json_rendered(run, table, tmp_path):
    root, parts = table
    page = tmp_path / "run.html"
    r = run("--table_path", root, "--json", "--report", page)
    assert r.code == 0, r.stderr
    saved = tmp_path / "run.json"
    saved.write_text(r.stdout)
    again = tmp_path / "again.html"
    assert report(_binary(), saved, again).returncode == 0
    assert again.read_bytes() == page.read_bytes()
    tree = strict_parse(page)
    assert len(elements(tree, "svg")) == 3  # sizes, partitions, stages
    # A dry run's page too, and a folder that does not exist is refused before the run.
    assert run("--table_path", root, "--dry-run", "--report", tmp_path / "plan.html").code == 0
    strict_parse(tmp_path / "plan.html")
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*.parquet")}
    r = run("--table_path", root, "--report", tmp_path / "no" / "such" / "run.html")
    assert r.code == 2 and "--report: no folder" in r.stderr, r.stderr
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*.parquet")} == before


def test_inspect_writes_its_page_to_s3_and_nothing_else(run, aws, bucket, table, tmp_path):
    root, parts = table
    aws.s3.upload_tree(root, bucket, "warehouse/events")
    aws.proxy.reset()
    r = run("inspect", "--table_path", f"s3://{bucket}/warehouse/events",
            "--html", f"s3://{bucket}/reports/health.html", env=aws.env())
    assert r.code == 0, r.stderr
    writes = [(s.operation, s.path) for s in aws.proxy.seen
              if s.operation not in ("ListObjects", "GetObject", "HeadObject", "HeadBucket")]
    assert writes == [("PutObject", f"/{bucket}/reports/health.html")], writes
    got = tmp_path / "from-s3.html"
    got.write_bytes(aws.s3.client.get_object(Bucket=bucket, Key="reports/health.html")["Body"].read())
    strict_parse(got)


@pytest.mark.parametrize("where, words", [
    ("events/year=2023/month=05/part-00000.parquet", "name the page FILE.html"),
    ("events/year=2023/month=05/page.html", "is inside the table"),
    ("events/page.html", "is inside the table"),
    ("events/_s3_compaction/page.html", "is inside the tool's folder"),
    ("out/year=2023/page.html", "is inside --target_s3_path"),
])
def test_a_report_never_lands_among_the_data(run, table, tmp_path, where, words):
    """No spelling of --report replaces a data file or adds a file readers would take for data;
    refused (exit 2) before anything is touched."""
    root, parts = table
    (tmp_path / "out" / "year=2023").mkdir(parents=True)
    (root / "_s3_compaction").mkdir(exist_ok=True)
    before = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    flags = ["--target_s3_path", tmp_path / "out"] if where.startswith("out/") else []
    for command in ([], ["inspect"]):
        if command and flags:
            continue
        r = run(*command, "--table_path", root, *flags, "--report", tmp_path / where)
        assert r.code == 2 and words in r.stderr, r.stderr
        assert words in r.stderr.splitlines()[0]  # one line (and, from the parser, "Run with --help")
        assert {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()} == before
    # Under a hidden folder of the table, readers skip it: allowed.
    r = run("inspect", "--table_path", root, "--report", root / "_reports" / "x.html")
    assert r.code == 2 and "--report: no folder" in r.stderr  # (the folder must exist)
    (root / "_reports").mkdir()
    assert run("inspect", "--table_path", root, "--report", root / "_reports" / "x.html").code == 0
