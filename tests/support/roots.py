"""System roots to run the bundle in with no host library reachable: a folder entered with
chroot inside a private mount namespace (unshare -m), with /proc, /dev/null and /dev/urandom
bound in. Mounts vanish with the namespace, whatever happens to the test.

- empty_root(): only the bundle, busybox-static as /bin/sh, and empty /proc, /dev, /tmp
- debian_root(): a copy of the cached Debian 11 root (scripts/roots.sh) with the bundle added
The bundle goes to /opt/s3-compaction in both, as in the container image."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL = "/opt/s3-compaction"
PROGRAM = f"{INSTALL}/bin/s3-compaction"
CACHE = Path(os.environ.get("S3C_CACHE") or
             Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "s3-compaction")
DEBIAN_11 = CACHE / "roots" / "debian-11"
BUSYBOX = Path("/bin/busybox")

# Runs as: sh -c ENTER sh ROOT MOUNT_PROC USER PROGRAM ARGS... (inside `unshare -m`)
ENTER = r"""
set -e
root="$1"; proc="$2"; user="$3"; shift 3
/usr/bin/mount --make-rprivate / 2>/dev/null || true
if [ "$proc" = 1 ]; then /usr/bin/mount --bind /proc "$root/proc"; fi
for d in null urandom; do
  [ -e "$root/dev/$d" ] || : > "$root/dev/$d"
  /usr/bin/mount --bind "/dev/$d" "$root/dev/$d"
done
if [ -n "$user" ]; then exec /usr/sbin/chroot --userspec="$user" "$root" "$@"; fi
exec /usr/sbin/chroot "$root" "$@"
"""


def can_chroot() -> str | None:
    """None if roots work here, else why not (the tests skip with it)."""
    if os.geteuid() != 0:
        return "needs root (chroot and bind mounts)"
    for tool in ("unshare", "chroot", "mount"):
        if shutil.which(tool) is None:
            return f"needs {tool}"
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        return "cannot make a mount namespace here (unshare -m)"
    return None


@dataclass
class RunResult:
    code: int
    stdout: str
    stderr: str


@dataclass
class Root:
    path: Path

    def inside(self, path: str) -> Path:
        """A path of the root, as the host sees it."""
        return self.path / path.lstrip("/")

    def run(self, *args, env: dict | None = None, proc: bool = True, user: str = "",
            timeout: int = 300) -> RunResult:
        """Runs args (a program of the root and its arguments) chrooted, with exactly `env`,
        as `user` ("uid:gid") if given."""
        cmd = [shutil.which("unshare"), "-m", "/bin/sh", "-c", ENTER, "sh", str(self.path),
               "1" if proc else "0", user, *map(str, args)]
        base = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C"}
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           env={**base, **(env or {})})
        return RunResult(p.returncode, p.stdout, p.stderr)


def _add_bundle(root: Path, bundle: Path):
    target = root / INSTALL.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(bundle, target, symlinks=True)


def empty_root(where: Path, bundle: Path) -> Root:
    if not BUSYBOX.is_file():
        pytest.fail(f"no {BUSYBOX}: scripts/setup.sh installs busybox-static")
    for d in ("bin", "proc", "dev", "tmp", "data"):
        (where / d).mkdir(parents=True, exist_ok=True)
    (where / "tmp").chmod(0o1777)
    shutil.copy2(BUSYBOX, where / "bin" / "busybox")
    (where / "bin" / "sh").symlink_to("busybox")
    _add_bundle(where, bundle)
    return Root(where)


def debian_root(where: Path, bundle: Path) -> Root:
    if not (DEBIAN_11 / ".complete").is_file():
        pytest.fail(f"no Debian 11 root at {DEBIAN_11}: run scripts/roots.sh (./dev test does)")
    subprocess.run(["cp", "-a", str(DEBIAN_11), str(where)], check=True)
    _add_bundle(where, bundle)
    (where / "data").mkdir(exist_ok=True)
    return Root(where)
