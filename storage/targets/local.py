"""A local directory as a target (a mounted USB stick, a network share mounted by the system)."""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.targets.base import PART_SUFFIX, ArchiveError, Entry, ListMixin, check_name, parent_of


def file_md5(path: str) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class DirTarget(ListMixin):
    path: str

    @property
    def label(self) -> str:
        return self.path

    def _dir(self) -> str:
        if not os.path.isdir(self.path):
            raise ArchiveError("TARGET_UNAVAILABLE", f"directory {self.path} does not exist (is the USB stick in?)",
                               target=self.label)
        return self.path

    def _full(self, name: str) -> str:
        return os.path.join(self._dir(), *check_name(name).split("/"))

    def entries(self, folder: str = "") -> list[Entry]:
        base = self._full(folder) if folder else self._dir()
        if not os.path.isdir(base):
            raise ArchiveError("REMOTE_NOT_FOUND", f"{base} is not a directory", target=self.label, path=folder)
        out = []
        for n in os.listdir(base):
            if n.startswith(".") or n.endswith(PART_SUFFIX):
                continue
            st = os.stat(os.path.join(base, n))
            is_dir = os.path.isdir(os.path.join(base, n))
            out.append(Entry(n, is_dir, None if is_dir else st.st_size,
                             datetime.fromtimestamp(st.st_mtime, UTC).isoformat()))
        return out

    def mkdir(self, folder: str) -> None:
        try:
            os.makedirs(self._full(folder), exist_ok=True)
        except OSError as e:
            raise ArchiveError("TARGET_FAILED", f"cannot create {folder} in {self.path}: {e.strerror}",
                               target=self.label) from None

    def put(self, local_path: str, name: str) -> None:
        dst = self._full(name)
        if parent_of(name):
            self.mkdir(parent_of(name))
        tmp = dst + PART_SUFFIX
        try:
            shutil.copyfile(local_path, tmp)
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, dst)
            dfd = os.open(os.path.dirname(dst), os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError as e:
            code = "TARGET_FULL" if e.errno == 28 else "TARGET_FAILED"
            raise ArchiveError(code, f"cannot write {dst}: {e.strerror}", target=self.label) from None

    def get(self, name: str, local_path: str) -> None:
        src = self._full(name)
        if not os.path.isfile(src):
            raise ArchiveError("NO_ARCHIVE" if name.endswith(".zposdb") else "REMOTE_NOT_FOUND",
                               f"there is no file {name} in {self.path}", target=self.label, path=name)
        try:
            shutil.copyfile(src, local_path)
        except OSError as e:
            raise ArchiveError("TARGET_FAILED", f"cannot read {src}: {e.strerror}", target=self.label) from None

    def stat(self, name: str) -> Entry | None:
        p = self._full(name)
        if not os.path.exists(p):
            return None
        st = os.stat(p)
        is_dir = os.path.isdir(p)
        return Entry(os.path.basename(p), is_dir, None if is_dir else st.st_size,
                     datetime.fromtimestamp(st.st_mtime, UTC).isoformat(), None if is_dir else file_md5(p))

    def free_space(self) -> int | None:
        return shutil.disk_usage(self._dir()).free
