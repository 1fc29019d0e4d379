"""The original job end to end: a table in the Glue Data Catalog (moto), its files on S3 (moto),
the tool run with the original job's arguments, then checked through boto3 and DuckDB: rows per
partition equal as multisets, files near the target, the catalog as expected, originals gone only
when asked, untouched partitions untouched. Every signed request is verified by the proxy."""

import pytest

from support.glue import add_partition, create_table, partitions, table_definition
from support.tables import RowsSnapshot, TableSpec, events_schema, write_table

DB = "analytics"
TARGET = 0.125  # MiB
SCHEMA = events_schema()
# (year, month) -> where the partition's files are, relative to the bucket. The second does not
# follow the folder convention: the catalog's location is what counts.
LAYOUT = {
    ("2023", "5"): "warehouse/events/year=2023/month=5",
    ("2023", "6"): "elsewhere/batch-2023-06",
    ("2024", "1"): "warehouse/events/year=2024/month=1",
}


@pytest.fixture
def table(aws, bucket, tmp_path):
    """A crawler-made table: year string, month int; returns (name, rows snapshot)."""
    name = "events_" + bucket.replace("-", "_")[-12:]
    create_table(aws.glue, DB, name, f"s3://{bucket}/warehouse/events", SCHEMA,
                 [("year", "string"), ("month", "int")])
    rows = RowsSnapshot()
    for (year, month), prefix in LAYOUT.items():
        local = tmp_path / "src" / f"{year}-{month}"
        write_table(local, TableSpec(partitions=[{"p": "x"}], files_per_partition=40,
                                     rows_per_file=250, seed=int(year) + int(month)))
        aws.s3.upload_tree(local / "p=x", bucket, prefix)
        files = sorted((local / "p=x").glob("*.parquet"))
        rows.capture(f"{year}/{month}", files)
        size = sum(f.stat().st_size for f in files)
        add_partition(aws.glue, DB, name, [year, month], f"s3://{bucket}/{prefix}", SCHEMA,
                      stats={"numFiles": str(len(files)), "totalSize": str(size),
                             "recordCount": str(40 * 250), "objectCount": str(len(files)),
                             "sizeKey": str(size), "averageRecordSize": "50"})
    return name, rows


def download(aws, bucket, prefix, tmp_path):
    return aws.s3.download_prefix(bucket, prefix, tmp_path / "dl" / prefix.replace("/", "_"))


def test_original_job_arguments_compact_in_place(aws, bucket, table, run, tmp_path):
    name, rows = table
    table_before = table_definition(aws.glue, DB, name)
    parts_before = partitions(aws.glue, DB, name)
    untouched = aws.s3.objects(bucket, LAYOUT[("2024", "1")])

    r = run("--database_name", DB, "--table_name", name, "--partition_predicate", "year='2023'",
            "--delete_original_files", "true", "--target_file_size_mb", TARGET, "--json",
            env=aws.env())
    assert r.code == 0, r.stderr
    assert r.summary["partitions"]["compacted"] == 2
    assert r.summary["table"] == f"{DB}.{name}"

    for key in [("2023", "5"), ("2023", "6")]:
        files = download(aws, bucket, LAYOUT[key], tmp_path)
        rows.assert_same("/".join(key), files)
        assert 3 <= len(files) <= 6
        sizes = sorted(f.stat().st_size for f in files)
        for size in sizes[1:]:
            assert abs(size - TARGET * 2**20) <= 0.1 * TARGET * 2**20, sizes
        assert not any(f.name.startswith("part-0000") and "-c0" not in f.name for f in files)
    assert aws.s3.objects(bucket, LAYOUT[("2024", "1")]) == untouched
    assert not [k for k in aws.s3.objects(bucket) if k.endswith("/") or "_s3_compaction" in k]

    # The table is exactly as it was; partitions differ only in the statistics the tool owns.
    assert table_definition(aws.glue, DB, name) == table_before
    # Every request was signed, and the proxy found each signature right (checked with botocore).
    assert aws.proxy.verified["glue"] >= 3 and aws.proxy.verified["s3"] > 50
    # Data files go in batches; the only single deletes are the run's leases, released at the
    # end: the table's, and the one held in the folder of the partition the catalog places
    # outside the table (so that a run over that folder meets this one).
    singles = sorted(s.path.split("?")[0] for s in aws.proxy.seen if s.operation == "DeleteObject")
    assert aws.proxy.count("DeleteObjects") >= 1
    assert singles == sorted([f"/{bucket}/{LAYOUT[('2023', '6')]}/_s3_compaction/lease.json",
                              f"/{bucket}/warehouse/events/_s3_compaction/lease.json"]), singles
    parts_after = partitions(aws.glue, DB, name)
    for values, before in parts_before.items():
        after = parts_after[values]
        assert after["StorageDescriptor"] == before["StorageDescriptor"]
        changed = {k for k in before["Parameters"] if before["Parameters"][k] != after["Parameters"][k]}
        if values[0] == "2023":
            files = download(aws, bucket, LAYOUT[values], tmp_path / "again")
            assert after["Parameters"]["numFiles"] == str(len(files))
            assert after["Parameters"]["objectCount"] == str(len(files))
            assert after["Parameters"]["totalSize"] == str(sum(f.stat().st_size for f in files))
            assert after["Parameters"]["recordCount"] == str(40 * 250)
            assert changed <= {"numFiles", "objectCount", "totalSize", "sizeKey"}
        else:
            assert after == before


