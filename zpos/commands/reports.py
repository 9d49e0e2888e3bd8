"""`zpos reports goods|payments|turnover|stock --from --to`: period reports from the journal, as text, CSV or JSON."""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from fiscal.money import format_money, format_qty
from storage.errors import StorageError
from zpos.errors import CliError, refusal_line

_COLUMNS = {
    "goods": ("code", "name", "sold_qty", "sold_sum", "refunded_qty", "refunded_sum", "net_qty", "net_sum"),
    "payments": ("type", "sales", "refunds", "net"),
    "turnover": ("code", "name", "opening", "sold", "refunded", "closing"),
    "stock": ("code", "name", "unit", "stock"),
}
_QTY = {"sold_qty", "refunded_qty", "net_qty", "opening", "sold", "refunded", "closing", "stock"}
_MONEY = {"sold_sum", "refunded_sum", "net_sum", "sales", "refunds", "net"}


def register(sub) -> None:
    p = sub.add_parser("reports", help="period reports: goods, payment types, turnover (оборотная ведомость), stock")
    p.add_argument("kind", choices=("goods", "payments", "turnover", "stock"))
    p.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, help="last day (inclusive), YYYY-MM-DD")
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("--data", type=Path, help="data directory")
    p.set_defaults(func=run)


def _cell(col: str, v) -> str:
    if v is None:
        return ""
    if col in _QTY:
        return ("-" if v < 0 else "") + format_qty(abs(v))
    if col in _MONEY:
        return ("-" if v < 0 else "") + format_money(abs(v))
    return str(v)


def rows_of(kind: str, data: str, start: str, end: str) -> list[dict]:
    """The report as rows of display strings (sums with 2 decimals, quantities with 3)."""
    from storage import period_reports as pr
    from storage.catalog import Catalog
    from storage.journal import Journal
    p = pr.period(start, end)
    path = os.path.join(data, "journal.sqlite")
    if not os.path.isfile(path):
        raise CliError(f"no fiscal journal at {path}", 2)
    with Journal(path) as j:
        if kind == "goods":
            rows = pr.goods_report(j, p)
        elif kind == "payments":
            rows = pr.payments_report(j, p)
        elif kind == "turnover":
            rows = pr.turnover_report(j, Catalog(data), p)
        else:
            rows = pr.stock_report(Catalog(data))
    return [{c: _cell(c, getattr(r, c)) for c in _COLUMNS[kind]} for r in rows]


def render(kind: str, rows: list[dict], fmt: str) -> str:
    cols = _COLUMNS[kind]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1)
    if fmt == "csv":
        from storage.catalog_csv import neutralize
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([neutralize(r[c]) if c in ("name", "code", "type") else r[c] for c in cols])
        return out.getvalue().rstrip("\n")
    widths = {c: max([len(c)] + [len(r[c]) for r in rows]) for c in cols}
    right = _QTY | _MONEY
    lines = ["  ".join(c.ljust(widths[c]) for c in cols)]
    lines += ["  ".join(r[c].rjust(widths[c]) if c in right else r[c].ljust(widths[c]) for c in cols) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def run(args) -> int:
    from zpos.config import cli_config
    _, data = cli_config(None, args.data)
    try:
        rows = rows_of(args.kind, str(data), args.start, args.end)
    except StorageError as e:
        raise CliError(refusal_line(e), 2 if e.code == "BAD_DATE" else 1) from None
    print(render(args.kind, rows, args.format))
    return 0
