"""Run as a script: on a demo data dir, pay one item by card and lose power at the fiscal path's POINT."""
import os
import sys
from pathlib import Path

from fsm.clock import SystemClock
from qa.rig import DEMO_SETUP, build_sim_register

if __name__ == "__main__":
    data, point = Path(sys.argv[1]), sys.argv[2]
    reg, hub = build_sim_register(data, DEMO_SETUP, SystemClock(), sleep=lambda s: None)
    reg.session.unlock("1111")
    reg.session.sko_pin(DEMO_SETUP["sko"]["pin"])
    reg.session.login("ivanova", "2580")
    if str(reg.shifts.state) == "closed":
        reg.shifts.open_shift()
    reg.sale.add_item(next(it.code for it in reg.stores.catalog.items() if not it.weighed))
    due = reg.sale.receipt.calc(vat=reg.sale.vat_table()).total_due
    reg.path.crash.armed = point
    try:
        reg.checkout.pay({"card": f"{due // 100}.{due % 100:02d}"})
    except BaseException as e:          # the PowerLoss: the process dies here, nothing is closed
        print(f"power lost: {type(e).__name__} {e}", flush=True)
    os._exit(9)
