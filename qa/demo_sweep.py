"""`make demo-sweep`: `zpos demo` over a range of seeds, each on a fresh data dir and again the next day on the same one.

A day passes when `zpos demo` exits 0 and its summary says: journal verified, nothing unprinted,
no receipt refused, the Z's closing balance equal to the SKO's drawer, and (day two) the Z's opening
balance equal to day one's closing; `zpos journal verify` must then say OK. Prints one line per
failing run and the totals; exit 1 when any run failed.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SeedResult:
    seed: int
    ok: bool
    why: str = ""
    seconds: float = 0.0
    sales: int = 0
    refunds: int = 0


def _demo(data: Path, out: Path, receipts: int, seed: int) -> tuple[subprocess.CompletedProcess, dict | None]:
    p = subprocess.run([sys.executable, "-m", "zpos.cli", "demo", "--data", str(data), "--out", str(out),
                        "--receipts", str(receipts), "--seed", str(seed)], capture_output=True, text=True, timeout=600)
    summary = out / "summary.json"
    return p, json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else None


def _day_problem(p: subprocess.CompletedProcess, s: dict | None, opening: str | None) -> str:
    if p.returncode != 0 or s is None:
        tail = (p.stderr or p.stdout).strip().splitlines()[-1:] or ["no output"]
        return f"exit {p.returncode}: {tail[0]}"
    if not s["journal_ok"]:
        return "journal verify BROKEN"
    if s["not_printed"]:
        return f"{s['not_printed']} documents not printed"
    if s["notes"]:
        return f"refused: {s['notes'][0]}"
    if not s["drawer_agrees"]:
        return f"Z closing {s['z_closing_cash']} but the SKO holds {s['cash_in_drawer_at_close']}"
    if opening is not None and s["z_opening_cash"] != opening:
        return f"Z opening {s['z_opening_cash']} but the day before closed with {opening}"
    return ""


def run_seed(seed: int, receipts: int, root: Path) -> SeedResult:
    t0 = time.monotonic()
    data = root / f"seed{seed}" / "data"
    sales = refunds = 0
    opening = None
    for day in (1, 2):
        p, s = _demo(data, root / f"seed{seed}" / f"day{day}", receipts, seed if day == 1 else seed + 100_000)
        why = _day_problem(p, s, opening)
        if why:
            return SeedResult(seed, False, f"day {day}: {why}", time.monotonic() - t0, sales, refunds)
        sales, refunds, opening = sales + s["sales"], refunds + s["refunds"], s["z_closing_cash"]
    v = subprocess.run([sys.executable, "-m", "zpos.cli", "journal", "verify", "--data", str(data)],
                       capture_output=True, text=True, timeout=120)
    if v.returncode != 0:
        return SeedResult(seed, False, f"zpos journal verify: {v.stdout.strip()}", time.monotonic() - t0)
    return SeedResult(seed, True, "", time.monotonic() - t0, sales, refunds)


def sweep(seeds: range, receipts: int, jobs: int = 2, keep: Path | None = None) -> list[SeedResult]:
    root = keep or Path(tempfile.mkdtemp(prefix="zpos-sweep-"))
    root.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda s: run_seed(s, receipts, root), seeds))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=100, help="how many seeds")
    p.add_argument("--first", type=int, default=1, help="the first seed")
    p.add_argument("--receipts", type=int, default=25, help="receipts per day (the demo's default is 12)")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--keep", type=Path, help="keep every run's data and printed documents here")
    args = p.parse_args(argv)
    t0 = time.monotonic()
    results = sweep(range(args.first, args.first + args.seeds), args.receipts, args.jobs, args.keep)
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"FAIL seed {r.seed}: {r.why}")
    print(f"{len(results) - len(failed)} of {len(results)} seeds passed two days each at {args.receipts} receipts "
          f"({sum(r.sales for r in results)} sales, {sum(r.refunds for r in results)} refunds) "
          f"in {time.monotonic() - t0:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
