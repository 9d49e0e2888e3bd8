"""The SKO emulator: a loopback TCP server speaking hal.protocols.sko_frame, with scriptable faults.

State and rules live in sim.sko_state (SQLite under the data directory); this module is the
server around them: one thread accepting, one per connection, one lock over the state.
Run standalone with `python -m sim.sko --dir DIR [--port N]`.
"""
from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

from hal.errors import ProtocolError
from hal.protocols.sko_frame import (
    EXTRA_CODES,
    Action,
    Message,
    MessageType,
    code_message,
    code_name,
    encode_message,
    read_message,
)
from sim.sko_rules import SkoRefusal
from sim.sko_state import SkoState

DEFAULT_ORG = "ООО «Ромашка»"
DEFAULT_UNP = "191234566"
DEFAULT_KSA = "123456789"


class _Stopped(Exception):
    """The connection ended (peer closed, emulator stopped or set offline)."""


class SkoEmulator:
    """A simulated SKO on 127.0.0.1 with real ECDSA signatures and an uplink queue to a simulated SKKO."""

    def __init__(self, state_dir: Path, *, host: str = "127.0.0.1", port: int = 0, serial: str = "AVQ11169990670",
                 org_name: str = DEFAULT_ORG, unp: str = DEFAULT_UNP, ksa_number: str = DEFAULT_KSA,
                 pin: str = "123456", puk: str = "12345678", unsent_limit_hours: int | None = 72,
                 unsent_limit_count: int | None = None) -> None:
        self.state_dir = Path(state_dir)
        self._host, self._port = host, port
        self._cfg = dict(serial=serial, org_name=org_name, unp=unp, ksa_number=ksa_number, pin=pin, puk=puk,
                         unsent_limit_hours=unsent_limit_hours, unsent_limit_count=unsent_limit_count)
        self._lock = threading.RLock()
        self._conns: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._offline = False
        self._fail_next: int | None = None
        self._drop_next = False
        self._drop_then_offline = False
        self._delay = 0.0
        self._listener: socket.socket | None = None
        self.state: SkoState | None = None
        self.requests = 0

    # -- life -------------------------------------------------------------------------------------
    def start(self) -> "SkoEmulator":
        self.state = SkoState(self.state_dir, **self._cfg)  # type: ignore[arg-type]
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((self._host, self._port))
        ls.listen(8)
        ls.settimeout(0.1)
        self._listener = ls
        self._port = ls.getsockname()[1]
        self._stopping.clear()
        self._spawn(self._accept_loop, "sko-accept")
        return self

    def stop(self) -> None:
        """Stop answering, close every connection, join the threads, close the database."""
        self._stopping.set()
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)   # wakes the accept() at once on Linux
            except OSError:
                pass
        self._drop_connections()
        for t in list(self._threads):
            t.join(timeout=2)
        self._threads.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self.state is not None:
            with self._lock:
                self.state.close()
            self.state = None

    def __enter__(self) -> "SkoEmulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def address(self) -> str:
        return f"{self._host}:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    @property
    def public_key_pem(self) -> str:
        return self._st().public_key_pem

    def _st(self) -> SkoState:
        if self.state is None:
            raise RuntimeError("the SKO emulator is not started")
        return self.state

    # -- fault controls ---------------------------------------------------------------------------
    def set_offline(self, offline: bool) -> None:
        """Offline: every open link is dropped and new ones are closed at once, unanswered."""
        self._offline = offline
        if offline:
            self._drop_connections()

    def set_uplink(self, online: bool) -> None:
        with self._lock:
            self._st().uplink_online = online
            if online:
                self._st().flush_uplink()

    def fail_next(self, sko_code: int) -> None:
        """The next request is refused with this SKO code, without being executed."""
        self._fail_next = sko_code

    def drop_next_answer(self, then_offline: bool = False) -> None:
        """The next document registration is executed and committed, then the link drops before the answer is sent;
        with `then_offline` the emulator also goes offline at that moment (as if killed mid-answer)."""
        self._drop_next = True
        self._drop_then_offline = then_offline

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
        """Document numbers in the order the simulated SKKO received them."""
        with self._lock:
            return self._st().skko_numbers()

    # -- server -----------------------------------------------------------------------------------
    def _spawn(self, target: Any, name: str, *args: Any) -> None:
        t = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads = [x for x in self._threads if x.is_alive()]
        self._threads.append(t)
        t.start()

    def _drop_connections(self) -> None:
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _accept_loop(self) -> None:
        ls = self._listener
        while not self._stopping.is_set() and ls is not None:
            try:
                conn, _ = ls.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._offline:
                conn.close()
                continue
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._conns.add(conn)
            self._spawn(self._serve, "sko-conn", conn)

    def _recv_exact(self, conn: socket.socket, size: int) -> bytes:
        buf = bytearray()
        conn.settimeout(0.2)
        while len(buf) < size:
            if self._stopping.is_set() or self._offline:
                raise _Stopped()
            try:
                chunk = conn.recv(size - len(buf))
            except TimeoutError:
                continue
            except OSError:
                raise _Stopped() from None
            if not chunk:
                raise _Stopped()
            buf += chunk
        return bytes(buf)

    def _serve(self, conn: socket.socket) -> None:
        try:
            while True:
                try:
                    msg = read_message(lambda n: self._recv_exact(conn, n))
                except ProtocolError as e:
                    conn.sendall(encode_message(_error(Message(MessageType.REQUEST), 29, e.message)))
                    return   # the stream may be out of step: make the client start afresh
                answer = self._handle(msg)
                if answer is None:
                    return
                conn.sendall(encode_message(answer))
        except (_Stopped, OSError):
            return
        finally:
            with self._lock:
                self._conns.discard(conn)
            conn.close()

    def _handle(self, msg: Message) -> Message | None:
        if msg.type is MessageType.PING:
            return Message(MessageType.PONG, msg.address, msg.action, msg.op_id, self._serial(), msg.id)
        if msg.type is not MessageType.REQUEST:
            return _error(msg, 5, f"expected a request or ping, got {msg.type.value}")
        self.requests += 1
        if self._fail_next is not None:
            code, self._fail_next = self._fail_next, None
            return _error(msg, code, "injected fault")
        try:
            with self._lock:
                data = self._dispatch(msg)
            answer = Message(MessageType.RESPONSE, msg.address, msg.action, msg.op_id, self._serial(), msg.id, data)
        except SkoRefusal as r:
            answer = _error(msg, r.sko_code, r.detail, r.name)
        except Exception as e:  # noqa: BLE001 - any bug in the emulator becomes a protocol-level refusal
            answer = _error(msg, 24, f"emulator failure: {type(e).__name__}: {e}")
        if self._drop_next and msg.action == Action.REGISTER.value:
            self._drop_next = False
            if self._drop_then_offline:
                self.set_offline(True)
            return None
        if self._delay:
            self._stopping.wait(self._delay)
        return answer

    def _serial(self) -> str:
        with self._lock:
            return self.state.get("serial") if self.state is not None else ""

    def _dispatch(self, msg: Message) -> dict[str, Any]:
        st = self._st()
        if msg.serial and msg.serial != st.get("serial"):
            raise SkoRefusal(29, f"request for SKO {msg.serial}, this is {st.get('serial')}")
        st.flush_uplink()
        d = msg.data
        action = Action(msg.action)
        if action is Action.INFO:
            return st.info()
        if action is Action.AUTHORIZE:
            st.authorize(d.get("pin"))
            return {}
        if action is Action.CHANGE_PIN:
            st.change_pin(d.get("puk"), d.get("new_pin"))
            return {}
        if action is Action.LOGOUT:
            st.logout()
            return {}
        if action is Action.STATUS:
            return st.status(_opt_time(d))
        if action is Action.REGISTER:
            reg = st.register(d)
            st.flush_uplink()
            return reg
        if action is Action.X_COUNTERS:
            return st.x_counters(_opt_time(d))
        if action is Action.LOOKUP:
            reg = st.lookup(d.get("op_id") or msg.op_id)
            return {"found": reg is not None, "registration": reg}
        return st.document(d.get("number"))


