"""WebDAV targets (Nextcloud, a shop's server): PROPFIND, MKCOL, PUT then MOVE, GET, quota (RFC 4918, RFC 4331)."""
from __future__ import annotations

import base64
import posixpath
import ssl
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from storage.targets.base import PART_SUFFIX, ArchiveError, Entry, ListMixin, check_name, parent_of
from storage.targets.http import CONNECT_ERRORS, Response, request

_D = "{DAV:}"
_PROPS = (b'<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/>'
          b'<d:getcontentlength/><d:getlastmodified/><d:quota-available-bytes/></d:prop></d:propfind>')


@dataclass(frozen=True)
class WebDavTarget(ListMixin):
    base_url: str                          # http(s)://host:port/remote.php/dav/files/kassa/zpos (no credentials)
    user: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 30.0
    cafile: str | None = None

    @property
    def label(self) -> str:
        u = urlsplit(self.base_url)
        scheme = "webdavs" if u.scheme == "https" else "webdav"
        return f"{scheme}://{self.user + '@' if self.user else ''}{u.netloc}{u.path}"

    def _url(self, name: str, folder: bool = False) -> str:
        path = "/".join(quote(p) for p in name.split("/") if p)
        url = self.base_url.rstrip("/") + ("/" + path if path else "")
        return url + "/" if folder else url

    def _call(self, method: str, url: str, **kw) -> Response:
        headers = kw.pop("headers", {})
        if self.user:
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        ctx = ssl.create_default_context(cafile=self.cafile) if self.cafile else None
        try:
            return request(method, url, headers=headers, timeout=self.timeout, context=ctx, **kw)
        except CONNECT_ERRORS as e:
            raise ArchiveError("TARGET_UNAVAILABLE", f"{self.label}: {method} failed: {e}", target=self.label) from None

    def _check(self, r: Response, what: str, name: str = "") -> Response:
        if r.status < 300:
            return r
        code = {401: "TARGET_AUTH", 403: "TARGET_AUTH", 404: "REMOTE_NOT_FOUND", 507: "TARGET_FULL",
                429: "TARGET_BUSY", 503: "TARGET_BUSY"}.get(r.status, "TARGET_FAILED")
        if code == "REMOTE_NOT_FOUND" and name.endswith(".zposdb"):
            code = "NO_ARCHIVE"
        raise ArchiveError(code, f"{self.label}: {what}: HTTP {r.status}", target=self.label, path=name)

    def _propfind(self, name: str, depth: str, folder: bool) -> list[tuple[str, Entry, int | None]]:
        r = self._check(self._call("PROPFIND", self._url(name, folder), body=_PROPS,
                                   headers={"Depth": depth, "Content-Type": "application/xml"}), "PROPFIND", name)
        try:
            root = ET.fromstring(r.body)
        except ET.ParseError as e:
            raise ArchiveError("TARGET_FAILED", f"{self.label}: PROPFIND answer is not XML ({e})",
                               target=self.label) from None
        out = []
        for resp in root.iter(f"{_D}response"):
            href = unquote(resp.findtext(f"{_D}href", "")).rstrip("/")
            prop = resp.find(f"{_D}propstat/{_D}prop")
            if prop is None:
                continue
            is_dir = prop.find(f"{_D}resourcetype/{_D}collection") is not None
            size = prop.findtext(f"{_D}getcontentlength")
            quota = prop.findtext(f"{_D}quota-available-bytes")
            out.append((href, Entry(posixpath.basename(href), is_dir, int(size) if size and size.isdigit() else None,
                                    prop.findtext(f"{_D}getlastmodified")),
                        int(quota) if quota and quota.isdigit() else None))
        return out

    def entries(self, folder: str = "") -> list[Entry]:
        if folder:
            check_name(folder)
        own = unquote(urlsplit(self._url(folder, True)).path).rstrip("/")
        return [e for href, e, _ in self._propfind(folder, "1", True)
                if urlsplit(href).path.rstrip("/") != own and not e.name.endswith(PART_SUFFIX)]

    def mkdir(self, folder: str) -> None:
        path = ""
        for part in check_name(folder).split("/"):
            path = f"{path}/{part}" if path else part
            r = self._call("MKCOL", self._url(path, True))
            if r.status not in (201, 405):          # 405: it exists already
                self._check(r, f"MKCOL {path}", path)

    def put(self, local_path: str, name: str) -> None:
        check_name(name)
        if parent_of(name):
            self.mkdir(parent_of(name))
        with open(local_path, "rb") as f:
            self._check(self._call("PUT", self._url(name + PART_SUFFIX), body=f,
                                   headers={"Content-Type": "application/octet-stream"}), f"PUT {name}", name)
        self._check(self._call("MOVE", self._url(name + PART_SUFFIX),
                               headers={"Destination": self._url(name), "Overwrite": "T"}), f"MOVE {name}", name)

    def get(self, name: str, local_path: str) -> None:
        check_name(name)
        self._check(self._call("GET", self._url(name), to_file=local_path), f"GET {name}", name)

    def stat(self, name: str) -> Entry | None:
        check_name(name)
        try:
            found = self._propfind(name, "0", False)
        except ArchiveError as e:
            if e.code in ("REMOTE_NOT_FOUND", "NO_ARCHIVE"):
                return None
            raise
        return found[0][1] if found else None

    def free_space(self) -> int | None:
        found = self._propfind("", "0", True)
        return found[0][2] if found else None
