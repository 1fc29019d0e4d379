"""python/glue_job.py hands the credentials boto3 resolves on each node (the job role's, in Glue)
to the binary through credential_process: a profile in a private config file, written on the
driver and on every executor for its shard, whose command prints boto3's current credentials.

boto3 here gets temporary credentials from a stand-in for the container credentials endpoint
(AWS_CONTAINER_CREDENTIALS_FULL_URI, on loopback): a new access key id on every request. The
first SHORT_LIVED expire a minute after they are handed out, inside the binary's five-minute
refresh margin, so a binary that got one runs credential_process again before its next request,
within the run, without waiting for a clock (and boto3 fetches twice: its own margin is 10
minutes). Later ones last an hour, which keeps the run quick (each credential_process is a
Python start and a boto3 import). The proxy in front of moto records the access key id of every
request and verifies its signature with the secret the endpoint handed out for it.

The job runs as Glue runs it (its own process; its own SparkContext when there are shards), with
a recording stand-in for the binary: each invocation's arguments, the AWS_PROFILE and
AWS_CONFIG_FILE it was given, that file's content and modes."""

import datetime as dt
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from support.container_credentials import ContainerCredentials
from support.glue import add_partition, create_table
from support.tables import RowsSnapshot, TableSpec, events_schema, write_table
from test_glue_job import NO_SPARK, SPARK_SETTINGS, load_job, needs_spark, run_job

DB = "creds"
SCHEMA = events_schema()
PARTS = [("2023", "5"), ("2023", "6")]
FILES, ROWS = 3, 50
PROFILE = "s3-compaction-glue-job"
VIA_PROFILE = f"boto3's, through credential_process (profile {PROFILE})"
# The driver's probe takes 2, the recover step's first three credential_process runs 2 each:
# recover signs with four keys, every later process with one of its own.
SHORT_LIVED = 8
BOTOCORE = "python-urllib3"  # the User-Agent of boto3's container fetcher; the binary sends none


@pytest.fixture
def endpoint(aws_proxy):
    credentials = ContainerCredentials(SHORT_LIVED, secret_keys=aws_proxy.secret_keys).start()
    yield credentials
    credentials.stop()


@pytest.fixture
def table(aws, bucket, tmp_path):
    """Two partitions of three small files each: (name, rows snapshot, partition -> prefix)."""
    name = "cr_" + bucket.replace("-", "_")[-12:]
    prefix = f"warehouse/{name}"
    create_table(aws.glue, DB, name, f"s3://{bucket}/{prefix}", SCHEMA,
                 [("year", "string"), ("month", "int")])
    rows, layout = RowsSnapshot(), {}
    for year, month in PARTS:
        local = tmp_path / "src" / f"{year}-{month}"
        write_table(local, TableSpec(partitions=[{"p": "x"}], files_per_partition=FILES,
                                     rows_per_file=ROWS, seed=int(month)))
        layout[(year, month)] = f"{prefix}/year={year}/month={month}"
        aws.s3.upload_tree(local / "p=x", bucket, layout[(year, month)])
        rows.capture(f"{year}/{month}", sorted((local / "p=x").glob("*.parquet")))
        add_partition(aws.glue, DB, name, [year, month], f"s3://{bucket}/{layout[(year, month)]}",
                      SCHEMA)
    return name, rows, layout


def recording_binary(folder: Path, binary: str) -> str:
    """The binary, behind a script that records each invocation (by its pid) before exec."""
    folder.mkdir()
    script = folder / "s3-compaction"
    script.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        out="{folder}/run.$$"
        printf '%s\\n' "$@" > "$out.argv"
        printf '%s\\n' "$AWS_PROFILE" "$AWS_CONFIG_FILE" > "$out.env"
        if [ -n "$AWS_CONFIG_FILE" ] && [ -f "$AWS_CONFIG_FILE" ]; then
          stat -c '%a' "$AWS_CONFIG_FILE" "$(dirname "$AWS_CONFIG_FILE")" > "$out.modes"
          cat "$AWS_CONFIG_FILE" > "$out.config"
        fi
        exec {binary} "$@"
        """))
    script.chmod(0o755)
    return str(script)


def invocations(folder: Path) -> list[dict]:
    """What recording_binary saw: argv, profile, config (path, content, modes) per run."""
    runs = []
    for argv in sorted(folder.glob("run.*.argv")):
        base = str(argv)[:-len(".argv")]
        profile, config = Path(base + ".env").read_text().split("\n")[:2]
        modes = Path(base + ".modes")
        content = Path(base + ".config")
        runs.append({"argv": argv.read_text().splitlines(), "profile": profile, "config": config,
                     "modes": modes.read_text().split() if modes.exists() else None,
                     "content": content.read_text() if content.exists() else None})
    return runs


def job_env(aws, tmp_path, **extra) -> dict:
    """The job's environment: no AWS setting of this machine's, an empty home (no ~/.aws), the
    proxy in front of moto; credentials only as `extra` gives them."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(SPARK_SETTINGS, HOME=str(home), S3C_SPARK_MASTER="local[2]", AWS_REGION="us-east-1",
               AWS_ENDPOINT_URL=aws.proxy.endpoint, AWS_EC2_METADATA_DISABLED="true")
    env.update(extra)
    return env


