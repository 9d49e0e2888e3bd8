"""One process per data dir: an exclusive flock on DATA/.lock, taken by everything that opens the data dir.

Two registers (or a register and `zpos db import`) on one data dir would corrupt the stores:
the second one is refused at once with DATA_DIR_IN_USE naming the data dir and the PID that
holds it. The lock dies with its process (flock), so a power loss never leaves it stale.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from storage.errors import StorageError

LOCK_NAME = ".lock"


class DataDirLock:
    def __init__(self, data_dir: Path | str) -> None:
        self.path = Path(data_dir) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> DataDirLock:
        """Take the lock or refuse with DATA_DIR_IN_USE; taking it twice in one process is a no-op."""
        if self._fd is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise StorageError("DATA_DIR_IN_USE", f"{self.path.parent} is locked by PID {holder}",
                               path=str(self.path.parent), pid=holder) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> DataDirLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 32).decode("ascii", "replace").strip() or "?"
    except OSError:
        return "?"
