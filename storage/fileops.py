"""The file operations an atomic write is made of, behind one seam so tests can inject faults."""
from __future__ import annotations

import errno
import os

from storage.errors import StorageError


class FileOps:
    """Real file operations. Tests pass a subclass that fails or 'loses power' after any step."""

    def write_file(self, path: str, data: bytes) -> int:
        """Create/truncate `path`, write all of `data`; returns an open fd for fsync and close."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)   # stores hold users and secrets
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
        except BaseException:
            os.close(fd)
            raise
        return fd

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def close(self, fd: int) -> None:
        os.close(fd)

    def replace(self, src: str, dst: str) -> None:
        os.replace(src, dst)

    def fsync_dir(self, directory: str) -> None:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


REAL_OPS = FileOps()


def atomic_write(path: str, data: bytes, ops: FileOps = REAL_OPS) -> None:
    """Write `data` to `path` so that a crash leaves the old file or the new one, never a torn one.

    Temp file in the same directory → fsync → os.replace → fsync of the directory. A full disk or
    an I/O error is DISK_FULL / STORAGE_IO with the old file left as it was.
    """
    directory = os.path.dirname(os.path.abspath(path))
    tmp = f"{path}.tmp"
    try:
        fd = ops.write_file(tmp, data)
        try:
            ops.fsync(fd)
        finally:
            ops.close(fd)
        ops.replace(tmp, path)
        ops.fsync_dir(directory)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise io_refusal(e, path) from None


def io_refusal(e: OSError, what: str) -> StorageError:
    """An OSError of a store or the journal as the refusal the cashier sees."""
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageError("DISK_FULL", f"{what}: {e.strerror}", path=what)
    return StorageError("STORAGE_IO", f"{what}: {e.strerror or e}", path=what)
