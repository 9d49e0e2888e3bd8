"""A Bitrix24 portal simulator on loopback: the incoming-webhook REST of the trade catalogue (catalog.*), batch, limits.

Follows the official REST docs (github.com/bitrix24/b24restdocs, as summarised in the project's
external-systems brief §4): `POST /rest/<user>/<secret>/<method>[.json]` with a JSON body;
every answer carries `result` and a `time` object; lists return 50 rows a page with `total`
and `next`, `start: -1` skips the count; `catalog.product.list` demands `id` and `iblockId` in
`select` and `iblockId` in `filter`; filter keys take the prefixes = != ! > >= < <= @ % ;
`batch` runs up to 50 sub-calls given as PHP-style query strings. The request-rate limit is
the documented leaky bucket (X = 50, Y = 2/s for non-Enterprise plans): past it every call
answers 503 QUERY_LIMIT_EXCEEDED. A wrong webhook code is 401 NO_AUTH_FOUND, an unknown method
404 ERROR_METHOD_NOT_FOUND, a free plan 403 ACCESS_DENIED.
"""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

PAGE = 50
_LISTS = {  # method → (table, result key)
    "catalog.catalog.list": ("catalogs", "catalogs"),
    "catalog.section.list": ("sections", "sections"),
    "catalog.product.list": ("products", "products"),
    "catalog.product.offer.list": ("offers", "offers"),
    "catalog.price.list": ("prices", "prices"),
    "catalog.priceType.list": ("priceTypes", "priceTypes"),
    "catalog.vat.list": ("vats", "vats"),
    "catalog.measure.list": ("measures", "measures"),
    "catalog.store.list": ("stores", "stores"),
    "catalog.storeproduct.list": ("storeProducts", "storeProducts"),
}


def php_query_to_dict(query: str) -> dict:
    """`filter[@productId][0]=5&select[]=id` → {"filter": {"@productId": ["5"]}, "select": ["id"]} (PHP's rules)."""
    out: dict = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        path = [key.split("[", 1)[0]] + re.findall(r"\[([^\]]*)\]", key)
        node = out
        for i, p in enumerate(path):
            if p == "":
                p = str(len(node))          # `name[]`: append
            if i == len(path) - 1:
                node[p] = value
            else:
                node = node.setdefault(p, {})
    return _lists(out)


def _lists(d):
    """Dicts whose keys are 0..n-1 (PHP arrays) become lists."""
    if isinstance(d, dict):
        d = {k: _lists(v) for k, v in d.items()}
        if d and all(k.isdigit() for k in d) and sorted(int(k) for k in d) == list(range(len(d))):
            return [d[str(i)] for i in range(len(d))]
    elif isinstance(d, list):
        return [_lists(v) for v in d]
    return d


def _match(row: dict, key: str, want) -> bool:
    m = re.match(r"^(>=|<=|!=|!%|=%|%=|>|<|=|!|@|%)?(.+)$", key)
    op, name = m.group(1) or "=", m.group(2)
    have = row.get(name)
    if isinstance(have, dict):
        have = have.get("value")

    def num(v):
        try:
            return float(v)
        except (TypeError, ValueError):
            return v
    if op in ("=", "@"):
        return str(have) in {str(w) for w in want} if isinstance(want, list) else str(have) == str(want)
    if op in ("!", "!="):
        return str(have) not in {str(w) for w in want} if isinstance(want, list) else str(have) != str(want)
    if op == "%":
        return str(want).lower() in str(have).lower()
    if have is None:
        return False
    a, b = num(have), num(want)
    return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}.get(op, False)


