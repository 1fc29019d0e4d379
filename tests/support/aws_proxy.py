"""A small HTTP proxy between the tool and the moto server, for end-to-end tests.

- counts requests by operation (Glue's X-Amz-Target, S3's method and query);
- injects faults: Glue throttling, S3 503 SlowDown, 500s, dropped connections, truncated bodies,
  slow responses, and AccessDenied for chosen keys inside a DeleteObjects batch;
- emulates what moto lacks in GetPartitions: NextToken paging and Segment splitting;
- emulates what AWS S3 does and moto lacks in DeleteObjects: conditional deletes. moto 5.2.5
  ignores an <Object>'s <ETag> and deletes whatever version is there (a missing key comes back
  <Deleted>). AWS deletes such an object only if its current ETag matches, and otherwise
  answers a per-key <Error>: PreconditionFailed when another version is there, NoSuchKey when
  nothing is (docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html). The
  proxy looks each such key up in moto (an unsigned HEAD), answers those two errors itself and
  forwards only the objects whose ETag matches. Unlike AWS it is not atomic (a write between
  the HEAD and moto's delete is not caught): enough for tests that change objects between
  steps, not for races inside one request. In front of SeaweedFS, which evaluates the <ETag>
  itself (atomically per key, as AWS does), there is no emulation unless a test asks for it;
- plays a store that ignores conditional writes: `strip_conditional` names the headers
  (If-None-Match, If-Match) it removes from PUTs before forwarding them;
- verifies every SigV4 signature with botocore, independently of the libcurl that made it
  (requests signed by the AWS SDK inside Arrow are checked too), and counts the access key ids
  requests were signed with.

In front of a store that checks signatures itself (SeaweedFS: upstream_checks_signatures), the
client's signature is passed on untouched with the Host it signed in X-Forwarded-Host (which
SeaweedFS verifies against); a request the proxy made or changed (a DeleteObjects body with keys
taken out, a PUT whose conditions it strips, the emulation's HEAD) is signed again with the
client's key.

It listens on a free loopback port; start() returns once it does."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import re
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Callable
from xml.etree import ElementTree

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from support.loopback_server import LoopbackServer

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
    answer: truncated (half the body, then the connection drops) | slow (answered late).
    With `matching`, only requests whose path or body contains that text count (one object's
    DeleteObjects or CopyObject among many)."""
    operation: str
    kind: str
    times: int = 1
    hits: int = 0
    matching: str = ""

    def applies(self, operation: str, path: str, body: bytes) -> bool:
        if self.operation != operation or self.hits >= self.times:
            return False
        if not self.matching:
            return True
        return (self.matching in urllib.parse.unquote(path)
                or self.matching.encode() in (body or b""))


@dataclass
class Seen:
    method: str
    path: str
    operation: str
    status: int
    content_encoding: str = ""
    glue: bool = False  # a Glue call (X-Amz-Target), not an S3 request


# How the proxy's S3 operations map to the run summary's request kinds. A multipart upload counts
# each of its requests as a PUT (create, every part, complete), as S3 bills them; an aborted
# one's AbortMultipartUpload is a DELETE request.
REQUEST_KIND = {
    "ListObjects": "list",
    "HeadObject": "head", "HeadBucket": "head",
    "GetObject": "get",
    "PutObject": "put", "CreateMultipartUpload": "put", "UploadPart": "put",
    "CompleteMultipartUpload": "put",
    "CopyObject": "copy",
    "DeleteObject": "delete", "DeleteObjects": "delete", "AbortMultipartUpload": "delete",
}


