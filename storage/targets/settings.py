"""Connection settings and secrets of external services (tokens, passwords, webhooks): DATA/exchange/*.json, mode 0600."""
from __future__ import annotations

import json
import os

from storage.errors import StorageError

SERVICES = ("yadisk", "bitrix24", "cloudshop", "ftp", "webdav", "reports", "commerceml")


class ExchangeSettings:
    """One JSON object per service. Files are created 0600 in a 0700 folder and are never logged or archived."""

    def __init__(self, data_dir: str) -> None:
        self.dir = os.path.join(data_dir, "exchange")

    def _path(self, service: str) -> str:
        if service not in SERVICES:
            raise StorageError("BAD_SETTING", f"unknown exchange service {service!r}", key=service)
        return os.path.join(self.dir, f"{service}.json")

    def get(self, service: str) -> dict:
        try:
            with open(self._path(service), encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            raise StorageError("STORE_CORRUPT", f"{self._path(service)} cannot be read ({type(e).__name__})") from None
        return data if isinstance(data, dict) else {}

    def put(self, service: str, values: dict) -> None:
        """Replace the service's settings atomically; the file is 0600 from its first byte."""
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        os.chmod(self.dir, 0o700)
        path = self._path(service)
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, json.dumps(values, ensure_ascii=False, indent=1).encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)

    def update(self, service: str, **values) -> dict:
        merged = {**self.get(service), **values}
        self.put(service, merged)
        return merged
