"""`zpos demo`: a scripted working day on simulated devices, through the real machines, drivers and storage."""
from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fiscal.money import format_money
from fsm.clock import SystemClock
from fsm.errors import OperationError
from qa.rig import DEMO_SETUP, build_sim_register, sim_options_for


@dataclass
class DemoDay:
    sales: int = 0
    refunds: int = 0
    annulments: int = 0
    copies: int = 0
    printed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    paid_with: dict[str, int] = field(default_factory=dict)    # tender set ("card+cash") → its last sale's number


def run_demo(data: Path, out: Path, receipts: int, seed: int, say: Callable[[str], None] = print) -> dict:
    """Run the day and return its summary (also written to OUT/summary.json)."""
    from sim.hub import SimHub
    out.mkdir(parents=True, exist_ok=True)
    from zpos.logs import setup_logging
    setup_logging(data)
    rnd = random.Random(seed)
    options = sim_options_for(DEMO_SETUP)
    options.printed_dir = out
    hub = SimHub(data / "sim", options).start()
    reg, hub = build_sim_register(data, DEMO_SETUP, SystemClock(), hub=hub, sleep=lambda s: None)
    day = DemoDay()
    try:
        say(f"data: {data}   printed documents: {out}")
        reg.session.unlock("1111")
        reg.session.sko_pin(DEMO_SETUP["sko"]["pin"])
        say("unlocked, SKO authorised")
        reg.session.login("ivanova", "2580")
        say(f"logged in: {reg.session.cashier_name}; shift {reg.shifts.number} is {reg.shifts.state}")
        finish_unfinished(reg, say)
        if str(reg.shifts.state) == "expired":
            reg.shifts.close_shift()
            say("a shift left open for over 24 hours was closed first (Z)")
        if str(reg.shifts.state) == "closed":
            reg.shifts.open_shift()
            say(f"shift {reg.shifts.number} opened")
        else:
            say(f"continuing open shift {reg.shifts.number}")
        reg.shifts.cash_in("100.00")
        say("cash in 100.00")
        for i in range(receipts):
            sell_one(reg, hub, rnd, i, day, say)
        refund_and_annul(reg, day, say)
        copies(reg, day, say)
        reg.shifts.cash_out("50.00")
        say("cash out 50.00")
        x = reg.shifts.x_report()
        say("X report printed")
        reg.shifts.close_shift()
        drawer = reg.shifts.cash_in_drawer()
        z = reg.stores.journal.last_document(types=["shift_close"])
        z_closing = z.doc.counters["cash_in_drawer"]
        say(f"shift closed (Z): {z_closing} in the drawer by the Z, {format_money(drawer)} by the SKO")
        verify = reg.stores.journal.verify(reg.stores.journal.get_meta("sko_public_key"))
        say(f"journal verify: {'OK' if verify.ok else 'BROKEN'} {verify.count} documents")
        hub.printer.wait_for_documents(len(hub.printer.documents), 2.0)
        summary = {"sales": day.sales, "refunds": day.refunds, "annulments": day.annulments, "copies": day.copies,
                   "documents_in_journal": verify.count, "journal_ok": verify.ok,
                   "cash_in_drawer_at_close": format_money(drawer), "z_opening_cash": z.doc.counters["opening_cash"],
                   "z_closing_cash": z_closing, "drawer_agrees": z_closing == format_money(drawer),
                   "x_text_ok": "X-ОТЧЕТ" in x.text(), "shift": reg.shifts.number,
                   "printed_pages": len(hub.printer.documents), "not_printed": len(reg.stores.journal.not_printed()),
                   "notes": day.notes, "out": str(out)}
        (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return summary
    finally:
        reg.devices.close()
        reg.close()
        hub.stop()


def finish_unfinished(reg, say) -> None:
    """What a power cut left is finished as the cashier would: registered documents not yet printed are
    printed; an open receipt keeps what the terminal or ОПЛАТИ already took as it was paid and the rest is
    paid in cash (issue 12: finished, not undone)."""
    if reg.docs.not_printed():       # registered before the cut, never printed: the paper comes now
        say(f"printed what the SKO registered before the restart: {reg.docs.reprint()} document(s)")
    receipt = reg.sale.receipt
    if not receipt.lines:
        return
    paid = reg.checkout.paid_already()
    due = receipt.calc(vat=reg.sale.vat_table()).total_due
    amounts = {tender: format_money(v) for tender, v in paid.items()}
    rest = due - sum(paid.values())
    if rest > 0 or not amounts:
        amounts["cash"] = format_money(max(rest, 0))
    out = reg.checkout.pay(amounts)
    shown = ", ".join(f"{k} {v}" for k, v in amounts.items())
    say(f"the receipt left open before the restart was finished: № {out.registration.number} ({shown})")


def sell_one(reg, hub, rnd: random.Random, i: int, day: DemoDay, say) -> None:
    goods = [it for it in reg.stores.catalog.items() if not it.weighed]
    weighed = [it for it in reg.stores.catalog.items() if it.weighed]
    for _ in range(rnd.randint(1, 5)):
        item = rnd.choice(goods)
        if item.barcode and rnd.random() < 0.7:
            reg.sale.scan(item.barcode)
        else:
            reg.sale.add_item(item.code, f"{rnd.randint(1, 3)}.000")
    if rnd.random() < 0.4:
        grams = rnd.randint(300, 2500)
        hub.control("scale", "weight", f"{grams // 1000}.{grams % 1000:03d}")
        reg.sale.add_item(rnd.choice(weighed).code)
    if rnd.random() < 0.3:
        reg.sale.item_discount(1, {"percent": rnd.choice(["5", "10", "15"])})
    if rnd.random() < 0.15:
        reg.sale.discount_card(f"29900{rnd.randint(10**7, 10**8 - 1)}")
    due = reg.sale.receipt.calc().total_due
    kind = rnd.choices(["cash", "card", "mixed", "oplati", "certificate"], [45, 30, 12, 8, 5])[0]
    if kind == "cash":
        paid = ((due + 499) // 500) * 500 if rnd.random() < 0.6 else due
        pay = {"cash": format_money(paid)}
    elif kind == "mixed" and due > 200:
        card = rnd.randint(100, due - 1)
        pay = {"card": format_money(card), "cash": format_money(((due - card + 99) // 100) * 100)}
    elif kind == "certificate" and due > 500:
        pay = {"certificate": "5.00", "cash": format_money(due - 500)}
    elif kind == "oplati":
        pay = {"oplati": format_money(due)}
    else:
        pay = {"card": format_money(due)}
    terminal = rnd.choice(list(reg.devices.terminals)) if "card" in pay else None
    try:
        out = reg.checkout.pay(pay, terminal=terminal)
    except OperationError as e:
        day.notes.append(f"receipt {i + 1}: {e.code}: {e.message}")
        reg.sale.cancel_receipt()
        say(f"  receipt {i + 1}: refused {e.code}, cancelled")
        return
    day.sales += 1
    doc = reg.stores.journal.by_number(out.registration.number).doc
    day.paid_with["+".join(sorted({p.type.value for p in doc.payments}))] = out.registration.number
    say(f"  sale №{out.registration.number}: {format_money(doc.total_due)} BYN "
        f"({', '.join(f'{k} {v}' for k, v in pay.items())}; change {format_money(doc.change)})")


def refund_and_annul(reg, day: DemoDay, say) -> None:
    """A customer brings back line 1 of the last sale of each way of paying; the money goes back the way it came
    (the split the refund screen proposes). Then a mistaken sale is annulled."""
    for tenders, number in sorted(day.paid_with.items()):
        pay = reg.refunds.proposed_payments(number, [{"line": 1, "qty": None}])
        try:
            reg.refunds.refund(number, [{"line": 1, "qty": None}], pay)
        except OperationError as e:
            day.notes.append(f"refund of receipt {number}: {e.code}: {e.message}")
            say(f"refund of receipt №{number} refused: {e.code}")
            continue
        day.refunds += 1
        say(f"refund of line 1 of receipt №{number} ({tenders}): {', '.join(f'{k} {v}' for k, v in pay.items())}")
    reg.sale.add_item("13")
    reg.checkout.pay({"cash": "1.00"})
    day.sales += 1
    reg.docs.annul_last()
    day.annulments += 1
    say("a mistaken sale was annulled")


def copies(reg, day: DemoDay, say) -> None:
    """A customer asks for a copy of a receipt, and of the card slip of a card sale."""
    reg.docs.copy("last")
    day.copies += 1
    card = next((n for k, n in sorted(day.paid_with.items()) if "card" in k.split("+")), None)
    if card is not None:
        reg.docs.reprint_slip(card)
        day.copies += 1
        say(f"a copy of the last receipt and of the card slip of receipt №{card}")
    else:
        say("a copy of the last receipt")
