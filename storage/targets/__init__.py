"""Storage targets behind one interface (dir, USB, FTP/FTPS, WebDAV, Яндекс.Диск) and the URL syntax that names them.

    /media/usb/zpos          a directory
    usb:LABEL/path           a mounted removable drive with that label (usb:/path: the only one)
    ftp://user:pw@host:21/dir   ftps://… (explicit TLS; ?cafile=PATH trusts a self-signed server, ?verify=no)
    webdav://user:pw@host/path  webdavs://… (https)
    yadisk:/path             the app folder on Яндекс.Диск (token from DATA/exchange/yadisk.json)
"""
from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from storage.targets.base import ARCHIVE_SUFFIX, PART_SUFFIX, ArchiveError, Entry, Target, check_name, redact
from storage.targets.ftp import FtpTarget
from storage.targets.local import DirTarget
from storage.targets.settings import ExchangeSettings
from storage.targets.usb import UsbDrive, UsbTarget, find_usb_drives
from storage.targets.webdav import WebDavTarget
from storage.targets.yadisk import YandexDiskTarget

__all__ = ["ARCHIVE_SUFFIX", "PART_SUFFIX", "ArchiveError", "DirTarget", "Entry", "ExchangeSettings", "FtpTarget",
           "Target", "UsbDrive", "UsbTarget", "WebDavTarget", "YandexDiskTarget", "check_name", "find_usb_drives",
           "parse_target", "redact", "split_location"]

URL_HELP = ("a directory, usb:LABEL/path, ftp://user:pw@host/dir, ftps://…, webdav://user:pw@host/path, "
            "webdavs://…, yadisk:/path")


def _bad(spec: str, why: str) -> ArchiveError:
    return ArchiveError("BAD_TARGET", f"{spec}: {why}", target=spec)


def parse_target(spec: str, data_dir: str | None = None, usb_root: str = "/") -> Target:
    """The target a URL or path names (see the module docstring); BAD_TARGET names what is wrong."""
    if not isinstance(spec, str) or not spec.strip():
        raise _bad(str(spec), "empty")
    low = spec.lower()
    if low.startswith(("ftp://", "ftps://")):
        u = urlsplit(spec)
        try:
            port = u.port or 21
        except ValueError:
            raise _bad(spec, "the port is not a number") from None
        if not u.hostname:
            raise _bad(spec, "no host name")
        q = parse_qs(u.query)
        return FtpTarget(u.hostname, port, unquote(u.username or "anonymous"), unquote(u.password or ""),
                         unquote(u.path) or "/", tls=low.startswith("ftps"), cafile=(q.get("cafile") or [None])[0],
                         verify=(q.get("verify") or ["yes"])[0] not in ("no", "0", "false"))
    if low.startswith(("webdav://", "webdavs://")):
        u = urlsplit(spec)
        if not u.hostname:
            raise _bad(spec, "no host name")
        try:
            port = f":{u.port}" if u.port else ""
        except ValueError:
            raise _bad(spec, "the port is not a number") from None
        scheme = "https" if low.startswith("webdavs") else "http"
        q = parse_qs(u.query)
        return WebDavTarget(f"{scheme}://{u.hostname}{port}{u.path}", unquote(u.username or ""),
                            unquote(u.password or ""), cafile=(q.get("cafile") or [None])[0])
    if low.startswith("yadisk:"):
        path = spec[len("yadisk:"):].strip("/")
        conf = ExchangeSettings(data_dir).get("yadisk") if data_dir else {}
        # without a token the URL still parses (a config can name it before the sign-in); every call then
        # answers TARGET_AUTH
        base = conf.get("root", "app:/")
        root = base.rstrip("/") + "/" + path if path else base
        kw = {"api": conf["api"]} if conf.get("api") else {}
        return YandexDiskTarget(conf.get("token", ""), root, **kw)
    if low.startswith("usb:"):
        rest = spec[4:]
        label, _, folder = rest.lstrip("/").partition("/") if not rest.startswith("/") else ("", "", rest.strip("/"))
        return UsbTarget(label, folder.strip("/"), usb_root)
    if "://" in spec:
        raise _bad(spec, f"only {URL_HELP} are supported")
    return DirTarget(spec)


def split_location(spec: str, data_dir: str | None = None, usb_root: str = "/") -> tuple[Target, str]:
    """A file URL as (the target of its folder, the file's name): `ftp://h/goods/import.csv` → (ftp://h/goods, import.csv)."""
    import os
    if "://" not in spec and not spec.lower().startswith(("yadisk:", "usb:")):
        return DirTarget(os.path.dirname(os.path.abspath(spec))), os.path.basename(spec)
    spec, _, query = spec.partition("?")
    head, _, name = spec.rstrip("/").rpartition("/")
    if not name or head.endswith(":/") and head.lower().startswith(("ftp", "webdav")):
        raise _bad(spec, "no file name at the end")
    if head.endswith(":") or head.lower() in ("yadisk:", "usb:"):
        head += "/"
    return parse_target(head + (f"?{query}" if query else ""), data_dir, usb_root), unquote(name)
