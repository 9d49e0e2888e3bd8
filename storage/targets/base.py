"""What every storage target shares: the error class, entry values, name checks and secret redaction."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from storage.errors import StorageError

ARCHIVE_SUFFIX = ".zposdb"
PART_SUFFIX = ".part"

_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]*)@", re.I)
_OAUTH = re.compile(r"\b(OAuth|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.I)
_WEBHOOK = re.compile(r"(/rest/\d+/)[^/\s]+")
_TOKENS = re.compile(r"((?:access_token|refresh_token|token|password|client_secret|auth|code)=)[^&\s]+", re.I)


def redact(text: str) -> str:
    """`text` with every secret masked: URL passwords, OAuth/Bearer tokens, Bitrix24 webhook codes, token= values."""
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)
    text = _OAUTH.sub(lambda m: f"{m.group(1)} ***", text)
    text = _WEBHOOK.sub(r"\1***", text)
    return _TOKENS.sub(r"\1***", text)


class ArchiveError(StorageError):
    """A target that refused or failed; the detail and every parameter are redacted before anyone can log them."""

    def __init__(self, code, detail: str = "", /, **params) -> None:
        params = {k: redact(v) if isinstance(v, str) else v for k, v in params.items()}
        super().__init__(code, redact(detail), **params)


def check_name(name: str) -> str:
    """A relative path inside a target: no `..`, no absolute path, no hidden or empty parts."""
    parts = name.split("/") if isinstance(name, str) else []
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or \
            any(not p or p in (".", "..") or p.startswith(".") for p in parts):
        raise ArchiveError("BAD_NAME", f"{name!r} is not a file name inside the target")
    return name


def parent_of(name: str) -> str:
    return name.rsplit("/", 1)[0] if "/" in name else ""


@dataclass(frozen=True)
class Entry:
    name: str                   # the last part of the path
    is_dir: bool
    size: int | None = None     # bytes, when the service tells
    modified: str | None = None  # ISO 8601 when the service tells
    md5: str | None = None      # hex, when the service tells (Yandex.Disk)


class Target(Protocol):
    """One interface for a directory, a USB drive, FTP/FTPS, WebDAV and Yandex.Disk.

    Names are relative paths ("reports/Z/z-00012.json"); `put` writes under a temporary name and
    renames, creating the parent folders, so a reader never sees half a file."""

    label: str                                  # where, secrets masked: for messages and logs

    def entries(self, folder: str = "") -> list[Entry]: ...
    def list(self, folder: str = "") -> list[str]: ...
    def get(self, name: str, local_path: str) -> None: ...
    def put(self, local_path: str, name: str) -> None: ...
    def mkdir(self, folder: str) -> None: ...
    def stat(self, name: str) -> Entry | None: ...
    def free_space(self) -> int | None: ...


class ListMixin:
    def list(self, folder: str = "") -> list[str]:
        """Names in `folder` (files and folders), sorted."""
        return sorted(e.name for e in self.entries(folder))
