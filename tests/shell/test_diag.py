"""`zpos diag` on simulated and unreachable devices (the configuration itself: test_config.py)."""
import json
import subprocess
import sys

from fiscal.documents import ShiftOpen
from fsm.diagnostics import run_diagnostics
from sim.hub import SimHub
from zpos.wiring import open_devices


def test_diag_on_simulated_devices_is_all_ok(tmp_path):
    p = subprocess.run([sys.executable, "-m", "zpos.cli", "diag", "--sim", "--json",
                        "--data", str(tmp_path)], capture_output=True, text=True, timeout=120)
    checks = json.loads(p.stdout)
    assert p.returncode == 0, p.stdout
    assert {c["id"] for c in checks} >= {"sko", "uplink", "printer", "scale", "storage", "journal", "oplati"}
    assert all(c["ok"] for c in checks)


def test_each_device_problem_is_named_in_words_an_engineer_acts_on(tmp_path):
    with SimHub(tmp_path / "sim") as hub:
        hub.control("printer", "cover_open")
        hub.control("card", "no_answer", "Приорбанк")
        hub.control("scale", "no_answer")
        hub.control("sko", "uplink_offline")
        devices = open_devices(hub.device_config())
        # iKassa publishes no uplink state: what shows the link to the operator is a document still unsent
        devices.sko.authorize("123456")
        devices.sko.register(ShiftOpen(op_id="o1", shift=1, cashier="Иванова", created="2026-01-15T09:00:00+03:00"))
        try:
            checks = {c.id: c for c in run_diagnostics(devices, tmp_path)}
        finally:
            devices.close()
    assert not checks["printer"].ok and "крышка" in checks["printer"].detail
    assert not checks["scale"].ok and "не отвечают" in checks["scale"].detail and "no answer" in checks["scale"].trace
    assert not checks["uplink"].ok and "интернет" in checks["uplink"].detail
    assert not checks["terminal:Приорбанк"].ok and checks["terminal:Беларусбанк"].ok
    assert checks["sko"].ok


def test_an_unreachable_sko_is_reported_not_raised(tmp_path):
    cfg = {"sko": {"address": "127.0.0.1:9", "timeout": 0.5}}
    checks = run_diagnostics(open_devices(cfg), tmp_path)
    sko = next(c for c in checks if c.id == "sko")
    assert not sko.ok and "СКО" in sko.detail


def test_diag_beside_a_working_register_says_the_sko_is_in_use_and_leaves_the_register_alone(tmp_path):
    with SimHub(tmp_path / "sim") as hub:
        register = open_devices(hub.device_config())
        register.sko.authorize("123456")               # the register holds the service's one connection
        diag = open_devices(hub.device_config())
        try:
            checks = {c.id: c for c in run_diagnostics(diag, tmp_path)}
            assert register.sko.next_number() == 1      # its session goes on
        finally:
            diag.close()
            register.close()
    assert not checks["sko"].ok and "занято" in checks["sko"].detail and "40" in checks["sko"].trace


def test_diag_on_a_running_register_says_so_instead_of_opening_its_devices_again(tmp_path, capsys):
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    from zpos.cli import main
    root = Path(__file__).resolve().parents[2]
    data = tmp_path / "data"
    data.mkdir()
    code = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(root)!r})
        from storage.lock import DataDirLock
        DataDirLock({str(data)!r}).acquire()
        print("ready", flush=True)
        time.sleep(30)
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert main(["diag", "--data", str(data)]) == 1
        out = capsys.readouterr().out
        assert f"PID {holder.pid}" in out and "Диагностика" in out and "Traceback" not in out
    finally:
        holder.kill()
        holder.wait()
