"""End-to-end tests: the s3-compaction binary on generated tables, checked independently
(DuckDB and pyarrow read the results, never our own code)."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict:
        return json.loads(self.stdout)


@pytest.fixture(scope="session")
def binary() -> str:
    path = os.environ.get("S3C_BINARY", str(ROOT / "build" / "s3-compaction"))
    if not os.access(path, os.X_OK):
        pytest.fail(f"no s3-compaction binary at {path}: run ./dev build")
    return path


@pytest.fixture(scope="session")
def bundle(binary, tmp_path_factory) -> Path:
    """deploy/package.sh run on the binary under test: the folder the image and Glue get."""
    out = tmp_path_factory.mktemp("dist")
    r = subprocess.run([str(ROOT / "deploy" / "package.sh"), binary, str(out)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert (out / "s3-compaction-linux-x86_64.tar.gz").is_file()
    return out / "s3-compaction"


@pytest.fixture
def run(binary):
    """run(*flags, env=None) -> Result. Never raises on a non-zero exit; tests assert codes."""

    def _run(*args, env=None, timeout=300) -> Result:
        full_env = dict(os.environ)
        full_env.update(env or {})
        proc = subprocess.run([binary, *map(str, args)], capture_output=True, text=True,
                              env=full_env, timeout=timeout)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return _run


# --- the local S3 stores ------------------------------------------------------------------------
#
# Tests marked `s3_stores` run once per store, with ids [moto] and [seaweedfs]: their local_s3,
# aws_proxy, aws and bucket are that store's. Every other test gets moto (the only one with
# Glue). Each store, and the proxy in front of it, is started once per session, when a test
# first needs it, and stopped at the end.

S3_STORES = ("moto", "seaweedfs")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "s3_stores(*names): run once per local S3 store (moto and SeaweedFS, or the "
        "ones named); local_s3, aws_proxy, aws and bucket are that store's")
    # `./dev test` runs the tests on several pytest-xdist workers, a test at a time
    # (--dist loadgroup); a module whose tests share something costly to make (a Spark
    # context, a Debian root) keeps them on one worker with this mark.
    config.addinivalue_line(
        "markers", "xdist_group(name): the tests of one group run on the same xdist worker")


def pytest_generate_tests(metafunc):
    marker = metafunc.definition.get_closest_marker("s3_stores")
    if marker and "s3_store" in metafunc.fixturenames:
        stores = marker.args or S3_STORES
        assert set(stores) <= set(S3_STORES), stores
        metafunc.parametrize("s3_store", stores, indirect=True, scope="session")


@pytest.fixture(scope="session")
def s3_store(request) -> str:
    """The store's name: the test's parameter, else moto."""
    return getattr(request, "param", "moto")


@pytest.fixture(scope="session")
def moto_s3():
    from support.s3 import LocalS3

    s3 = LocalS3()
    yield s3
    s3.stop()


@pytest.fixture(scope="session")
def seaweedfs_s3():
    from support.seaweedfs import SeaweedFS

    s3 = SeaweedFS()
    yield s3
    s3.stop()


def _proxy_for(s3):
    from support.aws_proxy import AwsProxy

    return AwsProxy(s3.endpoint, secret_keys={"testing": "testing"},
                    upstream_checks_signatures=s3.checks_signatures,
                    upstream_deletes_conditionally=s3.deletes_conditionally).start()


@pytest.fixture(scope="session")
def moto_proxy(moto_s3):
    proxy = _proxy_for(moto_s3)
    yield proxy
    proxy.stop()


@pytest.fixture(scope="session")
def seaweedfs_proxy(seaweedfs_s3):
    proxy = _proxy_for(seaweedfs_s3)
    yield proxy
    proxy.stop()


@pytest.fixture(scope="session")
def local_s3(s3_store, request):
    """The test's S3 store (support/s3.py: LocalS3, or SeaweedFS)."""
    return request.getfixturevalue(f"{s3_store}_s3")


@pytest.fixture
def bucket(local_s3, request):
    """A fresh bucket per test."""
    import re

    readable = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:40].strip("-")
    name = "t-" + readable + "-" + format(abs(hash(request.node.nodeid)) % 10**6, "06d")
    local_s3.client.create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def aws_proxy(s3_store, request):
    """The proxy in front of the test's store; the binary talks to it, tests set faults on it."""
    return request.getfixturevalue(f"{s3_store}_proxy")


@pytest.fixture
def aws(local_s3, aws_proxy):
    """Everything a Glue test needs: boto3 clients straight to the store (setup and checks are
    not counted), and the binary's environment pointing at the proxy. `glue` is None on a store
    without Glue (SeaweedFS)."""
    import boto3

    aws_proxy.reset()

    class Aws:
        s3 = local_s3
        proxy = aws_proxy
        glue = (boto3.client("glue", endpoint_url=local_s3.endpoint, region_name="us-east-1",
                             aws_access_key_id="testing", aws_secret_access_key="testing")
                if local_s3.has_glue else None)

        @staticmethod
        def env(**extra):
            env = local_s3.env()
            env["AWS_ENDPOINT_URL"] = aws_proxy.endpoint
            env.update(extra)
            return env

    yield Aws
    assert aws_proxy.signature_failures == [], aws_proxy.signature_failures


# What the heavy suites covered (the fault sweep's M and cases per mode, the random page-merge
# cases), printed at the end of the session by title. A line travels in its test's report, so
# that it reaches the summary from pytest-xdist's workers too.
COVERAGE: dict[str, list[str]] = {}


@pytest.fixture
def coverage_note(request):
    """note(title, line): a line for the session summary's section `title`."""
    def note(title: str, line: str):
        request.node.user_properties.append(("coverage", (title, line)))
    return note


def pytest_runtest_logreport(report):
    if report.when == "call":
        for key, value in report.user_properties:
            if key == "coverage":
                title, line = value
                COVERAGE.setdefault(title, []).append(line)


def pytest_terminal_summary(terminalreporter):
    for title, lines in COVERAGE.items():
        terminalreporter.section(title)
        for line in lines:
            terminalreporter.write_line(line)
