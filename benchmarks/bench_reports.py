"""Benchmark: aggregating the Z-report counters of a shift of 5,000 five-line sales."""
from __future__ import annotations

import statistics
import time

from fiscal.documents import Registration, Sale, ShiftOpen, priced_fields
from fiscal.receipt import ItemInput, Payment, PaymentType, calculate
from fiscal.reports import aggregate

RECEIPTS = 5_000


def build_shift(receipts: int = RECEIPTS) -> list[tuple]:
    """A shift-open plus `receipts` sales of 5 lines each, every one registered."""
    t = "2026-01-15T09:00:00+03:00"
    entries: list[tuple] = [(ShiftOpen(op_id="open", shift=1, cashier="Кассир", created=t),
                             Registration(number=1, uid="0" * 24, time=t, signature=""))]
    for n in range(receipts):
        items = [ItemInput(f"Товар {k}", 100 + 37 * k + n % 50, 1000 + 250 * k, ("20", "10", "none")[k % 3])
                 for k in range(5)]
        calc = calculate(items, None, None, [Payment(PaymentType.CARD, 500), Payment(PaymentType.CASH, 10_000)])
        sale = Sale(op_id=f"s{n}", shift=1, cashier="Кассир", created=t, **priced_fields(calc))
        entries.append((sale, Registration(number=n + 2, uid=f"{n + 2:024X}", time=t, signature="")))
    return entries


def run() -> dict:
    entries = build_shift()
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        aggregate(entries)
        times.append((time.perf_counter() - t0) * 1000)
    return {"z_report_5k_ms": round(statistics.median(times), 2)}


if __name__ == "__main__":
    print(run())
