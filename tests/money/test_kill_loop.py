"""SIGKILL at random moments of a working day with card and ОПЛАТИ payments: nothing lost, doubled or blocked for good.

The devices (the simulated SKO, terminals, ОПЛАТИ, printer) live in this test's process and
survive each kill of the register's process, as real devices do. After every kill the
register is started again here, recovers, and the invariants must hold; then a cash sale
must go through. The CI profile kills a few times; `ZPOS_KILLS=200` runs the long one.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from invariants import check
from till_worker import finish_open_receipt, start

from fsm.errors import OperationError
from qa.rig import DEMO_SETUP, apply_setup, sim_options_for
from sim.hub import SimHub

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
KILLS = int(os.environ.get("ZPOS_KILLS", "8"))


def _worker(data: Path, devices: Path, seed: int) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]), SDL_VIDEODRIVER="dummy")
    return subprocess.Popen([sys.executable, str(HERE / "till_worker.py"), str(data), str(devices), str(seed)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)


def _kill_after_ready(proc: subprocess.Popen, delay: float) -> list[str]:
    lines = []
    deadline = time.monotonic() + 30
    for raw in proc.stdout:
        lines.append(raw.decode().strip())
        if lines[-1] == "READY" or time.monotonic() > deadline:
            break
    else:
        raise AssertionError(f"the worker died: {proc.stderr.read().decode()[-3000:]}")
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    lines += proc.stdout.read().decode().split("\n")
    proc.stdout.close()
    proc.stderr.close()
    return lines


@pytest.mark.timeout(3600)
def test_random_kills_of_a_day_with_card_and_oplati_lose_and_double_nothing(tmp_path):
    data = tmp_path / "data"
    apply_setup(data, DEMO_SETUP)
    hub = SimHub(data / "sim", sim_options_for(DEMO_SETUP)).start()
    devices = tmp_path / "devices.json"
    devices.write_text(json.dumps(hub.device_config()), encoding="utf-8")
    initial = {"1": 40_000, "2": 60_000, "3": 30_000}
    rnd = random.Random(20261201)
    done_ops = 0
    try:
        for k in range(KILLS):
            lines = _kill_after_ready(_worker(data, devices, rnd.randint(0, 10**6)), rnd.uniform(0.05, 1.5))
            done_ops += sum(1 for ln in lines if ln.startswith("OK "))
            till = start(str(data), str(devices))     # restart on the same data: recovery runs at the SKO PIN
            try:
                problems = check(till, hub, initial)
                assert not problems, f"after kill {k + 1}: {problems}"
                finish_open_receipt(till)             # the unfinished sale is finished, not undone
                if str(till.shifts.state) != "open":
                    till.shifts.open_shift()
                till.sale.add_item("1")
                till.checkout.pay({"cash": "2.00"})   # selling is never blocked for good
                problems = check(till, hub, initial)
                assert not problems, f"after kill {k + 1} and a cash sale: {problems}"
            except OperationError as e:
                receipt = till.sale.receipt
                effects = [(x.kind, x.status, x.amount, x.op_id) for x in till.intents.open()]
                raise AssertionError(f"after kill {k + 1}: refused {e.code}: {e.message} ({e.detail}); receipt "
                                     f"{receipt.op_id} with {len(receipt.lines)} lines; open effects {effects}; "
                                     f"worker said {lines[-6:]}") from None
            finally:
                till.devices.close()
                till.close()
    finally:
        hub.stop()
    assert done_ops > KILLS                           # the day did real work between the kills
