"""Яндекс.Диск through its REST API (cloud-api.yandex.net/v1/disk) with an OAuth token; device-code sign-in.

Follows yandex.ru/dev/disk-api (resources, upload/download links, move, operations) and
yandex.ru/dev/id/doc/ru/codes/screen-code-oauth (device flow) as summarised in the project's
external-systems brief. Files go up under a neutral temporary name and are moved into place:
the move makes the upload atomic, and the temporary name dodges the throttling Yandex applies
to .zip/.db uploads. Paths are relative to `root` (default `app:/`, the app folder a
restricted token can reach).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from storage.targets.base import ArchiveError, Entry, ListMixin, check_name, parent_of
from storage.targets.http import CONNECT_ERRORS, Response, request

API = "https://cloud-api.yandex.net"
OAUTH = "https://oauth.yandex.ru"
TMP_SUFFIX = ".upload"          # neutral extension: not throttled like .zip/.db (maintainer-documented quirk)


@dataclass(frozen=True)
class YandexDiskTarget(ListMixin):
    token: str = field(repr=False)
    root: str = "app:/"
    api: str = API
    timeout: float = 30.0
    upload_timeout: float = 300.0
    poll_interval: float = 0.5
    poll_limit: int = 120

    @property
    def label(self) -> str:
        return f"yadisk:{self.root.removeprefix('app:').removeprefix('disk:')}".replace("//", "/")

    def _path(self, name: str) -> str:
        return self.root.rstrip("/") + "/" + name if name else self.root

    def _call(self, method: str, route: str, params: dict | None = None, *, ok: tuple[int, ...] = (200,),
              name: str = "") -> Response:
        if not self.token:
            raise ArchiveError("TARGET_AUTH", "Яндекс.Диск: not signed in (no token in DATA/exchange/yadisk.json)",
                               target=self.label)
        url = f"{self.api}{route}" + (f"?{urlencode(params)}" if params else "")
        try:
            r = request(method, url, headers={"Authorization": f"OAuth {self.token}", "Accept": "application/json"},
                        timeout=self.timeout)
        except CONNECT_ERRORS as e:
            raise ArchiveError("TARGET_UNAVAILABLE", f"{self.label}: {method} {route}: {e}", target=self.label) from None
        if r.status not in ok:
            raise self._error(r, f"{method} {route}", name)
        return r

    def _error(self, r: Response, what: str, name: str) -> ArchiveError:
        try:
            err = json.loads(r.body or b"{}").get("error", "")
        except (ValueError, AttributeError):
            err = ""                           # download hosts answer HTML error pages
        code = {401: "TARGET_AUTH", 403: "TARGET_FULL", 404: "REMOTE_NOT_FOUND", 413: "TARGET_FULL", 423: "TARGET_BUSY",
                429: "TARGET_BUSY", 507: "TARGET_FULL", 503: "TARGET_BUSY"}.get(r.status, "TARGET_FAILED")
        if code == "REMOTE_NOT_FOUND" and name.endswith(".zposdb"):
            code = "NO_ARCHIVE"
        return ArchiveError(code, f"{self.label}: {what}: HTTP {r.status} {err}".rstrip(), target=self.label,
                            path=name, status=r.status, error=err)

    @staticmethod
    def _json(r: Response) -> dict:
        try:
            return json.loads(r.body)
        except ValueError:
            raise ArchiveError("TARGET_FAILED", f"the answer is not JSON: {r.body[:80]!r}") from None

    # ---- reads -------------------------------------------------------------------------------

    def entries(self, folder: str = "") -> list[Entry]:
        if folder:
            check_name(folder)
        out: list[Entry] = []
        offset = 0
        while True:
            try:
                r = self._json(self._call("GET", "/v1/disk/resources",
                                          {"path": self._path(folder), "limit": 100, "offset": offset}, name=folder))
            except ArchiveError as e:
                if e.code == "REMOTE_NOT_FOUND" and not folder:
                    return []          # the app folder appears with the first upload
                raise
            emb = r.get("_embedded")
            if emb is None:                           # a file, not a folder
                raise ArchiveError("REMOTE_NOT_FOUND", f"{self.label}: {folder} is a file", target=self.label,
                                   path=folder)
            items = emb.get("items", [])
            out += [_entry(i) for i in items if not i.get("name", "").endswith(TMP_SUFFIX)]
            offset += len(items)
            if not items or offset >= emb.get("total", 0):
                return out

    def stat(self, name: str) -> Entry | None:
        check_name(name)
        try:
            r = self._call("GET", "/v1/disk/resources", {"path": self._path(name),
                                                         "fields": "name,type,size,md5,modified"}, name=name)
        except ArchiveError as e:
            if e.code in ("REMOTE_NOT_FOUND", "NO_ARCHIVE"):
                return None
            raise
        return _entry(self._json(r))

    def free_space(self) -> int | None:
        d = self._json(self._call("GET", "/v1/disk"))
        if "total_space" in d and "used_space" in d:
            return int(d["total_space"]) - int(d["used_space"])
        return None

    def get(self, name: str, local_path: str) -> None:
        check_name(name)
        href = self._json(self._call("GET", "/v1/disk/resources/download", {"path": self._path(name)}, name=name))["href"]
        try:
            r = request("GET", href, timeout=self.upload_timeout, to_file=local_path)
        except CONNECT_ERRORS as e:
            raise ArchiveError("TARGET_UNAVAILABLE", f"{self.label}: download of {name}: {e}", target=self.label) from None
        if r.status != 200:
            raise self._error(r, f"download of {name}", name)

    # ---- writes ------------------------------------------------------------------------------

    def mkdir(self, folder: str) -> None:
        """One level at a time (the API refuses a missing parent with 409); an existing folder is fine.

        The levels of `root` itself are made too, so a fresh app folder works from the first upload."""
        scheme, _, rest = self.root.partition(":")
        parts = [p for p in rest.split("/") if p] + (check_name(folder).split("/") if folder else [])
        path = f"{scheme}:"
        for part in parts:
            path = f"{path}/{part}"
            r = self._call("PUT", "/v1/disk/resources", {"path": path}, ok=(201, 409), name=folder)
            if r.status == 409 and self._json(r).get("error") != "DiskPathPointsToExistentDirectoryError":
                raise self._error(r, f"mkdir {path}", folder)

    def put(self, local_path: str, name: str) -> None:
        check_name(name)
        self.mkdir(parent_of(name))
        tmp = name + TMP_SUFFIX
        link = self._json(self._call("GET", "/v1/disk/resources/upload",
                                     {"path": self._path(tmp), "overwrite": "true"}, name=name))
        with open(local_path, "rb") as f:
            try:
                # the uploader host takes the bytes without the Authorization header (as in recorded real traffic)
                r = request(link.get("method", "PUT"), link["href"], body=f, timeout=self.upload_timeout,
                            headers={"Content-Type": "application/octet-stream"})
            except CONNECT_ERRORS as e:
                raise ArchiveError("TARGET_UNAVAILABLE", f"{self.label}: upload of {name} broke off: {e}",
                                   target=self.label) from None
        if r.status not in (201, 202):
            raise self._error(r, f"upload of {name}", name)
        if r.status == 202 and link.get("operation_id"):
            self._wait(f"/v1/disk/operations/{link['operation_id']}", name)
        m = self._call("POST", "/v1/disk/resources/move", {"from": self._path(tmp), "path": self._path(name),
                                                           "overwrite": "true"}, ok=(201, 202), name=name)
        if m.status == 202:
            href = self._json(m).get("href", "")
            self._wait(urlsplit(href).path, name)

    def _wait(self, route: str, name: str) -> None:
        for _ in range(self.poll_limit):
            status = self._json(self._call("GET", route, name=name)).get("status")
            if status == "success":
                return
            if status == "failed":
                raise ArchiveError("TARGET_FAILED", f"{self.label}: the operation on {name} failed", target=self.label)
            time.sleep(self.poll_interval)
        raise ArchiveError("TARGET_BUSY", f"{self.label}: the operation on {name} is still in progress",
                           target=self.label)


def _entry(d: dict) -> Entry:
    is_dir = d.get("type") == "dir"
    return Entry(d.get("name", ""), is_dir, None if is_dir else d.get("size"), d.get("modified"),
                 None if is_dir else d.get("md5"))


# ---- the device-code sign-in --------------------------------------------------------------------

@dataclass(frozen=True)
class DeviceCode:
    device_code: str = field(repr=False)
    user_code: str               # shown to the administrator with verification_url (and a QR of it)
    verification_url: str
    interval: int
    expires_at: float


def _oauth(path: str, form: dict, oauth: str, timeout: float = 15.0) -> tuple[int, dict]:
    try:
        r = request("POST", f"{oauth}{path}", body=urlencode(form).encode(), timeout=timeout,
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    except CONNECT_ERRORS as e:
        raise ArchiveError("TARGET_UNAVAILABLE", f"Yandex OAuth {path}: {e}", target="Яндекс ID") from None
    try:
        return r.status, json.loads(r.body or b"{}")
    except ValueError:
        raise ArchiveError("TARGET_FAILED", f"Yandex OAuth {path}: HTTP {r.status}, not JSON", target="Яндекс ID") from None


def start_device_sign_in(client_id: str, device_id: str, device_name: str, oauth: str = OAUTH,
                         now: float | None = None) -> DeviceCode:
    """Step 1: ask for a user code to show on the screen."""
    status, d = _oauth("/device/code", {"client_id": client_id, "device_id": device_id, "device_name": device_name},
                       oauth)
    if status != 200 or "device_code" not in d:
        raise ArchiveError("SIGN_IN_DENIED", f"device/code: HTTP {status} {d.get('error', '')}", target="Яндекс ID")
    return DeviceCode(d["device_code"], d["user_code"], d.get("verification_url", "https://ya.ru/device"),
                      int(d.get("interval", 5)), (now or time.time()) + int(d.get("expires_in", 300)))


def poll_device_sign_in(code: DeviceCode, client_id: str, client_secret: str, oauth: str = OAUTH,
                        now: float | None = None) -> dict:
    """Step 2, called every `code.interval` seconds: the token answer, or SIGN_IN_PENDING / EXPIRED / DENIED."""
    if (now or time.time()) > code.expires_at:
        raise ArchiveError("SIGN_IN_EXPIRED", "the device code has expired")
    status, d = _oauth("/token", {"grant_type": "device_code", "code": code.device_code, "client_id": client_id,
                                  "client_secret": client_secret}, oauth)
    if status == 200 and "access_token" in d:
        return d
    err = d.get("error", "")
    if err == "authorization_pending":
        raise ArchiveError("SIGN_IN_PENDING", "authorization_pending", url=code.verification_url, code=code.user_code)
    if err in ("expired_token", "bad_verification_code") and (now or time.time()) > code.expires_at - 1:
        raise ArchiveError("SIGN_IN_EXPIRED", f"token: {err}")
    raise ArchiveError("SIGN_IN_DENIED", f"token: HTTP {status} {err}")


def refresh_access_token(refresh_token: str, client_id: str, client_secret: str, oauth: str = OAUTH) -> dict:
    """A new access token from the refresh token (tokens live about a year); SIGN_IN_DENIED when it is revoked."""
    status, d = _oauth("/token", {"grant_type": "refresh_token", "refresh_token": refresh_token,
                                  "client_id": client_id, "client_secret": client_secret}, oauth)
    if status == 200 and "access_token" in d:
        return d
    raise ArchiveError("SIGN_IN_DENIED", f"refresh: HTTP {status} {d.get('error', '')}")


def sign_in_with_device_code(client_id: str, client_secret: str, device_id: str, device_name: str,
                             show, oauth: str = OAUTH, sleep=time.sleep) -> dict:
    """The whole flow for a command line: `show(DeviceCode)` once, then poll until the token or a refusal."""
    code = start_device_sign_in(client_id, device_id, device_name, oauth)
    show(code)
    while True:
        try:
            return poll_device_sign_in(code, client_id, client_secret, oauth)
        except ArchiveError as e:
            if e.code != "SIGN_IN_PENDING":
                raise
        sleep(code.interval)