def test_target_path_repoints_the_catalog(aws, bucket, table, run, tmp_path):
    name, rows = table
    table_before = table_definition(aws.glue, DB, name)
    parts_before = partitions(aws.glue, DB, name)
    originals = {k: aws.s3.objects(bucket, p) for k, p in LAYOUT.items()}
    target = f"s3://{bucket}/compacted/events"
    r = run("--database_name", DB, "--table_name", name, "--target_s3_path", target,
            "--target_file_size_mb", TARGET, "--json", env=aws.env())
    assert r.code == 0, r.stderr
    assert r.summary["partitions"]["compacted"] == 3
    parts_after = partitions(aws.glue, DB, name)
    for (year, month), before in parts_before.items():
        after = parts_after[(year, month)]
        location = f"{target}/year={year}/month={month}"
        assert after["StorageDescriptor"]["Location"] == location
        sd_rest = {k: v for k, v in after["StorageDescriptor"].items() if k != "Location"}
        assert sd_rest == {k: v for k, v in before["StorageDescriptor"].items() if k != "Location"}
        files = download(aws, bucket, location[len(f"s3://{bucket}/"):], tmp_path)
        rows.assert_same(f"{year}/{month}", files)
    # Originals kept where they were (not asked to delete); the table itself untouched.
    assert {k: aws.s3.objects(bucket, p) for k, p in LAYOUT.items()} == originals
    assert table_definition(aws.glue, DB, name) == table_before


def test_target_path_with_delete_removes_originals_after_repointing(aws, bucket, table, run, tmp_path):
    name, rows = table
    target = f"s3://{bucket}/compacted/events"
    r = run("--database_name", DB, "--table_name", name, "--target_s3_path", target,
            "--delete_original_files", "true", "--partition_predicate", "month = 6",
            "--target_file_size_mb", TARGET, env=aws.env())
    assert r.code == 0, r.stderr
    assert aws.s3.objects(bucket, LAYOUT[("2023", "6")]) == {}
    assert aws.s3.objects(bucket, LAYOUT[("2023", "5")]) != {}
    location = partitions(aws.glue, DB, name)[("2023", "6")]["StorageDescriptor"]["Location"]
    files = download(aws, bucket, location[len(f"s3://{bucket}/"):], tmp_path)
    rows.assert_same("2023/6", files)