@dataclass
class Bitrix24Sim:
    """The portal's data and knobs; `start()` serves it on 127.0.0.1."""
    user_id: int = 1
    secret: str = "s3cr3tw3bh00k"
    bucket_size: int = 50          # X
    drain_per_s: float = 2.0       # Y
    commercial: bool = True
    tables: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t, _ in _LISTS.values()})
    calls: list[str] = field(default_factory=list)
    limited: int = 0               # how many calls were refused with QUERY_LIMIT_EXCEEDED
    _level: float = 0.0
    _stamp: float = field(default_factory=time.monotonic)
    _server: ThreadingHTTPServer | None = None
    port: int = 0

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/rest/{self.user_id}/{self.secret}/"

    def start(self) -> "Bitrix24Sim":
        sim = self

        class Handler(_Handler):
            pass
        Handler.sim = sim
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def add(self, table: str, **row) -> dict:
        self.tables[table].append(row)
        return row

    def _admit(self) -> bool:
        """The leaky bucket: +1 a request, -Y a second; refused once the level would pass X."""
        with self._lock:
            now = time.monotonic()
            self._level = max(0.0, self._level - (now - self._stamp) * self.drain_per_s)
            self._stamp = now
            if self._level + 1 > self.bucket_size:
                self.limited += 1
                return False
            self._level += 1
            return True

    # ---- methods ------------------------------------------------------------------------------

    def call(self, method: str, params: dict) -> tuple[int, dict]:
        if method == "batch":
            return self._batch(params)
        if method not in _LISTS:
            return 404, {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}
        table, key = _LISTS[method]
        select = params.get("select") or []
        flt = params.get("filter") or {}
        if method in ("catalog.product.list", "catalog.product.offer.list"):
            if "id" not in select or "iblockId" not in select or "iblockId" not in flt:
                return 400, {"error": 0, "error_description": "Required fields: select id, iblockId; filter iblockId"}
        if method == "catalog.section.list" and "iblockId" not in flt:
            return 400, {"error": 0, "error_description": "Required filter field: iblockId"}
        rows = [r for r in self.tables[table] if all(_match(r, k, v) for k, v in flt.items())]
        for col, direction in reversed(list((params.get("order") or {"id": "asc"}).items())):
            rows.sort(key=lambda r: (r.get(col) is None, r.get(col)), reverse=str(direction).lower() == "desc")
        start = int(params.get("start", 0) or 0)
        page = rows[max(start, 0):max(start, 0) + PAGE]
        if select and select != ["*"]:
            page = [{k: v for k, v in r.items() if k in select} for r in page]
        body: dict = {"result": {key: page}}
        if start != -1:
            body["total"] = len(rows)
            if start + PAGE < len(rows):
                body["next"] = start + PAGE
        return 200, body

    def _batch(self, params: dict) -> tuple[int, dict]:
        cmd = params.get("cmd") or {}
        if len(cmd) > 50:
            return 400, {"error": "ERROR_BATCH_LENGTH_EXCEEDED", "error_description": "Max batch length exceeded"}
        result, errors, totals, nexts = {}, {}, {}, {}
        for name, line in cmd.items():
            method, _, query = line.partition("?")
            if method == "batch":
                return 405, {"error": "ERROR_BATCH_METHOD_NOT_ALLOWED", "error_description": "Method is not allowed"}
            status, body = self.call(method, php_query_to_dict(query))
            if status != 200:
                errors[name] = body
                if params.get("halt"):
                    break
                continue
            result[name] = body["result"]
            if "total" in body:
                totals[name] = body["total"]
            if "next" in body:
                nexts[name] = body["next"]
        return 200, {"result": {"result": result, "result_error": errors, "result_total": totals,
                                "result_next": nexts, "result_time": {}}}


class _Handler(BaseHTTPRequestHandler):
    sim: Bitrix24Sim
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: dict) -> None:
        t = time.time()
        body.setdefault("time", {"start": t, "finish": t + 0.01, "duration": 0.01, "processing": 0.005,
                                 "date_start": time.strftime("%Y-%m-%dT%H:%M:%S+03:00"),
                                 "date_finish": time.strftime("%Y-%m-%dT%H:%M:%S+03:00"), "operating": 0})
        raw = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        sim = self.sim
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        m = re.match(r"^/rest/(\d+)/([^/]+)/([\w.]+?)(?:\.json)?$", urlsplit(self.path).path)
        if not m:
            return self._send(404, {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"})
        if not sim._admit():
            return self._send(503, {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"})
        if int(m.group(1)) != sim.user_id or m.group(2) != sim.secret:
            return self._send(401, {"error": "NO_AUTH_FOUND", "error_description": "Wrong authorization data"})
        if not sim.commercial:
            return self._send(403, {"error": "ACCESS_DENIED",
                                    "error_description": "REST API is available only on commercial plans"})
        ctype = self.headers.get("Content-Type", "")
        try:
            params = json.loads(raw or b"{}") if "json" in ctype or raw[:1] == b"{" else php_query_to_dict(raw.decode())
        except ValueError:
            return self._send(400, {"error": "INVALID_REQUEST", "error_description": "Bad JSON"})
        sim.calls.append(m.group(3))
        status, body = sim.call(m.group(3), params)
        self._send(status, body)
