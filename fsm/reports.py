"""Reports: what they say (X, last Z, goods, payment types, stock, turnover), printed or exported.

Report queries and report printing live here, so a screen only asks for a report and shows
or prints what it gets. The Z report of a closed shift is also exported to the configured
target («Выгрузка отчетов при закрытии смены»); a failed upload is a notice, never a refusal.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from fiscal.layout import PrintedDocument, PrintLine, plain_text, render
from fiscal.money import format_money, format_qty
from fsm.context import Notices, Registrar, Stores
from fsm.errors import OperationError
from fsm.session import Session
from hal.errors import DeviceError
from storage.errors import StorageError
from storage.outbox import Outbox, enqueue_z_report
from texts import t

log = logging.getLogger("zpos.reports")

# report kind → the permission row that guards it
KINDS = {"x": "x_report", "z": "z_report", "items": "report_items", "payments": "report_payments",
         "stock": "report_stock", "turnover": "report_turnover"}


def _row(left: str, right: str, width: int) -> PrintLine:
    room = width - len(right) - 1
    return PrintLine((left if len(left) <= room else left[:room - 1] + "…").ljust(room) + " " + right)


class Reports:
    def __init__(self, stores: Stores, session: Session, registrar: Registrar, notices: Notices,
                 x_document: Callable[[], PrintedDocument], shift_opened_at: Callable) -> None:
        self.stores = stores
        self.session = session
        self.registrar = registrar
        self.notices = notices
        self._x_document = x_document
        self._opened_at = shift_opened_at

    # ----- queries -------------------------------------------------------------------------
    def items(self, start_iso: str, end_iso: str):
        self.session.require("report_items")
        return self.stores.journal.sales_by_item(start_iso, end_iso)

    def payments(self, start_iso: str, end_iso: str):
        self.session.require("report_payments")
        return self.stores.journal.totals_by_payment(start_iso, end_iso)

    def stock(self):
        self.session.require("report_stock")
        return [it for it in self.stores.catalog.items() if it.stock is not None]

    def turnover(self, start_iso: str, end_iso: str) -> list[dict]:
        """Оборотная ведомость: per item, sold and returned in the period and the stock now."""
        self.session.require("report_turnover")
        rows = []
        moved = {r.code: r for r in self.stores.journal.sales_by_item(start_iso, end_iso)}
        for item in self.stores.catalog.items():
            if item.stock is None and item.code not in moved:
                continue
            r = moved.get(item.code)
            rows.append({"code": item.code, "name": item.name, "stock": item.stock,
                         "sold_qty": r.sold_qty if r else 0, "sold_sum": r.sold_sum if r else 0,
                         "refunded_qty": r.refunded_qty if r else 0, "refunded_sum": r.refunded_sum if r else 0})
        return rows

    # ----- the printed form -------------------------------------------------------------------
    def document(self, kind: str) -> PrintedDocument:
        """A report as it prints (non-fiscal ones are laid out here; fiscal ones by fiscal.layout); refused like
        the operation it previews (the X without an open shift is SHIFT_CLOSED). The last Z is always a copy."""
        if kind not in KINDS:
            raise OperationError("BAD_FIELD", f"no report {kind!r}", field="kind")
        self.session.require_rule(KINDS[kind])
        req, width = self.stores.settings.requisites(), self.stores.params.printer_width
        now = self.registrar.now()
        if kind == "x":
            return self._x_document()
        if kind == "z":
            last = self.stores.journal.last_document(types=["shift_close"])
            if last is None:
                return PrintedDocument(t("ui.reports.z"), width, (PrintLine(t("ui.reports.no_z")),))
            return render(last.doc, last.registration, req, width, copy=True)
        title = t(f"ui.reports.{kind}")
        lines = [PrintLine(req.org_name), PrintLine(req.shop_name), PrintLine(title.upper(), bold=True),
                 PrintLine("-" * width)]
        opened = self._opened_at()
        start = opened.isoformat() if opened else now[:10]
        if kind == "items":
            rows = self.stores.journal.sales_by_item(start, "9999")
            for r in rows:
                lines.append(PrintLine(r.name))
                lines.append(_row(f"  {format_qty(r.sold_qty)}", format_money(r.sold_sum), width))
                if r.refunded_qty:
                    lines.append(_row(f"  {t('ui.reports.refunded')} {format_qty(r.refunded_qty)}",
                                      "-" + format_money(r.refunded_sum), width))
            if not rows:
                lines.append(PrintLine(t("ui.reports.empty")))
        elif kind == "payments":
            totals = self.stores.journal.totals_by_payment(start, "9999")
            for ptype, tot in totals.items():
                lines.append(_row(t(f"ui.pay.type.{ptype.value}"), format_money(tot.sales), width))
                if tot.refunds:
                    lines.append(_row(f"  {t('ui.reports.refunded')}", "-" + format_money(tot.refunds), width))
            if not totals:
                lines.append(PrintLine(t("ui.reports.empty")))
        elif kind == "stock":
            for item in self.stores.catalog.items():
                if item.stock is not None:
                    lines.append(_row(item.name, format_qty(item.stock), width))
        lines += [PrintLine("-" * width), PrintLine(now[:16].replace("T", " "))]
        return PrintedDocument(title, width, tuple(lines))

    def print_report(self, kind: str) -> None:
        """Print a non-fiscal report, the X report, or a copy of the last Z."""
        self.session.require(KINDS.get(kind, "reports_menu"))
        self.registrar.check_printer()
        try:
            self.registrar.devices.printer.print_document(self.document(kind))
        except DeviceError as e:
            raise OperationError.carrying(e) from None

    # ----- export at shift close ------------------------------------------------------------
    def export_z(self, entry) -> None:
        """«Выгрузка отчетов при закрытии смены»: the Z's text and JSON go to the outbox, which uploads them
        to the configured target in the background; closing a shift never waits on the network."""
        spec = self.stores.params.reports_target
        if not spec or entry is None:
            return
        doc, reg = entry.doc, entry.registration
        text = plain_text(render(doc, reg, self.stores.settings.requisites(), self.stores.params.printer_width))
        body = {"shift": doc.shift, "number": reg.number, "uid": reg.uid, "closed": doc.created, "counters": doc.counters}
        try:
            enqueue_z_report(Outbox(str(self.stores.data_dir)), spec, doc.shift, doc.created, text, body)
        except (StorageError, OSError) as e:
            log.warning("Z report of shift %s not queued: %s", doc.shift, getattr(e, "detail", e))
            self.notices.add(t("notice.reports_not_exported", why=getattr(e, "message", str(e))))
