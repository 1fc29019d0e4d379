"""The scheduling examples of deploy/ (docs/DEPLOY.md) work as written, checked offline.

What checks what:
- CloudFormation (deploy/glue/*.cfn.yaml): cfn-lint, no error or warning; its IAM statements are
  the same as deploy/iam/'s, placeholder for parameter.
- `aws glue create-job` / `create-trigger` input (deploy/glue/*.json): botocore's Glue service
  model, with botocore's ParamValidator (names, types, required members, lengths) and the enums.
- Kubernetes (deploy/kubernetes/): the JSON schemas of Kubernetes' OpenAPI, bundled by the
  kubernetes-validate package, strict (no unknown field), for the oldest and newest version we
  claim; then what a schema cannot say: every $(VAR) in args is a variable of the container (an
  unknown one is left as it is), the shard count matches the Indexed Job's completions.
- systemd (deploy/systemd/): `systemd-analyze verify` (no output at all), `security --offline`
  exposure, `calendar`; and the hardening against the real process: the system calls, socket
  families and memory mappings of a run under strace must pass SystemCallFilter=,
  RestrictAddressFamilies= and MemoryDenyWriteExecute=.
- cron (deploy/cron/): the five schedule fields with croniter, the user, flock, no bare '%'.
- IAM (deploy/iam/): JSON, Version 2012-10-17, every action a real one of its service in
  botocore's models, no wildcard action, no '*' resource for a write; and the policy allows every
  request the binary makes in real runs (Glue and path mode, in place and to a target, through
  the request-counting proxy in front of moto), evaluated statement by statement; so does the
  narrower WriteTable docs/DEPLOY.md suggests for a target without --delete_original_files.
- Every example's command line uses only flags of `s3-compaction --help`, and the binary accepts
  each of them (a dry run that stops at the missing table, exit 3, not a usage error, exit 2).
- Dockerfile: parsed with dockerfile-parse; what it copies is what deploy/package.sh makes
  (a build output, documented in docs/DEPLOY.md), which the test makes and runs; the Debian
  packages it installs provide every library the bundle does not carry.
"""

from __future__ import annotations

import fnmatch
import html
import json
import os
import re
import shlex
import shutil
import subprocess
import urllib.parse
import zoneinfo
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
DOC = ROOT / "docs" / "DEPLOY.md"
CFN = DEPLOY / "glue" / "s3-compaction.cfn.yaml"
IAM_POLICY = DEPLOY / "iam" / "s3-compaction-policy.json"
K8S = sorted((DEPLOY / "kubernetes").glob("*.yaml"))
K8S_VERSIONS = ["1.29", "latest"]  # the oldest we claim (docs/DEPLOY.md), and the newest known
INSTALL_PREFIX = "/opt/s3-compaction"  # where the examples expect the bundle
# Glue's own job arguments: not passed on to s3-compaction.
GLUE_RESERVED = {"--job-language", "--extra-files", "--extra-py-files", "--extra-jars",
                 "--additional-python-modules", "--enable-metrics", "--TempDir",
                 "--enable-continuous-cloudwatch-log", "--enable-spark-ui", "--job-bookmark-option"}
ORIGINAL_JOB_ARGUMENTS = {"--database_name", "--table_name", "--target_s3_path",
                          "--partition_predicate", "--delete_original_files",
                          "--target_file_size_mb"}


# --- shared --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def help_text(binary) -> str:
    return subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def cli_flags(help_text) -> set[str]:
    """Every option name of --help ("-v", "--verbose", "--dry-run", "--dry_run", ...)."""
    flags = set()
    for line in help_text.splitlines():
        m = re.match(r"^\s{2}(-[^\s]+)", line)
        if m:
            flags.update(name for name in m.group(1).split(",") if name.startswith("-"))
    assert {"--database_name", "--shard", "--json", "-v"} <= flags, flags
    return flags


@pytest.fixture(scope="module")
def subcommands(help_text) -> set[str]:
    section = help_text.split("Subcommands:", 1)[1].split("\n\n", 1)[0]
    return {line.split()[0] for line in section.splitlines() if line.strip()}


def cfn_load(path: Path) -> dict:
    """CloudFormation YAML with its short-form tags (!Ref, !Sub, ...) as {"Fn::X": ...}."""

    class Loader(yaml.SafeLoader):
        pass

    def tag(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}

    Loader.add_multi_constructor("!", tag)
    return yaml.load(path.read_text(), Loader=Loader)


def k8s_docs() -> list[tuple[str, dict]]:
    return [(p.name, doc) for p in K8S for doc in yaml.safe_load_all(p.read_text()) if doc]


def pod_specs(doc: dict) -> list[dict]:
    if doc["kind"] == "CronJob":
        return [doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]]
    if doc["kind"] == "Job":
        return [doc["spec"]["template"]["spec"]]
    return []


def job_specs(doc: dict) -> list[dict]:
    if doc["kind"] == "CronJob":
        return [doc["spec"]["jobTemplate"]["spec"]]
    return [doc["spec"]] if doc["kind"] == "Job" else []


