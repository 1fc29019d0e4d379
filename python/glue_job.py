"""s3-compaction as an AWS Glue job (Glue 4.0 and 5.x, PySpark; Python 3.10 and 3.11): the bundled
binary does the work, Spark only spreads it over the executors.

    1. driver:    s3-compaction recover --database_name D --table_name T [--target_s3_path X] --json
    2. driver:    s3-compaction <job args> --dry-run --json          (the plan; nothing to do: stop)
    3. executors: s3-compaction <job args> --shard K/N --update_catalog deferred --json, K < N
    4. driver:    s3-compaction commit --database_name D --table_name T [--target_s3_path X] --json
    5. driver:    one JSON summary on stdout, one line per step on stderr, the exit code

With --s3c_command inspect the job only looks: one step on the driver,
    s3-compaction inspect --database_name D --table_name T [--partition_predicate P] --json
(listings only, nothing written, no Spark task), its report (--report) written where asked.

Arguments (Glue job parameters, or command-line flags when run locally):

  --database_name, --table_name          required: the Glue table
  --target_s3_path, --partition_predicate, --delete_original_files, --target_file_size_mb
                                          the original Glue job's arguments, passed on verbatim
  --sort_by "COLS"                        sort each compacted partition (s3-compaction's
                                          --sort_by), passed on verbatim
  --s3c_command compact|inspect          compact (default), or only inspect the table: its health
                                          per partition, what a run would do, pending work
  --report PATH                           also write an HTML report (local or s3://): inspect's;
                                          or, compacting, each shard's, as PATH with
                                          "-shard-K-of-N" before its extension
  --s3c_binary PATH                       the binary: a file, the bundle folder of
                                          deploy/package.sh or its .tar.gz (unpacked on each node).
                                          Default: s3-compaction or s3-compaction-linux-x86_64.tar.gz
                                          next to this script, in the working directory (where
                                          Glue puts --extra-files), among SparkFiles, or on PATH
  --shards N                              at most N shards (default: Spark's defaultParallelism)
  --s3c_args "FLAGS"                      more s3-compaction flags for every invocation, split
                                          like a shell would ("--compression zstd -v")
  --s3c_ship_binary auto|true|false       ship the binary found on the driver to the executors
                                          with SparkContext.addFile; auto (default): unless the
                                          master is local. Executors use the driver's path when
                                          they see it, else the shipped copy, else search as above

Anything else (Glue's --JOB_NAME, --TempDir, ...) is ignored. Locally the Spark master is
S3C_SPARK_MASTER (default local[*], or what spark-submit set); in Glue it is Glue's.

AWS credentials: on each node (the driver for its steps, every executor for its shard, each
on its own host) the binary signs with the credentials boto3 resolves there, in Glue the job
role's, through the standard credential_process. The node writes a private folder (0700,
removed when the binary is done) holding a small helper and an AWS config file (0600) with one
profile, s3-compaction-glue-job, whose command is

    <this Python> <folder>/print_credentials.py --print-credentials

It prints boto3's current credentials as credential_process JSON (Version 1, with Expiration
when boto3 knows it, as for a role's), and the binary runs it again whenever they are within
five minutes of expiring. The binary gets AWS_CONFIG_FILE and AWS_PROFILE naming them; no
secret is ever in an argument list, a file or a log. This is skipped, and the binary's own
chain (README, "AWS access") left to find credentials, when:
  - AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is set: keys in the environment come first;
  - AWS_PROFILE, AWS_DEFAULT_PROFILE or AWS_CONFIG_FILE is set: a profile someone chose is
    theirs, read by the binary as it is (static keys, role_arn, web identity, and
    credential_process, which can front anything else: `aws configure export-credentials
    --profile P --format process` for SSO);
  - AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are set: the binary's chain takes them before
    any profile;
  - boto3 is not importable, or resolves no credentials (the helper is tried once first), or
    the temp folder cannot be written.
One line on stderr says which ("AWS credentials: ..."), and the summary has it as
"credentials", the driver's and each shard's. The profile keeps the default profile's region,
endpoint_url and ca_bundle, the only other settings the binary reads from a profile. [default] in the
shared credentials file cannot shadow it: the binary reads only the named profile's sections.

Exit code: the CLI's convention (0 success, 1 internal error, 2 usage error, 3 input error, 4
partial failure); when several steps fail, the most serious code in that order wins.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import functools
import hashlib
import json
import os
import shlex
import shutil
import socket
import stat
import subprocess
import sys
import tarfile
import tempfile
import time

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_INPUT, EXIT_PARTIAL = 0, 1, 2, 3, 4
# Most serious first: an internal error, a usage error, a run that could not start, a partial one.
SEVERITY = {EXIT_INTERNAL: 4, EXIT_USAGE: 3, EXIT_INPUT: 2, EXIT_PARTIAL: 1, EXIT_OK: 0}

JOB_ARGS = ("database_name", "table_name", "target_s3_path", "partition_predicate",
            "delete_original_files", "target_file_size_mb", "sort_by")
REQUIRED = ("database_name", "table_name")
OUR_ARGS = ("s3c_binary", "shards", "s3c_args", "s3c_ship_binary", "s3c_command", "report")
# Flags the job sets itself: refused in --s3c_args.
OWNED_FLAGS = ("--shard", "--update_catalog", "--dry-run", "--dry_run", "--json", "--table_path",
               "--database_name", "--table_name", "--help", "-h", "--version", "--report",
               "--html")
OWNED_WORDS = ("recover", "commit", "inspect", "report")

BINARY_NAMES = ("s3-compaction", "s3-compaction-linux-x86_64.tar.gz")
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
# The driver's settings that executors get when theirs lack them: where AWS is, never secrets.
FORWARDED_ENV = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_REQUEST_CHECKSUM_CALCULATION",
                 "AWS_RESPONSE_CHECKSUM_VALIDATION", "AWS_STS_REGIONAL_ENDPOINTS")
FORWARDED_PREFIXES = ("AWS_ENDPOINT_URL", "S3C_")
STDERR_TAIL_LINES = 20
# The profile that hands boto3's credentials to the binary (credential_process).
CREDENTIALS_PROFILE = "s3-compaction-glue-job"


def log(message: str) -> None:
    """One line on stderr, in one write: the executors of a node share the job's stderr, and
    print() writes the text and its newline apart, so two executors' lines ran together."""
    line = f"glue_job: {message}\n"
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # a stderr without a descriptor (captured)
        sys.stderr.write(line)
        sys.stderr.flush()
        return
    sys.stderr.flush()  # what Python still holds goes first
    data = line.encode("utf-8", "backslashreplace")
    while data:  # one write for a line (a pipe keeps up to 4 KiB whole)
        data = data[os.write(fd, data):]


