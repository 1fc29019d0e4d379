"""S3 conditional deletes (DeleteObjects with an <ETag> per object) as the binary meets them,
through the proxy: on moto, which lacks them, the proxy's emulation; on SeaweedFS, the store's own
(the proxy only passes them on). The C++ side (FileSystems::RemoveExactly) is tested against
both, so both are tested here first, with boto3, against what the AWS documentation says S3
does."""

import boto3
import pytest

pytestmark = pytest.mark.s3_stores


@pytest.fixture
def s3(aws, bucket):
    """boto3 through the proxy (as the binary talks to S3), and the bucket."""
    client = boto3.client("s3", endpoint_url=aws.proxy.endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    return client, bucket


def put(aws, bucket, key, body=b"v1"):
    aws.s3.client.put_object(Bucket=bucket, Key=key, Body=body)
    return aws.s3.etag(bucket, key)


def delete(client, bucket, objects, quiet=False):
    return client.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": quiet})


def errors(response):
    return {e["Key"]: e["Code"] for e in response.get("Errors", [])}


def deleted(response):
    return {d["Key"] for d in response.get("Deleted", [])}


def test_right_etag_deletes_wrong_one_keeps_missing_one_is_no_such_key(aws, s3):
    client, bucket = s3
    right = put(aws, bucket, "p=1/right.parquet")
    put(aws, bucket, "p=1/wrong.parquet")
    response = delete(client, bucket, [
        {"Key": "p=1/right.parquet", "ETag": right},
        {"Key": "p=1/wrong.parquet", "ETag": '"0123456789abcdef0123456789abcdef"'},
        {"Key": "p=1/missing.parquet", "ETag": right},
    ])
    assert deleted(response) == {"p=1/right.parquet"}
    assert errors(response) == {"p=1/wrong.parquet": "PreconditionFailed",
                                "p=1/missing.parquet": "NoSuchKey"}
    assert aws.s3.etag(bucket, "p=1/right.parquet") is None
    assert aws.s3.etag(bucket, "p=1/wrong.parquet") is not None
    assert aws.proxy.count("DeleteObjects") == 1


def test_a_replaced_object_is_left_in_place(aws, s3):
    client, bucket = s3
    first = put(aws, bucket, "p=1/a.parquet", b"first version")
    second = put(aws, bucket, "p=1/a.parquet", b"second version")
    assert first != second
    response = delete(client, bucket, [{"Key": "p=1/a.parquet", "ETag": first}])
    assert errors(response) == {"p=1/a.parquet": "PreconditionFailed"}
    assert aws.s3.etag(bucket, "p=1/a.parquet") == second
    # Unquoted, as the AWS CLI's --if-match examples pass it, the current ETag matches too.
    response = delete(client, bucket, [{"Key": "p=1/a.parquet", "ETag": second.strip('"')}])
    assert deleted(response) == {"p=1/a.parquet"} and not errors(response)
    assert aws.s3.etag(bucket, "p=1/a.parquet") is None


def test_objects_without_an_etag_keep_the_unconditional_meaning(aws, s3):
    client, bucket = s3
    kept = put(aws, bucket, "own/kept.parquet")
    put(aws, bucket, "own/staged.parquet")
    response = delete(client, bucket, [
        {"Key": "own/staged.parquet"},                    # deleted
        {"Key": "own/never-there.parquet"},               # deleted, as S3 says of a missing key
        {"Key": "own/kept.parquet", "ETag": '"' + "0" * 32 + '"'},
    ])
    assert deleted(response) == {"own/staged.parquet", "own/never-there.parquet"}
    assert errors(response) == {"own/kept.parquet": "PreconditionFailed"}
    assert aws.s3.etag(bucket, "own/kept.parquet") == kept


def test_keys_needing_escapes_quiet_mode_and_denied_keys(aws, s3):
    client, bucket = s3
    odd = "p=a&b <c>/日本 +%.parquet"
    etag = put(aws, bucket, odd)
    other = put(aws, bucket, "p=1/denied.parquet")
    aws.proxy.deny_delete_keys = {"denied.parquet"}
    response = delete(client, bucket, [
        {"Key": odd, "ETag": '"' + "f" * 32 + '"'},
        {"Key": "p=1/denied.parquet", "ETag": other},
    ], quiet=True)
    assert errors(response) == {odd: "PreconditionFailed", "p=1/denied.parquet": "AccessDenied"}
    assert aws.s3.etag(bucket, odd) == etag
    response = delete(client, bucket, [{"Key": odd, "ETag": etag}], quiet=True)
    assert not errors(response)  # (moto lists it under Deleted even so: it ignores Quiet)
    assert aws.s3.etag(bucket, odd) is None


@pytest.mark.s3_stores("moto")
def test_without_the_emulation_moto_ignores_the_etag(aws, s3):
    """What an S3 imitation without conditional deletes does: the caveat RemoveExactly states."""
    client, bucket = s3
    put(aws, bucket, "p=1/a.parquet")
    aws.proxy.emulate_conditional_deletes = False
    response = delete(client, bucket, [
        {"Key": "p=1/a.parquet", "ETag": '"' + "0" * 32 + '"'},
        {"Key": "p=1/missing.parquet", "ETag": '"' + "0" * 32 + '"'},
    ])
    assert deleted(response) == {"p=1/a.parquet", "p=1/missing.parquet"}
    assert aws.s3.etag(bucket, "p=1/a.parquet") is None


@pytest.mark.s3_stores("seaweedfs")
def test_the_emulation_answers_as_seaweedfs_does(aws, s3):
    """The proxy's emulation (what the moto cases rest on), switched on in front of SeaweedFS,
    which has conditional deletes of its own: the same request gets the same answer and leaves
    the same objects either way."""
    client, bucket = s3
    outcomes = []
    for emulated in (False, True):
        aws.proxy.emulate_conditional_deletes = emulated
        folder = f"e{int(emulated)}"
        right = put(aws, bucket, f"{folder}/right.parquet")
        put(aws, bucket, f"{folder}/wrong.parquet")
        first = put(aws, bucket, f"{folder}/replaced.parquet", b"first version")
        put(aws, bucket, f"{folder}/replaced.parquet", b"second version")
        response = delete(client, bucket, [
            {"Key": f"{folder}/right.parquet", "ETag": right},
            {"Key": f"{folder}/wrong.parquet", "ETag": '"' + "0" * 32 + '"'},
            {"Key": f"{folder}/replaced.parquet", "ETag": first},
            {"Key": f"{folder}/missing.parquet", "ETag": right},
            {"Key": f"{folder}/unconditional.parquet"},
        ])
        strip = lambda keys: {k.split("/", 1)[1] for k in keys}  # noqa: E731
        outcomes.append((strip(deleted(response)),
                         {k.split("/", 1)[1]: v for k, v in errors(response).items()},
                         strip(aws.s3.objects(bucket, folder + "/"))))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0] == ({"right.parquet", "unconditional.parquet"},
                           {"wrong.parquet": "PreconditionFailed",
                            "replaced.parquet": "PreconditionFailed",
                            "missing.parquet": "NoSuchKey"},
                           {"wrong.parquet", "replaced.parquet"})
