"""`zpos diag [--json]`: the diagnostics screen in text; exit 0 when everything is OK, 1 on a problem."""
from __future__ import annotations

import json
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("diag", help="check every device, the SKO, storage and the internet")
    p.add_argument("--sim", action="store_true", help="check against freshly started simulated devices")
    p.add_argument("--config", type=Path, help="configuration file (TOML) with the devices")
    p.add_argument("--data", type=Path, help="data directory")
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", choices=("ru", "be", "en"), default="ru")
    p.add_argument("--trace", action="store_true", help="log every byte exchanged with the devices to DATA/logs/trace.log")
    p.set_defaults(func=run)


def run(args) -> int:
    from fsm.diagnostics import run_diagnostics
    from zpos.config import cli_config
    from zpos.wiring import open_devices
    hub = None
    cfg, data = cli_config(args.config, args.data)
    from texts import set_language
    set_language(args.lang)
    from hal.transport import set_tracing
    from zpos.logs import setup_logging
    logs = setup_logging(data)
    set_tracing(args.trace)
    if args.sim:
        from sim.hub import SimHub
        from zpos.config import devices_from_mapping
        hub = SimHub(data / "sim").start()
        device_cfg = devices_from_mapping(hub.device_config(), "simulator")
    else:
        device_cfg = cfg.devices
        busy = _running_register(data)
        if busy is not None:
            return _report(args, [busy], logs)
    try:
        devices = open_devices(device_cfg)
        if args.sim:
            devices.sko.authorize("123456")
        data.mkdir(parents=True, exist_ok=True)
        checks = run_diagnostics(devices, data)
        devices.close()
    finally:
        if hub is not None:
            hub.stop()
    return _report(args, checks, logs)


def _running_register(data: Path):
    """A register holding the data dir holds its devices too (the SKO serves one connection, a pty one reader):
    diagnostics then say so instead of opening them a second time."""
    from fsm.diagnostics import Check
    from storage.errors import StorageError
    from storage.lock import DataDirLock
    from texts import t
    if not data.exists():
        return None
    try:
        DataDirLock(data).acquire().release()
    except StorageError as e:
        if e.code != "DATA_DIR_IN_USE":
            raise
        return Check("register", t("ui.diag.register"), False, t("ui.diag.register_running", pid=e.params.get("pid")),
                     e.detail)
    return None


def _report(args, checks, logs) -> int:
    if args.json:
        print(json.dumps([c.as_dict() for c in checks], ensure_ascii=False, indent=1))
    else:
        for c in checks:
            print(f"{'OK     ' if c.ok else 'PROBLEM'} {c.title}: {c.detail}" + (f" [{c.trace}]" if c.trace else ""))
    if args.trace:
        print(f"protocol trace: {logs / 'trace.log'}")
    return 0 if all(c.ok for c in checks) else 1