class AwsProxy(LoopbackServer):
    def __init__(self, upstream: str, secret_keys: dict[str, str] | None = None,
                 upstream_checks_signatures: bool = False,
                 upstream_deletes_conditionally: bool = False):
        self.upstream = urllib.parse.urlparse(upstream)
        self.secret_keys = secret_keys or {}  # access key id -> secret, for signature checks
        self.upstream_checks_signatures = upstream_checks_signatures
        # What reset() puts back: emulate conditional deletes unless the store has them.
        self.emulate_by_default = not upstream_deletes_conditionally
        self.faults: list[Fault] = []
        self.glue_page_size = 0     # > 0: GetPartitions pages of this many partitions
        self.deny_delete_keys: set[str] = set()  # key suffixes DeleteObjects reports AccessDenied for
        # False: DeleteObjects' <ETag> passed on as it is (moto ignores it; SeaweedFS honours it)
        self.emulate_conditional_deletes = self.emulate_by_default
        self.slow_seconds = 1.0
        self.emulate_segments = False
        self.strip_conditional: set[str] = set()  # e.g. {"If-None-Match"}: removed from PUTs
        self.seen: list[Seen] = []
        self.signature_failures: list[str] = []
        self.verified: Counter = Counter()  # service -> signatures checked and found right
        self.access_keys: Counter = Counter()  # access key id -> signed requests
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

        super().__init__(Handler)

    def reset(self):
        with self.lock:
            self.faults.clear()
            self.seen.clear()
            self.signature_failures.clear()
            self.verified.clear()
            self.access_keys.clear()
        self.glue_page_size = 0
        self.emulate_segments = False
        self.deny_delete_keys = set()
        self.emulate_conditional_deletes = self.emulate_by_default
        self.strip_conditional = set()

    def count_by_kind(self, ignore_glue: bool = False) -> Counter:
        """The S3 requests seen, by the summary's kinds (every kind present, 0 if none); fails
        on any other operation (a path table on S3 makes no other call), except Glue's with
        `ignore_glue` (not counted: the summary's kinds are storage requests)."""
        seen = Counter(s.operation for s in self.seen if not (ignore_glue and s.glue))
        unexpected = {op: n for op, n in seen.items() if op not in REQUEST_KIND}
        assert not unexpected, unexpected
        kinds = Counter({kind: 0 for kind in set(REQUEST_KIND.values())})
        for op, n in seen.items():
            kinds[REQUEST_KIND[op]] += n
        return kinds

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
            with self.lock:
                self.access_keys[akid] += 1
            signed = parts["SignedHeaders"].split(";")
            if service == "s3":
                # S3 wants the payload's hash on every SigV4 request, and stores that check
                # signatures (SeaweedFS, MinIO) refuse one without it for any request with a body.
                sha = handler.headers.get("x-amz-content-sha256")
                if sha is None:
                    self.signature_failures.append(
                        f"{handler.command} {path}: no x-amz-content-sha256")
                elif sha not in ("UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER") \
                        and not sha.startswith("STREAMING-") \
                        and sha != hashlib.sha256(body).hexdigest():
                    self.signature_failures.append(
                        f"{handler.command} {path}: x-amz-content-sha256 is not the body's")
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
            self.seen.append(Seen(handler.command, handler.path, operation, status,
                                  glue=handler.headers.get("X-Amz-Target") is not None))

    # --- DeleteObjects: denied keys and conditional deletes --------------------------------

    @staticmethod
    def _xml_text(text: str) -> str:
        """Text for an XML element, with CR and LF as references (a parser would normalise them)."""
        return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\r", "&#13;").replace("\n", "&#10;"))

    @staticmethod
    def _parse_delete(body: bytes) -> tuple[bool, list[dict]]:
        """A DeleteObjects body: (quiet, [{"Key", "VersionId"?, "ETag"?}, ...])."""
        def local(tag: str) -> str:
            return tag.rsplit("}", 1)[-1]

        root = ElementTree.fromstring(body)
        quiet = any(local(e.tag) == "Quiet" and (e.text or "").strip() == "true" for e in root)
        objects = []
        for element in root:
            if local(element.tag) != "Object":
                continue
            objects.append({local(child.tag): child.text or "" for child in element})
        return quiet, objects

    def _build_delete(self, quiet: bool, objects: list[dict]) -> bytes:
        parts = ['<?xml version="1.0" encoding="UTF-8"?>'
                 '<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                 f"<Quiet>{'true' if quiet else 'false'}</Quiet>"]
        for o in objects:
            version = (f"<VersionId>{self._xml_text(o['VersionId'])}</VersionId>"
                       if o.get("VersionId") else "")
            # Kept for a store that evaluates it (SeaweedFS); moto ignores it.
            etag = f"<ETag>{self._xml_text(o['ETag'])}</ETag>" if o.get("ETag") else ""
            parts.append(f"<Object><Key>{self._xml_text(o['Key'])}</Key>{version}{etag}</Object>")
        parts.append("</Delete>")
        return "".join(parts).encode()

    def _sign_for_upstream(self, method: str, path: str, headers: dict, body: bytes):
        """Signs (in place) a request the proxy made or changed, for an upstream that checks
        signatures: with the access key of the client's request (headers' Authorization), or the
        first known one, for the upstream's own host."""
        found = re.search(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/s3/",
                          headers.get("Authorization", ""))
        akid, region = found.groups() if found else (next(iter(self.secret_keys)), "us-east-1")
        for name in list(headers):
            if name.lower() in ("authorization", "x-amz-date", "x-amz-content-sha256",
                                "x-forwarded-host", "host"):
                del headers[name]
        request = AWSRequest(method=method, data=body, headers=headers,
                             url=f"http://{self.upstream.hostname}:{self.upstream.port}{path}")
        S3SigV4Auth(Credentials(akid, self.secret_keys[akid]), "s3", region).add_auth(request)
        headers.clear()
        headers.update(request.headers.items())
        headers["Host"] = f"{self.upstream.hostname}:{self.upstream.port}"

    def _current_etag(self, bucket: str, key: str, client_headers: dict) -> str | None:
        """The ETag the store holds for bucket/key (unquoted), or None if there is no such
        object."""
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            path = f"/{bucket}/{urllib.parse.quote(key, safe='/~')}"
            if self.upstream_checks_signatures:
                headers = {"Authorization": client_headers.get("Authorization", "")}
                self._sign_for_upstream("HEAD", path, headers, b"")
            else:
                # Unsigned: moto checks no signature, but routes a request to S3 by the
                # credential scope of its Authorization header.
                headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=proxy/20260101/"
                           "us-east-1/s3/aws4_request, SignedHeaders=host, Signature=unsigned"}
            conn.request("HEAD", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status == 404:
                return None
            if response.status != 200:
                raise RuntimeError(f"HEAD {bucket}/{key}: {response.status}")
            return (response.getheader("ETag") or "").strip('"')
        finally:
            conn.close()

    def _decide_deletes(self, path: str, body: bytes, headers: dict):
        """Settles what moto would get wrong in a DeleteObjects request: keys denied on purpose
        (AccessDenied) and objects whose <ETag> condition fails (PreconditionFailed, NoSuchKey).
        Returns (body to forward, or None if no object is left to forward; per-key errors as
        (key, code, message)). The body is rebuilt, with a new Content-MD5, only if an object was
        taken out or carried an ETag."""
        quiet, objects = self._parse_delete(body)
        bucket = urllib.parse.unquote(urllib.parse.urlparse(path).path.strip("/").split("/", 1)[0])
        errors, forward = [], []
        for o in objects:
            key = o.get("Key", "")
            if any(key.endswith(suffix) for suffix in self.deny_delete_keys):
                errors.append((key, "AccessDenied", "Access Denied"))
                continue
            if self.emulate_conditional_deletes and o.get("ETag"):
                current = self._current_etag(bucket, key, headers)
                if current is None:
                    errors.append((key, "NoSuchKey", "The specified key does not exist."))
                    continue
                if current != o["ETag"].strip('"'):
                    errors.append((key, "PreconditionFailed",
                                   "At least one of the pre-conditions you specified did not hold"))
                    continue
            forward.append(o)
        if not errors and not any(o.get("ETag") for o in objects):
            return body, []
        if not forward:
            return None, errors
        body = self._build_delete(quiet, forward)
        for name in list(headers):
            if name.lower() in ("content-md5", "x-amz-content-sha256") or \
                    name.lower().startswith(("x-amz-checksum", "x-amz-sdk-checksum")):
                del headers[name]
        headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
        if self.upstream_checks_signatures:
            self._sign_for_upstream("POST", path, headers, body)
        else:
            headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
        return body, errors

    def _add_delete_errors(self, data: bytes, errors: list) -> bytes:
        xml_errors = "".join(f"<Error><Key>{self._xml_text(key)}</Key><Code>{code}</Code>"
                             f"<Message>{message}</Message></Error>" for key, code, message in errors)
        if b"</DeleteResult>" in data:
            return data.replace(b"</DeleteResult>", xml_errors.encode() + b"</DeleteResult>")
        return re.sub(rb"<DeleteResult([^>]*)/>", lambda m: b"<DeleteResult" + m.group(1) + b">" +
                      xml_errors.encode() + b"</DeleteResult>", data)

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
            fault = next((f for f in self.faults if f.applies(operation, path, body)), None)
            if fault:
                fault.hits += 1
        if fault and fault.kind not in ("truncated", "slow"):
            self._fault_response(handler, fault, operation)
            return
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Host"] = f"{self.upstream.hostname}:{self.upstream.port}"
        resigned = False
        if handler.command == "PUT" and self.strip_conditional:
            stripped = {h.lower() for h in self.strip_conditional}
            kept = {k: v for k, v in headers.items() if k.lower() not in stripped}
            if len(kept) < len(headers) and self.upstream_checks_signatures:
                # The client signed what was taken out: sign again (the lease's small PUTs; not
                # an aws-chunked body, whose chunks carry signatures of their own).
                self._sign_for_upstream("PUT", path, kept, body)
                resigned = True
            headers = kept
        if self.upstream_checks_signatures and not resigned and handler.headers.get("Host"):
            headers["X-Forwarded-Host"] = handler.headers["Host"]  # what the client signed
        glue_request = None
        if operation == "GetPartitions" and (self.glue_page_size or self.emulate_segments):
            glue_request = json.loads(body or b"{}")
            upstream_request = {k: v for k, v in glue_request.items()
                                if k not in ("NextToken", "Segment", "MaxResults")}
            body = json.dumps(upstream_request).encode()
        delete_errors = []
        if operation == "DeleteObjects" and (self.deny_delete_keys or (
                self.emulate_conditional_deletes and b"ETag>" in body)):
            body, delete_errors = self._decide_deletes(path, body, headers)
        if body is None:  # every object settled here: nothing to forward
            status, response_headers = 200, [("Content-Type", "application/xml")]
            data = (b'<?xml version="1.0" encoding="UTF-8"?><DeleteResult '
                    b'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>')
        else:
            status, response_headers, data = self._forward(handler.command, path, headers, body)
        if delete_errors and status == 200:
            data = self._add_delete_errors(data, delete_errors)
        if fault and fault.kind == "slow":
            time.sleep(self.slow_seconds)  # a slow server, not a synchronisation
        if glue_request is not None:
            data = self._paginate_partitions(glue_request, status, data)
        with self.lock:
            self.seen.append(Seen(handler.command, path, operation, status,
                                  handler.headers.get("Content-Encoding", ""),
                                  glue=handler.headers.get("X-Amz-Target") is not None))
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
