"""stock_move_ms_at_100k: the stock update of one sale with a 100,000-item catalog (one ledger transaction)."""
from __future__ import annotations

import statistics
import tempfile
import time

from storage.catalog import Catalog
from storage.catalog_items import Item
from storage.stock import StockLedger


def run() -> dict:
    with tempfile.TemporaryDirectory() as d:
        Catalog(d).put_many(Item(str(n), None, f"Товар {n}", 100, "20", 10_000_000) for n in range(100_000))
        c = Catalog(d, ledger=StockLedger(f"{d}/journal.sqlite"))
        moves = []
        for i in range(200):
            t0 = time.perf_counter()
            c.adjust_stock_many({str(i): -1000, str(i + 500): -2000, str(i + 900): -500})
            moves.append((time.perf_counter() - t0) * 1000)
    return {"stock_move_ms_at_100k": round(statistics.median(moves), 3)}
