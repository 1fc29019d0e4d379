"""HTTPS in front of a plain-HTTP server, for the bundle's certificate tests: a test CA, a
server certificate for 127.0.0.1 signed by it, and a TLS-terminating proxy on a free loopback
port that forwards the decrypted bytes to the upstream (moto, or the AWS proxy in front of it)."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class TestCa:
    ca_pem: Path        # the CA certificate: what a client must trust
    server_pem: Path    # the server's certificate chain (leaf, CA)
    server_key: Path


def make_ca(folder: Path, server_name: str | None = None) -> TestCa:
    """A CA and a server certificate for 127.0.0.1 (or, given server_name, for that DNS name
    only: a certificate the CA signs for another host)."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "s3-compaction test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                        server_name or "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(server_name)] if server_name else
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    out = TestCa(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    out.ca_pem.write_bytes(ca.public_bytes(pem))
    out.server_pem.write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    out.server_key.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    return out


class TlsProxy:
    """https://127.0.0.1:<port> -> upstream http://host:port, one thread pair per connection.
    Counts the TLS handshakes that succeeded and those that failed (a client that does not
    trust the CA aborts its handshake)."""

    def __init__(self, upstream: str, ca: TestCa):
        host_port = upstream.split("://", 1)[-1].rstrip("/")
        host, port = host_port.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(ca.server_pem, ca.server_key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.endpoint = f"https://127.0.0.1:{self.listener.getsockname()[1]}"
        self.handshakes = 0
        self.failed_handshakes = 0
        self._lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> "TlsProxy":
        self._thread.start()
        return self

    def stop(self):
        self._stopped = True
        self.listener.close()
        self._thread.join(timeout=10)

    def _accept(self):
        while not self._stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket):
        try:
            tls = self.context.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):
            with self._lock:
                self.failed_handshakes += 1
            client.close()
            return
        with self._lock:
            self.handshakes += 1
        try:
            upstream = socket.create_connection(self.upstream)
        except OSError:
            tls.close()
            return
        back = threading.Thread(target=self._pipe, args=(upstream, tls), daemon=True)
        back.start()
        self._pipe(tls, upstream)
        back.join()
        tls.close()
        upstream.close()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass
