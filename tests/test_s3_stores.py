"""The local S3 stores the end-to-end tests run against (conftest.py: moto, and SeaweedFS started
by support/seaweedfs.py): each listens only where it was told, checks what it says it checks, and
behaves, on the points the commit protocol rests on, as AWS S3 documents (directly for SeaweedFS;
through the proxy's emulation for moto). The differences that remain are asserted here, so that a
new version of either that changes one fails here first (docs/ARCHITECTURE.md lists them)."""

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

pytestmark = pytest.mark.s3_stores


def code_of(call) -> tuple[str, int]:
    with pytest.raises(ClientError) as e:
        call()
    return e.value.response["Error"]["Code"], e.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.s3_stores("seaweedfs")
def test_seaweedfs_listens_only_on_its_own_loopback_ports(local_s3):
    listening = local_s3.listening_ports()
    assert listening, "weed listens nowhere"
    assert {host for host, _ in listening} == {"127.0.0.1"}, listening
    assert {port for _, port in listening} <= set(local_s3.ports.values()), (
        listening, local_s3.ports)


@pytest.mark.s3_stores("seaweedfs")
def test_seaweedfs_has_room_for_every_bucket_of_a_session(local_s3):
    """Every bucket is a collection of its own volumes; left to itself, weed mini allows free
    disk / volume size of them (70 here), and every bucket after that refuses its first object
    with an InternalError (a CI run failed so). The harness gives it room for thousands."""
    import json
    import urllib.request

    url = f"http://127.0.0.1:{local_s3.ports['master.port']}/dir/status"
    with urllib.request.urlopen(url, timeout=10) as answer:
        topology = json.load(answer)["Topology"]
    assert topology["Max"] >= 4096, topology


def test_signatures(local_s3, bucket):
    """SeaweedFS refuses a wrong secret and an unsigned request (its identities are configured);
    moto checks no signature (the proxy checks them for it)."""
    wrong = boto3.client("s3", endpoint_url=local_s3.endpoint, region_name="us-east-1",
                         aws_access_key_id="testing", aws_secret_access_key="wrong")
    unsigned = boto3.client("s3", endpoint_url=local_s3.endpoint, region_name="us-east-1",
                            config=Config(signature_version=UNSIGNED))
    if local_s3.checks_signatures:
        assert code_of(lambda: wrong.list_objects_v2(Bucket=bucket)) == ("SignatureDoesNotMatch", 403)
        assert code_of(lambda: unsigned.list_objects_v2(Bucket=bucket)) == ("AccessDenied", 403)
    else:
        assert wrong.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_conditional_puts(local_s3, bucket):
    """The lease: created with If-None-Match: *, renewed with If-Match. Both stores as AWS, but
    for the answer to If-Match on a key that does not exist (404 or 412, both taken as "changed")."""
    c = local_s3.client
    first = c.put_object(Bucket=bucket, Key="t/lease.json", Body=b"1", IfNoneMatch="*")["ETag"]
    assert code_of(lambda: c.put_object(Bucket=bucket, Key="t/lease.json", Body=b"2",
                                        IfNoneMatch="*")) == ("PreconditionFailed", 412)
    assert code_of(lambda: c.put_object(Bucket=bucket, Key="t/lease.json", Body=b"2",
                                        IfMatch='"' + "0" * 32 + '"')) == ("PreconditionFailed", 412)
    assert code_of(lambda: c.put_object(Bucket=bucket, Key="t/none.json", Body=b"2",
                                        IfMatch=first)) == local_s3.if_match_on_a_missing_key
    second = c.put_object(Bucket=bucket, Key="t/lease.json", Body=b"2", IfMatch=first)["ETag"]
    assert second != first and local_s3.etag(bucket, "t/lease.json") == second


def test_conditional_deletes_without_the_proxy(local_s3, bucket):
    """DeleteObjects with an <ETag> per object, straight to the store: SeaweedFS evaluates it
    (per key, under its per-object write lock) as AWS does; moto ignores it, deleting a
    mismatched object and answering <Deleted> for a missing one (hence the proxy's emulation)."""
    c = local_s3.client
    for key in ("right", "wrong"):
        c.put_object(Bucket=bucket, Key=f"p=1/{key}", Body=key.encode())
    right = local_s3.etag(bucket, "p=1/right")
    response = c.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "p=1/right", "ETag": right},
        {"Key": "p=1/wrong", "ETag": '"' + "0" * 32 + '"'},
        {"Key": "p=1/missing", "ETag": right}]})
    deleted = {d["Key"] for d in response.get("Deleted", [])}
    errors = {e["Key"]: e["Code"] for e in response.get("Errors", [])}
    if local_s3.deletes_conditionally:
        assert deleted == {"p=1/right"}
        assert errors == {"p=1/wrong": "PreconditionFailed", "p=1/missing": "NoSuchKey"}
        assert local_s3.etag(bucket, "p=1/wrong") is not None
    else:
        assert deleted == {"p=1/right", "p=1/wrong", "p=1/missing"} and errors == {}
        assert local_s3.etag(bucket, "p=1/wrong") is None
    # A single DeleteObject with If-Match: both stores evaluate it.
    c.put_object(Bucket=bucket, Key="p=1/one", Body=b"one")
    assert code_of(lambda: c.delete_object(Bucket=bucket, Key="p=1/one",
                                           IfMatch='"' + "0" * 32 + '"')) == ("PreconditionFailed", 412)
    assert local_s3.etag(bucket, "p=1/one") is not None