def unit_file(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit: section -> key -> values (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def cron_jobs(path: Path) -> list[dict]:
    """/etc/cron.d format: environment lines, then `m h dom mon dow user command`."""
    jobs = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", line):
            continue
        fields = line.split(None, 6)
        assert len(fields) == 7, f"not `m h dom mon dow user command`: {line}"
        jobs.append({"schedule": " ".join(fields[:5]), "user": fields[5], "command": fields[6]})
    return jobs


def after_binary(tokens: list[str]) -> list[str] | None:
    """The arguments after the s3-compaction executable in a command line, up to a redirection;
    None when the line does not run it."""
    for i, token in enumerate(tokens):
        if token == "s3-compaction" or token.endswith("/bin/s3-compaction"):
            args = []
            for t in tokens[i + 1:]:
                if re.match(r"^(\d?>|<|\||&&|;)", t):
                    break
                args.append(t)
            return args
    return None


def doc_invocations() -> list[list[str]]:
    """s3-compaction command lines in docs/DEPLOY.md's shell blocks."""
    text = DOC.read_text()
    found = []
    for block in re.findall(r"```(?:sh|bash|console)\n(.*?)```", text, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip().removeprefix("$ ")
            if not line or line.startswith("#"):
                continue
            words = re.sub(r"^([A-Z_][A-Z0-9_]*=\S*\s+)*", "", line).split(maxsplit=1)
            if not words:
                continue
            if words[0] == "s3-compaction" or words[0].endswith("/bin/s3-compaction"):
                found.append(after_binary(shlex.split(line, comments=True)))
            elif words[0] == "docker" and " run " in f" {line} ":
                tokens = shlex.split(line, comments=True)
                image = next(i for i, t in enumerate(tokens) if re.search(r"/s3-compaction:[\w.-]+$", t))
                found.append(tokens[image + 1:])
    return found


def invocations() -> dict[str, list[list[str]]]:
    """Every s3-compaction command line of the examples, by where it is written."""
    out: dict[str, list[list[str]]] = {}
    for name, doc in k8s_docs():
        for spec in pod_specs(doc):
            for c in spec["containers"]:
                out.setdefault(f"kubernetes/{name}", []).append(list(c.get("command", [])[1:]) +
                                                                list(c.get("args", [])))
    service = unit_file(DEPLOY / "systemd" / "s3-compaction.service")
    out["systemd"] = [after_binary(shlex.split(v)) for v in service["Service"]["ExecStart"]]
    out["cron"] = [after_binary(shlex.split(j["command"])) for j in cron_jobs(DEPLOY / "cron" / "s3-compaction")]
    job = json.loads((DEPLOY / "glue" / "create-job.json").read_text())
    args = []
    for key, value in job["DefaultArguments"].items():
        if key not in GLUE_RESERVED:
            args += [key, value]
    out["glue/create-job.json"] = [args]
    out["docs/DEPLOY.md"] = doc_invocations()
    return out


# --- CloudFormation ------------------------------------------------------------------------

def test_cloudformation_template_passes_cfn_lint():
    from cfnlint.api import lint_file

    matches = lint_file(CFN)
    problems = [str(m) for m in matches if m.rule.id[0] in "EW"]
    assert problems == [], "\n".join(problems)


def sub(text: str) -> str:
    """A CloudFormation !Sub of this template, written with deploy/iam/'s placeholders."""
    names = {"AWS::Partition": "aws", "AWS::Region": "REGION", "AWS::AccountId": "ACCOUNT_ID",
             "DatabaseName": "DATABASE_NAME", "TableName": "TABLE_NAME",
             "DataBucket": "DATA_BUCKET", "TablePrefix": "TABLE_PREFIX",
             "TargetBucket": "TARGET_BUCKET", "TargetPrefix": "TARGET_PREFIX",
             "ArtifactBucket": "ARTIFACT_BUCKET", "ArtifactPrefix": "s3-compaction"}
    return re.sub(r"\$\{([^}]+)\}", lambda m: names[m.group(1)], text)


def resolve(value):
    """Statements of the template as plain IAM JSON: !Sub replaced, !If taken (both branches'
    first: the conditional statements are the ones for a target)."""
    if isinstance(value, dict):
        if set(value) == {"Fn::Sub"}:
            return sub(value["Fn::Sub"])
        if set(value) == {"Fn::If"}:
            return resolve(value["Fn::If"][1])
        return {k: resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v) for v in value]
    return value


@pytest.mark.parametrize("policy_name, policy_file", [
    ("s3-compaction", "s3-compaction-policy.json"),
    ("glue-job-runtime", "glue-job-runtime-policy.json"),
])
def test_cloudformation_role_has_the_iam_files_statements(policy_name, policy_file):
    template = cfn_load(CFN)
    policies = template["Resources"]["JobRole"]["Properties"]["Policies"]
    document = next(p["PolicyDocument"] for p in policies if p["PolicyName"] == policy_name)
    in_template = resolve(document)
    in_file = json.loads((DEPLOY / "iam" / policy_file).read_text())
    assert in_template == in_file


def test_cloudformation_job_runs_the_binary_with_the_original_jobs_parameters():
    template = cfn_load(CFN)
    job = template["Resources"]["CompactionJob"]["Properties"]
    assert job["GlueVersion"] == {"Ref": "GlueVersion"} and job["Command"]["Name"] == "glueetl"
    version = template["Parameters"]["GlueVersion"]
    assert version["Default"] == "5.0" and set(version["AllowedValues"]) == {"4.0", "5.0"}
    assert job["Command"]["ScriptLocation"]["Fn::Sub"].endswith("/python/glue_job.py")
    arguments = job["DefaultArguments"]
    assert ORIGINAL_JOB_ARGUMENTS <= set(arguments)
    assert arguments["--extra-files"]["Fn::Sub"].endswith("/s3-compaction-linux-x86_64.tar.gz")
    trigger = template["Resources"]["CompactionSchedule"]["Properties"]
    assert trigger["Type"] == "SCHEDULED"
    assert trigger["Actions"] == [{"JobName": {"Ref": "CompactionJob"}}]
    assert_aws_cron(template["Parameters"]["Schedule"]["Default"])


# --- aws glue create-job / create-trigger ------------------------------------------------------

def enum_errors(value, shape, where="") -> list[str]:
    """ParamValidator checks names, types, required members and lengths; enums are ours."""
    errors = []
    if getattr(shape, "enum", None) and isinstance(value, str) and value not in shape.enum:
        errors.append(f"{where}: {value!r} is not one of {shape.enum}")
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in value.items():
            if name in shape.members:
                errors += enum_errors(member, shape.members[name], f"{where}.{name}")
    elif shape.type_name == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            errors += enum_errors(item, shape.member, f"{where}[{i}]")
    elif shape.type_name == "map" and isinstance(value, dict):
        for k, v in value.items():
            errors += enum_errors(v, shape.value, f"{where}[{k}]")
    return errors


@pytest.mark.parametrize("operation, path", [
    ("CreateJob", DEPLOY / "glue" / "create-job.json"),
    ("CreateTrigger", DEPLOY / "glue" / "create-trigger.json"),
])
def test_glue_cli_input_matches_botocores_model(operation, path):
    import botocore.session
    from botocore.validate import ParamValidator

    shape = botocore.session.get_session().get_service_model("glue").operation_model(operation).input_shape
    params = json.loads(path.read_text())
    report = ParamValidator().validate(params, shape)
    assert not report.has_errors(), report.generate_report()
    assert enum_errors(params, shape) == []


def assert_aws_cron(expression: str):
    """Glue's schedule: cron(minutes hours day-of-month month day-of-week year), one of the two
    day fields '?'."""
    m = re.fullmatch(r"cron\((.*)\)", expression)
    assert m, expression
    fields = m.group(1).split()
    assert len(fields) == 6, expression
    minutes, hours, dom, month, dow, year = fields
    assert (dom == "?") != (dow == "?"), f"exactly one day field must be '?': {expression}"
    ranges = [(minutes, 0, 59), (hours, 0, 23), (dom, 1, 31), (month, 1, 12), (dow, 1, 7),
              (year, 1970, 2199)]
    for field, low, high in ranges:
        if field in ("*", "?"):
            continue
        for part in field.split(","):
            base = part.split("/")[0]
            for number in re.split(r"-", base) if base != "*" else []:
                assert number.isdigit() and low <= int(number) <= high, f"{field} in {expression}"


def test_glue_job_and_trigger_fit_together():
    job = json.loads((DEPLOY / "glue" / "create-job.json").read_text())
    trigger = json.loads((DEPLOY / "glue" / "create-trigger.json").read_text())
    assert trigger["Type"] == "SCHEDULED"
    assert_aws_cron(trigger["Schedule"])
    assert [a["JobName"] for a in trigger["Actions"]] == [job["Name"]]
    assert job["GlueVersion"] == "5.0" and job["Command"]["Name"] == "glueetl"
    assert job["Command"]["ScriptLocation"].endswith("/python/glue_job.py")
    assert job["DefaultArguments"]["--extra-files"].endswith("/s3-compaction-linux-x86_64.tar.gz")
    # Optional arguments are left out rather than empty (docs/DEPLOY.md).
    passed = {k for k in job["DefaultArguments"] if k not in GLUE_RESERVED}
    assert {"--database_name", "--table_name", "--delete_original_files",
            "--target_file_size_mb"} <= passed <= ORIGINAL_JOB_ARGUMENTS
    assert all(v != "" for v in job["DefaultArguments"].values())


# --- Kubernetes ----------------------------------------------------------------------------

@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("name, doc", [pytest.param(n, d, id=f"{n}:{d['kind']}") for n, d in k8s_docs()])
def test_kubernetes_manifest_matches_the_api_schema(name, doc, version):
    import kubernetes_validate

    if version == "latest":
        version = kubernetes_validate.utils.latest_version()
    # strict: additionalProperties false everywhere, so a misspelled field fails too. An unknown
    # kind or apiVersion raises SchemaNotFoundError, which fails the test as well.
    kubernetes_validate.validate(doc, version, strict=True)


def test_kubernetes_args_expand_only_declared_variables():
    """Kubernetes expands $(VAR) in command/args only for variables in the container's env;
    anything else reaches the program as the literal text."""
    for name, doc in k8s_docs():
        for spec in pod_specs(doc):
            for c in spec["containers"]:
                declared = {e["name"] for e in c.get("env", [])}
                for arg in c.get("command", []) + c.get("args", []):
                    for var in re.findall(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)", arg):
                        assert var in declared, f"{name}: $({var}) is not in the env of {c['name']}"


def test_kubernetes_shards_match_the_indexed_job():
    sharded = 0
    for name, doc in k8s_docs():
        for job, spec in zip(job_specs(doc), pod_specs(doc)):
            args = spec["containers"][0]["args"]
            if "--shard" not in args:
                assert job.get("completionMode") != "Indexed", name
                continue
            sharded += 1
            k, n = args[args.index("--shard") + 1].split("/")
            assert k == "$(JOB_COMPLETION_INDEX)", name
            assert job["completionMode"] == "Indexed", name
            assert job["completions"] == job["parallelism"] == int(n), name
            env = {e["name"]: e for e in spec["containers"][0]["env"]}
            assert env["JOB_COMPLETION_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"] == \
                "metadata.annotations['batch.kubernetes.io/job-completion-index']", name
    assert sharded >= 2  # indexed-job.yaml and cronjob-sharded.yaml


def test_kubernetes_jobs_are_scheduled_and_identified_consistently():
    from croniter import croniter

    accounts = {doc["metadata"]["name"]: doc for _, doc in k8s_docs() if doc["kind"] == "ServiceAccount"}
    assert len(accounts) == 1
    (account,) = accounts.values()
    assert re.fullmatch(r"arn:aws:iam::ACCOUNT_ID:role/[\w+=,.@-]+",
                        account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"])
    trust = json.loads((DEPLOY / "iam" / "irsa-trust-policy.json").read_text())
    subject = trust["Statement"][0]["Condition"]["StringEquals"]["OIDC_PROVIDER:sub"]
    assert subject == f"system:serviceaccount:NAMESPACE:{account['metadata']['name']}"
    for name, doc in k8s_docs():
        if doc["kind"] == "CronJob":
            assert croniter.is_valid(doc["spec"]["schedule"]) and len(doc["spec"]["schedule"].split()) == 5
            zoneinfo.ZoneInfo(doc["spec"]["timeZone"])
            assert doc["spec"]["concurrencyPolicy"] == "Forbid", name
        for job, spec in zip(job_specs(doc), pod_specs(doc)):
            assert spec["serviceAccountName"] in accounts, name
            assert spec["restartPolicy"] == "Never", name  # podFailurePolicy needs it
            names = {c["name"] for c in spec["containers"]}
            for rule in job.get("podFailurePolicy", {}).get("rules", []):
                if "onExitCodes" in rule:
                    assert rule["onExitCodes"]["containerName"] in names, name
            for c in spec["containers"]:
                assert any(e["name"] == "AWS_REGION" for e in c["env"]), name


# --- systemd -------------------------------------------------------------------------------

SYSTEMD_UNITS = ["s3-compaction.service", "s3-compaction.timer"]


@pytest.fixture(scope="module")
def installed_units(bundle, tmp_path_factory) -> Path:
    """The units as installed: ExecStart= must name an executable file for `verify`, so
    /opt/s3-compaction is the bundle deploy/package.sh made."""
    folder = tmp_path_factory.mktemp("units")
    for name in SYSTEMD_UNITS:
        text = (DEPLOY / "systemd" / name).read_text()
        (folder / name).write_text(text.replace(INSTALL_PREFIX, str(bundle)))
    return folder


def systemd_analyze(*args, cwd=None) -> subprocess.CompletedProcess:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian package systemd)")
    return subprocess.run(["systemd-analyze", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_systemd_units_verify_cleanly(installed_units):
    r = systemd_analyze("verify", "--man=no", *SYSTEMD_UNITS, cwd=installed_units)
    # verify exits 0 on unknown keys and bad values ("..., ignoring"): any output is a finding.
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r.stdout + r.stderr


def test_systemd_service_is_hardened(installed_units):
    service = unit_file(installed_units / "s3-compaction.service")["Service"]
    assert service["Type"] == ["oneshot"]
    for key, value in {"DynamicUser": "yes", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
                       "ProtectHome": "yes", "PrivateTmp": "yes", "CapabilityBoundingSet": "",
                       "MemoryDenyWriteExecute": "yes", "SystemCallArchitectures": "native"}.items():
        assert service.get(key) == [value], f"{key}={value}"
    assert service["SystemCallFilter"] and service["RestrictAddressFamilies"]
    # Exposure 1.5 of 10 as written (systemd 252); any hardening taken away raises it.
    r = systemd_analyze("security", "--offline=yes", "--threshold=15", "--no-pager",
                        "s3-compaction.service", cwd=installed_units)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr


def test_systemd_timer_schedule_parses():
    timer = unit_file(DEPLOY / "systemd" / "s3-compaction.timer")
    assert timer["Timer"]["Unit"] == ["s3-compaction.service"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]
    for calendar in timer["Timer"]["OnCalendar"]:
        r = systemd_analyze("calendar", calendar)
        assert r.returncode == 0, r.stderr


def syscall_groups() -> dict[str, set[str]]:
    text = systemd_analyze("syscall-filter").stdout
    groups, current = {}, None
    for line in text.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.split()[0], set())
        elif current is not None and line.strip() and not line.strip().startswith("#"):
            current.add(line.strip())
    return groups


def expand_filter(values: list[str], groups: dict[str, set[str]]) -> set[str]:
    """SystemCallFilter= lines: an allow-list, then '~' lines taking calls away."""

    def expand(name: str) -> set[str]:
        if not name.startswith("@"):
            return {name}
        return set().union(*(expand(m) for m in groups[name]))

    allowed: set[str] = set()
    for value in values:
        deny = value.startswith("~")
        names = set().union(*(expand(n) for n in value.lstrip("~").split()))
        allowed = allowed - names if deny else allowed | names
    return allowed


def test_systemd_hardening_allows_what_a_run_does(aws, bucket, bundle, tmp_path):
    """A Glue run of the bundle under strace: every system call must be in SystemCallFilter=,
    every socket in RestrictAddressFamilies=, no memory writable and executable at once
    (MemoryDenyWriteExecute=), and no file opened for writing (ProtectSystem=strict).
    The endpoint is an address, so the name lookups of a real host (AF_UNIX for nscd,
    AF_NETLINK for getaddrinfo) are not seen here; the unit allows them."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed (Debian package strace)")
    service = unit_file(DEPLOY / "systemd" / "s3-compaction.service")["Service"]
    name = make_glue_table(aws, bucket, tmp_path, files=12)
    trace = tmp_path / "strace.txt"
    env = dict(os.environ, **aws.env())
    r = subprocess.run(["strace", "-f", "-qq", "-o", str(trace), str(bundle / "bin" / "s3-compaction"),
                        "--database_name", DB, "--table_name", name,
                        "--target_file_size_mb", "0.125", "--json"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = trace.read_text().splitlines()
    calls = {m.group(1) for line in lines if (m := re.match(r"^\d+\s+(?:<\.\.\. )?([a-z_0-9]+)[( ]", line))}
    allowed = expand_filter(service["SystemCallFilter"], syscall_groups())
    assert calls and calls - allowed == set(), f"not in SystemCallFilter=: {sorted(calls - allowed)}"
    families = set(re.findall(r"\bsocket\((AF_[A-Z0-9]+)", "\n".join(lines)))
    assert families and families <= set(service["RestrictAddressFamilies"][0].split()), families
    wx = [line for line in lines
          if re.search(r"\b(mmap|mprotect|pkey_mprotect)\(", line) and "PROT_EXEC" in line
          and ("PROT_WRITE" in line or "mprotect(" in line)]
    assert wx == [], wx[:5]
    writes = [line for line in lines if re.search(r"\bopen(at)?\(", line)
              and re.search(r"O_WRONLY|O_RDWR|O_CREAT", line) and "/dev/null" not in line]
    assert writes == [], writes[:5]


# --- cron ----------------------------------------------------------------------------------

def test_cron_file_parses_and_locks():
    from croniter import croniter

    path = DEPLOY / "cron" / "s3-compaction"
    assert "." not in path.name  # cron skips /etc/cron.d files with a dot in their name
    jobs = cron_jobs(path)
    assert len(jobs) == 1
    for job in jobs:
        assert croniter.is_valid(job["schedule"]), job["schedule"]
        assert re.fullmatch(r"[a-z_][a-z0-9_-]*", job["user"]), job["user"]
        assert re.search(r"(?<!\\)%", job["command"]) is None  # cron turns % into a newline
        tokens = shlex.split(job["command"])
        assert tokens[0] == "flock" and "-n" in tokens, "runs must not overlap"
        lock = tokens[tokens.index("-E") + 2] if "-E" in tokens else tokens[2]
        assert lock.startswith("/"), lock
        assert after_binary(tokens) is not None
        assert any(t.startswith(">>") for t in tokens) and any(t.startswith("2>>") for t in tokens)


# --- IAM -----------------------------------------------------------------------------------

# IAM action names of S3 that are not S3 operation names, and the operations they allow.
S3_IAM_ONLY = {"ListBucket": {"ListObjectsV2", "ListObjects", "HeadBucket"},
               "ListBucketMultipartUploads": {"ListMultipartUploads"},
               "ListMultipartUploadParts": {"ListParts"}}
WRITE_ACTIONS = {"s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                 "glue:BatchUpdatePartition", "logs:CreateLogGroup", "logs:CreateLogStream",
                 "logs:PutLogEvents"}
IAM_FILES = sorted((DEPLOY / "iam").glob("*.json"))


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("path", IAM_FILES, ids=lambda p: p.name)
def test_iam_policy_actions_are_real_and_scoped(path):
    import botocore.session

    session = botocore.session.get_session()
    policy = json.loads(path.read_text())
    assert policy["Version"] == "2012-10-17"
    sids = [s.get("Sid") for s in policy["Statement"]]
    assert len(set(sids)) == len(sids), "Sids must be unique"
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            assert "*" not in action and "?" not in action, f"wildcard action {action}"
            service, _, name = action.partition(":")
            operations = set(session.get_service_model(service).operation_names)
            if service == "s3" and name in S3_IAM_ONLY:
                assert S3_IAM_ONLY[name] & operations, action
            else:
                assert name in operations, f"{action} is no {service} operation"
            if action in WRITE_ACTIONS:
                for resource in as_list(statement["Resource"]):
                    assert resource != "*" and not re.search(r":::\*|:\*$|/\*/", resource), \
                        f"{action} on {resource}"
        if "Principal" not in statement:
            assert statement["Resource"], statement


DB = "analytics"
REGION, ACCOUNT = "us-east-1", "123456789012"


def make_glue_table(aws, bucket, tmp_path, files=20, prefix="warehouse/events") -> str:
    from support.glue import register_table
    from support.tables import TableSpec, events_schema, write_table

    name = "deploy_" + re.sub(r"\W", "_", bucket)[-20:]
    parts = [{"year": "2026", "month": "10"}, {"year": "2026", "month": "11"}]
    local = tmp_path / "src"
    write_table(local, TableSpec(partitions=parts, files_per_partition=files, rows_per_file=200))
    aws.s3.upload_tree(local, bucket, prefix)
    register_table(aws.glue, DB, name, bucket, prefix, events_schema(), parts)
    return name


class Recorder:
    """Every request the proxy forwards, with its headers and body (the copy source of a
    CopyObject, the keys of a DeleteObjects), by wrapping the proxy's forwarding."""

    def __init__(self, proxy):
        self.proxy, self.requests = proxy, []

    def __enter__(self):
        forward = self.proxy._forward

        def recording(method, path, headers, body):
            self.requests.append((method, path, dict(headers), body))
            return forward(method, path, headers, body)

        self.proxy._forward = recording
        return self

    def __exit__(self, *exc):
        del self.proxy._forward  # back to the class's method


def iam_requests(method: str, path: str, headers: dict, body: bytes) -> list[tuple[str, str, dict]]:
    """(action, resource ARN, condition context) that IAM evaluates for one request."""
    from requests.structures import CaseInsensitiveDict
    from support.aws_proxy import operation_of

    headers = CaseInsensitiveDict(headers)
    parsed = urllib.parse.urlparse(path)
    operation = operation_of(method, parsed.path, parsed.query, headers)
    target = headers.get("X-Amz-Target")
    if target:
        request = json.loads(body or b"{}")
        database, table = request["DatabaseName"], request.get("TableName", request.get("Name"))
        arns = [f"arn:aws:glue:{REGION}:{ACCOUNT}:catalog",
                f"arn:aws:glue:{REGION}:{ACCOUNT}:database/{database}",
                f"arn:aws:glue:{REGION}:{ACCOUNT}:table/{database}/{table}"]
        return [(f"glue:{operation}", arn, {}) for arn in arns]
    bucket, _, key = urllib.parse.unquote(parsed.path).lstrip("/").partition("/")
    obj = f"arn:aws:s3:::{bucket}/{key}"
    query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
    if operation in ("GetObject", "HeadObject"):
        return [("s3:GetObject", obj, {})]
    if operation == "ListObjects":
        return [("s3:ListBucket", f"arn:aws:s3:::{bucket}", {"s3:prefix": query.get("prefix", [None])[0]})]
    if operation in ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"):
        return [("s3:PutObject", obj, {})]
    if operation == "CopyObject":
        source = urllib.parse.unquote(headers["x-amz-copy-source"].split("?")[0]).lstrip("/")
        return [("s3:PutObject", obj, {}), ("s3:GetObject", f"arn:aws:s3:::{source}", {})]
    if operation == "DeleteObject":
        return [("s3:DeleteObject", obj, {})]
    if operation == "DeleteObjects":
        keys = [html.unescape(k.decode()) for k in re.findall(rb"<Key>(.*?)</Key>", body)]
        return [("s3:DeleteObject", f"arn:aws:s3:::{bucket}/{k}", {}) for k in keys]
    if operation == "AbortMultipartUpload":
        return [("s3:AbortMultipartUpload", obj, {})]
    raise AssertionError(f"an operation this test does not know: {operation} {method} {path}")


def iam_allows(policy: dict, action: str, resource: str, context: dict) -> bool:
    """Identity-policy evaluation for Allow statements: action and resource wildcards, and the
    StringLike condition the policy uses."""
    for statement in policy["Statement"]:
        if not any(fnmatch.fnmatchcase(action, a) for a in as_list(statement["Action"])):
            continue
        if not any(fnmatch.fnmatchcase(resource, r) for r in as_list(statement["Resource"])):
            continue
        ok = True
        for operator, conditions in statement.get("Condition", {}).items():
            assert operator == "StringLike", f"this test evaluates StringLike only, not {operator}"
            for key, patterns in conditions.items():
                value = context.get(key)
                ok &= value is not None and any(fnmatch.fnmatchcase(value, p) for p in as_list(patterns))
        if ok:
            return True
    return False


def filled_policy(fill: dict) -> dict:
    text = IAM_POLICY.read_text()
    for placeholder, value in fill.items():
        text = re.sub(rf"\b{placeholder}\b", value, text)
    return json.loads(text)


def denied_requests(policy: dict, requests: list) -> tuple[list[str], set[str]]:
    denied, seen = [], set()
    for request in requests:
        for action, resource, context in iam_requests(*request):
            seen.add(action)
            if not iam_allows(policy, action, resource, context):
                denied.append(f"{action} {resource} {context or ''}")
    return sorted(set(denied)), seen


@pytest.fixture
def iam_setup(aws, bucket, local_s3, tmp_path):
    target_bucket = bucket[:50] + "-tgt"
    local_s3.client.create_bucket(Bucket=target_bucket)
    name = make_glue_table(aws, bucket, tmp_path)
    fill = {"REGION": REGION, "ACCOUNT_ID": ACCOUNT, "DATABASE_NAME": DB, "TABLE_NAME": name,
            "DATA_BUCKET": bucket, "TABLE_PREFIX": "warehouse/events",
            "TARGET_BUCKET": target_bucket, "TARGET_PREFIX": "compacted/events"}
    glue = ["--database_name", DB, "--table_name", name, "--target_file_size_mb", "0.125"]
    return fill, glue


def test_iam_policy_allows_every_request_of_real_runs(aws, iam_setup, run):
    """The binary, run as the examples run it, through the proxy: each request it sends must be
    allowed by deploy/iam/s3-compaction-policy.json with the placeholders filled in."""
    fill, glue = iam_setup
    target = f"s3://{fill['TARGET_BUCKET']}/{fill['TARGET_PREFIX']}"
    runs = [
        glue + ["--dry-run"],
        glue + ["--partition_predicate", "month='10'"],  # in place, originals archived
        glue + ["--partition_predicate", "month='11'", "--delete_original_files", "true",
                "--target_s3_path", target],
        ["recover", "--database_name", DB, "--table_name", fill["TABLE_NAME"]],
        ["--table_path", f"s3://{fill['DATA_BUCKET']}/{fill['TABLE_PREFIX']}", "--shard", "0/2",
         "--target_file_size_mb", "0.125", "--delete_original_files", "true"],
    ]
    with Recorder(aws.proxy) as recorder:
        for args in runs:
            r = run(*args, "--json", env=aws.env())
            assert r.code == 0, (args, r.stderr)
    denied, seen = denied_requests(filled_policy(fill), recorder.requests)
    assert denied == [], "\n".join(denied)
    assert {"glue:GetTable", "glue:GetPartitions", "glue:BatchUpdatePartition", "s3:ListBucket",
            "s3:GetObject", "s3:PutObject", "s3:DeleteObject"} <= seen, seen


def test_iam_narrower_policy_for_a_target_without_delete(aws, iam_setup, run):
    """docs/DEPLOY.md: with --target_s3_path and --delete_original_files false, the table's own
    prefix is written only under _s3_compaction/ (lease and journal); deleting the originals
    there needs WriteTable as written."""
    fill, glue = iam_setup
    policy = filled_policy(fill)
    write = next(s for s in policy["Statement"] if s["Sid"] == "WriteTable")
    write["Resource"] = [f"arn:aws:s3:::{fill['DATA_BUCKET']}/{fill['TABLE_PREFIX']}/_s3_compaction/*"]
    target = ["--target_s3_path", f"s3://{fill['TARGET_BUCKET']}/{fill['TARGET_PREFIX']}"]
    outcomes = {}
    for month, delete in (("10", "false"), ("11", "true")):
        with Recorder(aws.proxy) as recorder:
            r = run(*glue, *target, "--partition_predicate", f"month='{month}'",
                    "--delete_original_files", delete, "--json", env=aws.env())
            assert r.code == 0, r.stderr
            assert r.summary["partitions"]["compacted"] == 1
        outcomes[delete], _ = denied_requests(policy, recorder.requests)
    assert outcomes["false"] == [], "\n".join(outcomes["false"])
    assert outcomes["true"] and all(d.startswith("s3:DeleteObject ") for d in outcomes["true"])


def test_iam_placeholders_are_the_documented_ones():
    documented = set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", DOC.read_text(), re.M))
    assert documented, "docs/DEPLOY.md has no placeholder table"
    for path in IAM_FILES:
        used = set(re.findall(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*\b", path.read_text()))
        assert used <= documented, f"{path.name}: {sorted(used - documented)}"
    every_file = "\n".join(p.read_text() for p in DEPLOY.rglob("*") if p.is_file())
    assert all(re.search(rf"\b{p}\b", every_file) for p in documented), "a documented placeholder no example uses"


# --- the command lines ---------------------------------------------------------------------

def test_examples_use_only_existing_flags(cli_flags, subcommands):
    found = invocations()
    assert set(found) >= {"systemd", "cron", "glue/create-job.json", "docs/DEPLOY.md"}
    assert any(k.startswith("kubernetes/") for k in found)
    for where, command_lines in found.items():
        assert command_lines, f"{where}: no s3-compaction command line found"
        for args in command_lines:
            assert args is not None, where
            for i, token in enumerate(args):
                if token.startswith("-"):
                    assert token.split("=", 1)[0] in cli_flags, f"{where}: unknown flag {token}"
                elif i == 0 and not token.startswith("$"):
                    assert token in subcommands, f"{where}: unknown subcommand {token}"


def test_the_binary_accepts_every_example_command_line(aws, run):
    """Each command line with --dry-run against moto, where the table does not exist: flags
    and values are checked first, so the run must stop at the table (exit 3), not at its
    arguments (exit 2). $(JOB_COMPLETION_INDEX) is what Kubernetes would make of it."""
    checked = 0
    for where, command_lines in invocations().items():
        for args in command_lines:
            args = [a.replace("$(JOB_COMPLETION_INDEX)", "0") for a in args]
            if not any(a in ("--database_name", "--table_path") for a in args):
                continue  # --help, --version
            extra = [] if {"--dry-run", "--dry_run"} & set(args) else ["--dry-run"]
            r = run(*args, *extra, env=aws.env(), timeout=120)
            assert r.code == 3 and "not found" in r.stderr, f"{where}: {args}: {r.code} {r.stderr}"
            checked += 1
    assert checked >= 6


# --- the bundle and the Dockerfile -------------------------------------------------------------

def needed(path: Path) -> set[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"\(NEEDED\).*\[(.+)\]", out))


def test_bundle_runs_without_the_build_machines_arrow(bundle):
    """The binary's RUNPATH names the .venv's pyarrow folder; hidden, the bundle must still run."""
    pyarrow_dir = Path(__import__("pyarrow").__file__).parent
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if shutil.which("unshare") is None or probe.returncode != 0:
        pytest.skip("cannot make a mount namespace here (unshare -m)")
    script = (f"mount -t tmpfs none {shlex.quote(str(pyarrow_dir))} && "
              f"{shlex.quote(str(bundle / 'bin' / 's3-compaction'))} --version")
    r = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("s3-compaction "), r.stdout + r.stderr


def test_bundle_carries_every_library_it_needs(bundle):
    """Nothing from the host but the kernel (tests/test_bundle.py runs it where nothing else
    exists): every library any bundled file names is in lib/, and so is the loader; the launcher
    is static."""
    files = [bundle / "libexec" / "s3-compaction", *sorted((bundle / "lib").iterdir())]
    bundled = {p.name for p in files}
    assert "ld-linux-x86-64.so.2" in bundled and "libc.so.6" in bundled and "libcurl.so.4" in bundled
    missing = {(f.name, lib) for f in files for lib in needed(f) if lib not in bundled}
    assert missing == set(), missing
    launcher = subprocess.run(["readelf", "-l", str(bundle / "bin" / "s3-compaction")],
                              capture_output=True, text=True, check=True).stdout
    assert "INTERP" not in launcher and not needed(bundle / "bin" / "s3-compaction")
    # No path of the build machine travels with it.
    dynamic = subprocess.run(["readelf", "-d", str(bundle / "libexec" / "s3-compaction")],
                             capture_output=True, text=True, check=True).stdout
    assert "RUNPATH" not in dynamic and "RPATH" not in dynamic, dynamic


def debian_package(path: str) -> str:
    """The Debian package that installed a file, whichever side of the /usr merge dpkg knows."""
    candidates = []
    for p in (path, os.path.realpath(path)):
        candidates += [p, p.removeprefix("/usr") if p.startswith("/usr/") else "/usr" + p]
    for candidate in candidates:
        owner = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if owner.returncode == 0:
            return owner.stdout.split(":")[0]
    raise AssertionError(f"no Debian package owns {path}")


def dockerfile():
    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(path=str(DEPLOY / "docker" / "Dockerfile"))
    return parser


def test_dockerfile_is_the_bundle_on_scratch_and_runs_as_its_user(bundle, tmp_path):
    """The image's last stage is FROM scratch: the bundle, and from the first stage's Debian 12
    packages CA certificates and tini. Without a Docker engine here, the image's file system is
    made in a folder from the COPY lines (the first stage's files taken from this Debian 12
    host's same packages) and the ENTRYPOINT runs in it chrooted, as the image's USER."""
    from support.roots import Root, can_chroot
    from support.tables import RowsSnapshot, TableSpec, data_files, write_table

    parser = dockerfile()
    stages, current = [], None
    for i in parser.structure:
        if i["instruction"] == "FROM":
            current = {"from": i["value"].split(), "copies": [], "runs": [], "user": None}
            stages.append(current)
        elif i["instruction"] in ("COPY", "ADD"):
            current["copies"].append(i["value"].split())
        elif i["instruction"] == "RUN":
            current["runs"].append(i["value"])
        elif i["instruction"] == "USER":
            current["user"] = i["value"]
    assert stages[0]["from"][0].startswith("debian:12") and stages[0]["from"][-1] == "system"
    final = stages[-1]
    assert final["from"] == ["scratch"], final["from"]
    packages = set(re.findall(r"apt-get install[^&]*", " ".join(stages[0]["runs"]))[0].split()[2:])
    ignore = (DEPLOY / "docker" / "Dockerfile.dockerignore").read_text().split()
    assert ignore[-1] == "!build/dist/s3-compaction", "the bundle must not be ignored"

    root = tmp_path / "image"
    for copy in final["copies"]:
        *sources, dest = copy
        if sources[0] == "--from=system":
            (source,) = sources[1:]
            # The CA bundle is made by the package's update-ca-certificates, not shipped in it.
            owner = ("ca-certificates" if source == "/etc/ssl/certs/ca-certificates.crt"
                     else debian_package(source))
            assert owner in packages, (source, owner)
            target = root / dest.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        else:
            assert [s.rstrip("/") for s in sources] == ["build/dist/s3-compaction"], sources
            assert "deploy/package.sh" in DOC.read_text()
            assert dest.rstrip("/") == INSTALL_PREFIX
            shutil.copytree(bundle, root / dest.strip("/"), symlinks=True)
    assert final["runs"] == ['["/opt/s3-compaction/bin/s3-compaction", "--version"]'], final["runs"]
    entrypoint = json.loads(next(i["value"] for i in parser.structure
                                 if i["instruction"] == "ENTRYPOINT"))
    assert entrypoint[:2] == ["/usr/bin/tini", "--"]
    for program in (entrypoint[0], entrypoint[2]):
        assert os.access(root / program.lstrip("/"), os.X_OK), program
    if can_chroot():
        pytest.skip(can_chroot())
    for d in ("proc", "dev", "data"):
        (root / d).mkdir()
    rows = RowsSnapshot()
    table = root / "data" / "events"
    write_table(table, TableSpec(partitions=[{"day": "1"}], files_per_partition=6, rows_per_file=50))
    rows.capture("day=1", data_files(table / "day=1"))
    uid, gid = final["user"].split(":")
    for path in [root / "data", *(root / "data").rglob("*")]:
        os.chown(path, int(uid), int(gid))
    image = Root(root)
    r = image.run(*entrypoint, "--version", user=final["user"])
    assert r.code == 0 and r.stdout.startswith("s3-compaction "), r
    r = image.run(*entrypoint, "--table_path", "/data/events", "--delete_original_files", "true",
                  user=final["user"])
    assert r.code == 0, r.stderr
    files = data_files(table / "day=1")
    assert len(files) == 1 and files[0].stat().st_uid == int(uid)
    rows.assert_same("day=1", files)


def test_docs_describe_the_glue_job_script_separately():
    doc = DOC.read_text()
    assert "## Glue job script (python/glue_job.py)" in doc
    assert "deploy/package.sh" in doc and "--shard" in doc
