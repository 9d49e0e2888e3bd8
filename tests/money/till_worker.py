"""A working day in its own process, to be SIGKILLed: sales by cash, card and ОПЛАТИ, refunds, annulments, cash in/out.

Run: till_worker.py DATA_DIR DEVICES_JSON SEED. It recovers like a register after a power
loss (SKO PIN → start-up settles what was left), finishes a receipt whose money was taken,
then works until it is killed, printing one line per finished operation.
"""
from __future__ import annotations

import json
import random
import sys
import time

from fsm.clock import SystemClock
from fsm.errors import OperationError
from fsm.till import Till
from zpos.wiring import open_devices


def start(data: str, devices_json: str) -> Till:
    till = Till(data, open_devices(json.loads(open(devices_json, encoding="utf-8").read())), SystemClock(),
                sleep=lambda s: None)
    till.session.unlock("1111")
    till.session.sko_pin("123456")
    till.session.login("ivanova", "2580")
    return till


def finish_open_receipt(till: Till) -> None:
    """The unfinished sale is finished, not undone: the money already taken counts, the rest is paid in cash."""
    receipt = till.sale.receipt
    if not receipt.lines:
        return
    deadline = time.monotonic() + 10
    while True:                       # a payment whose answer was lost is asked about first (ОПЛАТИ may still wait)
        try:
            till.checkout.resolve_unknown()
            break
        except OperationError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    paid = till.checkout.paid_already()
    due = receipt.calc(vat=till.sale.vat_table()).total_due
    amounts = {k: f"{v / 100:.2f}" for k, v in paid.items()}
    rest = due - sum(paid.values())
    if rest > 0:
        amounts["cash"] = f"{rest / 100:.2f}"
    till.checkout.pay(amounts)


def one_step(till: Till, rnd: random.Random) -> str:
    r = rnd.random()
    if r < 0.08:
        till.shifts.cash_in(f"{rnd.randint(1, 30)}.00")
        return "cash_in"
    if r < 0.12 and till.shifts.cash_in_drawer() > 500:
        till.shifts.cash_out("1.00")
        return "cash_out"
    if r < 0.20:
        last = till.docs.last_document(types=["sale"], shift=till.shifts.number)
        if last is not None:
            tender = last.doc.payments[0].type.value
            till.refunds.refund(last.number, [{"line": 1, "qty": "1.000"}], {tender: None})
            return f"refund {tender}"
    if r < 0.26:
        till.docs.annul_last()
        return "annul"
    for _ in range(rnd.randint(1, 3)):
        till.sale.add_item(rnd.choice(["1", "2", "3"]))
    due = till.sale.receipt.calc(vat=till.sale.vat_table()).total_due
    tender = rnd.choice(["cash", "card", "card", "oplati", "mixed"])
    if tender == "cash":
        amounts = {"cash": f"{(due + 99) // 100}.00"}
    elif tender == "mixed" and due > 100:
        amounts = {"card": f"{(due - 100) / 100:.2f}", "cash": "1.00"}
    else:
        amounts = {"card" if tender != "oplati" else "oplati": f"{due / 100:.2f}"}
    till.checkout.pay(amounts)
    return f"sale {'+'.join(amounts)}"


def main(data: str, devices_json: str, seed: int) -> None:
    rnd = random.Random(seed)
    till = start(data, devices_json)
    try:
        finish_open_receipt(till)
    except OperationError as e:
        print(f"REFUSED finish {e.code}", flush=True)
    if str(till.shifts.state) != "open":
        if str(till.shifts.state) == "expired":
            till.shifts.close_shift()
        till.shifts.open_shift()
    print("READY", flush=True)
    while True:
        try:
            print(f"OK {one_step(till, rnd)}", flush=True)
        except OperationError as e:
            print(f"REFUSED {e.code}", flush=True)
            if till.sale.receipt.lines and not till.checkout.paid_already():
                try:
                    till.sale.cancel_receipt()
                except OperationError:
                    pass


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