class UsageError(Exception):
    pass


class BinaryNotFound(Exception):
    pass


# --- arguments ---------------------------------------------------------------------------

def _attach_s3c_args(argv: list[str]) -> list[str]:
    """`--s3c_args -v` -> `--s3c_args=-v`: argparse (Glue's getResolvedOptions uses it too) would
    take a value that starts with '-' for a flag. A known option name is not taken as a value."""
    known = {"--" + n for n in JOB_ARGS + OUR_ARGS}
    out, i = [], 0
    while i < len(argv):
        if (argv[i] == "--s3c_args" and i + 1 < len(argv) and argv[i + 1].startswith("-")
                and argv[i + 1].split("=")[0] not in known):
            out.append(f"--s3c_args={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def _given(argv: list[str], name: str) -> bool:
    return any(a == "--" + name or a.startswith(f"--{name}=") for a in argv)


def read_options(argv: list[str]) -> dict:
    """{name: value or None} for JOB_ARGS and OUR_ARGS; in Glue with getResolvedOptions, which
    insists on every name it is given, so it gets only the optional ones present."""
    argv = _attach_s3c_args(argv)
    try:
        from awsglue.utils import getResolvedOptions  # only in Glue
    except ImportError:
        getResolvedOptions = None
    if getResolvedOptions is not None:
        wanted = [n for n in JOB_ARGS + OUR_ARGS if n in REQUIRED or _given(argv, n)]
        try:
            resolved = getResolvedOptions([sys.argv[0] if sys.argv else "glue_job.py", *argv],
                                          wanted)
        except Exception as e:  # GlueArgumentError: raised, not printed
            raise UsageError(str(e)) from None
        return {n: resolved.get(n) for n in JOB_ARGS + OUR_ARGS}
    parser = argparse.ArgumentParser(prog="glue_job.py", allow_abbrev=False,
                                     description="s3-compaction on Spark executors (see the "
                                                 "module's docstring)")
    for n in JOB_ARGS + OUR_ARGS:
        parser.add_argument("--" + n, required=n in REQUIRED)
    known, _unknown = parser.parse_known_args(argv)  # Glue's --JOB_NAME and the like
    return vars(known)


def parse_config(argv: list[str]) -> dict:
    opts = read_options(argv)
    # An empty job parameter means "not given", as in the original job.
    opts = {k: (v if v not in (None, "") else None) for k, v in opts.items()}
    for n in REQUIRED:
        if not opts[n]:
            raise UsageError(f"--{n} is required")
    job_args = []
    for n in JOB_ARGS:
        if opts[n] is not None:
            job_args += ["--" + n, opts[n]]
    shards = None
    if opts["shards"] is not None:
        try:
            shards = int(opts["shards"])
        except ValueError:
            shards = 0
        if shards < 1:
            raise UsageError(f"--shards: expected a whole number of at least 1, got '{opts['shards']}'")
    try:
        extra = shlex.split(opts["s3c_args"] or "")
    except ValueError as e:
        raise UsageError(f"--s3c_args: {e}") from None
    for token in extra:
        if token in OWNED_WORDS or any(token == f or token.startswith(f + "=") for f in OWNED_FLAGS):
            raise UsageError(f"--s3c_args: {token.split('=')[0]} is set by the Glue job itself")
    ship = (opts["s3c_ship_binary"] or "auto").lower()
    if ship not in ("auto", "true", "false"):
        raise UsageError("--s3c_ship_binary: expected auto, true or false, got "
                         f"'{opts['s3c_ship_binary']}'")
    command = (opts["s3c_command"] or "compact").lower()
    if command not in ("compact", "inspect"):
        raise UsageError(f"--s3c_command: expected compact or inspect, got '{opts['s3c_command']}'")
    return {"database": opts["database_name"], "table": opts["table_name"], "job_args": job_args,
            "target": opts["target_s3_path"], "command": command, "report": opts["report"],
            "predicate": opts["partition_predicate"], "target_mb": opts["target_file_size_mb"],
            "shards": shards, "extra": extra, "binary": opts["s3c_binary"],
            "ship_binary": ship}


# --- the binary --------------------------------------------------------------------------

def _spark_files_root() -> str | None:
    try:
        from pyspark import SparkFiles
        return SparkFiles.getRootDirectory()
    except Exception:  # no SparkContext yet, or no pyspark
        return None


def _candidates(spec: str | None, names) -> list[str]:
    script_dir = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else None
    dirs = [d for d in (script_dir, os.getcwd(), _spark_files_root()) if d]
    out = []
    if spec:
        spec = os.path.expanduser(spec)
        if os.path.isabs(spec):
            out.append(spec)
        else:
            out += [os.path.join(d, spec) for d in dirs]
        names = [os.path.basename(spec.rstrip("/"))]
    for name in names:
        out += [os.path.join(d, name) for d in dirs]
    for name in names:
        found = shutil.which(name)
        if found:
            out.append(found)
    return list(dict.fromkeys(out))


def find_binary(spec: str | None, names=BINARY_NAMES) -> tuple[str, str]:
    """(the file or folder found, the executable to run), or BinaryNotFound naming the places
    looked at."""
    looked, unusable = _candidates(spec, names), []
    for path in looked:
        if os.path.exists(path):
            try:
                return path, _executable(path)
            except BinaryNotFound as e:  # say, a folder of that name that is no bundle
                unusable.append(str(e))
    raise BinaryNotFound("no s3-compaction binary: looked at " + ", ".join(looked)
                         + "".join(f"; {u}" for u in unusable)
                         + " (set --s3c_binary, or pass it with --extra-files)")


def _executable(path: str) -> str:
    """The program to run for a found path: a bundle folder's launcher, an archive's (unpacked
    once per node), or the file itself, made executable (S3 does not keep mode bits)."""
    if os.path.isdir(path):
        return _bundle_launcher(path)
    if path.endswith(ARCHIVE_SUFFIXES):
        return _bundle_launcher(_unpack(path))
    if os.access(path, os.X_OK):
        return path
    try:
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return path
    except OSError:  # not ours to change: run a copy
        copy_dir = tempfile.mkdtemp(prefix="s3-compaction-bin-")
        copy = os.path.join(copy_dir, os.path.basename(path))
        shutil.copy(path, copy)
        os.chmod(copy, 0o755)
        return copy


def _bundle_launcher(folder: str) -> str:
    for candidate in (os.path.join(folder, "bin", "s3-compaction"),
                      *(os.path.join(folder, d, "bin", "s3-compaction")
                        for d in sorted(os.listdir(folder))),
                      os.path.join(folder, "s3-compaction")):
        if os.path.isfile(candidate):
            return _executable(candidate)
    raise BinaryNotFound(f"{folder} holds no bin/s3-compaction")


def _unpack(archive: str) -> str:
    """Unpacks into the temp folder, once per node and archive version (concurrent tasks race to
    rename a private copy into place; the loser uses the winner's)."""
    st = os.stat(archive)
    key = hashlib.sha256(f"{os.path.abspath(archive)}:{st.st_size}:{st.st_mtime_ns}".encode())
    dest = os.path.join(tempfile.gettempdir(), "s3-compaction-" + key.hexdigest()[:16])
    if os.path.isdir(dest):
        return dest
    work = tempfile.mkdtemp(prefix=os.path.basename(dest) + ".unpacking-", dir=os.path.dirname(dest))
    try:
        with tarfile.open(archive) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(work, filter="data")
            else:  # a Python without extraction filters: refuse what would land outside
                root = os.path.realpath(work)
                for m in tar.getmembers():
                    paths = [os.path.join(work, m.name)]
                    if m.issym():
                        paths.append(os.path.join(work, os.path.dirname(m.name), m.linkname))
                    elif m.islnk():
                        paths.append(os.path.join(work, m.linkname))
                    for path in paths:
                        if os.path.commonpath([root, os.path.realpath(path)]) != root:
                            raise BinaryNotFound(f"{archive}: {m.name} would land outside the folder")
                tar.extractall(work)
        try:
            os.rename(work, dest)
        except OSError:
            if not os.path.isdir(dest):
                raise
    finally:
        if os.path.isdir(work):
            shutil.rmtree(work, ignore_errors=True)
    return dest


# --- AWS credentials ---------------------------------------------------------------------

# The binary's credential_process on every node, written into that node's private folder (the
# driver's script need not exist on an executor). A new process each time, so boto3 resolves
# afresh: the job role's current credentials. They go to stdout, for the binary, and nowhere
# else; what it prints on stderr (the binary passes that on) never holds a secret.
CREDENTIALS_HELPER = '''\
"""s3-compaction's credential_process, written by glue_job.py: prints the credentials boto3
resolves now, as credential_process JSON (Version 1) on stdout."""
import json
import os
import sys
import warnings
from datetime import timezone


def main():
    if sys.argv[1:] != ["--print-credentials"]:
        print("usage: print_credentials.py --print-credentials", file=sys.stderr)
        return 2
    # The binary's environment names our profile; boto3 must resolve as the job would without
    # it (the job writes this only where neither was set).
    here = os.path.dirname(os.path.abspath(__file__))
    if os.environ.get("AWS_CONFIG_FILE") == os.path.join(here, "config"):
        del os.environ["AWS_CONFIG_FILE"]
        os.environ.pop("AWS_PROFILE", None)
    if os.environ.get("S3C_CREDENTIALS_HELPER") == here:  # boto3 ran us: never a chain of us
        print("credential_process ran itself: boto3 was given our profile", file=sys.stderr)
        return 5
    os.environ["S3C_CREDENTIALS_HELPER"] = here
    warnings.simplefilter("ignore")  # run at every refresh: no deprecation notice each time
    try:
        import boto3
    except ImportError as e:
        print(f"boto3 is not importable ({e})", file=sys.stderr)
        return 3
    try:
        credentials = boto3.Session().get_credentials()
        frozen = credentials.get_frozen_credentials() if credentials else None
    except Exception as e:  # a message, not a traceback (its locals could hold secrets)
        print(f"boto3 found no credentials: {type(e).__name__}: {str(e)[:200]}", file=sys.stderr)
        return 4
    if not frozen or not frozen.access_key or not frozen.secret_key:
        print("boto3 resolves no credentials", file=sys.stderr)
        return 4
    document = {"Version": 1, "AccessKeyId": frozen.access_key,
                "SecretAccessKey": frozen.secret_key}
    if frozen.token:
        document["SessionToken"] = frozen.token
    # RefreshableCredentials (a role's) know when they expire: botocore's own attribute.
    expiry = getattr(credentials, "_expiry_time", None)
    if expiry is not None:
        document["Expiration"] = expiry.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    json.dump(document, sys.stdout)
    return 0


sys.exit(main())
'''
# Of the default profile, what the binary would read besides credentials: kept in ours.
PROFILE_SETTINGS = ("region", "endpoint_url", "ca_bundle")
MAX_CONFIG_BYTES = 1 << 20


@contextlib.contextmanager
def aws_credentials(env: dict):
    """Yields (the environment to run the binary with on this node, where its AWS credentials
    come from), and logs the latter in one line. Where the binary's own chain would not find
    the job role's credentials as boto3 does (Glue), a profile hands them over: its
    credential_process prints boto3's current credentials and their expiry, and the binary runs
    it again five minutes before they expire. Its folder (0700, the file 0600) goes on exit.
    The binary's own chain is left to do the job when the environment chooses credentials
    itself (_own_chain_reason), or when boto3 is missing or finds none."""
    folder = None
    try:
        reason = _own_chain_reason(env)
        if reason is None:
            try:
                folder = tempfile.mkdtemp(prefix="s3-compaction-aws-")
                env, reason = _install_profile(folder, env)
            except OSError as e:  # a full or read-only temp folder: not worth failing the run
                reason = f"could not write the profile: {e}"
        how = (f"boto3's, through credential_process (profile {CREDENTIALS_PROFILE})"
               if reason is None else f"the binary's own chain ({reason})")
        log(f"AWS credentials: {how}")
        yield env, how
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _own_chain_reason(env: dict) -> str | None:
    """Why the binary should resolve credentials itself here, or None. Keys in the environment
    come first in its chain, as in boto3's; a profile or config file someone named is theirs
    (and the binary reads it as it is); a web identity token comes before any profile in the
    binary's chain, so ours would never be asked."""
    if env.get("AWS_ACCESS_KEY_ID") or env.get("AWS_SECRET_ACCESS_KEY"):
        return "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set"
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE"):
        if env.get(name):
            return f"{name} is set: {env[name]}"
    if env.get("AWS_WEB_IDENTITY_TOKEN_FILE") and env.get("AWS_ROLE_ARN"):
        return "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are set"
    if not sys.executable:
        return "no Python interpreter path (sys.executable) to run credential_process with"
    return None


def _install_profile(folder: str, env: dict) -> tuple[dict, str | None]:
    """Writes the helper and, if it gives credentials here, the profile: (the binary's
    environment, None), or (env unchanged, why not)."""
    helper, config = os.path.join(folder, "print_credentials.py"), os.path.join(folder, "config")
    _write_private(helper, CREDENTIALS_HELPER)
    argv = [sys.executable, helper, "--print-credentials"]
    command = " ".join(shlex.quote(a) for a in argv)  # the binary runs it with /bin/sh
    if any(c in command for c in "\r\n") or any(m in command for m in (" #", "\t#", " ;", "\t;")):
        return env, f"a config file cannot hold the command {command!r}"
    problem = _probe(argv, env)
    if problem:
        return env, problem
    settings = {"credential_process": command, **_default_profile_settings(env)}
    _write_private(config, f"[profile {CREDENTIALS_PROFILE}]\n"
                           + "".join(f"{k} = {v}\n" for k, v in settings.items()))
    return {**env, "AWS_CONFIG_FILE": config, "AWS_PROFILE": CREDENTIALS_PROFILE}, None


def _probe(argv: list[str], env: dict) -> str | None:
    """Runs the helper as the binary would: None if it prints credentials (only looked at),
    else why not, from its own message."""
    try:
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, errors="replace",
                              timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"could not run {argv[0]}: {type(e).__name__}"
    if proc.returncode == 0:
        try:
            document = json.loads(proc.stdout)
        except ValueError:
            document = None
        if isinstance(document, dict) and document.get("AccessKeyId"):
            return None
        return "boto3's credentials could not be printed"
    message = _tail(proc.stderr, 1)
    return message[0] if message else f"{argv[1]} exited with {proc.returncode}"


def _default_profile_settings(env: dict) -> dict:
    """region, endpoint_url and ca_bundle as the binary would read them for the default profile: the
    config file's [default] (or [profile default]) overlaid by the credentials file's
    [default]. Unreadable files count as empty."""
    home = env.get("HOME") or os.path.expanduser("~")
    files = [(os.path.join(home, ".aws", "config"), ("default", "profile default")),
             (env.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(home, ".aws", "credentials"),
              ("default",))]
    settings = {}
    for path, sections in files:
        parser = configparser.ConfigParser(interpolation=None, strict=False,
                                           inline_comment_prefixes=("#", ";"),
                                           default_section="\0")  # [DEFAULT] is no default
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read(MAX_CONFIG_BYTES + 1)  # /dev/zero is no config file
            if len(text) > MAX_CONFIG_BYTES:
                continue
            parser.read_string(text)
        except (OSError, configparser.Error):
            continue
        section = next((s for s in sections if parser.has_section(s)), None)
        if section:
            settings.update({k: v for k, v in parser[section].items()
                             if k in PROFILE_SETTINGS and v})
    return settings


def _write_private(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


# --- running it --------------------------------------------------------------------------

def run_cli(command: list[str], env: dict | None = None) -> dict:
    """Runs the binary; never raises. exit_code follows the CLI's convention (a signal counts as
    an internal error, a program that cannot start as an input error)."""
    start = time.monotonic()
    signal = None
    try:
        proc = subprocess.run(command, capture_output=True, text=True, errors="replace", env=env)
        code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
        if code < 0:
            signal, code = -code, EXIT_INTERNAL
            stderr += f"\nkilled by signal {signal}\n"
    except OSError as e:
        code, stdout, stderr = EXIT_INPUT, "", f"could not run {command[0]}: {e}\n"
    try:
        summary = json.loads(stdout) if stdout.strip() else None
    except ValueError:
        summary = None
    return {"command": command[1:], "exit_code": code, "signal": signal, "summary": summary,
            "stderr": stderr, "seconds": round(time.monotonic() - start, 3)}


def _tail(text: str, lines: int = STDERR_TAIL_LINES) -> list[str]:
    return [line for line in text.splitlines() if line.strip()][-lines:]


def shard_report(path: str | None, k: int, n: int) -> list[str]:
    """--report for shard k of n: PATH with "-shard-K-of-N" before its extension."""
    if not path:
        return []
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    named = f"{stem}-shard-{k}-of-{n}" + (f".{ext}" if ext else "")
    return ["--report", f"{folder}/{named}" if folder or path.startswith("/") else named]


def run_shard(k: int, n: int, flags: list[str], binary: str, search: list, env_from_driver: dict,
              report: str | None = None) -> dict:
    """On an executor: shard k of n. Always returns (a Spark task failure would hide the result
    of the shards that ran).

    A shard killed by a signal (the OOM killer, say) is run once more, here: only a process of
    this host can take over the lease the dead one left (its pid is gone); from any other host,
    the driver's commit included, that lease looks live until it expires (10 minutes), and the
    commit would be refused. The second run finishes or undoes what the first left, then does
    the rest; both are reported."""
    result = {"shard": f"{k}/{n}", "host": socket.gethostname(), "credentials": None}
    first = None
    try:
        env = dict(os.environ)
        for key, value in env_from_driver.items():
            env.setdefault(key, value)
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            spec, names = search
            binary = find_binary(spec, names)[1]
        command = [binary, *flags, "--shard", f"{k}/{n}", "--update_catalog", "deferred", "--json",
                   *shard_report(report, k, n)]
        with aws_credentials(env) as (env, how):  # this host's, never the driver's
            result["credentials"] = how
            run = run_cli(command, env)
            if run["signal"] is not None:
                first = {"exit_code": run["exit_code"], "signal": run["signal"],
                         "seconds": run["seconds"], "stderr_tail": _tail(run["stderr"])}
                run = run_cli(command, env)
    except BinaryNotFound as e:
        run = {"command": [], "exit_code": EXIT_INPUT, "signal": None, "summary": None,
               "stderr": f"{e}\n", "seconds": 0.0}
    except Exception as e:  # noqa: BLE001 - reported, never lost in a Spark retry
        run = {"command": [], "exit_code": EXIT_INTERNAL, "signal": None, "summary": None,
               "stderr": f"shard {k}/{n}: {type(e).__name__}: {e}\n", "seconds": 0.0}
    result.update(run)
    result["stderr_tail"] = _tail(result.pop("stderr"))
    result["first_attempt"] = first  # the killed run, when the shard was run again
    return result


def _forwarded_env() -> dict:
    return {k: v for k, v in os.environ.items()
            if (k in FORWARDED_ENV or k.startswith(FORWARDED_PREFIXES)) and k != "S3C_SPARK_MASTER"}


def _counts(summary: dict | None) -> str:
    if not summary:
        return "no summary"
    p = summary.get("partitions", {})
    text = (f"{p.get('compacted', 0)} compacted, {p.get('copied', 0)} copied, "
            f"{p.get('skipped', 0)} skipped, {p.get('failed', 0)} failed")
    if p.get("deferred"):  # left for the next run by --max_* (passed with --s3c_args)
        left = summary.get("remaining", {})
        text += (f", {p['deferred']} deferred ({left.get('files', 0):,} files left for the next "
                 f"run)")
    files = summary.get("files", {})
    if files.get("rewritten"):
        text += f"; files {files.get('before', 0):,} -> {files.get('after', 0):,}"
    rows = summary.get("rows", {}).get("rewritten")
    if rows:
        text += f"; {rows:,} rows"
    return text


def _step_line(name: str, step: dict, what: str) -> str:
    line = f"{name}: exit {step['exit_code']} in {step['seconds']:.1f} s: {what}"
    if step["exit_code"] != EXIT_OK and step.get("stderr_tail"):
        line += f" ({step['stderr_tail'][-1]})"
    return line


def _notes(summary: dict | None) -> str:
    if not summary:
        return "no summary"
    items = list(summary.get("recovered") or []) + list(summary.get("notes") or [])
    return "; ".join(items) if items else _counts(summary)


def worst(codes) -> int:
    codes = [EXIT_INTERNAL if c not in SEVERITY else c for c in codes]
    return max(codes, key=SEVERITY.__getitem__, default=EXIT_OK)


@contextlib.contextmanager
def _stdout_to_stderr():
    """File descriptor 1 is stderr meanwhile: what starts then (the JVM PySpark launches) keeps
    it so. Spark 3.3 (Glue 4.0's) logs to stdout by default, where the summary goes."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class SparkHolder:
    """The SparkContext, made only when shards must run (or the binary is only among
    SparkFiles): a run with nothing to do starts no Spark at all."""

    def __init__(self, given=None):
        self.sc = given
        self.created = False

    def get(self):
        if self.sc is None:
            from pyspark import SparkConf, SparkContext
            if _in_glue():  # Glue's context, with Glue's configuration
                self.sc = SparkContext.getOrCreate()
            else:
                conf = SparkConf().setAppName("s3-compaction")
                master = os.environ.get("S3C_SPARK_MASTER")
                if master:
                    conf.setMaster(master)
                elif "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit
                    conf.setMaster("local[*]")
                with _stdout_to_stderr():  # for a JVM started here
                    self.sc = SparkContext.getOrCreate(conf)
                self.created = True
        return self.sc

    def stop(self):
        if self.created and self.sc is not None:
            self.sc.stop()
            self.sc = None


# --- the job -----------------------------------------------------------------------------

def main(argv: list[str] | None = None, spark_context=None) -> int:
    """Runs the job; prints the combined summary; returns the exit code. spark_context: a
    running one to use (tests); otherwise Glue's, or one made from S3C_SPARK_MASTER."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        cfg = parse_config(argv)
    except UsageError as e:
        log(f"error: {e}")
        return EXIT_USAGE
    except SystemExit as e:  # argparse / getResolvedOptions already said why
        return e.code if isinstance(e.code, int) else EXIT_USAGE

    spark = SparkHolder(spark_context)
    table = f"{cfg['database']}.{cfg['table']}"
    out = {"table": table, "exit_code": None, "steps": [], "spark_tasks": 0, "shards": [],
           "credentials": None, "recover": None, "plan": None, "commit": None}
    try:
        code = _run(cfg, spark, out)
    except Exception as e:  # noqa: BLE001 - reported in the summary, exit 1
        import traceback
        traceback.print_exc()
        log(f"internal error: {type(e).__name__}: {e}")
        out["exit_code"] = code = EXIT_INTERNAL
    finally:
        spark.stop()
        print(json.dumps(out, indent=2), flush=True)
    return code


def _finish(out: dict, code: int) -> int:
    out["exit_code"] = code
    log(f"done: exit {code}")
    return code


def _run(cfg: dict, spark: SparkHolder, out: dict) -> int:
    """Finds the binary, gives it this node's credentials, runs the steps."""
    try:
        try:
            found, binary = find_binary(cfg["binary"])
        except BinaryNotFound:
            # In Glue or under spark-submit the context may bring files (spark.files) of its own.
            if _spark_files_root() is None and (_in_glue() or "PYSPARK_GATEWAY_PORT" in os.environ):
                try:
                    spark.get()
                except Exception as e:  # noqa: BLE001 - then it is simply not found
                    log(f"could not start Spark to look among SparkFiles: {e}")
            found, binary = find_binary(cfg["binary"])
    except BinaryNotFound as e:
        log(f"error: {e}")
        return _finish(out, EXIT_USAGE if cfg["binary"] else EXIT_INPUT)
    out["binary"] = binary
    log(f"{out['table']}: using {binary}")
    with aws_credentials(dict(os.environ)) as (env, how):
        out["credentials"] = how
        return _steps(cfg, spark, out, found, binary, env)


def _steps(cfg: dict, spark: SparkHolder, out: dict, found: str, binary: str, env: dict) -> int:
    """recover, plan, the shards on Spark, commit; env: the driver's binary's environment."""
    catalog = ["--database_name", cfg["database"], "--table_name", cfg["table"]]
    # recover and commit may touch only what this job's own arguments name: its target too.
    if cfg.get("target"):
        catalog += ["--target_s3_path", cfg["target"]]

    def driver_step(name: str, command: list[str]) -> dict:
        out["steps"].append(name)
        step = run_cli([binary, *command], env)
        if step["stderr"]:
            sys.stderr.write(step["stderr"])
            sys.stderr.flush()
        step["stderr_tail"] = _tail(step.pop("stderr"))
        return step

    if cfg["command"] == "inspect":
        return _inspect(cfg, out, driver_step)

    # 1. Finish what an earlier run left half done (this takes and releases the table's lease).
    recover = driver_step("recover", ["recover", *catalog, *cfg["extra"], "--json"])
    out["recover"] = recover
    log(_step_line("recover", recover, _notes(recover["summary"])))
    if recover["exit_code"] != EXIT_OK:
        return _finish(out, recover["exit_code"])

    # 2. The plan: which partitions a run would compact. Writes nothing.
    plan = driver_step("plan", [*cfg["job_args"], *cfg["extra"], "--dry-run", "--json"])
    summary = plan.pop("summary")
    if plan["exit_code"] not in (EXIT_OK, EXIT_PARTIAL) or summary is None:
        out["plan"] = plan
        log(_step_line("plan", plan, "the plan failed"))
        return _finish(out, plan["exit_code"] or EXIT_INTERNAL)
    planned = [d["partition"] for d in summary.get("details", []) if d.get("status") == "planned"]
    p = summary.get("partitions", {})
    plan.update(partitions=p, planned=len(planned), notes=summary.get("notes", []),
                sort=summary.get("sort"))
    out["plan"] = plan
    sort = f", sorted by {summary['sort']['by']}" if summary.get("sort") else ""
    log(_step_line("plan", plan, f"{len(planned)} of {p.get('considered', 0)} partition(s) to "
                                 f"compact{sort} ({p.get('skipped', 0)} skipped, "
                                 f"{p.get('failed', 0)} failed)"))
    if not planned:
        log("nothing to compact: no Spark tasks started")
        return _finish(out, plan["exit_code"])

    # 3. The shards, one Spark task each. They publish but leave the catalog to step 4.
    codes = [plan["exit_code"]]
    sc = spark.get()
    shards = min(cfg["shards"] or sc.defaultParallelism, len(planned))
    search = [cfg["binary"], list(dict.fromkeys([os.path.basename(found.rstrip("/")), *BINARY_NAMES]))]
    local = (sc.master or "").startswith("local")
    if cfg["ship_binary"] == "true" or (cfg["ship_binary"] == "auto" and not local):
        # Whether Glue's --extra-files reach the executors' working directories is Glue's
        # business; shipping the driver's copy makes sure they have it (one fetch per executor).
        try:
            sc.addFile(found, recursive=os.path.isdir(found))
            log(f"shipping {found} to the executors")
        except Exception as e:  # noqa: BLE001 - e.g. already shipped under that name
            log(f"could not ship {found} to the executors ({e}); they look for it themselves")
    if __name__ != "__main__" and __name__ in sys.modules:
        # Imported (the tests do): executors could not import this module by its name.
        from pyspark import cloudpickle
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    task = functools.partial(run_shard, n=shards, flags=[*cfg["job_args"], *cfg["extra"]],
                             binary=binary, search=search, env_from_driver=_forwarded_env(),
                             report=cfg["report"])
    out["steps"].append("shards")
    out["spark_tasks"] = shards
    log(f"{shards} shard(s) on Spark ({len(planned)} partition(s) planned)")
    sc.setJobDescription(f"s3-compaction {out['table']}: {shards} shard(s)")
    try:
        results = sc.parallelize(range(shards), shards).map(task).collect()
    except Exception as e:  # noqa: BLE001 - the shards that ran still get committed
        message = f"the Spark job failed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        log(message)
        results = [{"shard": f"{k}/{shards}", "host": None, "credentials": None, "command": [],
                    "exit_code": EXIT_INTERNAL, "signal": None, "summary": None,
                    "stderr_tail": [message], "seconds": 0.0, "first_attempt": None}
                   for k in range(shards)]
    out["shards"] = results
    for r in results:
        name = f"shard {r['shard']} on {r['host']}"
        if r.get("first_attempt"):
            log(f"{name}: killed by signal {r['first_attempt']['signal']} after "
                f"{r['first_attempt']['seconds']:.1f} s; run again")
        log(_step_line(name, r, _counts(r["summary"])))
        codes.append(r["exit_code"])

    # 4. One catalog commit for every shard's updates; then the originals go (if asked).
    commit = driver_step("commit", ["commit", *catalog, *cfg["extra"], "--json"])
    out["commit"] = commit
    log(_step_line("commit", commit, _notes(commit["summary"])))
    codes.append(commit["exit_code"])
    return _finish(out, worst(codes))


def _inspect(cfg: dict, out: dict, driver_step) -> int:
    """--s3c_command inspect: the table's health, on the driver; nothing written but the report."""
    command = ["inspect", "--database_name", cfg["database"], "--table_name", cfg["table"]]
    if cfg["predicate"]:
        command += ["--partition_predicate", cfg["predicate"]]
    if cfg["target_mb"]:
        command += ["--target_file_size_mb", cfg["target_mb"]]
    if cfg["report"]:
        command += ["--report", cfg["report"]]
    step = driver_step("inspect", [*command, *cfg["extra"], "--json"])
    out["inspect"] = step
    doc = step["summary"] or {}
    totals = doc.get("totals", {})
    what = (f"{totals.get('partitions', 0):,} partition(s), {totals.get('files', 0):,} files, "
            f"{totals.get('small_files', 0):,} small; a run would compact "
            f"{totals.get('to_compact', 0):,} partition(s): files {totals.get('files', 0):,} -> "
            f"{totals.get('files_after', 0):,}") if step["summary"] else "no inspection"
    if cfg["report"] and step["exit_code"] == EXIT_OK:
        what += f"; report written to {cfg['report']}"
    log(_step_line("inspect", step, what))
    return _finish(out, step["exit_code"])


def _in_glue() -> bool:
    try:
        import awsglue  # noqa: F401 - only Glue has it
        return True
    except ImportError:
        return False


if __name__ == "__main__":
    code = main()
    if code != EXIT_OK:  # Glue marks the run failed; 0 ends it normally
        raise SystemExit(code)
