"""Where DB archives go: a local directory (a USB stick's mount point) or an FTP server."""
from __future__ import annotations

import ftplib
import os
import shutil
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote, urlsplit

from storage.errors import StorageError

ARCHIVE_SUFFIX = ".zposdb"


class ArchiveError(StorageError):
    """An archive refused or a target that failed; `code` says which, `message` why and what to do."""


def check_name(name: str) -> str:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ArchiveError("BAD_NAME", f"{name!r} is not an archive file name")
    return name


class Target(Protocol):
    def put(self, local_path: str, name: str) -> None: ...
    def get(self, name: str, local_path: str) -> None: ...
    def list(self) -> list[str]: ...


@dataclass(frozen=True)
class DirTarget:
    path: str

    def _dir(self) -> str:
        if not os.path.isdir(self.path):
            raise ArchiveError("TARGET_UNAVAILABLE", f"directory {self.path} does not exist (is the USB stick in?)")
        return self.path

    def put(self, local_path: str, name: str) -> None:
        dst = os.path.join(self._dir(), check_name(name))
        tmp = dst + ".part"
        try:
            shutil.copyfile(local_path, tmp)
            fd = os.open(tmp, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
            os.replace(tmp, dst)
        except OSError as e:
            raise ArchiveError("TARGET_FAILED", f"cannot write {dst}: {e.strerror}") from None

    def get(self, name: str, local_path: str) -> None:
        src = os.path.join(self._dir(), check_name(name))
        if not os.path.isfile(src):
            raise ArchiveError("NO_ARCHIVE", f"there is no archive {name} in {self.path}")
        shutil.copyfile(src, local_path)

    def list(self) -> list[str]:
        return sorted(n for n in os.listdir(self._dir()) if n.endswith(ARCHIVE_SUFFIX))


@dataclass(frozen=True)
class FtpTarget:
    host: str
    port: int = 21
    user: str = "anonymous"
    password: str = ""
    directory: str = "/"
    timeout: float = 15.0

    def _connect(self) -> ftplib.FTP:
        ftp = ftplib.FTP()
        try:
            ftp.connect(self.host, self.port, timeout=self.timeout)
            ftp.login(self.user, self.password)
            if self.directory not in ("", "/"):
                ftp.cwd(self.directory)
        except (OSError, ftplib.Error, EOFError) as e:
            ftp.close()
            raise ArchiveError("TARGET_UNAVAILABLE", f"FTP {self.host}:{self.port}{self.directory}: {e}") from None
        return ftp

    def put(self, local_path: str, name: str) -> None:
        ftp = self._connect()
        try:
            with open(local_path, "rb") as f:
                ftp.storbinary(f"STOR {check_name(name)}.part", f)
            ftp.rename(f"{name}.part", name)
        except (OSError, ftplib.Error, EOFError) as e:
            raise ArchiveError("TARGET_FAILED", f"FTP upload of {name} failed: {e}") from None
        finally:
            ftp.close()

    def get(self, name: str, local_path: str) -> None:
        ftp = self._connect()
        try:
            with open(local_path, "wb") as f:
                ftp.retrbinary(f"RETR {check_name(name)}", f.write)
        except ftplib.error_perm as e:
            raise ArchiveError("NO_ARCHIVE", f"FTP: there is no archive {name} ({e})") from None
        except (OSError, ftplib.Error, EOFError) as e:
            raise ArchiveError("TARGET_FAILED", f"FTP download of {name} failed: {e}") from None
        finally:
            ftp.close()

    def list(self) -> list[str]:
        ftp = self._connect()
        try:
            return sorted(os.path.basename(n) for n in ftp.nlst() if n.endswith(ARCHIVE_SUFFIX))
        except ftplib.error_perm:
            return []
        except (OSError, ftplib.Error, EOFError) as e:
            raise ArchiveError("TARGET_FAILED", f"FTP listing failed: {e}") from None
        finally:
            ftp.close()


def parse_target(spec: str) -> DirTarget | FtpTarget:
    """`ftp://user:pw@host:port/dir` or a local directory path."""
    if spec.startswith("ftp://"):
        u = urlsplit(spec)
        try:
            port = u.port or 21
        except ValueError:
            raise ArchiveError("BAD_TARGET", f"{spec}: the port is not a number") from None
        if not u.hostname:
            raise ArchiveError("BAD_TARGET", f"{spec}: no host name")
        return FtpTarget(u.hostname, port, unquote(u.username or "anonymous"), unquote(u.password or ""),
                         unquote(u.path) or "/")
    if "://" in spec:
        raise ArchiveError("BAD_TARGET", f"{spec}: only a directory or ftp://user:pw@host:port/dir is supported")
    return DirTarget(spec)
