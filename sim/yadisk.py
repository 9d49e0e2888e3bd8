"""A Яндекс.Диск simulator on loopback: the REST API (/v1/disk…), the uploader and downloader hosts, and the OAuth device flow.

Shapes and codes follow yandex.ru/dev/disk-api (resources, upload, download, move,
operations, error objects {message, description, error}) and yandex.ru/dev/id (device code)
as recorded in the project's external-systems brief (§2.3–2.5, §2.8): parents must exist
(409 DiskPathDoesntExistsError), mkdir of an existing folder (409
DiskPathPointsToExistentDirectoryError), an existing file without overwrite (409
DiskResourceAlreadyExistsError), limit 20 by default, md5 of the stored bytes, app:/ mapped to
disk:/Приложения/<app>/, the uploader taking bytes without the Authorization header. Faults:
the next N answers with a chosen status (401, 404, 429, 503, 507…), a dropped connection in the
middle of an upload, a full disk, slow operations, and the whole service down.
"""
from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

_ERRORS = {
    401: ("UnauthorizedError", "Не авторизован.", "Unauthorized"),
    404: ("DiskNotFoundError", "Не удалось найти запрошенный ресурс.", "Resource not found."),
    423: ("DiskResourceLockedError", "Технические работы. Сейчас можно только просматривать и скачивать файлы.",
          "Resource is locked."),
    429: ("TooManyRequestsError", "Слишком много запросов.", "Too Many Requests."),
    503: ("ServiceUnavailableError", "Сервис временно недоступен.", "Service is unavailable."),
    507: ("DiskInsufficientStorageError", "Недостаточно свободного места.", "Insufficient storage."),
}


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class Node:
    is_dir: bool
    data: bytes = b""
    created: str = field(default_factory=_now)
    modified: str = field(default_factory=_now)


@dataclass
class Fault:
    status: int
    error: str | None
    count: int
    where: str            # "api" (cloud-api routes), "upload" (the uploader host), "any"


