"""The SKO emulator: a loopback TCP server speaking the iKassa service protocol (hal.protocols.ikassa), with faults.

As IKAPI describes the service: it pings every client as soon as it connects and then
periodically, and closes a link whose pong does not come within 2 s; it serves one connection at
a time (a second one gets error 40 on `topics.default.error` and is closed); every answer goes to
the request's replyAddress. State and rules live in sim.sko_state (SQLite under the data directory).
Run standalone with `python -m sim.sko --dir DIR [--port N]`.
"""
from __future__ import annotations

import argparse
import queue
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hal.errors import ProtocolError
from hal.protocols.ikassa import (
    ERROR_ADDRESS,
    FISCAL,
    NEEDS_PRINTER,
    NEEDS_TOKEN,
    PING_ADDRESS,
    PONG_DEADLINE_S,
    Action,
    Envelope,
    FrameCodec,
    MessageType,
    Service,
)
from hal.protocols.ikassa_codes import CODES
from sim.sko_rules import SkoRefusal, SkoType
from sim.sko_state import PRINTERS, SkoState

DEFAULT_ORG = "ООО «Ромашка»"
DEFAULT_UNP = "191234566"
DEFAULT_KSA = "123456789"
MINSK = timezone(timedelta(hours=3))


def _real_now() -> datetime:
    return datetime.now(MINSK)