def _opt_time(d: dict[str, Any]) -> str | None:
    t = d.get("time")
    return t if isinstance(t, str) and t else None


def _error(msg: Message, sko_code: int, detail: str, name: str = "") -> Message:
    name = name or code_name(sko_code)
    message = EXTRA_CODES[name][1] if name in EXTRA_CODES else code_message(sko_code)
    return Message(MessageType.ERROR, msg.address, msg.action, msg.op_id, "", msg.id,
                   {"code": sko_code, "name": name, "message": message, "detail": detail})


def apply_ctl(emu: SkoEmulator, words: list[str]) -> str:
    """One `zpos sim ctl sko ...` / scenario `sko:` command; returns a one-line confirmation.

    Words: offline | online | uplink_offline | uplink_online | error N | delay SECONDS |
    drop_answer | flush | status.
    """
    if not words:
        raise ValueError("sko: say offline, online, uplink_offline, uplink_online, error N, delay S, "
                         "drop_answer, flush or status")
    cmd, args = words[0].lower(), words[1:]
    if cmd in ("offline", "online"):
        emu.set_offline(cmd == "offline")
    elif cmd in ("uplink_offline", "uplink_online"):
        emu.set_uplink(cmd == "uplink_online")
    elif cmd == "error" and len(args) == 1 and args[0].isdigit():
        emu.fail_next(int(args[0]))
    elif cmd == "delay" and len(args) == 1:
        try:
            emu.set_delay(float(args[0]))
        except ValueError:
            raise ValueError(f"sko delay: {args[0]!r} is not a number of seconds") from None
    elif cmd == "drop_answer":
        emu.drop_next_answer()
    elif cmd == "flush":
        return f"sko: {emu.flush_uplink()} documents sent"
    elif cmd == "status":
        return f"sko: {emu.unsent_count()} unsent"
    else:
        raise ValueError(f"sko: unknown command {' '.join(words)!r}")
    return f"sko: {' '.join(words)} ok"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.sko", description="the simulated SKO on loopback TCP")
    parser.add_argument("--dir", required=True, type=Path, help="state directory (sko.sqlite + key)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    emu = SkoEmulator(args.dir, port=args.port).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"sko {emu.address}", flush=True)
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
