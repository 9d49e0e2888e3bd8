"""`zpos sim [--dir DIR]` starts every simulated device; `zpos sim ctl COMMAND ...` scripts them."""
from __future__ import annotations

import json
import os
import signal
import socket
import threading
from pathlib import Path

from zpos.errors import CliError

CONTROL_SOCKET = "control.sock"


def register(sub) -> None:
    p = sub.add_parser("sim", help="start the simulated devices (or `zpos sim ctl ...` to script them)")
    p.add_argument("--dir", type=Path, default=Path(os.environ.get("ZPOS_SIM_DIR", "zpos-sim")),
                   help="where the simulators keep state, symlinks and the control socket")
    p.add_argument("--no-paper", action="store_true", help="keep printed pages in memory only (no .txt/.png files)")
    p.add_argument("ctl", nargs="*", metavar="ctl COMMAND",
                   help="e.g. `ctl printer paper_out`, `ctl scale weight 1.234`, `ctl card decline`, `ctl sko offline`, "
                        "`ctl scan 4810000000012`, `ctl oplati confirm`")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.ctl:
        if args.ctl[0] != "ctl" or len(args.ctl) < 2:
            raise CliError("usage: zpos sim [--dir DIR] ctl DEVICE ARGS...")
        return control(args.dir, args.ctl[1:])
    return serve(args.dir, paper=not args.no_paper)


def serve(root: Path, paper: bool = True) -> int:
    from sim.hub import ControlError, SimHub, SimOptions
    root.mkdir(parents=True, exist_ok=True)
    hub = SimHub(root, SimOptions(links=True, keep_paper=paper)).start()
    sock_path = root / CONTROL_SOCKET
    if sock_path.exists():
        sock_path.unlink()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(sock_path))
    server.listen(4)
    for name, address in hub.addresses():
        print(f"{name} {address}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())

    def answer(conn: socket.socket) -> None:
        with conn:
            try:
                words = json.loads(conn.recv(65536).decode("utf-8"))
                reply = {"ok": True, "result": hub.control(*words)}
            except ControlError as e:
                reply = {"ok": False, "error": str(e)}
            except (ValueError, TypeError) as e:
                reply = {"ok": False, "error": f"bad command: {e}"}
            conn.sendall(json.dumps(reply, ensure_ascii=False).encode("utf-8"))

    server.settimeout(0.2)
    try:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            answer(conn)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        sock_path.unlink(missing_ok=True)
        hub.stop()
    return 0


def control(root: Path, words: list[str]) -> int:
    sock_path = root / CONTROL_SOCKET
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(str(sock_path))
    except OSError:
        raise CliError(f"no simulator is running in {root} (start `zpos sim --dir {root}` first)", 1) from None
    with s:
        s.sendall(json.dumps(words).encode("utf-8"))
        reply = json.loads(s.recv(65536).decode("utf-8"))
    if not reply["ok"]:
        raise CliError(reply["error"], 2)
    print(reply["result"])
    return 0
