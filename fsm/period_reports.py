"""Reports for a chosen period (goods, payment types, stock, turnover) as rows a screen shows, printed, or exported.

The figures come from `storage.period_reports` (the journal's registered documents, both
ends of the period inclusive); this service checks the permission row of each report, turns
kopecks and thousandths into display strings, lays the report out for the printer, and
writes it as CSV: straight onto a local folder or USB drive, through the outbox (retries,
checksums) for a remote target, so an unreachable server never keeps the screen waiting.
"""
from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from dataclasses import dataclass

from fiscal.layout import PrintedDocument, PrintLine
from fiscal.money import format_money, format_qty
from fsm.admin import storage_refusals
from fsm.context import Registrar, Stores
from fsm.errors import OperationError
from fsm.session import Session
from hal.errors import DeviceError
from storage import period_reports as pr
from storage.outbox import Outbox
from texts import t

# report kind → the permission row that guards it
KINDS: dict[str, str] = {"goods": "report_items", "payments": "report_payments", "stock": "report_stock",
                         "turnover": "report_turnover"}


@dataclass(frozen=True)
class ReportRow:
    title: str            # the item's name or the payment type
    sub: str              # the details under it (code, quantities)
    value: str            # the main figure (net sum, stock, closing stock)


@dataclass(frozen=True)
class PeriodTable:
    kind: str
    start: str            # YYYY-MM-DD
    end: str              # YYYY-MM-DD, inclusive
    rows: tuple[ReportRow, ...]
    total: str            # «Итого: 123.45» or the number of lines
    csv_rows: tuple[tuple[str, ...], ...] = ()


def _signed(v: int, fmt: Callable[[int], str]) -> str:
    return ("-" if v < 0 else "") + fmt(abs(v))


def _qty(v: int | None) -> str:
    return "—" if v is None else _signed(v, format_qty)


