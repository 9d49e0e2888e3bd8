"""A stand-in iKassa service for driver tests: it pings first, then answers each action with a recorded message.

Frames are built here with `struct` and `json`, not with our codec, and the answers are the published
examples in fixtures/ikassa (or whatever a test puts in `answers`): what the driver reads is what the
references show, not what our emulator writes.
"""
from __future__ import annotations

import json
import socket
import struct
import threading
import time
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "ikassa"


def published(name: str) -> Any:
    obj = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    if isinstance(obj, dict):
        obj.pop("_source", None)
        if set(obj) == {"answer"}:
            return obj["answer"]
    return obj


class ReplayService:
    """`answers[action]` is the data of the reply (a callable gets the request), `errors[action]` an error's data."""

    def __init__(self, answers: dict[str, Any] | None = None, errors: dict[str, dict] | None = None,
                 ping_first: bool = True, ping_every: float | None = None, order: str = ">") -> None:
        self.answers = dict(answers or {})
        self.errors = dict(errors or {})
        self.ping_first = ping_first
        self.ping_every = ping_every
        self.order = order
        self.requests: list[dict] = []
        self.pongs: list[tuple[float, dict]] = []
        self.pings_sent: list[float] = []
        self.silent: set[str] = set()           # actions left unanswered
        self._ls = socket.create_server(("127.0.0.1", 0))
        self._ls.settimeout(0.1)
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._ls.getsockname()[1]}"

    def close(self) -> None:
        self._stop.set()
        for c in self._conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._ls.close()

    def __enter__(self) -> ReplayService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def frame(self, obj: dict) -> bytes:
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        return struct.pack(f"{self.order}i", len(body)) + body

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                c, _ = self._ls.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._conns.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _ping(self, c: socket.socket) -> None:
        self.pings_sent.append(time.monotonic())
        c.sendall(self.frame({"type": "ping", "address": "topics.default.ping", "replyAddress": "ik.pong.1",
                              "headers": {}}))

    def _exact(self, c: socket.socket, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = c.recv(n - len(buf))
            if not chunk:
                raise OSError("closed")
            buf += chunk
        return buf

    def _serve(self, c: socket.socket) -> None:
        try:
            if self.ping_first:
                self._ping(c)
            if self.ping_every:
                def pinger() -> None:
                    while not self._stop.wait(self.ping_every):
                        try:
                            self._ping(c)
                        except OSError:
                            return
                threading.Thread(target=pinger, daemon=True).start()
            while not self._stop.is_set():
                size = struct.unpack(f"{self.order}i", self._exact(c, 4))[0]
                msg = json.loads(self._exact(c, size))
                if msg.get("type") == "pong":
                    self.pongs.append((time.monotonic(), msg))
                    continue
                self.requests.append(msg)
                action = msg.get("headers", {}).get("action", "")
                if action in self.silent:
                    continue
                reply = msg.get("replyAddress", "topics.default.error")
                if action in self.errors:
                    c.sendall(self.frame({"type": "error", "address": reply, "headers": {"action": action},
                                          "data": self.errors[action]}))
                    continue
                data = self.answers.get(action, {"result": "Ok"})
                if callable(data):
                    data = data(msg)
                c.sendall(self.frame({"type": "send", "address": reply, "headers": {"action": action}, "data": data}))
        except (OSError, ValueError, struct.error):
            pass
        finally:
            c.close()