class _Conn:
    """One accepted client: its socket, the write lock, the ping it still waits a pong for."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.wlock = threading.Lock()
        self.ping_sent_at: float | None = None
        self.done = threading.Event()


class SkoEmulator:
    """A simulated iKassa service with one SKO, on 127.0.0.1, with an uplink queue to a simulated SKKO."""

    def __init__(self, state_dir: Path, *, host: str = "127.0.0.1", port: int = 0, serial: str = "AVQ11169990670",
                 org_name: str = DEFAULT_ORG, unp: str = DEFAULT_UNP, ksa_number: str = DEFAULT_KSA,
                 pin: str = "123456", puk: str = "12345678", kind: SkoType | None = None,
                 clock: Callable[[], datetime] | None = None, byte_order: str = "big", data_as: str = "object",
                 ping_interval: float = 1.0, pong_deadline: float = PONG_DEADLINE_S) -> None:
        self.state_dir = Path(state_dir)
        self._host, self._port = host, port
        self._cfg = dict(serial=serial, org_name=org_name, unp=unp, ksa_number=ksa_number, pin=pin, puk=puk)
        self.kind = kind or SkoType()
        self.clock = clock or _real_now
        self.codec = FrameCodec(byte_order, data_as)
        self.ping_interval = ping_interval
        self.pong_deadline = pong_deadline
        self._lock = threading.RLock()
        self._active: _Conn | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._offline = False
        self._fail_next: tuple[int, str | None] | None = None
        self._drop_next = False
        self._garble_next = False
        self._drop_then_offline = self._garble_then_offline = self._send_then_offline = False
        self._delay = 0.0
        self._listener: socket.socket | None = None
        self.state: SkoState | None = None
        self.requests = 0
        self.refused_connections = 0

    # -- life -------------------------------------------------------------------------------------
    def start(self) -> SkoEmulator:
        self.state = SkoState(self.state_dir, kind=self.kind, clock=self.clock, **self._cfg)  # type: ignore[arg-type]
        self._stopping.clear()
        self._listen()
        return self

    def _listen(self) -> None:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((self._host, self._port))
        ls.listen(8)
        ls.settimeout(0.1)
        self._listener = ls
        self._port = ls.getsockname()[1]
        self._spawn(self._accept_loop, "sko-accept", ls)

    def _unlisten(self) -> None:
        ls, self._listener = self._listener, None
        if ls is not None:
            try:
                ls.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            ls.close()

    def stop(self) -> None:
        """Stop answering, close the connection, join the threads, close the database."""
        self._stopping.set()
        self._unlisten()
        self._drop_connection()
        for t in list(self._threads):
            t.join(timeout=2)
        self._threads.clear()
        if self.state is not None:
            with self._lock:
                self.state.close()
            self.state = None

    def __enter__(self) -> SkoEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def address(self) -> str:
        return f"{self._host}:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    def _st(self) -> SkoState:
        if self.state is None:
            raise RuntimeError("the SKO emulator is not started")
        return self.state

    # -- fault controls ---------------------------------------------------------------------------
    def set_offline(self, offline: bool) -> None:
        """Offline: the link is dropped and nothing listens on the port (connections are refused)."""
        if offline and not self._offline:
            self._offline = True
            self._unlisten()
            self._drop_connection()
        elif not offline and self._offline:
            self._offline = False
            self._listen()

    def set_uplink(self, online: bool) -> None:
        with self._lock:
            self._st().uplink_online = online
            if online:
                self._st().flush_uplink()

    def fail_next(self, code: int, action: str | None = None) -> None:
        """The next fiscal request (or the next `action`) is refused with this published code, not executed."""
        self._fail_next = (code, action)

    def drop_next_answer(self, then_offline: bool = False) -> None:
        """The next fiscal request (a document registration) is executed and committed, then the link drops before
        the answer is sent; with `then_offline` the emulator also goes offline at that moment (as if killed)."""
        self._drop_next = True
        self._drop_then_offline = then_offline

    def garble_next_answer(self, then_offline: bool = False) -> None:
        """The next fiscal request is executed and committed, then a corrupted frame is sent instead of the answer;
        with `then_offline` the emulator goes offline right after it."""
        self._garble_next = True
        self._garble_then_offline = then_offline

    def set_delay(self, seconds: float) -> None:
        self._delay = max(0.0, seconds)

    def set_requisites(self, org_name: str, unp: str, ksa_number: str) -> None:
        with self._lock:
            self._st().set_requisites(org_name, unp, ksa_number)

    def unsent_count(self) -> int:
        with self._lock:
            return self._st().unsent_count()

    def flush_uplink(self) -> int:
        with self._lock:
            return self._st().flush_uplink()

    def skko_numbers(self) -> list[int]:
        with self._lock:
            return self._st().skko_numbers()

    # -- server -----------------------------------------------------------------------------------
    def _spawn(self, target: Any, name: str, *args: Any) -> None:
        t = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads = [x for x in self._threads if x.is_alive()]
        self._threads.append(t)
        t.start()

    def _drop_connection(self) -> None:
        conn = self._active
        if conn is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _accept_loop(self, ls: socket.socket) -> None:
        while not self._stopping.is_set() and self._listener is ls:
            try:
                sock, _ = ls.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            active = self._active
            if active is not None and not active.done.wait(1.0):     # a client that just left may still be closing
                self._refuse(sock)
                continue
            conn = _Conn(sock)
            self._active = conn
            self._spawn(self._serve, "sko-conn", conn)
            self._spawn(self._ping_loop, "sko-ping", conn)

    def _refuse(self, sock: socket.socket) -> None:
        """IKAPI: «Одновременно к сервису iKassa может быть 1 подключение»: error 40 to topics.default.error, close."""
        self.refused_connections += 1
        try:
            sock.sendall(self.codec.encode(self._error_env(ERROR_ADDRESS, "", 40, "another client holds the service")))
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def _send(self, conn: _Conn, env: Envelope | bytes) -> None:
        data = env if isinstance(env, bytes) else self.codec.encode(env)
        with conn.wlock:
            conn.sock.sendall(data)

    def _ping_loop(self, conn: _Conn) -> None:
        """Ping at once, then every interval; no pong within the deadline closes the link (IKAPI)."""
        next_ping = 0.0
        while not conn.done.is_set() and not self._stopping.is_set():
            now = time.monotonic()
            if conn.ping_sent_at is not None and now - conn.ping_sent_at > self.pong_deadline:
                self._close_conn(conn)
                return
            if conn.ping_sent_at is None and now >= next_ping:
                conn.ping_sent_at, next_ping = now, now + self.ping_interval
                try:
                    self._send(conn, Envelope(MessageType.PING, PING_ADDRESS, {}, None, f"sko.pong.{id(conn)}"))
                except OSError:
                    return
            conn.done.wait(0.05)

    def _close_conn(self, conn: _Conn) -> None:
        try:
            conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _recv_exact(self, conn: _Conn, size: int) -> bytes:
        buf = bytearray()
        while len(buf) < size:
            try:
                chunk = conn.sock.recv(size - len(buf))
            except OSError:
                raise ConnectionError("link down") from None
            if not chunk:
                raise ConnectionError("peer closed")
            buf += chunk
        return bytes(buf)

    def _serve(self, conn: _Conn) -> None:
        """The reader: pongs and pings at once, requests to the worker (a slow request never stops the pongs)."""
        work: queue.Queue[Envelope | None] = queue.Queue()
        self._spawn(self._work, "sko-work", conn, work)
        try:
            while not self._stopping.is_set():
                try:
                    msg = self.codec.read(lambda n: self._recv_exact(conn, n))
                except ProtocolError as e:
                    self._send(conn, self._error_env(ERROR_ADDRESS, "", 2011, e.detail))
                    return       # the stream may be out of step: make the client start afresh
                if msg.type is MessageType.PONG:
                    conn.ping_sent_at = None
                elif msg.type is MessageType.PING:
                    self._send(conn, Envelope(MessageType.PONG, msg.reply_address or PING_ADDRESS))
                elif msg.type is MessageType.SEND:
                    work.put(msg)    # publish / listen have no answer (IKAPI: publish «Не имеет ответа»)
        except (ConnectionError, OSError):
            return
        finally:
            work.put(None)
            conn.done.set()
            if self._active is conn:
                self._active = None
            self._close_conn(conn)
            conn.sock.close()

    def _work(self, conn: _Conn, work: queue.Queue) -> None:
        """One request after the other, each answered to its replyAddress (or not, under a fault)."""
        while (msg := work.get()) is not None:
            answer = self._handle(msg)
            try:
                if answer is None:
                    self._close_conn(conn)
                    return
                if self._send_then_offline:       # gone before the client can come back to ask
                    self._send_then_offline = False
                    self._offline = True
                    self._unlisten()
                    self._send(conn, answer)
                    self._close_conn(conn)
                    return
                self._send(conn, answer)
            except OSError:
                return

    def _error_env(self, address: str, action: str, code: int, detail: str) -> Envelope:
        p = CODES.get(code)
        data = {"statusCode": p.status if p else 500, "code": code, "name": p.name if p else "UNKNOWN",
                "message": (p.message or p.name) if p else detail, "detail": detail}
        return Envelope(MessageType.ERROR, address, {"action": action} if action else {}, data)

    def _handle(self, msg: Envelope) -> Envelope | bytes | None:
        reply_to = msg.reply_address or ERROR_ADDRESS
        self.requests += 1
        try:
            action = Action(msg.action)
        except ValueError:
            return self._error_env(reply_to, msg.action, 2042, f"unknown action {msg.action[:40]!r}")
        fiscal = action in FISCAL
        if self._fail_next is not None and (self._fail_next[1] == action.value or (self._fail_next[1] is None and fiscal)):
            code, self._fail_next = self._fail_next[0], None
            return self._error_env(reply_to, action.value, code, "injected fault")
        try:
            with self._lock:
                data = self._dispatch(action, msg)
            answer: Envelope | bytes = Envelope(MessageType.SEND, reply_to, {"action": action.value}, data)
        except SkoRefusal as r:
            answer = self._error_env(reply_to, action.value, r.code, r.detail)
        except Exception as e:  # noqa: BLE001 - a bug in the emulator is answered as the service's own 500
            answer = self._error_env(reply_to, action.value, 2023, f"emulator failure: {type(e).__name__}: {e}")
        if fiscal and self._drop_next:
            self._drop_next = False
            if self._drop_then_offline:
                self.set_offline(True)
            return None
        if fiscal and self._garble_next:
            self._garble_next = False
            answer = self.codec.frame.build(b'{"type"')      # a whole frame whose JSON breaks off
            self._send_then_offline = self._garble_then_offline
        if self._delay:
            self._stopping.wait(self._delay)
        return answer

    def _dispatch(self, action: Action, msg: Envelope) -> Any:
        st = self._st()
        if action in NEEDS_TOKEN and msg.headers.get("token") != st.get("serial"):
            raise SkoRefusal(2010, f"no SKO with serial {msg.headers.get('token', '')[:20]!r}")
        if action in NEEDS_PRINTER and msg.headers.get("printerAddr") not in {p["addr"] for p in PRINTERS}:
            raise SkoRefusal(2030, f"printer {msg.headers.get('printerAddr', '')[:30]!r} is not known")
        st.flush_uplink()
        d = msg.data
        out = st.serve(action, d)
        if action in FISCAL:
            st.flush_uplink()
        return out

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.sko", description="the simulated iKassa service on loopback TCP")
    parser.add_argument("--dir", required=True, type=Path, help="state directory (sko.sqlite)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--byte-order", choices=("big", "little"), default="big")
    args = parser.parse_args(argv)
    emu = SkoEmulator(args.dir, port=args.port, byte_order=args.byte_order).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"sko {emu.address} {Service.TOKEN.value}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
