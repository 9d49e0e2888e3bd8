"""A small HTTP client over http.client: timeouts, redirects, streamed bodies; errors carry no secrets."""
from __future__ import annotations

import http.client
import os
import ssl
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

CONNECT_ERRORS = (OSError, http.client.HTTPException)


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]      # lower-case names
    body: bytes


def _connection(url: str, timeout: float, context: ssl.SSLContext | None):
    u = urlsplit(url)
    if u.scheme == "https":
        return http.client.HTTPSConnection(u.hostname, u.port or 443, timeout=timeout,
                                           context=context or ssl.create_default_context())
    if u.scheme == "http":
        return http.client.HTTPConnection(u.hostname, u.port or 80, timeout=timeout)
    raise ValueError(f"not an http(s) URL: {u.scheme}")


def request(method: str, url: str, *, headers: dict[str, str] | None = None, body: bytes | BinaryIO | None = None,
            timeout: float = 30.0, follow: bool = True, to_file: str | None = None,
            context: ssl.SSLContext | None = None) -> Response:
    """One request; a 3xx is followed (GET only, up to 5 times) when `follow`; `to_file` streams a 2xx body there."""
    for _ in range(6):
        conn = _connection(url, timeout, context)
        u = urlsplit(url)
        path = (u.path or "/") + (f"?{u.query}" if u.query else "")
        hdrs = dict(headers or {})
        if body is not None and not isinstance(body, bytes | bytearray):
            hdrs.setdefault("Content-Length", str(os.fstat(body.fileno()).st_size))
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            h = {k.lower(): v for k, v in resp.getheaders()}
            if follow and resp.status in (301, 302, 303, 307, 308) and "location" in h and method in ("GET", "HEAD"):
                resp.read()
                url = urljoin(url, h["location"])
                continue
            if to_file is not None and 200 <= resp.status < 300:
                with open(to_file, "wb") as f:
                    while chunk := resp.read(1 << 16):
                        f.write(chunk)
                return Response(resp.status, h, b"")
            return Response(resp.status, h, resp.read())
        finally:
            conn.close()
    raise http.client.HTTPException("too many redirects")