def _shown(v: int | None) -> str:
    """A quantity as a person reads it on the screen: «40», «1.235» (the CSV keeps every thousandth)."""
    if v is None:
        return "—"
    return _signed(v, lambda q: str(q // 1000) if q % 1000 == 0 else format_qty(q).rstrip("0"))


def _money(v: int) -> str:
    return _signed(v, format_money)


def _day(iso: str) -> str:
    return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}"


COLUMNS = {
    "goods": ("code", "name", "sold_qty", "sold_sum", "refunded_qty", "refunded_sum", "net_qty", "net_sum"),
    "payments": ("type", "sales", "refunds", "net"),
    "turnover": ("code", "name", "opening", "sold", "refunded", "closing"),
    "stock": ("code", "name", "unit", "stock"),
}


class PeriodReports:
    def __init__(self, stores: Stores, session: Session, registrar: Registrar | None,
                 places: Callable[[], list] | None = None) -> None:
        self.stores = stores
        self.session = session
        self.registrar = registrar
        self._places = places or (lambda: [])

    def allowed(self, kind: str):
        """None when the report may be shown now, else the Denial (its reason greys the button)."""
        return self.session.allowed(KINDS[kind])

    def table(self, kind: str, start: str, end: str) -> PeriodTable:
        """The report `kind` for the days start…end inclusive (YYYY-MM-DD); BAD_DATE when the period is wrong."""
        if kind not in KINDS:
            raise OperationError("BAD_FIELD", f"no period report {kind!r}", field="kind")
        self.session.require_rule(KINDS[kind])
        with storage_refusals():
            p = pr.period(start, end)
            journal, catalog = self.stores.journal, self.stores.catalog
            if kind == "goods":
                data = pr.goods_report(journal, p)
            elif kind == "payments":
                data = pr.payments_report(journal, p)
            elif kind == "turnover":
                data = pr.turnover_report(journal, catalog, p)
            else:
                data = pr.stock_report(catalog)
        rows, total = self._rows(kind, data)
        cells = tuple(tuple(self._cell(c, getattr(r, c)) for c in COLUMNS[kind]) for r in data)
        return PeriodTable(kind, start, end, tuple(rows), total, cells)

    @staticmethod
    def _cell(col: str, v) -> str:
        if v is None:
            return ""
        if col in ("sold_qty", "refunded_qty", "net_qty", "opening", "sold", "refunded", "closing", "stock"):
            return _qty(v)
        if col in ("sold_sum", "refunded_sum", "net_sum", "sales", "refunds", "net"):
            return _money(v)
        return str(v)

    @staticmethod
    def _rows(kind: str, data: list) -> tuple[list[ReportRow], str]:
        if kind == "goods":
            rows = [ReportRow(r.name, t("ui.period.goods_sub", code=r.code, sold=_shown(r.sold_qty),
                                        refunded=_shown(r.refunded_qty)), _money(r.net_sum)) for r in data]
            return rows, t("ui.period.total", sum=_money(sum(r.net_sum for r in data)))
        if kind == "payments":
            rows = [ReportRow(t(f"ui.pay.type.{r.type}"), t("ui.period.pay_sub", sales=_money(r.sales),
                                                             refunds=_money(r.refunds)), _money(r.net)) for r in data]
            return rows, t("ui.period.total", sum=_money(sum(r.net for r in data)))
        if kind == "turnover":
            rows = [ReportRow(r.name, t("ui.period.turn_sub", code=r.code, opening=_shown(r.opening), sold=_shown(r.sold),
                                        refunded=_shown(r.refunded)), t("ui.period.closing", qty=_shown(r.closing))) for r in data]
            return rows, t("ui.period.lines", n=len(rows))
        rows = [ReportRow(r.name, t("ui.period.stock_sub", code=r.code), f"{_shown(r.stock)} {r.unit}") for r in data]
        return rows, t("ui.period.lines", n=len(rows))

    # ----- printed -------------------------------------------------------------------------------
    def document(self, table: PeriodTable) -> PrintedDocument:
        width = self.stores.params.printer_width
        req = self.stores.settings.requisites() if self.stores.settings.has_requisites() else None
        title = t(f"ui.period.kind.{table.kind}")
        lines = [PrintLine(req.org_name), PrintLine(req.shop_name)] if req else []
        lines += [PrintLine(title.upper(), bold=True),
                  PrintLine(t("ui.period.range", start=_day(table.start), end=_day(table.end))), PrintLine("-" * width)]
        for r in table.rows:
            lines.append(PrintLine(r.title[:width]))
            room = width - len(r.value) - 1
            sub = "  " + r.sub
            lines.append(PrintLine((sub if len(sub) <= room else sub[:room - 1] + "…").ljust(room) + " " + r.value))
        if not table.rows:
            lines.append(PrintLine(t("ui.period.empty")))
        lines += [PrintLine("-" * width), PrintLine(table.total[:width])]
        if self.registrar is not None:
            lines.append(PrintLine(self.registrar.now()[:16].replace("T", " ")))
        return PrintedDocument(title, width, tuple(lines))

    def print_table(self, table: PeriodTable) -> None:
        """Print the report on the receipt printer (non-fiscal)."""
        self.session.require_rule(KINDS[table.kind])
        if self.registrar is None:
            raise OperationError("PRINTER_OFFLINE")
        self.registrar.check_printer()
        try:
            self.registrar.devices.printer.print_document(self.document(table))
        except DeviceError as e:
            raise OperationError.carrying(e) from None

    # ----- exported ------------------------------------------------------------------------------
    @staticmethod
    def file_name(table: PeriodTable) -> str:
        return f"report-{table.kind}-{table.start.replace('-', '')}-{table.end.replace('-', '')}.csv"

    @staticmethod
    def csv_text(table: PeriodTable) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(COLUMNS[table.kind])
        for row in table.csv_rows:
            # a cell starting with = + - @ would be a formula in a spreadsheet: prefix it (the CLI does likewise)
            w.writerow(["'" + c if c[:1] in ("=", "+", "@") else c for c in row])
        return out.getvalue()

    def export(self, table: PeriodTable, place: str) -> tuple[str, bool]:
        """Write the report as CSV to `place`; returns (file name, queued): a remote target goes via the outbox."""
        self.session.require_rule(KINDS[table.kind])
        name = self.file_name(table)
        data = self.csv_text(table).encode("utf-8")
        remote = "://" in place or place.startswith(("yadisk:", "usb:"))
        if remote:
            with storage_refusals():
                Outbox(str(self.stores.data_dir)).enqueue(place, f"reports/{name}", data, "report")
            return name, True
        try:
            os.makedirs(place, exist_ok=True)
            tmp = os.path.join(place, name + ".part")
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, os.path.join(place, name))
        except OSError as e:
            raise OperationError("TARGET_FAILED", f"{place}: {e}", target=place) from None
        return name, False
