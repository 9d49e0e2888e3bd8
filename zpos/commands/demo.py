"""`zpos demo`: a scripted working day, headless, on simulated devices."""
from __future__ import annotations

import os
from pathlib import Path

from zpos.errors import CliError, refusal_line


def register(sub) -> None:
    p = sub.add_parser("demo", help="a scripted working day on simulated devices (contracts.md §1)")
    p.add_argument("--data", type=Path, default=Path(os.environ.get("ZPOS_DATA", "demo-out/data")))
    p.add_argument("--out", type=Path, default=Path("demo-out"))
    p.add_argument("--receipts", type=int, default=12)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=run)


def run(args) -> int:
    from fsm.errors import OperationError
    from qa.demo import run_demo
    if not 1 <= args.receipts <= 10_000:
        raise CliError("--receipts must be 1 … 10000")
    try:
        summary = run_demo(args.data, args.out, args.receipts, args.seed)
    except OperationError as e:
        raise CliError(f"the day stopped: {e.code}: {refusal_line(e)}", 1) from None
    print(f"done: {summary['sales']} sales, {summary['refunds']} refund, {summary['annulments']} annulment, "
          f"{summary['printed_pages']} printed pages; journal {'OK' if summary['journal_ok'] else 'BROKEN'}; "
          f"summary in {args.out / 'summary.json'}")
    return 0 if summary["journal_ok"] and summary["not_printed"] == 0 else 1
