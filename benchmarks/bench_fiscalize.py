"""fiscalize_p50_ms / p99_ms (journal at 1,000 documents) and p99 at 100,000: one 5-line cash sale from
"pay" to "registered in the journal and bytes handed to the printer", through the real register, journal
(fsync on), SKO emulator over loopback and printer driver over a pty."""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from fsm.clock import SimClock
from fsm.context import new_op_id

RUNS = 200


def _bulk_fill(register, hub, count: int) -> None:
    """Grow the journal to `count` registered documents in one transaction (chain hashes and report rows
    as real ones), and move the SKO emulator's counter on to match, so the next sale is number count+1."""
    import sqlite3
    from dataclasses import replace

    from fiscal.documents import Registration, canonical, chain_hash, document_digest
    from storage.journal_schema import Status
    reg = register
    template = sale_doc(reg)
    db = reg.stores.journal.raw()
    start = reg.stores.journal.last_number()
    prev = db.execute("SELECT hash FROM documents WHERE number=?", (start,)).fetchone()[0]
    rows, lines, pays = [], [], []
    for n in range(start + 1, count + 1):
        doc = replace(template, op_id=f"bulk{n:08d}")
        r = Registration(number=n, uid=f"{n:024X}", time=doc.created, signature="00", sko_serial="AVQ")
        link = chain_hash(prev, doc, r)
        rows.append((doc.op_id, "sale", doc.shift, doc.created, doc.cashier, canonical(doc).decode("utf-8"),
                     document_digest(doc), Status.PRINTED.value, n, r.uid, r.time, r.signature, r.sko_serial,
                     link, prev, doc.created, None, doc.total_due, None))
        lines += [(n, "sale", doc.created, ln.code, ln.name, ln.qty, ln.total) for ln in doc.lines]
        pays.append((n, "sale", doc.created, "cash", doc.total_due))
        prev = link
    db.execute("BEGIN")
    db.executemany("INSERT INTO documents (op_id, type, shift, created, cashier, body, digest, status, number, uid, "
                   "reg_time, signature, sko_serial, hash, prev_hash, printed_at, fail_reason, total_due, "
                   "target_number) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.executemany("INSERT INTO doc_lines VALUES (?,?,?,?,?,?,?)", lines)
    db.executemany("INSERT INTO doc_payments VALUES (?,?,?,?,?)", pays)
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sko = sqlite3.connect(hub.sko_state)
    with sko:
        sko.execute("UPDATE meta SET value=? WHERE key='next_number'", (str(count + 1),))
    sko.close()
    reg.sale.receipt = type(reg.sale.receipt)()
    import os
    os.sync()


def sale_doc(reg):
    """A 5-line cash sale of the current shift, built like the register builds one (not journaled)."""
    from fiscal.documents import Sale, priced_fields
    from fiscal.receipt import Payment, PaymentType
    for code in [it.code for it in reg.stores.catalog.items() if not it.weighed][:5]:
        reg.sale.add_item(code, "1.000")
    calc = reg.sale.receipt.calc([Payment(PaymentType.CASH, 100_000)], reg.sale.vat_table())
    return Sale(op_id=new_op_id(), shift=reg.shifts.number, cashier=reg.session.cashier_name, created=reg.now(),
                **priced_fields(calc))


def _measure(reg, runs: int) -> list[float]:
    codes = [it.code for it in reg.stores.catalog.items() if not it.weighed][:5]
    times = []
    for _ in range(runs):
        for code in codes:
            reg.sale.add_item(code, "1.000")
        t0 = time.perf_counter()
        reg.checkout.pay({"cash": "1000.00"})
        times.append((time.perf_counter() - t0) * 1000)
    return times


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) >= 100 else max(values)


class OutOfProcessHub:
    """`zpos sim` in its own process, as real devices are their own hardware: the simulator's decoding
    does not share the register's interpreter (and its GIL) while a payment is timed."""

    def __init__(self, root: Path) -> None:
        import subprocess
        import sys
        self.proc = subprocess.Popen([sys.executable, "-m", "zpos.cli", "sim", "--dir", str(root), "--no-paper"],
                                     stdout=subprocess.PIPE, text=True)
        self.addresses: dict[str, str] = {}
        while "oplati" not in self.addresses:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("zpos sim did not start")
            name, address = line.split()
            self.addresses[name] = address
        self.sko_state = root / "sko" / "sko.sqlite"

    def device_config(self) -> dict:
        from sim.hub import SimHub
        return SimHub.config_from_addresses(self.addresses)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def run_at(size: int) -> list[float]:
    from fsm.till import Till
    from qa.rig import DEMO_SETUP, apply_setup
    from zpos.wiring import open_devices
    with tempfile.TemporaryDirectory() as d:
        hub = OutOfProcessHub(Path(d) / "sim")
        apply_setup(Path(d), DEMO_SETUP)
        reg = Till(Path(d), open_devices(hub.device_config()), SimClock(tick_seconds=0), sleep=lambda s: None)
        try:
            reg.session.unlock("1111")
            reg.session.sko_pin("123456")
            reg.session.login("ivanova", "2580")
            reg.shifts.open_shift()
            _bulk_fill(reg, hub, size)
            return _measure(reg, RUNS)
        finally:
            reg.devices.close()
            reg.close()
            hub.stop()


def run() -> dict:
    at_1k = run_at(1_000)
    import os
    big = int(os.environ.get("ZPOS_BENCH_BIG", "100000"))
    at_big = run_at(big)
    return {"fiscalize_p50_ms": round(statistics.median(at_1k), 2), "fiscalize_p99_ms": round(_p(at_1k, 99), 2),
            "fiscalize_p99_ms_at_100k": round(_p(at_big, 99), 2), "fiscalize_big_journal_size": big,
            "fiscalize_p50_ms_at_100k": round(statistics.median(at_big), 2)}
