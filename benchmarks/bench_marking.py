"""marking_lookup_p99_us: the duplicate check of one scanned marking code (GTIN + serial) against 1,000,000 codes sold,
in the journal's SQLite index (goal ≤ 100 µs); marking_parse_p50_us: parsing and checking one scanned СИ string
(biip walks its AI table for each element; the median, since its tail is the machine's load, not the parser)."""
from __future__ import annotations

import gc
import random
import statistics
import tempfile
import time

from fiscal.marking import parse_code
from storage.journal import Journal
from storage.marking_index import MarkingIndex, ensure

CODES = 1_000_000
LOOKUPS = 20_000
SERIAL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _key(rng: random.Random) -> str:
    return "0481" + "".join(rng.choices("0123456789", k=10)) + "2" + "".join(rng.choices(SERIAL_CHARS, k=12))


def _p99_us(samples: list[float]) -> float:
    samples.sort()
    return round(samples[int(len(samples) * 0.99)] * 1e6, 2)


def run() -> dict:
    rng = random.Random(14)
    with tempfile.TemporaryDirectory() as d:
        journal = Journal(f"{d}/journal.sqlite")
        db = journal.raw()
        ensure(db)
        sold = [_key(rng) for _ in range(CODES)]
        db.execute("BEGIN")
        db.executemany("INSERT OR IGNORE INTO marking_codes VALUES (?, 'sold', ?, ?)",
                       ((k, 2 + i // 10, 2 + i // 10) for i, k in enumerate(sold)))
        db.execute("COMMIT")
        index = MarkingIndex(db)
        probes = [rng.choice(sold) if i % 2 else _key(rng) for i in range(LOOKUPS)]
        times = []
        for key in probes:
            t0 = time.perf_counter()
            index.sold_in(key)
            times.append(time.perf_counter() - t0)
        count = index.count()
        journal.close()
    del sold, probes
    gc.collect()
    code = "0104811234567896" "21ABCdef123+-_%\x1d91EE05\x1d92dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q="
    parse = []
    parse_code(code)                      # biip reads its AI table on first use
    for _ in range(2000):
        t0 = time.perf_counter()
        parse_code(code)
        parse.append(time.perf_counter() - t0)
    return {"marking_lookup_p99_us": _p99_us(times), "marking_codes_indexed": count,
            "marking_parse_p50_us": round(statistics.median(parse) * 1e6, 1)}