class YandexDiskSim:
    """The simulated service. `tokens` are the valid OAuth tokens; `app` names the app folder."""

    def __init__(self, tokens: tuple[str, ...] = ("test-token",), app: str = "zPOS", total_space: int = 10 * 1024**3,
                 port: int = 0) -> None:
        self.tokens = set(tokens)
        self.app = app
        self.total_space = total_space
        self.tree: dict[str, Node] = {"disk:": Node(True)}
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.drop_next_uploads = 0
        self.operation_polls = 0          # operations answer in-progress this many times before success
        self.async_moves = False
        self.uploads: dict[str, tuple[str, float]] = {}
        self.downloads: dict[str, str] = {}
        self.operations: dict[str, int] = {}
        self.link_ttl = 1800.0
        self.requests: list[tuple[str, str, bool]] = []   # (method, path, had Authorization) for checks
        self.device: dict[str, dict] = {}
        self.device_pending_polls = 2     # /token answers authorization_pending this many times
        self._port = port
        self._server: ThreadingHTTPServer | None = None

    # ---- life -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> "YandexDiskSim":
        sim = self

        class Handler(_Handler):
            pass
        Handler.sim = sim
        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        """The service goes down (connections refused); `start()` brings it back on the same port with the same files."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # ---- faults and inspection --------------------------------------------------------------

    def fail_next(self, status: int, count: int = 1, error: str | None = None, where: str = "api") -> None:
        with self.lock:
            self.faults.append(Fault(status, error, count, where))

    def file(self, path: str) -> bytes | None:
        with self.lock:
            node = self.tree.get(self.norm(path))
            return None if node is None or node.is_dir else node.data

    def used_space(self) -> int:
        return sum(len(n.data) for n in self.tree.values() if not n.is_dir)

    def approve(self, user_code: str) -> None:
        with self.lock:
            for d in self.device.values():
                if d["user_code"] == user_code:
                    d["approved"] = True

    def norm(self, path: str) -> str:
        """disk:/a/b for every accepted spelling: /a/b, disk:/a/b, app:/b (the app folder)."""
        if path.startswith("app:"):
            path = f"disk:/Приложения/{self.app}/" + path[4:].lstrip("/")
        elif not path.startswith("disk:"):
            path = "disk:/" + path.lstrip("/")
        path = "disk:/" + "/".join(p for p in path[5:].split("/") if p)
        return path.rstrip("/") if path != "disk:/" else "disk:"

    def _parent(self, path: str) -> str:
        return path.rsplit("/", 1)[0] if "/" in path[6:] else "disk:"

    def _take_fault(self, where: str) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.where in (where, "any") and f.count > 0:
                    f.count -= 1
                    if f.count == 0:
                        self.faults.remove(f)
                    return f
        return None

    def _ensure_app_folder(self) -> None:
        for p in ("disk:/Приложения", f"disk:/Приложения/{self.app}"):
            self.tree.setdefault(p, Node(True))


class _Handler(BaseHTTPRequestHandler):
    sim: YandexDiskSim
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:   # quiet in tests
        pass

    # ---- answers ------------------------------------------------------------------------------

    def _send(self, status: int, body: dict | bytes | None = None, ctype: str = "application/json") -> None:
        raw = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        if raw or status not in (204,):
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if raw:
            self.wfile.write(raw)

    def _error(self, status: int, error: str | None = None, message: str | None = None) -> None:
        e, m, d = _ERRORS.get(status, ("InternalServerError", "Внутренняя ошибка.", "Internal error."))
        self._send(status, {"message": message or m, "description": d, "error": error or e})

    def _link(self, path: str, status: int = 201) -> None:
        self._send(status, {"href": f"{self.sim.url}/v1/disk/resources?path={quote(path)}", "method": "GET",
                            "templated": False})

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    # ---- routing ------------------------------------------------------------------------------

    def _route(self, method: str) -> None:
        sim = self.sim
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        auth = self.headers.get("Authorization", "")
        sim.requests.append((method, u.path, bool(auth)))
        if u.path in ("/device/code", "/token"):
            return self._oauth(u.path, self._body())
        if u.path.startswith("/upload-target/"):
            return self._upload(u.path.rsplit("/", 1)[1])
        if u.path.startswith("/download/"):
            return self._download(u.path.rsplit("/", 1)[1])
        if not u.path.startswith("/v1/disk"):
            return self._error(404)
        fault = sim._take_fault("api")
        if fault:
            self._body()
            return self._error(fault.status, fault.error)
        if not auth.startswith("OAuth ") or auth[6:] not in sim.tokens:
            self._body()
            return self._error(401)
        with sim.lock:
            sim._ensure_app_folder()
            return self._api(method, u.path, q)

    def do_GET(self) -> None:
        self._route("GET")

    def do_PUT(self) -> None:
        self._route("PUT")

    def do_POST(self) -> None:
        self._route("POST")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    # ---- cloud-api ------------------------------------------------------------------------------

    def _resource(self, path: str, node: Node) -> dict:
        name = path.rsplit("/", 1)[-1] if path != "disk:" else "disk"
        d = {"name": name, "path": path if path != "disk:" else "disk:/", "type": "dir" if node.is_dir else "file",
             "created": node.created, "modified": node.modified, "resource_id": f"1:{hashlib.sha1(path.encode()).hexdigest()}",
             "revision": 1}
        if not node.is_dir:
            d.update(size=len(node.data), md5=hashlib.md5(node.data).hexdigest(),
                     sha256=hashlib.sha256(node.data).hexdigest(), mime_type="application/octet-stream",
                     media_type="data")
        return d

    def _api(self, method: str, route: str, q: dict) -> None:
        sim = self.sim
        if route == "/v1/disk" and method == "GET":
            return self._send(200, {"total_space": sim.total_space, "used_space": sim.used_space(), "trash_size": 0,
                                    "max_file_size": 1073741824, "paid_max_file_size": 53687091200, "is_paid": False,
                                    "user": {"login": "kassa", "display_name": "kassa", "uid": "1"}})
        if route.startswith("/v1/disk/operations/"):
            op = route.rsplit("/", 1)[1]
            if op not in sim.operations:
                return self._error(404, "DiskOperationNotFoundError")
            if sim.operations[op] > 0:
                sim.operations[op] -= 1
                return self._send(200, {"status": "in-progress"})
            return self._send(200, {"status": "success"})
        if "path" not in q:
            return self._error(400, "FieldValidationError", "Ошибка проверки поля «path».")
        path = sim.norm(q["path"])
        node = sim.tree.get(path)
        if route == "/v1/disk/resources":
            if method == "GET":
                if node is None:
                    return self._error(404)
                res = self._resource(path, node)
                if node.is_dir:
                    limit, offset = int(q.get("limit", 20)), int(q.get("offset", 0))
                    kids = sorted(p for p in sim.tree if p != path and sim._parent(p) == path)
                    res["_embedded"] = {"items": [self._resource(p, sim.tree[p]) for p in kids[offset:offset + limit]],
                                        "limit": limit, "offset": offset, "total": len(kids), "path": res["path"],
                                        "sort": ""}
                return self._send(200, res)
            if method == "PUT":
                if node is not None:
                    return self._error(409, "DiskPathPointsToExistentDirectoryError",
                                       "По указанному пути уже существует папка с таким именем.")
                if sim.tree.get(sim._parent(path)) is None:
                    return self._error(409, "DiskPathDoesntExistsError", "Указанного пути не существует.")
                sim.tree[path] = Node(True)
                return self._link(path)
            if method == "DELETE":
                if node is None:
                    return self._error(404)
                for p in [p for p in sim.tree if p == path or p.startswith(path + "/")]:
                    del sim.tree[p]
                return self._send(204)
        if route == "/v1/disk/resources/upload" and method == "GET":
            if sim.tree.get(sim._parent(path)) is None:
                return self._error(409, "DiskPathDoesntExistsError", "Указанного пути не существует.")
            if node is not None and q.get("overwrite", "false") != "true":
                return self._error(409, "DiskResourceAlreadyExistsError", "Ресурс уже существует.")
            up = uuid.uuid4().hex
            sim.uploads[up] = (path, time.monotonic() + sim.link_ttl)
            op = uuid.uuid4().hex
            sim.operations[op] = sim.operation_polls
            return self._send(200, {"operation_id": op, "href": f"{sim.url}/upload-target/{up}", "method": "PUT",
                                    "templated": False})
        if route == "/v1/disk/resources/download" and method == "GET":
            if node is None or node.is_dir:
                return self._error(404)
            dl = uuid.uuid4().hex
            sim.downloads[dl] = path
            return self._send(200, {"href": f"{sim.url}/download/{dl}", "method": "GET", "templated": False})
        if route == "/v1/disk/resources/move" and method == "POST":
            src = sim.norm(q.get("from", ""))
            if src not in sim.tree:
                return self._error(404)
            if node is not None and q.get("overwrite", "false") != "true":
                return self._error(409, "DiskResourceAlreadyExistsError", "Ресурс уже существует.")
            if sim.tree.get(sim._parent(path)) is None:
                return self._error(409, "DiskPathDoesntExistsError", "Указанного пути не существует.")
            for p in sorted(p for p in sim.tree if p == src or p.startswith(src + "/")):
                sim.tree[path + p[len(src):]] = sim.tree.pop(p)
            if sim.async_moves:
                op = uuid.uuid4().hex
                sim.operations[op] = sim.operation_polls
                return self._send(202, {"href": f"{sim.url}/v1/disk/operations/{op}", "method": "GET",
                                        "templated": False})
            return self._link(path)
        return self._error(405, "MethodNotAllowedError", "Метод не поддерживается.")

    # ---- uploader and downloader hosts --------------------------------------------------------

    def _upload(self, up: str) -> None:
        sim = self.sim
        n = int(self.headers.get("Content-Length") or 0)
        if sim.drop_next_uploads > 0:
            sim.drop_next_uploads -= 1
            self.rfile.read(n // 2)
            self.close_connection = True
            self.connection.shutdown(2)     # the link drops mid-upload: no answer at all
            return
        data = self.rfile.read(n)
        fault = sim._take_fault("upload")
        if fault:
            return self._error(fault.status, fault.error)
        with sim.lock:
            target = sim.uploads.pop(up, None)
            if target is None or target[1] < time.monotonic():
                return self._error(404, "DiskUploadLinkNotFoundError" if target is None else "DiskUploadLinkExpired")
            if sim.used_space() + len(data) > sim.total_space:
                return self._error(507)
            old = sim.tree.get(target[0])
            sim.tree[target[0]] = Node(False, data, old.created if old else _now())
        self._send(201)

    def _download(self, dl: str) -> None:
        sim = self.sim
        with sim.lock:
            path = sim.downloads.get(dl)
            node = sim.tree.get(path) if path else None
        if node is None:
            return self._send(404, b"<html><body>404 Not Found</body></html>", "text/html")
        self._send(200, node.data, "application/octet-stream")

    # ---- OAuth device flow --------------------------------------------------------------------

    def _oauth(self, route: str, body: bytes) -> None:
        sim = self.sim
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        with sim.lock:
            if route == "/device/code":
                if not form.get("client_id"):
                    return self._send(400, {"error": "invalid_client", "error_description": "Client not found"})
                code = uuid.uuid4().hex
                user_code = uuid.uuid4().hex[:8]
                sim.device[code] = {"user_code": user_code, "approved": False, "polls": 0}
                return self._send(200, {"device_code": code, "user_code": user_code,
                                        "verification_url": "https://ya.ru/device", "interval": 1, "expires_in": 300})
            grant = form.get("grant_type")
            if grant == "device_code":
                d = sim.device.get(form.get("code", ""))
                if d is None:
                    return self._send(400, {"error": "bad_verification_code", "error_description": "Invalid code"})
                d["polls"] += 1
                if not d["approved"] and d["polls"] <= sim.device_pending_polls:
                    return self._send(400, {"error": "authorization_pending",
                                            "error_description": "User has not yet authorized your application"})
                token = f"y0_{uuid.uuid4().hex}"
                sim.tokens.add(token)
                del sim.device[form["code"]]
                return self._send(200, {"access_token": token, "refresh_token": f"r_{uuid.uuid4().hex}",
                                        "expires_in": 31536000, "token_type": "bearer"})
            if grant == "refresh_token":
                token = f"y0_{uuid.uuid4().hex}"
                sim.tokens.add(token)
                return self._send(200, {"access_token": token, "refresh_token": form.get("refresh_token", ""),
                                        "expires_in": 31536000, "token_type": "bearer"})
            return self._send(400, {"error": "unsupported_grant_type", "error_description": "Unsupported grant type"})