def job_args(name: str, binary: str, *extra) -> list[str]:
    return ["--database_name", DB, "--table_name", name, "--s3c_binary", binary,
            "--target_file_size_mb", "0.125", *extra]


def credential_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("glue_job: AWS credentials: ")]


# --- boto3's temporary credentials, refreshed within the run, on the driver and the executors --

@needs_spark
def test_the_binary_signs_with_boto3s_credentials_refreshed_during_the_run(
        aws, bucket, table, binary, endpoint, tmp_path):
    name, rows, layout = table
    record = tmp_path / "record"
    env = job_env(aws, tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI=endpoint.uri)
    code, out, stdout, stderr = run_job(env, *job_args(
        name, recording_binary(record, binary), "--delete_original_files", "true", "--shards", "2"))
    assert code == 0, stderr

    # Every node installed the profile: the driver for its steps, each executor for its shard.
    assert out["steps"] == ["recover", "plan", "shards", "commit"]
    assert out["credentials"] == VIA_PROFILE
    assert [s["credentials"] for s in out["shards"]] == [VIA_PROFILE] * 2
    # The driver's line, and each executor's (local: their stderr is the job's).
    assert credential_lines(stderr) == [f"glue_job: AWS credentials: {VIA_PROFILE}"] * 3
    for key in PARTS:
        files = aws.s3.download_prefix(bucket, layout[key], tmp_path / "dl" / "_".join(key))
        rows.assert_same("/".join(key), files)
        assert 1 <= len(files) < FILES

    runs = invocations(record)
    assert len(runs) == 5  # recover, plan, two shards, commit
    for run in runs:
        assert run["profile"] == PROFILE
        assert run["modes"] == ["600", "700"]  # the file, its folder
        assert re.fullmatch(rf"\[profile {PROFILE}\]\ncredential_process = "
                            rf"{re.escape(sys.executable)} \S+/print_credentials\.py "
                            r"--print-credentials\n", run["content"]), run["content"]
    shard_configs = {r["config"] for r in runs if "--shard" in r["argv"]}
    driver_configs = {r["config"] for r in runs if "--shard" not in r["argv"]}
    assert len(shard_configs) == 2 and len(driver_configs) == 1  # written per shard, not shipped
    assert not any(os.path.exists(os.path.dirname(r["config"])) for r in runs)  # removed

    # Only boto3 asked the endpoint (through credential_process, and the probe before it). S3
    # and Glue saw its keys, more of them than there were processes: a process ran
    # credential_process again when its credentials neared their expiry. Signatures were
    # checked with the secrets handed out.
    assert endpoint.issued and endpoint.asked_by(BOTOCORE) == endpoint.issued
    keys = aws.proxy.access_keys
    assert set(keys) <= {i.access_key_id for i in endpoint.issued}
    assert len(keys) > len(runs), keys
    assert aws.proxy.verified["s3"] > 0 and aws.proxy.verified["glue"] > 0

    # No secret in what the job printed (its summary included) or in any argument list.
    secrets = endpoint.secrets()
    seen = [stdout, stderr] + [a for r in runs for a in r["argv"]] + [r["content"] for r in runs]
    leaked = [s for s in secrets if any(s in text for text in seen)]
    assert not leaked


