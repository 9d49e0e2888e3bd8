"""The device's Ed25519 key, generated at first start in DATA/keys/, that signs DB archives."""
from __future__ import annotations

import hashlib
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from storage.errors import StorageError
from storage.fileops import atomic_write


def key_path(data_dir: str) -> str:
    return os.path.join(data_dir, "keys", "device_ed25519.pem")


def device_key(data_dir: str) -> Ed25519PrivateKey:
    """The device key, created (atomically, mode 0600) if this is the first start."""
    path = key_path(data_dir)
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption())
        atomic_write(path, pem)
        os.chmod(path, 0o600)
    try:
        with open(path, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
    except (OSError, ValueError) as e:
        raise StorageError("KEY_CORRUPT", f"{path}: the device key cannot be read ({e}); "
                           "restore it from a backup or call the service engineer") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise StorageError("KEY_CORRUPT", f"{path} is not an Ed25519 key")
    return key


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def fingerprint(pem: str) -> str:
    """A short, stable name of a public key: the first 16 hex digits of SHA-256 of its PEM."""
    return hashlib.sha256(pem.strip().encode("ascii")).hexdigest()[:16]
