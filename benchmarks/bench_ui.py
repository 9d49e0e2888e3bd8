"""UI figures: one frame of the sale screen with 100 lines, process start to the login screen, peak RSS with 100k items."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYTHONPATH=str(ROOT))
    env.pop("DISPLAY", None)
    return env


def _to_login(ui) -> None:
    ui.type_digits("1111")
    ui.tap("keypad.ok")
    ui.type_digits("123456")
    ui.tap("keypad.ok")


def _stop(reg, hub) -> None:
    reg.close()
    reg.devices.close()
    hub.stop()


def frame_figures(tmp: Path) -> dict:
    """frame_p99_ms: step + draw of the sale screen holding a 100-line receipt at 1024×600; and a rebuild after a tap."""
    from fsm.clock import SimClock
    from qa.headless import HeadlessUI
    from qa.rig import build_sim_register
    reg, hub = build_sim_register(tmp / "frame", None, SimClock(), sleep=lambda s: None)
    try:
        ui = HeadlessUI(reg, size=(1024, 600))
        _to_login(ui)
        ui.tap("login.user.ivanova")
        ui.type_digits("2580")
        ui.tap("keypad.ok")
        reg.shifts.open_shift()
        codes = [i.code for i in reg.stores.catalog.items() if not i.weighed]
        for n in range(100):
            reg.sale.add_item(codes[n % len(codes)])
        ui.app.refresh()
        ui.tap("menu.sale")
        assert ui.visible_screen() == "sale" and len(reg.sale.receipt.lines) == 100
        frames = []
        for _ in range(300):
            t0 = time.perf_counter()
            ui.app.step([])
            ui.app.render_frame()
            frames.append(time.perf_counter() - t0)
        rebuilds = []
        for _ in range(30):
            t0 = time.perf_counter()
            ui.app.refresh()
            ui.app.step([])
            ui.app.render_frame()
            rebuilds.append(time.perf_counter() - t0)
        ui.close()
    finally:
        _stop(reg, hub)
    p99 = lambda xs: sorted(xs)[max(0, int(len(xs) * 0.99) - 1)]  # noqa: E731
    return {"frame_p50_ms": round(statistics.median(frames) * 1000, 3), "frame_p99_ms": round(p99(frames) * 1000, 3),
            "sale_rebuild_p99_ms": round(p99(rebuilds) * 1000, 2)}


def child_startup(data: str) -> None:
    """In a fresh process: simulated devices, the register, the window; unlock and PIN; the login screen drawn."""
    from qa.headless import HeadlessUI
    from qa.rig import build_sim_register
    reg, hub = build_sim_register(Path(data))
    ui = HeadlessUI(reg)
    _to_login(ui)
    assert ui.visible_screen() == "login"
    ui.app.render_frame()
    print(json.dumps({"at": time.time()}), flush=True)
    ui.close()
    _stop(reg, hub)


def child_rss(data: str) -> None:
    """In a fresh process: the workstation with the 100k-item catalog, on the sale screen; peak RSS."""
    import resource

    from qa.headless import HeadlessUI
    from qa.rig import build_sim_register
    reg, hub = build_sim_register(Path(data))
    ui = HeadlessUI(reg)
    _to_login(ui)
    ui.tap("login.user.ivanova")
    ui.type_digits("2580")
    ui.tap("keypad.ok")
    reg.shifts.open_shift()
    ui.app.refresh()
    ui.tap("menu.sale")
    ui.app.render_frame()
    items = len(reg.stores.catalog)
    # VmHWM, not getrusage: Linux carries ru_maxrss over exec from the forked parent (here the benchmark
    # process holding 100k generated items), while VmHWM is this process's own peak.
    status = Path("/proc/self/status").read_text()
    peak_kb = int(status.split("VmHWM:")[1].split()[0]) if "VmHWM:" in status else \
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rss_mb": round(peak_kb / 1024, 1), "items": items}), flush=True)
    ui.close()
    _stop(reg, hub)


def _fresh_data(path: Path) -> None:
    from qa.rig import build_sim_register
    reg, hub = build_sim_register(path)
    _stop(reg, hub)


def startup_to_login_s(tmp: Path, runs: int = 3) -> float:
    times = []
    for i in range(runs):
        data = tmp / f"start{i}"
        _fresh_data(data)
        t0 = time.time()
        out = subprocess.run([sys.executable, "-m", "benchmarks.bench_ui", "startup", str(data)], cwd=ROOT, env=_env(),
                             capture_output=True, text=True, timeout=120, check=True)
        at = json.loads(out.stdout.strip().splitlines()[-1])["at"]
        times.append(at - t0)
    return round(statistics.median(times), 3)


def rss_mb(tmp: Path) -> float:
    from storage.catalog import Catalog
    from storage.catalog_items import Item
    data = tmp / "rss"
    _fresh_data(data)
    words = ["Молоко", "Хлеб", "Сыр", "Колбаса", "Яблоки", "Чай", "Кофе", "Сок", "Вода", "Печенье"]
    items = {}
    for n in range(100_000):
        code = str(n + 1)
        items[code] = Item(code, str(4810000000000 + n), f"{words[n % 10]} {words[(n // 10) % 10].lower()} {n}",
                           100 + n % 5000, "20", 1_000_000, False, f"Категория {n % 50}", None)
    Catalog(str(data)).put_many(items.values() if isinstance(items, dict) else items)
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_ui", "rss", str(data)], cwd=ROOT, env=_env(),
                         capture_output=True, text=True, timeout=300, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["items"] == 100_000
    return got["rss_mb"]


def run() -> dict:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    with tempfile.TemporaryDirectory(dir=os.environ.get("ZPOS_BENCH_DIR")) as tmp:
        tmp = Path(tmp)
        out = frame_figures(tmp)
        out["startup_to_login_s"] = startup_to_login_s(tmp)
        out["rss_mb"] = rss_mb(tmp)
    return out


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "startup":
        child_startup(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "rss":
        child_rss(sys.argv[2])
    else:
        print(json.dumps(run(), indent=1))
