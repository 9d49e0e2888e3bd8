"""UI figures: a frame of the sale screen with 100 lines, scanner event to the frame showing the line (100k items,
100 lines), process start to the login screen, peak RSS with 100k items, and RSS growth over 2,000 sales by taps."""
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
        from dataclasses import replace
        # 100 lines of the demo's 11 counted goods: each its own line (the same goods would join their line)
        reg.stores.settings.save_parameters(replace(reg.stores.params, merge_lines=False))
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
    p99 = _p99
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


def barcode_of(n: int) -> str:
    return str(4810000000000 + n)


def _big_catalog(data: Path) -> None:
    """100,000 items in 50 categories, written straight into the catalog store."""
    from storage.catalog import Catalog
    from storage.catalog_items import Item
    _fresh_data(data)
    words = ["Молоко", "Хлеб", "Сыр", "Колбаса", "Яблоки", "Чай", "Кофе", "Сок", "Вода", "Печенье"]
    items = {}
    for n in range(100_000):
        code = str(n + 1)
        items[code] = Item(code, barcode_of(n), f"{words[n % 10]} {words[(n // 10) % 10].lower()} {n}",
                           100 + n % 5000, "20", 1_000_000, False, f"Категория {n % 50}", None)
    Catalog(str(data)).put_many(items.values() if isinstance(items, dict) else items)


def _child(kind: str, data: Path, timeout: float = 300) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_ui", kind, str(data)], cwd=ROOT, env=_env(),
                         capture_output=True, text=True, timeout=timeout, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def rss_mb(tmp: Path) -> float:
    data = tmp / "rss"
    _big_catalog(data)
    got = _child("rss", data)
    assert got["items"] == 100_000
    return got["rss_mb"]


def _cashier_on_sale(ui, reg) -> None:
    _to_login(ui)
    ui.tap("login.user.ivanova")
    ui.type_digits("2580")
    ui.tap("keypad.ok")
    reg.shifts.open_shift()
    ui.app.refresh()
    ui.tap("menu.sale")


def child_scan(data: str) -> None:
    """In a fresh process: 100k items, 100 lines on the receipt; a scanner event, then the frame showing its line.
    Half the scans are goods already on the receipt (they join their line), half are new lines."""
    from qa.headless import HeadlessUI
    from qa.rig import build_sim_register
    reg, hub = build_sim_register(Path(data))
    ui = HeadlessUI(reg)
    _cashier_on_sale(ui, reg)
    for n in range(100):
        reg.sale.add_item(str(n + 1))
    ui.app.refresh()
    ui.app.step([])
    ui.app.render_frame()
    times = []
    for i in range(300):
        n = (i * 37) % 100 if i % 2 else 1000 + i          # a line already there, or a new one
        code = barcode_of(n)
        t0 = time.perf_counter()
        ui.app.queue.put(("scan", code))
        ui.app.step([])
        ui.app.render_frame()
        times.append(time.perf_counter() - t0)
        line = ui.app.screen.selected
        assert line is not None and reg.sale.receipt.lines[line - 1].code == str(n + 1)
        assert f"sale.line.{line}" in ui.app.ui.widgets                # the frame shows the line
    print(json.dumps({"p99_ms": round(_p99(times) * 1000, 2), "p50_ms": round(statistics.median(times) * 1000, 2),
                      "lines": len(reg.sale.receipt.lines)}), flush=True)
    ui.close()
    _stop(reg, hub)


def scan_to_line(tmp: Path) -> dict:
    data = tmp / "scan"
    _big_catalog(data)
    got = _child("scan", data)
    return {"scan_to_line_p99_ms": got["p99_ms"], "scan_to_line_p50_ms": got["p50_ms"]}


def _rss_now() -> float:
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return 0.0


def child_soak(data: str) -> None:
    """In a fresh process: sales by taps (two tiles, pay, 20.00 cash, next customer), each frame drawn;
    RSS after sale 100 and after sale 100 + N (N = ZPOS_SOAK_SALES, 2,000 by default)."""
    from dataclasses import replace

    from qa.headless import HeadlessUI
    from qa.rig import DEMO_SETUP, build_sim_register, sim_options_for
    from sim.hub import SimHub
    Path(data).mkdir(parents=True, exist_ok=True)
    hub = SimHub(Path(data) / "sim", replace(sim_options_for(DEMO_SETUP), keep_paper=False)).start()
    reg, hub = build_sim_register(Path(data), hub=hub, sleep=lambda s: None)
    ui = HeadlessUI(reg)
    _cashier_on_sale(ui, reg)
    taps = ("sale.item.2", "sale.item.3", "sale.pay", "pay.quick.20", "change.done")

    def sale() -> None:
        for wid in taps:
            ui.tap(wid)
            ui.app.render_frame()
        # the simulated printer keeps every page in memory for the tests; a real printer keeps none
        hub.printer._documents.clear()
    n = int(os.environ.get("ZPOS_SOAK_SALES", "2000"))
    for _ in range(100):
        sale()
    before, t0 = _rss_now(), time.perf_counter()
    marks = []
    for i in range(n):
        sale()
        if (i + 1) % 500 == 0:
            marks.append(round(_rss_now(), 1))
    after = _rss_now()
    assert reg.stores.journal.last_document(types=["sale"]).doc.total_due == 484
    print(json.dumps({"growth_mb": round(after - before, 2), "rss_before_mb": round(before, 1),
                      "rss_after_mb": round(after, 1), "sales": n, "rss_every_500": marks,
                      "sale_ms": round((time.perf_counter() - t0) / n * 1000, 1)}), flush=True)
    ui.close()
    _stop(reg, hub)


def soak(tmp: Path) -> dict:
    got = _child("soak", tmp / "soak", timeout=3600)
    return {"ui_soak_rss_growth_mb": got["growth_mb"], "ui_soak_sales": got["sales"],
            "ui_soak_sale_ms": got["sale_ms"], "ui_soak_rss_every_500_mb": got["rss_every_500"]}


def _p99(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(len(xs) * 0.99) - 1)]


def run() -> dict:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    with tempfile.TemporaryDirectory(dir=os.environ.get("ZPOS_BENCH_DIR")) as tmp:
        tmp = Path(tmp)
        out = frame_figures(tmp)
        out.update(scan_to_line(tmp))
        out["startup_to_login_s"] = startup_to_login_s(tmp)
        out["rss_mb"] = rss_mb(tmp)
        out.update(soak(tmp))
    return out


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "startup":
        child_startup(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "rss":
        child_rss(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "scan":
        child_scan(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "soak":
        child_soak(sys.argv[2])
    else:
        print(json.dumps(run(), indent=1))
