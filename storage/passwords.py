"""Password hashing with scrypt (per-password salt, constant-time check); passwords are never stored in clear."""
from __future__ import annotations

import os

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

N, R, P, LENGTH = 2**14, 8, 1, 32


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash` (hex)."""
    salt = os.urandom(16)
    digest = Scrypt(salt=salt, length=LENGTH, n=N, r=R, p=P).derive(password.encode("utf-8"))
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    """True iff `password` matches `stored`; a malformed stored hash is simply no match."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        kdf = Scrypt(salt=bytes.fromhex(salt), length=LENGTH, n=int(n), r=int(r), p=int(p))
        kdf.verify(password.encode("utf-8"), bytes.fromhex(digest))  # constant-time compare inside
        return True
    except (InvalidKey, ValueError, TypeError):
        return False
