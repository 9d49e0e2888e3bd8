"""TinyDB with a crash-safe storage: every write is temp file, fsync, os.replace, fsync of the directory."""
from __future__ import annotations

import json
import os
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from storage.errors import StorageError
from storage.fileops import REAL_OPS, FileOps, atomic_write


def read_json_file(path: str, object_hook=None) -> Any | None:
    """The parsed JSON at `path`, None when it does not exist; a damaged file is STORE_CORRUPT, never emptied.

    `object_hook` turns objects into values as they are parsed, so a large file never exists twice in memory."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise StorageError("STORE_UNREADABLE", f"cannot read {path}: {e.strerror}") from None
    if not raw.strip():
        raise StorageError("STORE_CORRUPT", f"{path} is empty (0 bytes of JSON); it was not replaced — "
                           "restore it from a DB archive (zpos db import)")
    try:
        return json.loads(raw.decode("utf-8"), object_hook=object_hook)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise StorageError("STORE_CORRUPT", f"{path} is not valid JSON ({e}); it was not replaced — "
                           "restore it from a DB archive (zpos db import)") from None


class AtomicJSONStorage(Storage):
    """A TinyDB storage whose writes are atomic; a torn or corrupt file is reported, never overwritten silently."""

    def __init__(self, path: str, ops: FileOps | None = None, create_dirs: bool = True) -> None:
        self.path = os.fspath(path)
        self.ops = ops or REAL_OPS
        if create_dirs:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        stale = f"{self.path}.tmp"
        if os.path.exists(stale):
            # a temp file left by a crash before os.replace: never the current data, safe to drop
            os.unlink(stale)

    def read(self, object_hook=None) -> dict[str, dict[str, Any]] | None:
        data = read_json_file(self.path, object_hook)
        if data is not None and not isinstance(data, dict):
            raise StorageError("STORE_CORRUPT", f"{self.path} does not hold a JSON object; "
                               "restore it from a DB archive (zpos db import)")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        atomic_write(self.path, body, self.ops)

    def close(self) -> None:
        pass


def open_db(path: str, ops: FileOps | None = None) -> TinyDB:
    """A TinyDB on `path` with the atomic storage; raises StorageError if the file is damaged."""
    db = TinyDB(path, storage=AtomicJSONStorage, ops=ops)
    db.storage.read()  # surface a damaged file now, at start-up, not at the first query
    return db
