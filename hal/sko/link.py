"""One TCP connection to the iKassa service: a reader thread answers the service's pings and routes replies.

IKAPI: «После подключения, сервис iKassa периодически шлёт PING запросы» and closes the link when
no pong comes within two seconds, so pings are answered by the reader as they arrive, whether or
not a request is waiting. A request carries its own `replyAddress`; the message addressed to it
(type send, or error) is its answer, and anything else that arrives is logged and dropped (a late
answer to a request that already timed out cannot be taken for the current one). An error sent to
`topics.default.error` before the service closes a fresh link (a second connection, IKAPI «Одновременно
к сервису iKassa может быть 1 подключение») is kept as the reason the link ended.
"""
from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass, field

from hal.errors import ProtocolError, TransportError
from hal.protocols.ikassa import ERROR_ADDRESS, PING_ADDRESS, Envelope, FrameCodec, MessageType
from hal.transport import tracing_enabled

log = logging.getLogger("zpos.sko")


class LinkClosed(Exception):
    """The link ended before the answer came. `service_error` is the error the service said first, if any;
    `heard` tells whether anything at all came on this link (a silent close of a fresh link means "busy")."""

    def __init__(self, detail: str, service_error: Envelope | None, heard: bool, garbled: ProtocolError | None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.service_error = service_error
        self.heard = heard
        self.garbled = garbled


@dataclass
class _Waiter:
    event: threading.Event = field(default_factory=threading.Event)
    answer: Envelope | None = None
    closed: LinkClosed | None = None


class Link:
    def __init__(self, host: str, port: int, codec: FrameCodec, connect_timeout: float) -> None:
        self.name = f"{host}:{port}"
        self._codec = codec
        try:
            self._sock = socket.create_connection((host, port), timeout=connect_timeout)
        except OSError as e:
            raise TransportError("NOT_CONNECTED", f"cannot connect to {self.name}: {e.strerror or e}", "СКО") from None
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.settimeout(None)
        self._trace = logging.getLogger(f"zpos.trace.{self.name}") if tracing_enabled() else None
        self._wlock = threading.Lock()
        self._lock = threading.Lock()
        self._waiters: dict[str, _Waiter] = {}
        self._closed: LinkClosed | None = None
        self._service_error: Envelope | None = None
        self.heard = False
        self.pings = 0
        self._reader = threading.Thread(target=self._read_loop, name=f"sko-link-{self.name}", daemon=True)
        self._reader.start()

    @property
    def alive(self) -> bool:
        return self._closed is None

    def call(self, env: Envelope, timeout: float) -> Envelope:
        """Send `env` and wait for the message addressed to its replyAddress.

        TransportError LINK_DOWN (never sent) when the write fails; NO_ANSWER when nothing came in
        time; LinkClosed when the link ended after sending."""
        if not env.reply_address:
            raise ValueError("a request needs a replyAddress")
        waiter = _Waiter()
        with self._lock:
            if self._closed is not None:
                raise TransportError("LINK_DOWN", f"{self.name}: link already closed ({self._closed.detail})", "СКО")
            self._waiters[env.reply_address] = waiter
        try:
            self._write(self._codec.encode(env))
        except OSError as e:
            self._forget(env.reply_address)
            raise TransportError("LINK_DOWN", f"send to {self.name} failed: {e}", "СКО") from None
        if not waiter.event.wait(timeout):
            self._forget(env.reply_address)
            raise TransportError("NO_ANSWER", f"no answer from {self.name} within {timeout:g} s "
                                 f"to {env.address} {env.action}", "СКО")
        if waiter.answer is not None:
            return waiter.answer
        raise waiter.closed  # type: ignore[misc]

    def close(self) -> None:
        """Shut the socket down (so the service sees the end at once) and let the reader finish."""
        self._end(LinkClosed("closed by the register", None, self.heard, None))
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        if threading.current_thread() is not self._reader:
            self._reader.join(timeout=1.0)

    # -- internals --------------------------------------------------------------------------------
    def _forget(self, reply_address: str) -> None:
        with self._lock:
            self._waiters.pop(reply_address, None)

    def _write(self, frame: bytes) -> None:
        if self._trace:
            self._trace.debug(">> %s", frame.hex(" "))
        with self._wlock:
            self._sock.sendall(frame)

    def _read_exact(self, size: int) -> bytes:
        buf = bytearray()
        while len(buf) < size:
            try:
                chunk = self._sock.recv(size - len(buf))
            except OSError as e:
                raise ConnectionError(f"receive from {self.name} failed: {e}") from None
            if not chunk:
                raise ConnectionError(f"{self.name} closed the connection"
                                      + (f" ({len(buf)} of {size} bytes read)" if buf else ""))
            buf += chunk
        if self._trace:
            self._trace.debug("<< %s", bytes(buf).hex(" "))
        return bytes(buf)

    def _read_loop(self) -> None:
        while True:
            try:
                env = self._codec.read(self._read_exact)
            except ProtocolError as e:
                self._end(LinkClosed(f"garbled frame from {self.name}: {e.detail}", self._service_error, self.heard, e))
                self._shutdown_quietly()
                return
            except ConnectionError as e:
                self._end(LinkClosed(str(e), self._service_error, self.heard, None))
                return
            self.heard = True
            if env.type is MessageType.PING:
                self.pings += 1
                try:
                    self._write(self._codec.encode(Envelope(MessageType.PONG, env.reply_address or PING_ADDRESS)))
                except OSError:
                    pass        # the reader sees the end of the link next
                continue
            with self._lock:
                waiter = self._waiters.pop(env.address, None)
            if waiter is not None:
                waiter.answer = env
                waiter.event.set()
            elif env.type is MessageType.ERROR and env.address in (ERROR_ADDRESS, ""):
                self._service_error = env
            else:
                log.info("SKO message for no waiting request dropped: %s %s %s", env.type.value, env.address,
                         env.action)

    def _shutdown_quietly(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _end(self, why: LinkClosed) -> None:
        with self._lock:
            if self._closed is None:
                self._closed = why
            waiters, self._waiters = list(self._waiters.values()), {}
        for w in waiters:
            w.closed = why
            w.event.set()
