"""A local S3 for end-to-end tests: the moto server, in-process, on a free loopback port."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import boto3
from moto.moto_server.threaded_moto_server import ThreadedMotoServer


logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise


class LocalS3:
    def __init__(self):
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()  # returns once the socket listens
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self.client = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                                   aws_access_key_id="testing", aws_secret_access_key="testing")

    def stop(self):
        self.server.stop()

    def env(self) -> dict:
        """The environment the binary runs with: only this server, no real AWS anywhere."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
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
