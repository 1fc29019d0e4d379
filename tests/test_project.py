"""The project's own promises: the set-up script is quiet when all is present, and the README
shows --help exactly as the binary prints it."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_setup_is_idempotent_and_quiet(tmp_path):
    # The venv this test runs in is complete, so set-up must find nothing to do.
    for mode in ([], ["test"]):
        r = subprocess.run([str(ROOT / "scripts" / "setup.sh"), *mode], capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        assert r.stdout == "" and r.stderr == "", mode


def test_readme_shows_the_current_help(run):
    readme = (ROOT / "README.md").read_text()
    help_text = run("--help").stdout.rstrip()
    assert help_text in readme, "README's --help is stale: run scripts/refresh_readme_help.py"
