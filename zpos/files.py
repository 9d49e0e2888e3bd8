"""Small file reads the commands share, each failing as one CliError line that names the file."""
from __future__ import annotations

import os

from storage.errors import StorageError
from storage.lock import DataDirLock
from zpos.errors import CliError


def read_key(path: str, what: str) -> str:
    """A PEM key file's text (ASCII)."""
    try:
        with open(path, encoding="ascii") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise CliError(f"cannot read {what} {path}: {e}", 2) from None


_HELD: dict[str, DataDirLock] = {}


def locked_data(path: str) -> DataDirLock:
    """The data dir locked until this process exits (one process per data dir); a register using it is named.
    A second command of the same process (tests call main() repeatedly) reuses the lock it holds."""
    key = os.path.realpath(path)
    if key in _HELD:
        return _HELD[key]
    try:
        lock = DataDirLock(path).acquire()
        _HELD[key] = lock
        return lock
    except StorageError as e:
        raise CliError(e.message, 1) from None
