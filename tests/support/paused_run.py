"""A run of the binary stopped at a step of the commit protocol, for tests that act while it is
there (another run, another writer), then let it go on. Synchronised through two named pipes
(S3C_PAUSE_POINT / S3C_PAUSE_FIFO, see src/util/fault_point.h): no sleeping on either side."""

from __future__ import annotations

import os
import select
import subprocess
from pathlib import Path


class PausedRun:
    def __init__(self, binary: str, args: list, point: str, fifo_dir: Path, env: dict | None = None):
        fifo_dir.mkdir(parents=True, exist_ok=True)
        os.mkfifo(fifo_dir / "paused")
        os.mkfifo(fifo_dir / "resume")
        self.fifo_dir = fifo_dir
        full_env = dict(os.environ)
        full_env.update(env or {})
        full_env.update({"S3C_PAUSE_POINT": point, "S3C_PAUSE_FIFO": str(fifo_dir)})
        self.proc = subprocess.Popen([binary, *map(str, args)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=full_env)

    def wait_paused(self, timeout: float = 300) -> str:
        """Blocks until the run reaches its pause point; returns the line it wrote. Fails, with
        the run's stderr, if the run ends without getting there."""
        path = str(self.fifo_dir / "paused")
        reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        keep_open = os.open(path, os.O_WRONLY | os.O_NONBLOCK)  # no EOF before the run writes
        try:
            waited = 0.0
            data = b""
            while not data.endswith(b"\n"):
                ready, _, _ = select.select([reader], [], [], 0.5)
                if ready:
                    data += os.read(reader, 4096)
                    continue
                waited += 0.5
                if self.proc.poll() is not None or waited > timeout:
                    out, err = self.proc.communicate()
                    raise AssertionError(f"the run ended (code {self.proc.returncode}) before "
                                         f"pausing: {err}")
            return data.decode().strip()
        finally:
            os.close(keep_open)
            os.close(reader)

    def resume(self, timeout: float = 300):
        """Lets the run go on and waits for it: (exit code, stdout, stderr)."""
        with open(self.fifo_dir / "resume", "w") as f:
            f.write("go\n")
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def assert_excludes(first: PausedRun, run_second) -> None:
    """With `first` paused, `run_second()` (a finished run) is refused as overlapping it, in one
    line and with exit 3; then `first` goes on and must succeed."""
    try:
        first.wait_paused()
        second = run_second()
        assert second.code == 3, second.stderr
        assert "is being compacted by run" in second.stderr, second.stderr
        assert len(second.stderr.strip().splitlines()) == 1, second.stderr
        code, _, err = first.resume()
    finally:
        first.kill()
    assert code == 0, err
