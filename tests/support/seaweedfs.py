"""SeaweedFS as a second local S3 for end-to-end tests: `weed mini` (master, volume server, filer,
S3 gateway and admin in one process) on free loopback ports, with its data in a temporary folder
removed when it stops.

The binary is SeaweedFS 4.48's, installed into the virtualenv by scripts/setup.sh test
(requirements-seaweedfs.txt); S3C_WEED names another. Unlike moto it checks every SigV4
signature (its only identity is the tests' testing/testing, an admin) and evaluates the <ETag>
of DeleteObjects itself; it has no Glue."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from botocore.config import Config

from support.s3 import ACCESS_KEY, SECRET_KEY, S3Store


# Every listener `weed mini -h` offers a flag for. Each gets a free loopback port of its own, so
# that two test sessions, or a user's SeaweedFS on the default ports, never meet. WebDAV, the
# Iceberg and Lance catalogs and the admin's legacy port are switched off below; WebDAV and
# debug (pprof, only with -debug) get a port all the same, in case a later version opens them.
PORT_FLAGS = ["master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
              "filer.port", "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port",
              "admin.port.grpc", "webdav.port", "debug.port"]

VOLUME_SLOTS = 4096  # buckets the store can hold: one volume each, as mini grows them
START_SECONDS = 90   # a cold start on a busy 2-core machine takes about 5 s
STOP_SECONDS = 15


def weed_path() -> Path:
    """S3C_WEED, else the binary scripts/setup.sh test installs beside the tests' Python
    (.venv/bin/weed, from requirements-seaweedfs.txt)."""
    return Path(os.environ.get("S3C_WEED") or Path(sys.executable).parent / "weed")


def free_ports(n: int) -> list[int]:
    """n distinct free loopback ports (all held open together while they are chosen)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class StartError(RuntimeError):
    pass


