"""`zpos sim` runs every simulated device standalone; `zpos sim ctl` scripts it; real drivers reach it."""
import signal
import subprocess
import sys
import time

import pytest

from hal.printer import open_printer
from hal.scale import open_scale
from hal.sko import SkoClient


def ctl(root, *words):
    return subprocess.run([sys.executable, "-m", "zpos.cli", "sim", "--dir", str(root), "ctl", *words],
                          capture_output=True, text=True, timeout=30)


@pytest.fixture
def sim(tmp_path):
    p = subprocess.Popen([sys.executable, "-m", "zpos.cli", "sim", "--dir", str(tmp_path)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    addresses = {}
    deadline = time.monotonic() + 30
    while "oplati" not in addresses and time.monotonic() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        name, address = line.split()
        addresses[name] = address
    yield tmp_path, addresses
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=10)


def test_it_prints_one_address_per_device(sim):
    _, addresses = sim
    assert {"sko", "printer", "scale", "scanner", "oplati"} <= set(addresses)
    assert sum(k.startswith("terminal:") for k in addresses) == 2
    assert addresses["sko"].startswith("127.0.0.1:")


def test_ctl_scripts_the_running_devices_seen_by_the_real_drivers(sim):
    root, addresses = sim
    assert ctl(root, "scale", "weight", "1.234").returncode == 0
    scale = open_scale(addresses["scale"], "cas")
    try:
        reading = scale.read_stable(2.0)
        assert reading.weight_g == 1234 and reading.stable
    finally:
        scale.close()
    assert ctl(root, "printer", "paper_out").returncode == 0
    printer = open_printer(addresses["printer"], "tm-t88v")
    try:
        assert printer.status().paper_end
    finally:
        printer.close()
    assert ctl(root, "sko", "offline").returncode == 0
    with pytest.raises(Exception) as e:
        SkoClient(addresses["sko"], timeout=0.5).info()
    assert getattr(e.value, "code", "") == "SKO_OFFLINE"


def test_a_bad_ctl_command_is_one_clear_line(sim):
    root, _ = sim
    p = ctl(root, "printer", "on_fire")
    assert p.returncode == 2 and "paper_out" in p.stderr and "Traceback" not in p.stderr
    p = ctl(root, "toaster", "on")
    assert p.returncode == 2 and "unknown device" in p.stderr


def test_ctl_without_a_running_simulator_says_so(tmp_path):
    p = ctl(tmp_path, "scan", "4810000000018")
    assert p.returncode == 1 and "no simulator is running" in p.stderr
