"""Headless Chromium for the HTML report's tests: a local page rendered twice, once for its DOM
(--dump-dom, after layout) and once as a screenshot, with the console's errors collected from
Chromium's log.

Chromium is a test requirement (scripts/setup.sh test installs Debian's `chromium`): a missing
one fails the test with a message saying so, unless S3C_ALLOW_NO_BROWSER=1 asks to skip instead
(a developer's machine without it). Each render gets a fresh profile folder, no network
services, and a timeout after which Chromium and its children are killed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("S3C_CHROMIUM", "/usr/bin/chromium")
ALLOW_SKIP = "S3C_ALLOW_NO_BROWSER"
WINDOW = (1280, 2000)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


@dataclass
class Rendered:
    dom: str                   # the document after parsing and layout, serialized
    screenshot: Path           # PNG of WINDOW
    console_errors: list[str]  # Chromium log lines of the page's console or uncaught errors


def chromium() -> str:
    """The Chromium to use; fails (or, with S3C_ALLOW_NO_BROWSER=1, skips) when there is none."""
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    message = (f"no Chromium at {CHROMIUM}: `scripts/setup.sh test` installs it (Debian package "
               f"chromium); set {ALLOW_SKIP}=1 to skip the browser tests instead")
    if os.environ.get(ALLOW_SKIP) == "1":
        pytest.skip(message)
    pytest.fail(message)


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    """Runs Chromium in its own process group, killed whole on timeout."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            errors="replace", start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"Chromium took more than {timeout} s: {' '.join(args)}")
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def _console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


def render(page: Path, out_dir: Path, timeout: float = 60) -> Rendered:
    """`page` rendered by headless Chromium: its DOM, a screenshot in out_dir, console errors."""
    binary = chromium()
    url = page.resolve().as_uri()
    screenshot = out_dir / (page.stem + ".png")
    errors: list[str] = []
    results = []
    for mode in (["--dump-dom"], [f"--screenshot={screenshot}",
                                  f"--window-size={WINDOW[0]},{WINDOW[1]}"]):
        profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=out_dir)
        try:
            r = _run([binary, *FLAGS, f"--user-data-dir={profile}", *mode, url], timeout)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        assert r.returncode == 0, f"Chromium failed ({r.returncode}) on {url}:\n{r.stderr[-3000:]}"
        errors += _console_errors(r.stderr)
        results.append(r)
    assert screenshot.is_file(), f"Chromium wrote no screenshot of {url}:\n{results[1].stderr[-3000:]}"
    return Rendered(dom=results[0].stdout, screenshot=screenshot, console_errors=errors)
