"""A small HTTP proxy between the tool and the moto server, for end-to-end tests.

- counts requests by operation (Glue's X-Amz-Target, S3's method and query);
- injects faults: Glue throttling, S3 503 SlowDown, 500s, dropped connections, truncated bodies,
  slow responses, and AccessDenied for chosen keys inside a DeleteObjects batch;
- emulates what moto lacks in GetPartitions: NextToken paging and Segment splitting;
- verifies every SigV4 signature with botocore, independently of the libcurl that made it
  (requests signed by the AWS SDK inside Arrow are checked too).

It listens on a free loopback port; start() returns once it does."""

from __future__ import annotations

import base64
import http.client
import json
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailers", "transfer-encoding", "upgrade", "host", "content-length"}


def operation_of(method: str, path: str, query: str, headers) -> str:
    target = headers.get("X-Amz-Target")
    if target:
        return target.split(".", 1)[-1]  # AWSGlue.GetPartitions -> GetPartitions
    if "Action=" in query:
        return urllib.parse.parse_qs(query).get("Action", ["?"])[0]
    q = urllib.parse.parse_qs(query, keep_blank_values=True)
    key = path.strip("/").split("/", 1)
    has_key = len(key) == 2 and key[1] != ""
    if method == "GET":
        return "GetObject" if has_key else "ListObjects"
    if method == "HEAD":
        return "HeadObject" if has_key else "HeadBucket"
    if method == "PUT":
        if headers.get("x-amz-copy-source"):
            return "CopyObject"
        return "UploadPart" if "partNumber" in q else ("PutObject" if has_key else "CreateBucket")
    if method == "POST":
        if "delete" in q:
            return "DeleteObjects"
        if "uploads" in q:
            return "CreateMultipartUpload"
        if "uploadId" in q:
            return "CompleteMultipartUpload"
        return "Post"
    if method == "DELETE":
        return "AbortMultipartUpload" if "uploadId" in q else "DeleteObject"
    return method


@dataclass
class Fault:
    """Answer `times` requests whose operation is `operation` with `kind` instead of forwarding:
    throttle | server_error | reset | denied | expired; or forward them and then spoil the
    answer: truncated (half the body, then the connection drops) | slow (answered late)."""
    operation: str
    kind: str
    times: int = 1
    hits: int = 0


@dataclass
class Seen:
    method: str
    path: str
    operation: str
    status: int
    content_encoding: str = ""


