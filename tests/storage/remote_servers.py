"""Real servers on loopback for target tests: pyftpdlib (plain and explicit TLS), wsgidav, the Yandex.Disk simulator."""
from __future__ import annotations

import datetime
import ipaddress
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed_cert(dir_path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 made in the test (no files from anywhere else)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = f"{dir_path}/cert.pem", f"{dir_path}/key.pem"
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


def start_ftp(root, tls_cert: tuple[str, str] | None = None):
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer
    auth = DummyAuthorizer()
    auth.add_user("kassa", "s3cret", str(root), perm="elradfmwMT")
    if tls_cert:
        from pyftpdlib.handlers import TLS_FTPHandler
        handler = type("Handler", (TLS_FTPHandler,), {"authorizer": auth, "certfile": tls_cert[0],
                                                      "keyfile": tls_cert[1], "tls_control_required": True,
                                                      "tls_data_required": True})
    else:
        handler = type("Handler", (FTPHandler,), {"authorizer": auth})
    server = FTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.05}, daemon=True)
    thread.start()
    return server, thread


def start_webdav(root, user="kassa", password="s3cret"):
    from cheroot import wsgi
    from wsgidav.wsgidav_app import WsgiDAVApp
    app = WsgiDAVApp({
        "provider_mapping": {"/dav": str(root)},
        "simple_dc": {"user_mapping": {"*": {user: {"password": password}}}},
        "http_authenticator": {"accept_basic": True, "accept_digest": False, "default_to_digest": False},
        "verbose": 0, "logging": {"enable": False}, "property_manager": True, "lock_storage": True,
    })
    server = wsgi.Server(("127.0.0.1", 0), app, numthreads=4)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    return server, server.bind_addr[1]


@pytest.fixture
def yadisk_sim():
    from sim.yadisk import YandexDiskSim
    sim = YandexDiskSim(tokens=("good-token",)).start()
    yield sim
    sim.stop()
