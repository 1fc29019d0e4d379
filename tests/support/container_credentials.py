"""A stand-in for the container credentials endpoint (ECS, and what boto3 asks through
AWS_CONTAINER_CREDENTIALS_FULL_URI, which may be http on a loopback address): temporary
credentials, a new access key id on every request. The first `short` of them expire a minute
after they are handed out: inside the refresh margins of the binary (5 minutes) and of botocore
(10), so whoever holds one fetches again before its next use, with no clock to wait for. Later
ones last an hour. It records
what it handed out and who asked (botocore or the binary, by User-Agent), and tells the proxy
each new secret, so that requests signed with it are verified.

It listens on a free loopback port; start() returns once it does."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

from support.loopback_server import LoopbackServer


@dataclass
class Issued:
    access_key_id: str
    secret_access_key: str
    token: str
    expiration: str
    user_agent: str


class ContainerCredentials(LoopbackServer):
    SHORT, LONG = dt.timedelta(minutes=1), dt.timedelta(hours=1)

    def __init__(self, short: int, secret_keys: dict[str, str] | None = None):
        self.short = short
        self.secret_keys = secret_keys if secret_keys is not None else {}  # the proxy's
        self.issued: list[Issued] = []
        self.lock = threading.Lock()
        self.counter = itertools.count(1)
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                body = json.dumps(endpoint._issue(self.headers.get("User-Agent", ""))).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        super().__init__(Handler)

    @property
    def uri(self) -> str:
        return f"{self.endpoint}/v2/credentials/test-role"

    def stop(self):
        super().stop()
        for issued in self.issued:
            self.secret_keys.pop(issued.access_key_id, None)

    def _issue(self, user_agent: str) -> dict:
        with self.lock:
            n = next(self.counter)
            lifetime = self.SHORT if n <= self.short else self.LONG
            expiration = (dt.datetime.now(dt.timezone.utc) + lifetime).strftime("%Y-%m-%dT%H:%M:%SZ")
            issued = Issued(f"ASIATEST{n:012d}", f"secret-{uuid.uuid4().hex}",
                            f"token-{uuid.uuid4().hex}", expiration, user_agent)
            self.secret_keys[issued.access_key_id] = issued.secret_access_key
            self.issued.append(issued)
        return {"AccessKeyId": issued.access_key_id, "SecretAccessKey": issued.secret_access_key,
                "Token": issued.token, "Expiration": issued.expiration,
                "RoleArn": "arn:aws:iam::123456789012:role/test-role"}

    def asked_by(self, agent: str) -> list[Issued]:
        """What was handed out to clients whose User-Agent contains `agent` ("Botocore")."""
        with self.lock:
            return [i for i in self.issued if agent.lower() in i.user_agent.lower()]

    def secrets(self) -> list[str]:
        """Every secret access key and session token handed out."""
        with self.lock:
            return [s for i in self.issued for s in (i.secret_access_key, i.token)]