def test_etags_of_copies_and_multipart_uploads(local_s3, bucket):
    """A copy of a single-part object keeps its ETag (the MD5) in both. A multipart object's ETag
    is '<md5 of the parts' md5s>-<parts>' in both; a CopyObject of it gets the MD5 of its bytes
    on moto (as on AWS), but keeps the multipart ETag on SeaweedFS. The tool compares ETags only
    with what the same store said of the same object, never computes one."""
    c = local_s3.client
    single = c.put_object(Bucket=bucket, Key="a/one", Body=b"one")["ETag"]
    c.copy_object(Bucket=bucket, Key="a/one-copy", CopySource={"Bucket": bucket, "Key": "a/one"})
    assert local_s3.etag(bucket, "a/one-copy") == single
    upload = c.create_multipart_upload(Bucket=bucket, Key="a/mp")["UploadId"]
    parts = [{"PartNumber": n, "ETag": c.upload_part(Bucket=bucket, Key="a/mp", PartNumber=n,
                                                     UploadId=upload, Body=bytes([n]) * 5 * 2**20)["ETag"]}
             for n in (1, 2)]
    multipart = c.complete_multipart_upload(Bucket=bucket, Key="a/mp", UploadId=upload,
                                            MultipartUpload={"Parts": parts})["ETag"]
    assert multipart.endswith('-2"') and local_s3.etag(bucket, "a/mp") == multipart
    c.copy_object(Bucket=bucket, Key="a/mp-copy", CopySource={"Bucket": bucket, "Key": "a/mp"})
    copied = local_s3.etag(bucket, "a/mp-copy")
    if local_s3.name == "seaweedfs":
        assert copied == multipart
    else:
        assert copied != multipart and "-" not in copied
    # A listing says what a HEAD says.
    listed = local_s3.objects(bucket, "a/")
    assert {k: etag for k, (_, etag) in listed.items()} == {
        k: local_s3.etag(bucket, k) for k in listed}


def test_error_codes(local_s3, bucket):
    c = local_s3.client
    assert code_of(lambda: c.head_object(Bucket=bucket, Key="none")) == ("404", 404)
    assert code_of(lambda: c.get_object(Bucket=bucket, Key="none")) == ("NoSuchKey", 404)
    assert code_of(lambda: c.list_objects_v2(Bucket=bucket + "-none")) == ("NoSuchBucket", 404)
    # An unconditional delete of a missing key succeeds, alone or in a batch.
    c.delete_object(Bucket=bucket, Key="none")
    response = c.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "none"}]})
    assert [d["Key"] for d in response["Deleted"]] == ["none"]


def test_folders(local_s3, bucket):
    """SeaweedFS keeps objects in a file system (its filer): a folder a key implied is a real
    folder, which outlives its last object for a while (removed in the background), so a listing
    with a delimiter may still show it as a common prefix, and a HEAD of '<folder>/' answers 200
    (a 'directory' of size 0). moto, like AWS, has no folders but the markers one puts. Listings
    without a delimiter (what the tests compare) show only objects in both."""
    c = local_s3.client
    c.put_object(Bucket=bucket, Key="n/deep/f", Body=b"f")
    c.delete_object(Bucket=bucket, Key="n/deep/f")
    assert local_s3.objects(bucket, "n/") == {}
    implied = c.list_objects_v2(Bucket=bucket, Prefix="n/", Delimiter="/").get("CommonPrefixes", [])
    c.put_object(Bucket=bucket, Key="o/p/q", Body=b"q")
    if local_s3.name == "seaweedfs":
        assert implied in ([], [{"Prefix": "n/deep/"}])  # until the background cleaner runs
        head = c.head_object(Bucket=bucket, Key="o/p/")
        assert head["ContentLength"] == 0
    else:
        assert implied == []
        assert code_of(lambda: c.head_object(Bucket=bucket, Key="o/p/")) == ("404", 404)
    # An explicit marker is an object in both, listed and kept.
    c.put_object(Bucket=bucket, Key="m/dir/", Body=b"")
    assert local_s3.objects(bucket, "m/") == {"m/dir/": (0, '"d41d8cd98f00b204e9800998ecf8427e"')}