class SeaweedFS(S3Store):
    name = "seaweedfs"
    _flags: set | None = None

    def flags(self) -> set:
        """The flags `weed mini -h` lists, without their dash."""
        if self._flags is None:
            out = subprocess.run([str(self.weed), "mini", "-h"], capture_output=True, text=True,
                                 timeout=60)
            self._flags = set(re.findall(r"^\s+-([\w.]+)", out.stdout + out.stderr, re.M))
        return self._flags
    checks_signatures = True
    deletes_conditionally = True
    if_match_on_a_missing_key = ("PreconditionFailed", 412)

    def __init__(self, weed: Path | None = None, attempts: int = 3):
        self.weed = Path(weed or weed_path())
        if not os.access(self.weed, os.X_OK):
            raise StartError(f"no SeaweedFS binary at {self.weed}: run scripts/setup.sh test "
                             "(it installs it from requirements-seaweedfs.txt)")
        self.proc: subprocess.Popen | None = None
        self.ports: dict[str, int] = {}
        self.dir = Path(tempfile.mkdtemp(prefix="s3c-seaweedfs-"))
        try:
            for attempt in range(attempts):
                try:
                    self._start()
                    break
                except StartError as e:
                    self._stop_process()
                    # Another process may take a port between our choosing it and weed binding
                    # it: choose again. Anything else is not going to get better.
                    if "address already in use" not in str(e) or attempt == attempts - 1:
                        raise
        except BaseException:
            self.stop()
            raise

    # --- starting -------------------------------------------------------------------------------

    def _start(self):
        data = self.dir / f"data-{time.monotonic_ns()}"
        data.mkdir()
        config = self.dir / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "tests",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        self.ports = dict(zip(PORT_FLAGS, free_ports(len(PORT_FLAGS))))
        args = [str(self.weed), "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                "-master.telemetry=false",  # it would post statistics to seaweedfs.com
                f"-s3.config={config}",  # identities given: every request's signature is checked
                "-webdav=false", "-admin.ui=false", "-volume.preStopSeconds=0",
                # Listeners some versions have, off where they exist.
                *[f"-{flag}=0" for flag in ("s3.port.iceberg", "s3.port.lance", "admin.port.legacy")
                  if flag in self.flags()],
                # Every bucket is a collection with volumes of its own. Left to itself, mini
                # allows free disk / volume size of them (70 on a disk with 77 GB free), and
                # the bucket after that takes no object: "No writable volumes and no free
                # volumes left" (an InternalError). Volumes are sparse files: thousands cost
                # nothing until written.
                f"-volume.max={VOLUME_SLOTS}",
                f"-filer.localSocket={data}/filer.sock", f"-s3.localSocket={data}/s3.sock",
                *[f"-{flag}={port}" for flag, port in self.ports.items()]]
        # Nothing of the caller's: no AWS_* (weed would add those keys as an identity), no
        # WEED_* settings; its home (where it looks for configuration) is its own folder.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.dir),
               "TMPDIR": str(self.dir)}
        # Killed when the test session's process goes, however it goes (util-linux's setpriv
        # sets the parent-death signal, then runs weed in its place).
        setpriv = shutil.which("setpriv")
        if setpriv:
            args = [setpriv, "--pdeathsig", "KILL", "--", *args]
        self.log = self.dir / "weed.log"
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=data, env=env)
        self.endpoint = f"http://127.0.0.1:{self.ports['s3.port']}"
        self._connect()
        self._wait_ready()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _wait_ready(self):
        """Polls (with a deadline) until the S3 gateway answers a signed request and a bucket
        takes an object: the first write also makes weed allocate its volumes, which tests
        should not pay for."""
        probe = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                             aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                             config=Config(connect_timeout=2, read_timeout=30,
                                           retries={"max_attempts": 1}))
        deadline = time.monotonic() + START_SECONDS
        last = "no answer yet"
        while True:
            if self.proc.poll() is not None:
                raise StartError(f"SeaweedFS ({self.weed}) exited with {self.proc.returncode} "
                                 f"while starting; its log ends:\n{self.log_tail()}")
            try:
                probe.list_buckets()
                probe.create_bucket(Bucket="s3c-ready")
                probe.put_object(Bucket="s3c-ready", Key="ready", Body=b"ready")
                assert probe.get_object(Bucket="s3c-ready", Key="ready")["Body"].read() == b"ready"
                probe.delete_object(Bucket="s3c-ready", Key="ready")
                probe.delete_bucket(Bucket="s3c-ready")
                return
            except Exception as e:  # noqa: BLE001 - not up yet: connection refused, 503, ...
                last = f"{type(e).__name__}: {e}"
            if time.monotonic() > deadline:
                raise StartError(f"SeaweedFS's S3 gateway ({self.endpoint}) did not answer "
                                 f"within {START_SECONDS} s (last: {last}); its log ends:\n"
                                 f"{self.log_tail()}")
            time.sleep(0.2)  # a readiness poll, bounded by the deadline above

    # --- stopping -------------------------------------------------------------------------------

    def _stop_process(self):
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        # The gRPC services' Unix sockets are named by port in /tmp, whatever -dir says; weed
        # removes them when it stops cleanly, not when it is killed.
        for service in ("master", "volume", "filer", "s3", "admin"):
            port = self.ports.get(f"{service}.port.grpc")
            if port:
                Path(f"/tmp/seaweedfs-{service}-grpc-{port}.sock").unlink(missing_ok=True)

    def stop(self):
        self._stop_process()
        shutil.rmtree(self.dir, ignore_errors=True)

    def listening_ports(self) -> set[tuple[str, int]]:
        """(address, port) of every TCP socket the weed process listens on (from /proc)."""
        inodes = set()
        fd_dir = Path(f"/proc/{self.proc.pid}/fd")
        for fd in fd_dir.iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            m = re.fullmatch(r"socket:\[(\d+)\]", target)
            if m:
                inodes.add(m.group(1))
        out = set()
        for table, family in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 6)):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state != "0A" or inode not in inodes:  # 0A: LISTEN
                    continue
                address, port = local.split(":")
                if family == 4:
                    host = socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1])
                else:
                    raw = bytes.fromhex(address)
                    host = socket.inet_ntop(socket.AF_INET6, b"".join(
                        raw[i:i + 4][::-1] for i in range(0, 16, 4)))
                out.add((host, int(port, 16)))
        return out
