"""The bundle (deploy/package.sh) where no host library is reachable: it must need nothing from
the host but the kernel, and trust the host's CA certificates wherever the host keeps them.

- an empty root: the bundle, busybox-static, /proc, /dev/null and /dev/urandom; nothing else
- a Debian 11 root (glibc 2.31, older than the build machine's; no libcurl, no CA certificates),
  cached by scripts/roots.sh: S3 and Glue through moto (loopback is shared with the root), and
  HTTPS with the test CA only where Amazon Linux keeps its bundle
- HTTPS from the host's build trusting AWS_CA_BUNDLE, and nothing but what it is given
Rows are checked from outside, by DuckDB. Each root runs --version and a --dry-run too."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from support.glue import partitions, register_table
from support.roots import INSTALL, PROGRAM, can_chroot, debian_root, empty_root
from support.tables import RowsSnapshot, TableSpec, data_files, partition_path, snapshot, write_table
from support.tls import TlsProxy, make_ca

# One xdist worker for the module (its Debian 11 root, made once per module).
pytestmark = pytest.mark.xdist_group("test_bundle")

PARTS = [{"year": "2023", "month": "05"}, {"year": "2023", "month": "06"}]
AMAZON_LINUX_BUNDLE = "/etc/pki/tls/certs/ca-bundle.crt"

needs_chroot = pytest.mark.skipif(can_chroot() is not None, reason=can_chroot() or "")


def local_table(folder, files=12):
    write_table(folder, TableSpec(partitions=PARTS, files_per_partition=files, rows_per_file=100))
    rows = RowsSnapshot()
    for p in PARTS:
        rows.capture(partition_path(p), data_files(folder / partition_path(p)))
    return rows


def s3_table(local_s3, bucket, tmp_path, prefix="warehouse/events"):
    local = tmp_path / "src"
    rows = local_table(local)
    local_s3.upload_tree(local, bucket, prefix)
    return rows


def assert_s3_rows(local_s3, bucket, rows, tmp_path, prefix="warehouse/events", files=1):
    for p in PARTS:
        got = local_s3.download_prefix(bucket, f"{prefix}/{partition_path(p)}",
                                       tmp_path / "after" / partition_path(p))
        got = [f for f in got if f.suffix == ".parquet" and not f.name.startswith(("_", "."))]
        rows.assert_same(partition_path(p), got)
        assert len(got) == files, got


def loaded_libraries(stderr: str) -> set[str]:
    """The objects the loader mapped, from LD_DEBUG=libs output."""
    return set(re.findall(r"calling init: (\S+)", stderr))


# --- the empty root -----------------------------------------------------------------------------

@needs_chroot
def test_empty_root_runs_the_bundle_and_compacts_a_local_table(bundle, tmp_path):
    root = empty_root(tmp_path / "root", bundle)
    # Nothing in the root but the bundle and the static shell: no library of the host.
    foreign = [p for p in root.path.rglob("*")
               if p.is_file() and not p.is_symlink() and not str(p).startswith(str(root.inside(INSTALL)))]
    assert [p.name for p in foreign] == ["busybox"], foreign
    table = root.inside("/data/events")
    rows = local_table(table)

    r = root.run("/bin/sh", "-c", "s3-compaction --version", env={"PATH": f"{INSTALL}/bin"})
    assert r.code == 0 and r.stdout.startswith("s3-compaction "), r
    # Without /proc the launcher finds the bundle from its argv[0].
    r = root.run(PROGRAM, "--version", proc=False)
    assert r.code == 0 and r.stdout.startswith("s3-compaction "), r

    before = snapshot(table)
    r = root.run(PROGRAM, "--table_path", "/data/events", "--dry-run", "--json")
    assert r.code == 0, r.stderr
    assert snapshot(table) == before
    r = root.run(PROGRAM, "--table_path", "/data/events", "--delete_original_files", "true",
                 "--json")
    assert r.code == 0, r.stderr
    assert r.stderr == ""
    for p in PARTS:
        files = data_files(table / partition_path(p))
        assert len(files) == 1, files
        rows.assert_same(partition_path(p), files)


@needs_chroot
@pytest.mark.parametrize("catalog", ["path", "glue"])
def test_empty_root_with_no_ca_names_every_path_it_tried(bundle, tmp_path, aws, bucket, catalog):
    """HTTPS with no CA certificate anywhere: one line naming the paths tried, at once (no
    retry can find certificates), nothing changed; for S3 (Arrow's client) and Glue (ours)."""
    root = empty_root(tmp_path / "root", bundle)
    if catalog == "glue":
        database = f"db_{bucket.replace('-', '_')}"[:60]
        glue_table(aws, bucket, tmp_path, database)
        flags = ["--database_name", database, "--table_name", "events"]
    else:
        s3_table(aws.s3, bucket, tmp_path)
        flags = ["--table_path", f"s3://{bucket}/warehouse/events"]
    before = aws.s3.objects(bucket)
    ca = make_ca(tmp_path / "ca")
    tls = TlsProxy(aws.proxy.endpoint, ca).start()
    try:
        env = aws.env(AWS_ENDPOINT_URL=tls.endpoint)
        r = root.run(PROGRAM, *flags, "--delete_original_files", "true", "-vv", env=env)
    finally:
        tls.stop()
    assert r.code == 3, r
    assert "retrying" not in r.stderr, r.stderr
    r.stderr = "\n".join(line for line in r.stderr.splitlines()
                         if not line.startswith("s3-compaction: debug:"))
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "no CA certificates for HTTPS" in lines[0], lines[0]
    for path in ("AWS_CA_BUNDLE", "SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt",
                 AMAZON_LINUX_BUNDLE, "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"):
        assert path in lines[0], (path, lines[0])
    assert tls.handshakes == 0
    assert aws.s3.objects(bucket) == before


# --- the Debian 11 root -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def debian11(bundle, tmp_path_factory):
    if can_chroot():
        pytest.skip(can_chroot())
    return debian_root(tmp_path_factory.mktemp("debian11") / "root", bundle)


def test_debian_11_root_is_older_than_the_build_and_uses_only_bundled_libraries(debian11, tmp_path):
    r = debian11.run("/usr/bin/ldd", "--version")
    assert r.code == 0 and "2.31" in r.stdout.splitlines()[0], r
    assert not debian11.inside("/usr/lib/x86_64-linux-gnu/libcurl.so.4").exists()
    r = debian11.run(PROGRAM, "--version")
    assert r.code == 0 and r.stdout.startswith("s3-compaction "), r
    # Every object the loader maps comes from the bundle (LD_DEBUG is read by the bundled loader).
    table = debian11.inside("/data/events")
    local_table(table, files=3)
    before = snapshot(table)
    # (set by the root's env(1), so that the host's unshare and mount do not report theirs)
    r = debian11.run("/usr/bin/env", "LD_DEBUG=libs", PROGRAM, "--table_path", "/data/events",
                     "--dry-run")
    assert r.code == 0, r.stderr[-2000:]
    libs = loaded_libraries(r.stderr)
    assert f"{INSTALL}/lib/libc.so.6" in libs and f"{INSTALL}/lib/libcurl.so.4" in libs, libs
    assert {lib for lib in libs if not lib.startswith(f"{INSTALL}/lib/")} == set(), libs
    assert snapshot(table) == before


def test_debian_11_root_compacts_a_table_on_s3(debian11, local_s3, bucket, tmp_path):
    rows = s3_table(local_s3, bucket, tmp_path)
    uri = f"s3://{bucket}/warehouse/events"
    before = local_s3.objects(bucket)
    r = debian11.run(PROGRAM, "--table_path", uri, "--dry-run", "--json", env=local_s3.env())
    assert r.code == 0, r.stderr
    assert local_s3.objects(bucket) == before
    r = debian11.run(PROGRAM, "--table_path", uri, "--delete_original_files", "true", "--json",
                     env=local_s3.env())
    assert r.code == 0, r.stderr
    assert_s3_rows(local_s3, bucket, rows, tmp_path)


def glue_table(aws, bucket, tmp_path, database, name="events"):
    import pyarrow.parquet as pq

    rows = s3_table(aws.s3, bucket, tmp_path)
    schema = pq.read_schema(next((tmp_path / "src").rglob("*.parquet")))
    aws.glue.create_database(DatabaseInput={"Name": database})
    register_table(aws.glue, database, name, bucket, "warehouse/events", schema, PARTS)
    return rows


def test_debian_11_root_compacts_a_glue_table(debian11, aws, bucket, tmp_path):
    database = f"db_{bucket.replace('-', '_')}"[:60]
    rows = glue_table(aws, bucket, tmp_path, database)
    flags = ["--database_name", database, "--table_name", "events"]
    r = debian11.run(PROGRAM, *flags, "--dry-run", env=aws.env())
    assert r.code == 0, r.stderr
    r = debian11.run(PROGRAM, *flags, "--delete_original_files", "true", env=aws.env())
    assert r.code == 0, r.stderr
    assert_s3_rows(aws.s3, bucket, rows, tmp_path)
    assert len(partitions(aws.glue, database, "events")) == 2


def test_debian_11_root_trusts_the_ca_at_the_amazon_linux_path(debian11, aws, bucket, tmp_path):
    """HTTPS through a TLS-terminating proxy whose CA is only at Amazon Linux's bundle path: Glue,
    S3 (Arrow's client and ours) and the deletes all verify against it."""
    database = f"db_{bucket.replace('-', '_')}"[:60]
    rows = glue_table(aws, bucket, tmp_path, database)
    ca = make_ca(tmp_path / "ca")
    placed = debian11.inside(AMAZON_LINUX_BUNDLE)
    placed.parent.mkdir(parents=True, exist_ok=True)
    placed.write_bytes(ca.ca_pem.read_bytes())
    assert not debian11.inside("/etc/ssl/certs/ca-certificates.crt").exists()
    tls = TlsProxy(aws.proxy.endpoint, ca).start()
    try:
        env = aws.env(AWS_ENDPOINT_URL=tls.endpoint)
        r = debian11.run(PROGRAM, "--database_name", database, "--table_name", "events",
                         "--delete_original_files", "true", "-vv", env=env)
    finally:
        tls.stop()
        placed.unlink()
    assert r.code == 0, r.stderr
    assert f"HTTPS trusts the CA certificates of {AMAZON_LINUX_BUNDLE}" in r.stderr, r.stderr
    assert tls.handshakes > 0 and tls.failed_handshakes == 0
    assert_s3_rows(aws.s3, bucket, rows, tmp_path)


# --- HTTPS from the host: AWS_CA_BUNDLE, and nothing it was not given --------------------------

def test_https_trusts_aws_ca_bundle_and_refuses_an_unknown_ca(run, aws, bucket, tmp_path):
    database = f"db_{bucket.replace('-', '_')}"[:60]
    rows = glue_table(aws, bucket, tmp_path, database)
    ca = make_ca(tmp_path / "ca")
    tls = TlsProxy(aws.proxy.endpoint, ca).start()
    flags = ["--database_name", database, "--table_name", "events", "--delete_original_files",
             "true"]
    try:
        before = aws.s3.objects(bucket)
        # The host's own roots do not include the test CA: refused, nothing touched.
        r = run(*flags, env=aws.env(AWS_ENDPOINT_URL=tls.endpoint))
        assert r.code == 3, r.stderr
        assert "certificate" in r.stderr.lower(), r.stderr
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert aws.s3.objects(bucket) == before
        assert tls.handshakes == 0 and tls.failed_handshakes > 0
        # A certificate the trusted CA signed for another host: refused, by name, at once.
        other = make_ca(tmp_path / "other", server_name="other.example")
        elsewhere = TlsProxy(aws.proxy.endpoint, other).start()
        try:
            r = run(*flags, "-vv", env=aws.env(AWS_ENDPOINT_URL=elsewhere.endpoint,
                                               AWS_CA_BUNDLE=str(other.ca_pem)))
        finally:
            elsewhere.stop()
        assert r.code == 3, r.stderr
        assert "127.0.0.1" in r.stderr and "retrying" not in r.stderr, r.stderr
        assert "subject name" in r.stderr or "does not match" in r.stderr, r.stderr
        assert aws.s3.objects(bucket) == before
        # Named by AWS_CA_BUNDLE: trusted.
        r = run(*flags, env=aws.env(AWS_ENDPOINT_URL=tls.endpoint, AWS_CA_BUNDLE=str(ca.ca_pem)))
        assert r.code == 0, r.stderr
        assert tls.handshakes > 0
    finally:
        tls.stop()
    assert_s3_rows(aws.s3, bucket, rows, tmp_path)
    # A bundle that is not there is named, not replaced by the system's.
    r = run(*flags, env=aws.env(AWS_ENDPOINT_URL=tls.endpoint,
                                AWS_CA_BUNDLE=str(tmp_path / "missing.pem")))
    assert r.code == 3 and f"AWS_CA_BUNDLE names '{tmp_path / 'missing.pem'}'" in r.stderr, r.stderr


# --- the launcher -------------------------------------------------------------------------------

def test_launcher_follows_a_symlink_and_refuses_a_path_the_loader_cannot_take(bundle, tmp_path):
    """Installed as /usr/local/bin/s3-compaction -> /opt/s3-compaction/bin/s3-compaction, it
    finds the bundle through the link; a folder with ':' in its path (the loader's library path
    separator) is refused in one line rather than loading the wrong libraries."""
    link = tmp_path / "bin" / "s3-compaction"
    link.parent.mkdir()
    link.symlink_to(bundle / "bin" / "s3-compaction")
    r = subprocess.run([str(link), "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("s3-compaction "), r
    odd = tmp_path / "a:b" / "s3-compaction"
    shutil.copytree(bundle, odd, symlinks=True)
    r = subprocess.run([str(odd / "bin" / "s3-compaction"), "--version"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 127 and r.stdout == "", r
    assert r.stderr == (f"s3-compaction: launcher: cannot run from a folder whose path has a ':', "
                        f"';' or '$' in it: {odd}\n"), r.stderr
    # ';' separates the loader's list too, and $LIB / $ORIGIN are expanded in it: either would
    # send the loader to the host's folders (its libc with the bundle's loader).
    for name in ("a;b", "$LIB"):
        other = tmp_path / name / "s3-compaction"
        shutil.copytree(bundle, other, symlinks=True)
        r = subprocess.run([str(other / "bin" / "s3-compaction"), "--version"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 127 and r.stdout == "", (name, r)
        assert "has a ':', ';' or '$' in it" in r.stderr, (name, r.stderr)
    # Without its libexec/ the launcher says what is missing.
    (odd.parent.parent / "c").mkdir()
    lone = odd.parent.parent / "c" / "s3-compaction"
    (lone / "bin").mkdir(parents=True)
    shutil.copy2(bundle / "bin" / "s3-compaction", lone / "bin" / "s3-compaction")
    r = subprocess.run([str(lone / "bin" / "s3-compaction"), "--version"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 127, r
    assert r.stderr == (f"s3-compaction: launcher: cannot read {lone}/libexec/s3-compaction: "
                        "No such file or directory\n"), r.stderr


FIPS_OPENSSL_CNF = """openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
fips = fips_sect
base = base_sect
[fips_sect]
activate = 1
[base_sect]
activate = 1
"""


def test_debian_11_root_keeps_the_hosts_openssl_config_and_preloads_away_from_the_bundle(
        debian11, local_s3, bucket, tmp_path):
    """A host whose OpenSSL configuration activates a provider the bundle lacks (fips), and
    which preloads one of its own libraries: the bundle reads its own etc/openssl.cnf and loads
    none of the host's libraries (the AWS SDK inside Arrow aborted at start before), while the
    credential_process it starts gets the host's environment back as it was."""
    rows = s3_table(local_s3, bucket, tmp_path)
    uri = f"s3://{bucket}/warehouse/events"
    placed = [debian11.inside("/usr/lib/ssl/openssl.cnf"), debian11.inside("/etc/ssl/openssl.cnf")]
    for path in placed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FIPS_OPENSSL_CNF)
    host_lib = "/lib/x86_64-linux-gnu/libz.so.1"
    assert debian11.inside(host_lib).exists()
    config = debian11.inside("/data/aws-config")
    config.write_text("[profile p]\ncredential_process = /bin/sh /data/creds.sh\n")
    debian11.inside("/data/creds.sh").write_text(
        "env > /tmp/child-env\n"
        'printf \'{"Version": 1, "AccessKeyId": "testing", "SecretAccessKey": "testing"}\'\n')
    try:
        env = dict(local_s3.env(), LD_PRELOAD=host_lib)
        r = debian11.run("/usr/bin/env", "LD_DEBUG=libs", PROGRAM, "--table_path", uri,
                         "--dry-run", env=env)
        assert r.code == 0, r.stderr[-3000:]
        libs = loaded_libraries(r.stderr)
        assert {lib for lib in libs if not lib.startswith(f"{INSTALL}/lib/")} == set(), libs
        env = {k: v for k, v in local_s3.env().items() if not k.startswith("AWS_ACCESS_KEY")
               and not k.startswith("AWS_SECRET")}
        env.update(AWS_CONFIG_FILE="/data/aws-config", AWS_PROFILE="p", LD_PRELOAD=host_lib)
        r = debian11.run(PROGRAM, "--table_path", uri, "--delete_original_files", "true", env=env)
        assert r.code == 0, r.stderr
    finally:
        for path in placed:
            path.unlink()
    child = dict(line.split("=", 1) for line in
                 debian11.inside("/tmp/child-env").read_text().splitlines() if "=" in line)
    assert child.get("LD_PRELOAD") == host_lib, child
    assert "OPENSSL_CONF" not in child and not [k for k in child if k.startswith("S3C_HOST_")], child
    assert_s3_rows(local_s3, bucket, rows, tmp_path)
