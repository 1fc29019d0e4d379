"""The README's pictures of the two HTML pages (docs/report-inspect.png, docs/report-run.png):
a generated table of small files (one partition with a corrupt file, to show a failure),
`s3-compaction inspect --html`, then a run with `--report`, each page rendered by headless
Chromium (as tests/test_html_report.py does) and saved.

Usage: .venv/bin/python scripts/screenshots.py --binary build/s3-compaction
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from support.tables import TableSpec, write_table  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def shoot(page: Path, png: Path, height: int, work: Path):
    profile = tempfile.mkdtemp(dir=work)
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}",
                    f"--window-size=1200,{height}", page.resolve().as_uri()],
                   check=True, capture_output=True, timeout=120)
    print(f"screenshots: {png.relative_to(ROOT)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="s3c-screenshots-"))
    try:
        table = work / "events"
        files = {"21": 400, "22": 250, "23": 120, "24": 60, "25": 1, "26": 30}
        for i, (day, n) in enumerate(files.items()):
            write_table(table, TableSpec(partitions=[{"year": "2026", "month": "11", "day": day}],
                                         files_per_partition=n, rows_per_file=250, seed=i))
        bad = table / "year=2026" / "month=11" / "day=26" / "part-00007.parquet"
        bad.write_bytes(b"PAR1" + b"\0" * 64 + b"PAR1")  # corrupt: fails its partition
        common = ["--table_path", table, "--target_file_size_mb", "2"]
        subprocess.run([args.binary, "inspect", *common, "--html", work / "inspect.html"],
                       check=True, capture_output=True)
        subprocess.run([args.binary, *common, "--delete_original_files", "true",
                        "--report", work / "run.html"], capture_output=True)  # exit 4: one fails
        shoot(work / "inspect.html", ROOT / "docs" / "report-inspect.png", 1900, work)
        shoot(work / "run.html", ROOT / "docs" / "report-run.png", 2300, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
