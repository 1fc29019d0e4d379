"""Local S3 stores for end-to-end tests, each on free loopback ports: moto (in-process; also Glue
and STS) here, SeaweedFS (a `weed mini` process) in support/seaweedfs.py. Both offer what the
tests use: the endpoint, a boto3 client, the binary's environment, and helpers to upload a table,
list objects and download a partition."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import boto3
from moto.moto_server.threaded_moto_server import ThreadedMotoServer


logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise

ACCESS_KEY = "testing"  # the only credentials any store is given, and the binary signs with
SECRET_KEY = "testing"


class S3Store:
    """What every local S3 offers the tests. A subclass starts the server and sets `endpoint`,
    then calls `_connect()`."""

    name = ""
    # What differs between the stores, for the tests and the proxy (docs/ARCHITECTURE.md,
    # "Testing the protocol"):
    checks_signatures = False      # a request signed with a wrong key is refused
    deletes_conditionally = False  # DeleteObjects honours an <Object>'s <ETag>
    # A PUT with If-Match on a key that does not exist: AWS answers NoSuchKey (404), SeaweedFS 4.48
    # PreconditionFailed (412). The tool takes either as "changed since" (ConditionalObject).
    if_match_on_a_missing_key = ("NoSuchKey", 404)
    has_glue = False               # Glue (and STS) on the same endpoint

    endpoint: str
    client: object

    def _connect(self):
        self.client = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                                   aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)

    def stop(self):
        raise NotImplementedError

    def env(self) -> dict:
        """The environment the binary runs with: only this server, no real AWS anywhere."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

    def upload_tree(self, local: Path, bucket: str, prefix: str):
        for path in sorted(local.rglob("*")):
            if path.is_file():
                key = f"{prefix}/{path.relative_to(local).as_posix()}"
                self.client.upload_file(str(path), bucket, key)

    def objects(self, bucket: str, prefix: str = "") -> dict:
        """key -> (size, etag) of every object under prefix, directory markers included."""
        out = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                                        Prefix=prefix):
            for o in page.get("Contents", []):
                out[o["Key"]] = (o["Size"], o["ETag"])
        return out

    def etag(self, bucket: str, key: str) -> str | None:
        """The object's ETag as S3 returns it (quoted), or None if there is no such object."""
        try:
            return self.client.head_object(Bucket=bucket, Key=key)["ETag"]
        except self.client.exceptions.ClientError as e:
            if e.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def download_prefix(self, bucket: str, prefix: str, dest: Path) -> list[Path]:
        """The data files directly under prefix (as a reader of that partition sees them)."""
        dest.mkdir(parents=True, exist_ok=True)
        files = []
        for key, (size, _) in sorted(self.objects(bucket, prefix.rstrip("/") + "/").items()):
            name = key[len(prefix.rstrip("/")) + 1:]
            if "/" in name or not name or name.startswith(("_", ".")):
                continue
            path = dest / name
            self.client.download_file(bucket, key, str(path))
            files.append(path)
        return files


class LocalS3(S3Store):
    """The moto server, in-process: S3, Glue and STS on one free loopback port. It checks no
    signature and ignores the <ETag> of DeleteObjects (the proxy emulates it: aws_proxy.py)."""

    name = "moto"
    has_glue = True

    def __init__(self):
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()  # returns once the socket listens
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self._connect()

    def stop(self):
        self.server.stop()
