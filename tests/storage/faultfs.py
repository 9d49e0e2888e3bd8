"""A fault-injecting file layer for the atomic store: a step fails, or the power is lost right after it."""
from __future__ import annotations

import os
import random

from storage.fileops import FileOps

STEPS = ("write_file", "fsync", "close", "replace", "fsync_dir")


class PowerLost(Exception):
    """The process stops here; what is on disk is what the simulated power loss left."""


class FaultyOps(FileOps):
    """Fails (`mode="error"`) before step `at`, or does it and then 'loses power' (`mode="power"`).

    Power loss model: data written but not fsynced is torn to a random prefix; a rename whose
    directory was not fsynced may be undone (the old file comes back) — both as on a real disk.
    """

    def __init__(self, at: str, mode: str, rng: random.Random) -> None:
        self.at, self.mode, self.rng = at, mode, rng
        self.unsynced: dict[int, str] = {}
        self.paths: dict[str, bytes] = {}
        self.rename_undo: tuple[str, bytes | None, str] | None = None

    def _step(self, name: str) -> None:
        if name == self.at and self.mode == "error":
            raise OSError(5, f"injected I/O error at {name}")

    def _after(self, name: str) -> None:
        if name == self.at and self.mode == "power":
            self._lose_power()
            raise PowerLost(name)

    def _lose_power(self) -> None:
        for path, data in self.paths.items():
            if os.path.exists(path):
                with open(path, "wb") as f:
                    f.write(data[: self.rng.randrange(len(data) + 1)])
        if self.rename_undo is not None and self.rng.random() < 0.5:
            dst, old, src = self.rename_undo
            with open(src, "wb") as f:
                f.write(open(dst, "rb").read())
            if old is None:
                os.unlink(dst)
            else:
                with open(dst, "wb") as f:
                    f.write(old)

    def write_file(self, path: str, data: bytes) -> int:
        self._step("write_file")
        fd = super().write_file(path, data)
        self.unsynced[fd] = path
        self.paths[path] = data
        self._after("write_file")
        return fd

    def fsync(self, fd: int) -> None:
        self._step("fsync")
        super().fsync(fd)
        self.paths.pop(self.unsynced.pop(fd, ""), None)
        self._after("fsync")

    def close(self, fd: int) -> None:
        self._step("close")
        super().close(fd)
        self._after("close")

    def replace(self, src: str, dst: str) -> None:
        self._step("replace")
        old = open(dst, "rb").read() if os.path.exists(dst) else None
        super().replace(src, dst)
        if src in self.paths:
            self.paths[dst] = self.paths.pop(src)
        self.rename_undo = (dst, old, src)
        self._after("replace")

    def fsync_dir(self, directory: str) -> None:
        self._step("fsync_dir")
        super().fsync_dir(directory)
        self.rename_undo = None
        self._after("fsync_dir")
