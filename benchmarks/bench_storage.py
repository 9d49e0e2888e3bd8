"""Storage benchmarks: fsync floor, naive TinyDB, journal commit at 1k vs 100k documents, the 100k catalog."""
from __future__ import annotations

import os
import random
import sqlite3
import statistics
import tempfile
import time

from tinydb import TinyDB

from fiscal.documents import Registration, Sale, canonical, chain_hash, document_digest, priced_fields
from fiscal.receipt import ItemInput, Payment, PaymentType, calculate
from storage.catalog import Catalog, Item
from storage.journal import Journal

_CALC = calculate([ItemInput(name=f"Товар {k}", price=100 + k, qty=1000, vat="20", code=str(k)) for k in range(5)],
                  payments=[Payment(PaymentType.CASH, 10_000)])


def _sale(n: int) -> Sale:
    return Sale(op_id=f"op-{n}", shift=1 + n // 300, cashier="Иванова", created="2024-03-01T10:00:00+03:00",
                **priced_fields(_CALC))


def _reg(n: int) -> Registration:
    return Registration(number=n, uid=f"{n:024x}", time="2024-03-01T10:00:01+03:00", signature="ab" * 70)


def fsync_floor_ms(tmp: str, n: int = 100) -> float:
    db = sqlite3.connect(os.path.join(tmp, "floor.sqlite"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (x)")
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        db.execute("INSERT INTO t VALUES (?)", (i,))
        times.append(time.perf_counter() - t0)
    db.close()
    return statistics.median(times) * 1000


def tinydb_insert_ms_at_5k(tmp: str) -> float:
    """The naive design: a plain TinyDB table of receipts; TinyDB rewrites the whole file each insert."""
    path = os.path.join(tmp, "naive.json")
    row = {"op_id": "x", "lines": [{"name": f"Товар {k}", "price": "1.00", "qty": "1.000"} for k in range(5)]}
    with TinyDB(path) as db:
        db.storage.write({"_default": {str(i): dict(row, op_id=f"op-{i}") for i in range(1, 5001)}})
    times = []
    with TinyDB(path) as db:
        for i in range(5):
            t0 = time.perf_counter()
            db.insert(dict(row, op_id=f"new-{i}"))
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _bulk_journal(path: str, n: int) -> None:
    """Fill a journal with n registered documents in one transaction (setup only, not timed)."""
    Journal(path).close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    prev = "0" * 64
    for k in range(1, n + 1):
        doc = _sale(k)
        reg = _reg(k)
        h = chain_hash(prev, doc, reg) if k > n - 5 else f"{k:064x}"
        db.execute("INSERT INTO documents (op_id, type, shift, created, cashier, body, digest, status, number, uid, "
                   "reg_time, signature, sko_serial, hash, prev_hash, total_due) VALUES "
                   "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   (doc.op_id, "sale", doc.shift, doc.created, doc.cashier, canonical(doc).decode(),
                    document_digest(doc), "printed", k, reg.uid, reg.time, reg.signature, "", h, prev,
                    doc.total_due))
        prev = h
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    # let the OS finish writing the bulk data back, so it does not slow the timed fsyncs
    os.sync()


def journal_commit_ms(tmp: str, size: int, n: int = 100) -> float:
    """Median of one fiscal commit (pending + registered + printed: three fsynced transactions)."""
    path = os.path.join(tmp, f"j{size}.sqlite")
    _bulk_journal(path, size)
    times = []
    with Journal(path, check=False) as j:
        for k in range(size + 1, size + 1 + n):
            doc = _sale(k)
            t0 = time.perf_counter()
            j.add_pending(doc)
            j.mark_registered(doc.op_id, _reg(k))
            j.mark_printed(doc.op_id)
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def catalog_figures(tmp: str) -> dict:
    rng = random.Random(1)
    words = ["Молоко", "Хлеб", "Сыр", "Ёрш", "Колбаса", "Яблоки", "Чай", "Кофе", "Сок", "Вода", "Печенье", "Конфеты"]
    items = {}
    for n in range(100_000):
        code = str(n + 1)
        items[code] = Item(code, str(4810000000000 + n), f"{rng.choice(words)} {rng.choice(words).lower()} {n}",
                           100 + n % 5000, "20", 1000, False, f"Категория {n % 50}", None)
    Catalog(tmp).put_many(items.values())
    t0 = time.perf_counter()
    cat = Catalog(tmp)
    load = time.perf_counter() - t0
    codes = [str(4810000000000 + rng.randrange(100_000)) for _ in range(20_000)]
    lookups = []
    for b in codes:
        t0 = time.perf_counter()
        cat.by_barcode(b)
        lookups.append(time.perf_counter() - t0)
    queries = [rng.choice(["ёрш", "ХЛЕБ", "кофе сок", "99", "12345", "печенье конф", "нет такого"]) for _ in range(300)]
    searches = []
    for q in queries:
        t0 = time.perf_counter()
        cat.search(q, 50)
        searches.append(time.perf_counter() - t0)
    p99 = lambda xs: sorted(xs)[int(len(xs) * 0.99) - 1]  # noqa: E731
    return {"catalog_100k_load_s": round(load, 3), "barcode_lookup_p99_us": round(p99(lookups) * 1e6, 2),
            "name_search_p99_ms": round(p99(searches) * 1000, 3)}


def run() -> dict:
    with tempfile.TemporaryDirectory(dir=os.environ.get("ZPOS_BENCH_DIR")) as tmp:
        out: dict = {"fsync_floor_ms": round(fsync_floor_ms(tmp), 3),
                     "tinydb_insert_ms_at_5k": round(tinydb_insert_ms_at_5k(tmp), 3)}
        at_1k = journal_commit_ms(tmp, 1_000)
        at_100k = journal_commit_ms(tmp, 100_000)
        out.update(journal_commit_ms_at_1k=round(at_1k, 3), journal_commit_ms_at_100k=round(at_100k, 3),
                   journal_commit_ratio=round(at_100k / at_1k, 3))
        out.update(catalog_figures(os.path.join(tmp, "cat")))
    return out


if __name__ == "__main__":
    import json
    print(json.dumps(run(), indent=2))