@needs_spark
def test_credentials_in_the_environment_win(aws, bucket, table, binary, endpoint, tmp_path):
    name, rows, layout = table
    record = tmp_path / "record"
    env = job_env(aws, tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI=endpoint.uri,
                  AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    code, out, _, stderr = run_job(env, *job_args(name, recording_binary(record, binary),
                                                  "--shards", "2"))
    assert code == 0, stderr
    own = "the binary's own chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set)"
    assert out["credentials"] == own and [s["credentials"] for s in out["shards"]] == [own] * 2
    assert credential_lines(stderr) == [f"glue_job: AWS credentials: {own}"] * 3
    runs = invocations(record)
    assert len(runs) == 5 and all(r["profile"] == r["config"] == "" for r in runs)
    assert endpoint.issued == []
    assert set(aws.proxy.access_keys) == {"testing"}
    for key in PARTS:
        rows.assert_same("/".join(key), aws.s3.download_prefix(bucket, layout[key],
                                                               tmp_path / "dl" / "_".join(key)))


# --- where the profile is not installed: the binary's own chain ------------------------------

NOTHING_PLANNED = ("--partition_predicate", "year='1999'")  # recover and plan only: no Spark


def test_without_boto3_the_binary_resolves_credentials_itself(aws, table, binary, endpoint,
                                                               tmp_path):
    fake = tmp_path / "no-boto3" / "boto3"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('boto3 is not installed here')\n")
    record = tmp_path / "record"
    env = job_env(aws, tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI=endpoint.uri,
                  PYTHONPATH=str(fake.parent))
    code, out, _, stderr = run_job(env, *job_args(table[0], recording_binary(record, binary),
                                                  *NOTHING_PLANNED), master=NO_SPARK)
    assert code == 0, stderr
    own = ("the binary's own chain (boto3 is not importable (boto3 is not installed here))")
    assert out["credentials"] == own
    assert credential_lines(stderr) == [f"glue_job: AWS credentials: {own}"]
    runs = invocations(record)
    assert len(runs) == 2 and all(r["profile"] == r["config"] == "" for r in runs)
    # The binary's container source asked the endpoint itself (no User-Agent), boto3 never.
    assert endpoint.issued and endpoint.asked_by(BOTOCORE) == []
    assert set(aws.proxy.access_keys) <= {i.access_key_id for i in endpoint.issued}


def test_when_boto3_finds_no_credentials_the_binary_says_it_found_none(aws, table, binary,
                                                                       tmp_path):
    code, out, _, stderr = run_job(job_env(aws, tmp_path),
                                   *job_args(table[0], binary, *NOTHING_PLANNED), master=NO_SPARK)
    own = "the binary's own chain (boto3 resolves no credentials)"
    assert out["credentials"] == own
    assert credential_lines(stderr) == [f"glue_job: AWS credentials: {own}"]
    assert code == 3 and out["steps"] == ["recover"]
    assert "no AWS credentials found" in stderr
    assert aws.proxy.access_keys == {}


def test_a_profile_the_user_chose_is_left_to_the_binary(aws, table, binary, endpoint, tmp_path):
    """AWS_PROFILE names the user's profile: the binary reads it as it is (boto3 would resolve
    the same profile; the binary may take more from it than credentials, such as its region)."""
    env = job_env(aws, tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI=endpoint.uri,
                  AWS_PROFILE="mine")
    aws_dir = Path(env["HOME"]) / ".aws"
    aws_dir.mkdir()
    (aws_dir / "config").write_text("[profile mine]\naws_access_key_id = user-key\n"
                                    "aws_secret_access_key = user-secret\n")
    aws.proxy.secret_keys["user-key"] = "user-secret"
    record = tmp_path / "record"
    try:
        code, out, _, stderr = run_job(env, *job_args(table[0], recording_binary(record, binary),
                                                      *NOTHING_PLANNED), master=NO_SPARK)
    finally:
        del aws.proxy.secret_keys["user-key"]
    assert code == 0, stderr
    own = "the binary's own chain (AWS_PROFILE is set: mine)"
    assert out["credentials"] == own
    assert credential_lines(stderr) == [f"glue_job: AWS credentials: {own}"]
    assert [(r["profile"], r["config"]) for r in invocations(record)] == [("mine", "")] * 2
    assert endpoint.issued == []
    assert set(aws.proxy.access_keys) == {"user-key"}


# --- the profile itself ----------------------------------------------------------------------

def test_the_profile_prints_boto3s_current_credentials_and_goes_with_the_run(endpoint, tmp_path):
    """The file and folder are private; the command names no secret; each run of it prints the
    credentials boto3 has then (a new key from this endpoint), with their expiry; the default
    profile's region, endpoint_url and ca_bundle stay the binary's; everything goes on exit."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text(
        "[DEFAULT]\nregion = not-a-section-default\n"
        "[default]\nregion = eu-west-3 # where the tables are\noutput = json\n"
        "ca_bundle = /etc/corp/ca.pem\n"
        "[profile other]\nregion = us-west-2\n")
    (home / ".aws" / "credentials").write_text("[default]\nendpoint_url = http://127.0.0.1:9\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(home), AWS_EC2_METADATA_DISABLED="true",
               AWS_CONTAINER_CREDENTIALS_FULL_URI=endpoint.uri)
    job = load_job()

    with job.aws_credentials(env) as (binary_env, how):
        assert how == VIA_PROFILE
        config = Path(binary_env["AWS_CONFIG_FILE"])
        assert binary_env["AWS_PROFILE"] == PROFILE
        assert {k: v for k, v in binary_env.items() if k not in ("AWS_CONFIG_FILE", "AWS_PROFILE")} == env
        assert config.stat().st_mode & 0o777 == 0o600 and config.parent.stat().st_mode & 0o777 == 0o700
        text = config.read_text()
        command = re.fullmatch(rf"\[profile {PROFILE}\]\ncredential_process = (.*)\n"
                               r"region = eu-west-3\nca_bundle = /etc/corp/ca.pem\n"
                               r"endpoint_url = http://127.0.0.1:9\n", text)
        assert command, text
        printed = []
        for _ in range(2):  # as the binary runs it: with /bin/sh, in the binary's environment
            proc = subprocess.run(["/bin/sh", "-c", command.group(1)], env=binary_env,
                                  capture_output=True, text=True, timeout=60)
            assert proc.returncode == 0 and proc.stderr == "", proc.stderr
            printed.append(json.loads(proc.stdout))
    assert not config.parent.exists()

    for document in printed:
        issued = next(i for i in endpoint.issued if i.access_key_id == document["AccessKeyId"])
        assert document == {"Version": 1, "AccessKeyId": issued.access_key_id,
                            "SecretAccessKey": issued.secret_access_key,
                            "SessionToken": issued.token, "Expiration": issued.expiration}
    assert printed[0]["AccessKeyId"] != printed[1]["AccessKeyId"]
    assert not any(s in text for s in endpoint.secrets())


def test_a_default_profile_in_the_shared_credentials_file_does_not_shadow_ours(
        aws, bucket, binary, run, tmp_path):
    """The binary reads only the named profile's sections (AWS_PROFILE): [default] keys in the
    shared credentials file, which it would otherwise take, are not used."""
    write_table(tmp_path / "t", TableSpec(partitions=[{"p": "x"}], files_per_partition=1,
                                          rows_per_file=10))
    aws.s3.upload_tree(tmp_path / "t", bucket, "t")
    config = tmp_path / "config"
    document = json.dumps({"Version": 1, "AccessKeyId": "from-process",
                           "SecretAccessKey": "process-secret"})
    config.write_text(f"[profile {PROFILE}]\ncredential_process = printf '%s' '{document}'\n")
    credentials = tmp_path / "credentials"
    credentials.write_text("[default]\naws_access_key_id = shadow\naws_secret_access_key = shadow\n")
    aws.proxy.secret_keys["from-process"] = "process-secret"
    try:
        result = run("--table_path", f"s3://{bucket}/t", "--dry-run", "--json",
                     env={**aws.env(), "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
                          "AWS_PROFILE": PROFILE, "AWS_CONFIG_FILE": str(config),
                          "AWS_SHARED_CREDENTIALS_FILE": str(credentials)})
    finally:
        del aws.proxy.secret_keys["from-process"]
    assert result.code == 0, result.stderr
    assert set(aws.proxy.access_keys) == {"from-process"}


def test_the_helper_never_runs_itself_through_boto3(endpoint, tmp_path):
    """Were boto3 given our profile (its config file copied elsewhere, say), it would run the
    helper, which would run boto3...: the nested helper refuses, and the first one fails."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), AWS_EC2_METADATA_DISABLED="true",
               AWS_CONTAINER_CREDENTIALS_FULL_URI=endpoint.uri)
    with load_job().aws_credentials(env) as (binary_env, _):
        copy = tmp_path / "copied-config"
        copy.write_text(Path(binary_env["AWS_CONFIG_FILE"]).read_text())
        command = copy.read_text().split("credential_process = ")[1].splitlines()[0]
        proc = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True,
                              env=dict(binary_env, AWS_CONFIG_FILE=str(copy)), timeout=60)
    assert proc.returncode == 4 and proc.stdout == ""
    assert proc.stderr.startswith("boto3 found no credentials: CredentialRetrievalError"), proc.stderr
    assert len(endpoint.issued) == 2  # the probe's; the profile took precedence over the endpoint


def test_a_temp_folder_it_cannot_write_leaves_the_binary_its_own_chain(endpoint, tmp_path,
                                                                        monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), AWS_CONTAINER_CREDENTIALS_FULL_URI=endpoint.uri)
    with load_job().aws_credentials(env) as (binary_env, how):
        assert binary_env == env
        assert how.startswith("the binary's own chain (could not write the profile: ")
    assert endpoint.issued == []