class AwsProxy:
    def __init__(self, upstream: str, secret_keys: dict[str, str] | None = None):
        self.upstream = urllib.parse.urlparse(upstream)
        self.secret_keys = secret_keys or {}  # access key id -> secret, for signature checks
        self.faults: list[Fault] = []
        self.glue_page_size = 0     # > 0: GetPartitions pages of this many partitions
        self.deny_delete_keys: set[str] = set()  # key suffixes DeleteObjects reports AccessDenied for
        self.slow_seconds = 1.0
        self.emulate_segments = False
        self.seen: list[Seen] = []
        self.signature_failures: list[str] = []
        self.verified: Counter = Counter()  # service -> signatures checked and found right
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self): proxy._handle(self)
            def do_PUT(self): proxy._handle(self)
            def do_POST(self): proxy._handle(self)
            def do_DELETE(self): proxy._handle(self)
            def do_HEAD(self): proxy._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        with self.lock:
            self.faults.clear()
            self.seen.clear()
            self.signature_failures.clear()
            self.verified.clear()
        self.glue_page_size = 0
        self.emulate_segments = False
        self.deny_delete_keys = set()

    def count(self, operation: str | None = None) -> Counter | int:
        counts = Counter(s.operation for s in self.seen)
        return counts if operation is None else counts[operation]

    # --- the proxy ---------------------------------------------------------------------

    @staticmethod
    def _read_body(handler) -> bytes:
        if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return body
                body += handler.rfile.read(size)
                handler.rfile.readline()
        length = int(handler.headers.get("Content-Length", 0) or 0)
        return handler.rfile.read(length) if length else b""

    def _verify_signature(self, handler, path: str, body: bytes):
        auth = handler.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256"):
            return  # unsigned (STS web identity, container and instance endpoints)
        try:
            parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
            akid, date, region, service, _ = parts["Credential"].split("/")
            signed = parts["SignedHeaders"].split(";")
            secret = self.secret_keys.get(akid)
            if secret is None:
                return
            headers = {h: handler.headers.get(h, "") for h in signed}
            host = handler.headers.get("Host")
            request = AWSRequest(method=handler.command, url=f"http://{host}{path}", data=body,
                                 headers=headers)
            request.context["timestamp"] = handler.headers.get("X-Amz-Date")
            signer_class = S3SigV4Auth if service == "s3" else SigV4Auth
            signer = signer_class(Credentials(akid, secret, handler.headers.get("X-Amz-Security-Token")),
                                  service, region)
            canonical = signer.canonical_request(request)
            expected = signer.signature(signer.string_to_sign(request, canonical), request)
            if expected != parts["Signature"]:
                self.signature_failures.append(f"{handler.command} {path}: signature mismatch")
            else:
                with self.lock:
                    self.verified[service] += 1
        except Exception as e:  # noqa: BLE001 - a malformed header is a failure to record
            self.signature_failures.append(f"{handler.command} {path}: {e!r}")

    @staticmethod
    def _drop(handler):
        """Closes the connection under the client's feet."""
        handler.close_connection = True
        try:
            handler.connection.shutdown(2)
        except OSError:
            pass

    def _fault_response(self, handler, fault: Fault, operation: str):
        if fault.kind == "reset":
            self._drop(handler)
            return
        glue = handler.headers.get("X-Amz-Target") is not None
        if fault.kind in ("denied", "expired"):
            code = "AccessDeniedException" if fault.kind == "denied" else "ExpiredTokenException"
            status = 400
            body = (json.dumps({"__type": code, "message": f"injected {fault.kind}"}) if glue else
                    f"<Error><Code>{'AccessDenied' if fault.kind == 'denied' else 'ExpiredToken'}"
                    f"</Code><Message>injected</Message></Error>")
        elif fault.kind == "throttle":
            status = 400 if glue else 503
            body = (json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
                    if glue else
                    "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>")
        else:
            status = 500
            body = (json.dumps({"__type": "InternalServiceException", "message": "injected"})
                    if glue else "<Error><Code>InternalError</Code><Message>injected</Message></Error>")
        data = body.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/x-amz-json-1.1" if glue else "application/xml")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(data)
        with self.lock:
            self.seen.append(Seen(handler.command, handler.path, operation, status))

    def _deny_keys(self, body: bytes, headers: dict):
        """Takes the denied keys out of a DeleteObjects request; returns (new body, denied)."""
        import hashlib
        import re

        keys = re.findall(rb"<Object><Key>(.*?)</Key></Object>", body)
        denied = [k.decode() for k in keys
                  if any(k.decode().endswith(suffix) for suffix in self.deny_delete_keys)]
        if not denied:
            return body, []
        for k in denied:
            body = body.replace(f"<Object><Key>{k}</Key></Object>".encode(), b"")
        for name in list(headers):
            if name.lower() in ("content-md5", "x-amz-content-sha256") or \
                    name.lower().startswith("x-amz-checksum"):
                del headers[name]
        headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
        headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
        return body, denied

    def _forward(self, method: str, path: str, headers: dict, body: bytes):
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        conn.request(method, path, body=body if body or method in ("PUT", "POST") else None,
                     headers=headers)
        response = conn.getresponse()
        data = response.read()
        result = (response.status, response.getheaders(), data)
        conn.close()
        return result

    def _paginate_partitions(self, request: dict, status: int, data: bytes) -> bytes:
        if status != 200:
            return data
        partitions = json.loads(data).get("Partitions", [])
        partitions.sort(key=lambda p: json.dumps(p.get("Values")))
        segment = request.get("Segment")
        if self.emulate_segments and segment:
            n, total = segment["SegmentNumber"], segment["TotalSegments"]
            partitions = [p for i, p in enumerate(partitions) if i % total == n]
        start = 0
        if request.get("NextToken"):
            start = json.loads(base64.b64decode(request["NextToken"]))["offset"]
        size = self.glue_page_size or len(partitions) or 1
        page = partitions[start:start + size]
        answer = {"Partitions": page}
        if start + size < len(partitions):
            answer["NextToken"] = base64.b64encode(json.dumps({"offset": start + size}).encode()).decode()
        return json.dumps(answer).encode()

    def _handle(self, handler):
        path = handler.path
        query = urllib.parse.urlparse(path).query
        body = self._read_body(handler)
        form = ""
        if "x-www-form-urlencoded" in handler.headers.get("Content-Type", ""):
            form = body.decode(errors="replace")  # query protocol (STS): Action= in the body
        operation = operation_of(handler.command, urllib.parse.urlparse(path).path,
                                 "&".join(q for q in (query, form) if q), handler.headers)
        self._verify_signature(handler, path, body)
        with self.lock:
            fault = next((f for f in self.faults if f.operation == operation and f.hits < f.times), None)
            if fault:
                fault.hits += 1
        if fault and fault.kind not in ("truncated", "slow"):
            self._fault_response(handler, fault, operation)
            return
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Host"] = f"{self.upstream.hostname}:{self.upstream.port}"
        glue_request = None
        if operation == "GetPartitions" and (self.glue_page_size or self.emulate_segments):
            glue_request = json.loads(body or b"{}")
            upstream_request = {k: v for k, v in glue_request.items()
                                if k not in ("NextToken", "Segment", "MaxResults")}
            body = json.dumps(upstream_request).encode()
        denied = []
        if operation == "DeleteObjects" and self.deny_delete_keys:
            body, denied = self._deny_keys(body, headers)
        if denied and b"<Key>" not in body:  # every key denied: nothing to forward
            status, response_headers = 200, [("Content-Type", "application/xml")]
            data = b'<?xml version="1.0" encoding="UTF-8"?><DeleteResult></DeleteResult>'
        else:
            status, response_headers, data = self._forward(handler.command, path, headers, body)
        if denied and status == 200:
            errors = "".join(f"<Error><Key>{k}</Key><Code>AccessDenied</Code>"
                             f"<Message>Access Denied</Message></Error>" for k in denied)
            data = data.replace(b"</DeleteResult>", errors.encode() + b"</DeleteResult>")
        if fault and fault.kind == "slow":
            time.sleep(self.slow_seconds)  # a slow server, not a synchronisation
        if glue_request is not None:
            data = self._paginate_partitions(glue_request, status, data)
        with self.lock:
            self.seen.append(Seen(handler.command, path, operation, status,
                                  handler.headers.get("Content-Encoding", "")))
        handler.send_response(status)
        for name, value in response_headers:
            if name.lower() not in HOP_BY_HOP:
                handler.send_header(name, value)
        if handler.command == "HEAD":  # the object's size, not this empty body's
            length = dict((k.lower(), v) for k, v in response_headers).get("content-length", "0")
            handler.send_header("Content-Length", length)
        else:
            handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if fault and fault.kind == "truncated" and handler.command != "HEAD":
            handler.wfile.write(data[:len(data) // 2])
            handler.wfile.flush()
            self._drop(handler)
            return
        if handler.command != "HEAD":
            handler.wfile.write(data)