def test_export_leaves_the_catalog_alone(aws, bucket, table, run, tmp_path):
    name, rows = table
    parts_before = partitions(aws.glue, DB, name)
    target = f"s3://{bucket}/export"
    r = run("--database_name", DB, "--table_name", name, "--target_s3_path", target,
            "--update_catalog", "false", "--target_file_size_mb", TARGET, env=aws.env())
    assert r.code == 0, r.stderr
    assert partitions(aws.glue, DB, name) == parts_before
    files = download(aws, bucket, "export/year=2023/month=5", tmp_path)
    rows.assert_same("2023/5", files)

    r = run("--database_name", DB, "--table_name", name, "--target_s3_path", target + "2",
            "--update_catalog", "false", "--delete_original_files", "true", env=aws.env())
    assert r.code == 2 and "catalog pointing at deleted files" in r.stderr


# --- refusals: a clear one-line message naming the table, exit 3, nothing changed -----------

REFUSALS = {
    "csv": (dict(parameters={"classification": "csv"},
                 storage={"InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                          "SerdeInfo": {"SerializationLibrary":
                                        "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"}}),
            "is not a Parquet table (classification csv)"),
    "iceberg": (dict(parameters={"table_type": "ICEBERG"}), "is an Iceberg table"),
    "delta": (dict(parameters={"spark.sql.sources.provider": "delta"}), "is a Delta Lake table"),
    "hudi": (dict(storage={"InputFormat": "org.apache.hudi.hadoop.HoodieParquetInputFormat"}),
             "is a Hudi table"),
    "view": (dict(table_type="VIRTUAL_VIEW"), "is a view"),
    "governed": (dict(table_type="GOVERNED"), "is a governed (Lake Formation) table"),
    "projection": (dict(parameters={"projection.enabled": "true"}),
                   "uses partition projection: its partitions are not in the catalog"),
    "no location": (dict(location=""), "has no location"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_tables_it_must_not_touch_are_refused(aws, bucket, table, run, case):
    name, _ = table
    kwargs, message = REFUSALS[case]
    other = f"{name}_{case.replace(' ', '_')}"
    location = kwargs.pop("location", f"s3://{bucket}/warehouse/events")
    keys = kwargs.pop("partition_keys", [("year", "string"), ("month", "int")])
    create_table(aws.glue, DB, other, location, SCHEMA, keys, **kwargs)
    objects = aws.s3.objects(bucket)
    r = run("--database_name", DB, "--table_name", other, "--delete_original_files", "true",
            env=aws.env())
    assert r.code == 3, r.stderr
    assert r.stderr.count("\n") == 1 and f"Glue table {DB}.{other} {message}" in r.stderr
    assert aws.s3.objects(bucket) == objects


def test_missing_table_and_database_are_named(aws, bucket, table, run):
    r = run("--database_name", DB, "--table_name", "nope", env=aws.env())
    assert r.code == 3
    assert f"table {DB}.nope not found in the Glue Data Catalog (database {DB})" in r.stderr
    r = run("--database_name", "no_such_db", "--table_name", "t", env=aws.env())
    assert r.code == 3 and "no_such_db" in r.stderr


# --- faults, paging, fallback -----------------------------------------------------------

def test_throttling_and_server_errors_are_retried(aws, bucket, table, run, tmp_path):
    from support.aws_proxy import Fault

    name, rows = table
    aws.proxy.faults += [Fault("GetTable", "server_error", 2), Fault("GetPartitions", "throttle", 3),
                         Fault("GetObject", "throttle", 3), Fault("DeleteObjects", "throttle", 2),
                         Fault("GetPartitions", "reset", 1)]
    r = run("--database_name", DB, "--table_name", name, "--partition_predicate", "month = 5",
            "--delete_original_files", "true", "--target_file_size_mb", TARGET, env=aws.env())
    assert r.code == 0, r.stderr
    assert all(f.hits == f.times for f in aws.proxy.faults), aws.proxy.faults
    rows.assert_same("2023/5", download(aws, bucket, LAYOUT[("2023", "5")], tmp_path))


def test_access_denied_is_a_clear_error_and_changes_nothing(aws, bucket, table, run):
    from support.aws_proxy import Fault

    name, _ = table
    objects = aws.s3.objects(bucket)
    aws.proxy.faults.append(Fault("GetPartitions", "denied", 100))
    r = run("--database_name", DB, "--table_name", name, "--delete_original_files", "true",
            env=aws.env())
    assert r.code == 3
    assert f"GetPartitions {DB}.{name}: AccessDeniedException: injected denied" in r.stderr
    assert aws.s3.objects(bucket) == objects


def test_a_failed_catalog_update_removes_the_new_files(aws, bucket, table, run):
    """Written to a target, but the catalog cannot be repointed: the new files go again, the
    originals stay, the catalog is unchanged."""
    from support.aws_proxy import Fault

    name, _ = table
    parts_before = partitions(aws.glue, DB, name)
    originals = aws.s3.objects(bucket)
    aws.proxy.faults.append(Fault("BatchUpdatePartition", "denied", 100))
    r = run("--database_name", DB, "--table_name", name, "--target_s3_path",
            f"s3://{bucket}/compacted", "--delete_original_files", "true", "--json",
            env=aws.env())
    assert r.code == 4
    assert all(d["status"] == "failed" and "catalog not updated" in d["reason"]
               for d in r.summary["details"])
    assert partitions(aws.glue, DB, name) == parts_before
    assert aws.s3.objects(bucket) == originals  # nothing under compacted/, originals intact


def test_partitions_are_paged_and_segmented(aws, bucket, table, run):
    name, _ = table
    aws.proxy.glue_page_size = 1
    aws.proxy.emulate_segments = True
    r = run("--database_name", DB, "--table_name", name, "--dry-run", "--json", env=aws.env())
    assert r.code == 0, r.stderr
    assert sorted(d["partition"] for d in r.summary["details"]) == [
        "year=2023/month=5", "year=2023/month=6", "year=2024/month=1"]
    # 4 segments, 3 partitions one per page: at least 3 pages, plus an empty segment's call.
    assert aws.proxy.count("GetPartitions") >= 4


def test_a_predicate_glue_rejects_falls_back_to_local_filtering(aws, bucket, table, run):
    name, _ = table
    r = run("--database_name", DB, "--table_name", name, "--partition_predicate",
            "NOT month = 6", "--dry-run", "--json", env=aws.env())
    assert r.code == 0, r.stderr
    assert sorted(d["partition"] for d in r.summary["details"]) == [
        "year=2023/month=5", "year=2024/month=1"]
    assert any("Glue could not evaluate the predicate" in n for n in r.summary["notes"])


def test_predicate_pushdown_uses_glue_syntax(aws, bucket, table, run):
    name, _ = table
    r = run("--database_name", DB, "--table_name", name, "--partition_predicate",
            "year='2023' and month in (5, 6)", "--dry-run", "--json", env=aws.env())
    assert r.code == 0, r.stderr
    assert len(r.summary["details"]) == 2
    assert not r.summary["notes"]  # pushed down and accepted


# --- credentials -----------------------------------------------------------------------

def test_no_credentials_is_a_clear_error(aws, bucket, table, run):
    import os
    name, _ = table
    env = aws.env(AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="", AWS_PROFILE="",
                  AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_CONFIG_FILE=os.devnull)
    r = run("--database_name", DB, "--table_name", name, env=env)
    assert r.code == 3
    assert ("no AWS credentials found (tried environment, web identity, profile default, "
            "container, instance metadata)") in r.stderr


def test_expired_credentials_are_refreshed_once(aws, bucket, table, run):
    from support.aws_proxy import Fault

    name, _ = table
    aws.proxy.faults.append(Fault("GetTable", "expired", 1))
    r = run("--database_name", DB, "--table_name", name, "--dry-run", env=aws.env())
    assert r.code == 0, r.stderr
    aws.proxy.faults.append(Fault("GetTable", "expired", 100))
    r = run("--database_name", DB, "--table_name", name, "--dry-run", env=aws.env())
    assert r.code == 3 and "ExpiredTokenException" in r.stderr


def test_credentials_from_a_profile(aws, bucket, table, run, tmp_path):
    name, _ = table
    credentials = tmp_path / "credentials"
    credentials.write_text("[default]\naws_access_key_id = WRONG\naws_secret_access_key = x\n"
                           "[ci]\naws_access_key_id = PROFILEKEY\naws_secret_access_key = profilesecret\n")
    aws.proxy.secret_keys["PROFILEKEY"] = "profilesecret"
    env = aws.env(AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="", AWS_PROFILE="ci",
                  AWS_SHARED_CREDENTIALS_FILE=str(credentials))
    r = run("--database_name", DB, "--table_name", name, "--dry-run", env=env)
    assert r.code == 0, r.stderr
    assert aws.proxy.verified["glue"] >= 2  # signed with the profile's key, and checked


def test_credentials_from_the_container_endpoint(aws, bucket, table, run):
    """Glue, ECS and EKS hand credentials out over a local HTTP endpoint; a stand-in here."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen = []

    class Endpoint(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            seen.append((self.path, self.headers.get("Authorization")))
            body = json.dumps({"AccessKeyId": "CONTAINERKEY", "SecretAccessKey": "containersecret",
                               "Token": "session-token", "Expiration": "2099-01-01T00:00:00Z"}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        name, _ = table
        aws.proxy.secret_keys["CONTAINERKEY"] = "containersecret"
        env = aws.env(AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="",
                      AWS_CONTAINER_CREDENTIALS_FULL_URI=f"http://127.0.0.1:{server.server_address[1]}/creds",
                      AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer abc")
        r = run("--database_name", DB, "--table_name", name, "--dry-run", env=env)
        assert r.code == 0, r.stderr
        assert seen and seen[0] == ("/creds", "Bearer abc")
        assert aws.proxy.verified["glue"] >= 2
    finally:
        server.shutdown()


def test_credentials_from_web_identity_via_sts(aws, bucket, table, run, tmp_path):
    """EKS service accounts: a token file and a role, exchanged at STS (moto's, via the proxy)."""
    name, _ = table
    token = tmp_path / "token"
    token.write_text("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl\n")
    env = aws.env(AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="",
                  AWS_WEB_IDENTITY_TOKEN_FILE=str(token),
                  AWS_ROLE_ARN="arn:aws:iam::123456789012:role/compactor")
    r = run("--database_name", DB, "--table_name", name, "--dry-run", env=env)
    assert r.code == 0, r.stderr
    assert aws.proxy.count("AssumeRoleWithWebIdentity") == 1


def test_credentials_from_an_assumed_role_profile(aws, bucket, table, run, tmp_path):
    name, _ = table
    config = tmp_path / "config"
    config.write_text("[profile compactor]\nrole_arn = arn:aws:iam::123456789012:role/compactor\n"
                      "source_profile = base\nregion = us-east-1\n")
    credentials = tmp_path / "credentials"
    credentials.write_text("[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = basesecret\n")
    aws.proxy.secret_keys["BASEKEY"] = "basesecret"
    env = aws.env(AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="", AWS_REGION="",
                  AWS_PROFILE="compactor", AWS_CONFIG_FILE=str(config),
                  AWS_SHARED_CREDENTIALS_FILE=str(credentials))
    r = run("--database_name", DB, "--table_name", name, "--dry-run", env=env)
    assert r.code == 0, r.stderr
    assert aws.proxy.count("AssumeRole") == 1
    assert aws.proxy.verified["sts"] == 1  # AssumeRole signed with the base profile's key


def test_secrets_are_never_printed_even_verbose(aws, bucket, table, run):
    name, _ = table
    secret, token = "s3cr3t-never-printed-7f3a", "session-token-never-printed-91c2"
    aws.proxy.secret_keys["VERBOSEKEY"] = secret
    env = aws.env(AWS_ACCESS_KEY_ID="VERBOSEKEY", AWS_SECRET_ACCESS_KEY=secret,
                  AWS_SESSION_TOKEN=token)
    for flags in (["-vv"], ["-vv", "--log-format", "json"], ["--json"]):
        r = run("--database_name", DB, "--table_name", name, "--dry-run", *flags, env=env)
        assert r.code == 0, r.stderr
        if "-vv" in flags:  # the key is told apart by its last four characters, no more
            assert "key ...EKEY from environment" in r.stderr
        for text in (r.stdout, r.stderr):
            assert secret not in text and token not in text
    assert aws.proxy.verified["glue"] >= 3


# --- --update_catalog deferred, then `commit` (the Glue job: shards on executors, one catalog
# commit from the driver) -----------------------------------------------------------------------

def test_deferred_shards_then_one_commit_in_place(aws, bucket, table, run, tmp_path):
    name, rows = table
    parts_before = partitions(aws.glue, DB, name)
    args = ["--database_name", DB, "--table_name", name, "--partition_predicate", "year='2023'",
            "--delete_original_files", "true", "--target_file_size_mb", TARGET, "--json",
            "--update_catalog", "deferred"]
    for k in range(2):
        r = run(*args, "--shard", f"{k}/2", env=aws.env())
        assert r.code == 0, r.stderr
    # The files are compacted, the catalog not yet touched: its statistics are the old ones.
    assert partitions(aws.glue, DB, name) == parts_before
    for key in [("2023", "5"), ("2023", "6")]:
        rows.assert_same("/".join(key), download(aws, bucket, LAYOUT[key], tmp_path))
    c = run("commit", "--database_name", DB, "--table_name", name, "--json", env=aws.env())
    assert c.code == 0, c.stderr + c.stdout
    assert "committed 2 of 2 deferred partition update(s)" in c.summary["notes"][0]
    after = partitions(aws.glue, DB, name)
    for key in [("2023", "5"), ("2023", "6")]:
        files = download(aws, bucket, LAYOUT[key], tmp_path / "again")
        assert after[key]["Parameters"]["numFiles"] == str(len(files))
        assert after[key]["Parameters"]["totalSize"] == str(sum(f.stat().st_size for f in files))
        assert after[key]["StorageDescriptor"] == parts_before[key]["StorageDescriptor"]
    assert after[("2024", "1")] == parts_before[("2024", "1")]
    assert not [k for k in aws.s3.objects(bucket) if "_s3_compaction" in k]
    again = run("commit", "--database_name", DB, "--table_name", name, "--json", env=aws.env())
    assert again.code == 0 and again.summary["notes"][0] == "nothing to commit"


def test_deferred_repoint_waits_for_commit_and_carries_newcomers(aws, bucket, table, run,
                                                                tmp_path):
    name, rows = table
    parts_before = partitions(aws.glue, DB, name)
    target = f"s3://{bucket}/compacted/events"
    key = ("2023", "6")
    originals = aws.s3.objects(bucket, LAYOUT[key])
    r = run("--database_name", DB, "--table_name", name, "--target_s3_path", target,
            "--delete_original_files", "true", "--partition_predicate", "month = 6",
            "--target_file_size_mb", TARGET, "--update_catalog", "deferred", "--json",
            env=aws.env())
    assert r.code == 0, r.stderr
    # Published at the target, but readers still follow the catalog to the untouched originals.
    assert partitions(aws.glue, DB, name) == parts_before
    assert aws.s3.objects(bucket, LAYOUT[key]) == originals
    location = f"{target}/year=2023/month=6"
    assert aws.s3.objects(bucket, location[len(f"s3://{bucket}/"):])
    # Another writer adds a file at the old location before the commit: it must not be hidden.
    newcomer = tmp_path / "late.parquet"
    download(aws, bucket, LAYOUT[key], tmp_path / "orig")  # a copy of an original, as new data
    first = sorted((tmp_path / "orig").rglob("*.parquet"))[0]
    newcomer.write_bytes(first.read_bytes())
    aws.s3.client.upload_file(str(newcomer), bucket, LAYOUT[key] + "/late.parquet")
    rows.capture("2023/6+late", [*sorted((tmp_path / "orig").rglob("*.parquet")), newcomer])

    # The commit, like any run, touches only what its own flags name: the target too.
    c = run("commit", "--database_name", DB, "--table_name", name, "--target_s3_path", target,
            "--json", env=aws.env())
    assert c.code == 0, c.stderr
    after = partitions(aws.glue, DB, name)
    assert after[key]["StorageDescriptor"]["Location"] == location
    assert aws.s3.objects(bucket, LAYOUT[key]) == {
        LAYOUT[key] + "/late.parquet": aws.s3.objects(bucket, LAYOUT[key])[LAYOUT[key] + "/late.parquet"]
    }  # the planned originals are gone; the newcomer was copied, and stays where it was written
    files = download(aws, bucket, location[len(f"s3://{bucket}/"):], tmp_path / "new")
    rows.assert_same("2023/6+late", files)


def test_a_deferred_run_whose_commit_never_came_is_committed_by_the_next_recover(
        aws, bucket, table, run, tmp_path):
    name, rows = table
    target = f"s3://{bucket}/compacted/events"
    key = ("2023", "5")
    r = run("--database_name", DB, "--table_name", name, "--target_s3_path", target,
            "--delete_original_files", "true", "--partition_predicate", "month = 5",
            "--target_file_size_mb", TARGET, "--update_catalog", "deferred", env=aws.env())
    assert r.code == 0, r.stderr
    # The driver died before `commit`. A shard cannot finish it (it may not be its own): it stops.
    shard = run("--database_name", DB, "--table_name", name, "--shard", "0/2", env=aws.env())
    assert shard.code == 3 and "s3-compaction recover" in shard.stderr, shard.stderr
    # A whole-table recover (or run) commits it, as `commit` would have.
    rec = run("recover", "--database_name", DB, "--table_name", name, "--target_s3_path", target,
              "--json", env=aws.env())
    assert rec.code == 0, rec.stderr
    assert "committed 1 of 1 deferred partition update(s)" in rec.summary["notes"][0]
    location = f"{target}/year=2023/month=5"
    assert partitions(aws.glue, DB, name)[key]["StorageDescriptor"]["Location"] == location
    assert aws.s3.objects(bucket, LAYOUT[key]) == {}
    files = download(aws, bucket, location[len(f"s3://{bucket}/"):], tmp_path)
    rows.assert_same("/".join(key), files)
    assert not [k for k in aws.s3.objects(bucket) if "_s3_compaction" in k]


@pytest.mark.parametrize("delete", ["true", "false"])
def test_a_scheduled_job_with_a_target_runs_again_and_compacts_in_place_there(
        aws, bucket, table, run, tmp_path, delete):
    """The first run repoints the partitions to the target; the next runs (the job is scheduled
    with the same arguments) find each partition already there and compact it in place, new
    small files included, while a target folder holding files of another partition is refused."""
    name, rows = table
    target = f"s3://{bucket}/compacted/events"
    args = ("--database_name", DB, "--table_name", name, "--target_s3_path", target,
            "--delete_original_files", delete, "--target_file_size_mb", TARGET, "--json")
    first = run(*args, env=aws.env())
    assert first.code == 0, first.stderr
    assert first.summary["partitions"]["compacted"] == 3

    again = run(*args, env=aws.env())
    assert again.code == 0, again.stderr
    assert again.summary["partitions"]["failed"] == 0

    # New small files land in the partition where the catalog now places it.
    extra = tmp_path / "extra"
    write_table(extra, TableSpec(partitions=[{"p": "x"}], files_per_partition=30,
                                 rows_per_file=250, seed=99))
    aws.s3.upload_tree(extra / "p=x", bucket, "compacted/events/year=2023/month=5")
    rows.capture("2023/5", sorted((tmp_path / "src" / "2023-5" / "p=x").glob("*.parquet"))
                 + sorted((extra / "p=x").glob("*.parquet")))
    third = run(*args, env=aws.env())
    assert third.code == 0, third.stderr
    assert third.summary["partitions"]["compacted"] == 1, third.summary
    location = partitions(aws.glue, DB, name)[("2023", "5")]["StorageDescriptor"]["Location"]
    assert location == f"{target}/year=2023/month=5"
    files = download(aws, bucket, "compacted/events/year=2023/month=5", tmp_path)
    rows.assert_same("2023/5", files)
    assert len(files) <= 8
