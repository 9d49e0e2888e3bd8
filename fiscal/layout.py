"""The printed layout of every document: styled text lines for 32, 42 and 48 columns, in Russian.

Every line's text is already laid out for the width (leading spaces centre or right-align
it; a double-size line has half as many characters), so a driver prints it as it is.
No line ends in padding: some printers feed an extra line after a full one.

The verification QR code carries `uid=<24 hex>&date=<YYYY-MM-DD>T<HH:MM:SS>` (the SKO uid
and the registration time as written by the SKO); both are printed as text as well, for
typing into the МНС app «Проверка чека покупателем».
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fiscal.documents import (
    Annulment,
    CashIn,
    CashOut,
    DocType,
    Document,
    Refund,
    RefundKind,
    Registration,
    Requisites,
    Sale,
    ShiftClose,
    ShiftOpen,
)
from fiscal.money import format_money, format_qty
from fiscal.receipt import CalcLine, Payment, PaymentType
from fiscal.reports import CountSum, ShiftCounters, VatTotal, counters_from_dict
from fiscal.sko_cheque import as_computed
from fiscal.vat import NO_VAT


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class PrintLine:
    text: str
    bold: bool = False
    double: bool = False          # double width and height: counts as 2 columns per character
    align: Align = Align.LEFT


@dataclass(frozen=True)
class PrintedDocument:
    """What a printer driver prints: lines, then a QR code (if any), then cut."""

    title: str
    width: int
    lines: tuple[PrintLine, ...]
    qr: str | None = None
    barcode: str | None = None    # EAN-13 / CODE128 payload to print under the QR, if any

    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines) + "\n"


WIDTHS = (32, 42, 48)

TITLES = {
    DocType.SALE: "ЧЕК ПРОДАЖИ", DocType.REFUND: "ЧЕК ВОЗВРАТА", DocType.ANNULMENT: "ДОКУМЕНТ АННУЛИРОВАНИЯ",
    DocType.CASH_IN: "ВНЕСЕНИЕ", DocType.CASH_OUT: "ИЗЪЯТИЕ", DocType.SHIFT_OPEN: "ОТКРЫТИЕ СМЕНЫ",
    DocType.SHIFT_CLOSE: "Z-ОТЧЕТ (ЗАКРЫТИЕ СМЕНЫ)",
}
X_TITLE = "X-ОТЧЕТ"
COPY_MARK = "КОПИЯ"
MARKING_MARK = "[М]"   # after a marked line's name: Belarus prescribes no sign (marking.md §5); cashiers know this one
PAYMENT_LABELS = {
    PaymentType.CASH: "Наличными", PaymentType.CARD: "Банковской картой", PaymentType.CERTIFICATE: "Сертификатом",
    PaymentType.CASHLESS_OTHER: "Иные безналичные", PaymentType.ADVANCE_OTHER: "Иные авансовые",
    PaymentType.OPLATI: "ОПЛАТИ",
}
_REF_LABELS = {PaymentType.CARD: "RRN", PaymentType.OPLATI: "ID операции"}
_REFUND_KINDS = {RefundKind.NO_RECEIPT: "Возврат без чека", RefundKind.FUNDS: "Возврат средств"}
_TARGET_NAMES = {DocType.SALE: "Чек продажи", DocType.REFUND: "Чек возврата"}


def _parse_time(value: str | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"time {value!r} is not ISO 8601 such as 2026-01-15T09:00:00+03:00") from None


def _human_time(value: str | datetime) -> str:
    return _parse_time(value).strftime("%d.%m.%Y %H:%M:%S")


def qr_payload(reg: Registration) -> str:
    """The verification QR text: uid and registration date-time (local time as the SKO wrote it)."""
    return f"uid={reg.uid}&date={_parse_time(reg.time):%Y-%m-%dT%H:%M:%S}"


def wrap(text: str, cols: int) -> list[str]:
    """Greedy word wrap to `cols`; a word longer than a line is cut; whitespace runs become one space."""
    out: list[str] = []
    cur = ""
    for word in text.split():
        while len(word) > cols:
            if cur:
                out.append(cur)
                cur = ""
            out.append(word[:cols])
            word = word[cols:]
        if not word:
            continue
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= cols:
            cur += " " + word
        else:
            out.append(cur)
            cur = word
    if cur or not out:
        out.append(cur)
    return out


class _Page:
    """Collects laid-out lines for one width."""

    def __init__(self, width: int) -> None:
        if width not in WIDTHS:
            raise ValueError(f"printer width {width!r} is not one of {', '.join(map(str, WIDTHS))} columns")
        self.width = width
        self.lines: list[PrintLine] = []

    def cols(self, double: bool) -> int:
        return self.width // 2 if double else self.width

    def text(self, s: str, *, bold: bool = False, double: bool = False, center: bool = False) -> None:
        cols = self.cols(double)
        for part in wrap(s, cols):
            pad = (cols - len(part)) // 2 if center else 0
            self.lines.append(PrintLine(" " * pad + part, bold, double, Align.CENTER if center else Align.LEFT))

    def pair(self, left: str, right: str, *, bold: bool = False, double: bool = False) -> None:
        """`left` wrapped, `right` flush with the right edge on the last line (or a line of its own)."""
        cols = self.cols(double)
        indent = " " * min(len(left) - len(left.lstrip()), cols // 4)
        parts = [indent + p for p in wrap(left, cols - len(indent))] if left.strip() else []
        rights = wrap(right, cols)
        if parts and len(parts[-1]) + 1 + len(rights[0]) <= cols and len(rights) == 1:
            last = parts.pop()
            for p in parts:
                self.lines.append(PrintLine(p, bold, double))
            self.lines.append(PrintLine(last + " " * (cols - len(last) - len(rights[0])) + rights[0], bold, double))
            return
        for p in parts:
            self.lines.append(PrintLine(p, bold, double))
        for r in rights:
            self.lines.append(PrintLine(" " * (cols - len(r)) + r, bold, double, Align.RIGHT))

    def amount(self, label: str, kopecks: int) -> None:
        """The biggest line: double-size label and sum when they fit, else a bold label over a double sum."""
        money = format_money(kopecks)
        if len(label) + 1 + len(money) <= self.cols(True):
            self.pair(label, money, bold=True, double=True)
        else:
            self.text(label, bold=True)
            self.pair("", money, bold=True, double=len(money) <= self.cols(True))

    def rule(self, ch: str = "-") -> None:
        self.lines.append(PrintLine(ch * self.width))

    def section(self, title: str) -> None:
        self.text(f" {title} ".center(self.width, "-").rstrip(), bold=True)

    def done(self, title: str, qr: str | None = None) -> PrintedDocument:
        return PrintedDocument(title, self.width, tuple(self.lines), qr)


def _vat_label(rate: str) -> str:
    return "Без НДС" if rate == NO_VAT else f"НДС {rate}%"


def _header(page: _Page, req: Requisites, title: str, sko_serial: str, copy: bool) -> None:
    if copy:
        page.text(COPY_MARK, bold=True, double=True, center=True)
    if req.shop_name:
        page.text(req.shop_name, bold=True, center=True)
    page.text(req.org_name, center=True)
    page.text(f"УНП: {req.unp}", center=True)
    if req.shop_address:
        page.text(req.shop_address, center=True)
    page.pair("Рег.№ КСА:", req.ksa_number)
    page.pair("Зав.№ СКО:", sko_serial or req.sko_serial)
    page.rule()
    page.text(title, bold=True, center=True)


def _doc_info(page: _Page, number: int | None, shift: int, time: str | datetime, cashier: str) -> None:
    page.pair(f"№ {number}" if number is not None else "", f"Смена № {shift}")
    page.pair("Валюта: BYN", _human_time(time))
    page.text(f"Кассир: {cashier}")
    page.rule()


def _footer(page: _Page, reg: Registration, copy: bool, shop_text: str = "") -> None:
    page.rule()
    if reg.uid:        # a document the SKO gives no uid (iKassa's shift open) cannot be checked in the app
        page.text("Проверьте чек в приложении МНС", center=True)
        page.text("«Проверка чека покупателем»", center=True)
        page.pair("УИД:", reg.uid)
    page.pair("Дата:", _human_time(reg.time))
    for line in shop_text.splitlines():       # the shop's own words (receipt_footer), below the fiscal part
        if line.strip():
            page.text(line.strip(), center=True)
    if copy:
        page.text(COPY_MARK, bold=True, double=True, center=True)


def _item(page: _Page, position: int, ln: CalcLine, marking_mark: str = "") -> None:
    # A line carrying marking codes gets a short mark after its name; the codes themselves (and their
    # crypto tails) stay in the journal and the SKO document, never on paper (marking.md §5).
    sign = f" {marking_mark}" if marking_mark and ln.markings else ""
    page.text(f"{position}. {ln.name}{sign}")
    mark = _vat_label(ln.vat_rate) + (f", секция {ln.section}" if ln.section is not None else "")
    unit = f" {ln.unit}" if ln.unit else ""
    qty_price = f"{format_qty(ln.qty)}{unit} × {format_money(ln.price)}"
    full = f"{qty_price} = {format_money(ln.raw)}"
    if len(mark) + 1 + len(full) <= page.width:
        page.pair(mark, full)
    else:
        page.text(mark)
        if len(full) <= page.width:
            page.pair("", full)
        else:
            page.pair("", qty_price)
            page.pair("", f"= {format_money(ln.raw)}")
    if ln.discount:
        page.pair("  Скидка", f"-{format_money(ln.discount)}")
    if ln.markup:
        page.pair("  Надбавка", f"+{format_money(ln.markup)}")
    # The receipt-level discount or markup as the SKO receives it: each line's share, on that line.
    if ln.receipt_discount:
        page.pair("  Скидка на чек (доля)", f"-{format_money(ln.receipt_discount)}")
    if ln.receipt_markup:
        page.pair("  Надбавка на чек (доля)", f"+{format_money(ln.receipt_markup)}")
    if ln.total != ln.raw:
        page.pair("  Итог по позиции", format_money(ln.total))


def _payments(page: _Page, heading: str, payments: tuple[Payment, ...], change: int, refund: bool = False) -> None:
    page.text(heading)
    for p in payments:
        page.pair(f"  {PAYMENT_LABELS[p.type]}", format_money(p.amount))
        if p.ref:      # an older journal may hold a reference as a number: print it as it is
            # a refund carries the reference of the payment it gives back (its own is on the card slip)
            label = _REF_LABELS.get(p.type, "Ссылка") + (" оплаты" if refund else "")
            page.pair(f"    {label}:", str(p.ref))
        if p.terminal:
            page.pair("    Терминал:", str(p.terminal))
    if not refund and (change or any(p.type is PaymentType.CASH for p in payments)):
        page.pair("Сдача", format_money(change), bold=True)


def _priced_body(page: _Page, doc: Sale | Refund, marking_mark: str) -> None:
    if isinstance(doc, Refund):
        if doc.kind is RefundKind.BY_RECEIPT:
            page.text(f"Возврат по чеку № {doc.original_number if doc.original_number is not None else '—'}")
            if doc.original_uid:
                page.pair("УИД чека:", doc.original_uid)
        else:
            page.text(_REFUND_KINDS[doc.kind])
        page.rule()
    for i, ln in enumerate(doc.lines, 1):
        _item(page, i, ln, marking_mark)
    page.rule()
    page.pair("Итого общая стоимость", format_money(doc.total_cost))
    page.pair("Сумма скидки (надбавки)", format_money(doc.discount_total))
    page.amount("ИТОГО К ОПЛАТЕ" if isinstance(doc, Sale) else "ИТОГО К ВЫПЛАТЕ", doc.total_due)
    totals: dict[str, int] = {}
    for ln in doc.lines:
        totals[ln.vat_rate] = totals.get(ln.vat_rate, 0) + ln.total
    for rate, vat in doc.vat:
        if rate == NO_VAT:
            page.pair("Сумма без НДС:", format_money(totals.get(rate, 0)))
        else:
            page.pair(f"в т.ч. НДС {rate}%:", format_money(vat))
    page.rule()
    _payments(page, "Оплата:" if isinstance(doc, Sale) else "Выплачено:", doc.payments, doc.change,
              refund=isinstance(doc, Refund))
    if isinstance(doc, Sale) and doc.discount_card:
        page.pair("Дисконтная карта:", doc.discount_card)


def returned_by_tender(payments: tuple[Payment, ...], change: int) -> list[tuple[PaymentType, int]]:
    """What an annulment moves back, per tender: the annulled document's payments with the change it gave
    taken off the cash (the customer kept the change), in the order the tenders were paid."""
    out: dict[PaymentType, int] = {}
    for p in payments:
        out[p.type] = out.get(p.type, 0) + p.amount
    if change:
        out[PaymentType.CASH] = out.get(PaymentType.CASH, 0) - change
    return [(t, a) for t, a in out.items() if a]


def _annulment_body(page: _Page, doc: Annulment) -> None:
    page.text(f"Аннулирован: {_TARGET_NAMES.get(doc.target_type, doc.target_type.value)} № {doc.target_number}")
    if doc.target_uid:
        page.pair("УИД чека:", doc.target_uid)
    page.rule()
    page.amount("СУММА", doc.total_due)
    # A sale's money goes back to the customer; an annulled refund's money comes back to the register.
    page.text("Возвращено покупателю:" if doc.target_type is DocType.SALE else "Возвращено в кассу:")
    for t, amount in returned_by_tender(doc.payments, doc.change):
        page.pair(f"  {PAYMENT_LABELS[t]}", format_money(amount))


def _count_sum(page: _Page, title: str, cs: CountSum) -> None:
    page.section(title)
    page.pair("Количество", str(cs.count))
    page.pair("Сумма", format_money(cs.sum))


def _by_payment(page: _Page, by_type: tuple[tuple[PaymentType, int], ...]) -> None:
    for t, amount in by_type:
        if amount:
            page.pair(f"  {PAYMENT_LABELS[t]}", format_money(amount))


def _vat_totals(page: _Page, vats: tuple[VatTotal, ...]) -> None:
    for v in vats:
        if v.rate == NO_VAT:
            page.pair("  Сумма без НДС", format_money(v.total))
        else:
            page.pair(f"  Оборот по ставке {v.rate}%", format_money(v.total))
            page.pair(f"  в т.ч. НДС {v.rate}%", format_money(v.vat))


def _gross_and_net(page: _Page, title: str, cs: CountSum, by_type, annulled: CountSum | None,
                   net: int | None, vats: tuple[VatTotal, ...]) -> None:
    """One document kind: the gross count and sum (annulled documents included) by tender, what was annulled,
    the sum net of annulments, and the VAT turnover (always net of annulments), each labelled as such."""
    page.section(title)
    page.pair("Количество", str(cs.count))
    page.pair("Сумма (с аннулированными)", format_money(cs.sum))
    _by_payment(page, by_type)
    if annulled is not None and net is not None:
        page.pair(f"Аннулировано ({annulled.count})", format_money(annulled.sum))
        page.pair("Сумма за вычетом аннулир.", format_money(net), bold=True)
    if vats:
        page.text("Оборот за вычетом аннулир.:")
        _vat_totals(page, vats)


def _counters_body(page: _Page, c: ShiftCounters, sko_cash: int | None = None) -> None:
    if c.opened:
        page.pair("Открыта:", _human_time(c.opened))
    if c.closed:
        page.pair("Закрыта:", _human_time(c.closed))
    if c.first_number is not None:
        page.pair("Документы №:", f"{c.first_number} – {c.last_number}")
    page.pair("Документов в смене:", str(c.documents))
    _gross_and_net(page, "ПРОДАЖИ", c.sales, c.sales_by_payment, c.annulled_sales, c.sales_net, c.sales_vat)
    _gross_and_net(page, "ВОЗВРАТЫ", c.refunds, c.refunds_by_payment, c.annulled_refunds, c.refunds_net,
                   c.refunds_vat)
    _count_sum(page, "АННУЛИРОВАНИЯ", c.annulments)
    _by_payment(page, c.annulled_by_payment)
    _count_sum(page, "ВНЕСЕНИЯ", c.cash_in)
    _count_sum(page, "ИЗЪЯТИЯ", c.cash_out)
    page.rule()
    page.pair("Выручка за смену", format_money(c.revenue), bold=True)
    page.pair("Наличных на начало смены", format_money(c.opening_cash))
    page.pair("Наличных в кассе", format_money(c.cash_in_drawer), bold=True)
    if sko_cash is not None and sko_cash != c.cash_in_drawer:
        page.pair("Наличных по данным СКО", format_money(sko_cash), bold=True)
    if c.pending:
        page.pair("Не зарегистрировано документов", str(c.pending))


def plain_text(printed: PrintedDocument) -> str:
    """The document as a text file shows it on paper: double-size lines letter-spaced to their real width."""
    return "\n".join(" ".join(ln.text).rstrip() if ln.double else ln.text for ln in printed.lines) + "\n"


def render(doc: Document, reg: Registration | None, req: Requisites, width: int, *,
           copy: bool = False, marking_mark: str = MARKING_MARK, footer: str = "") -> PrintedDocument:
    """The printed form of a registered document (or its copy). `marking_mark` follows the name of a line
    that carries marking codes ("" prints none); `footer` is the shop's text under a sale or refund
    (the receipt_footer parameter), one centred line per line of it.

    ValueError for a pending document (no registration), a width other than 32/42/48 or a
    malformed time; FiscalError BAD_FIELD for a Z report with malformed counters.
    """
    if reg is None:
        raise ValueError(f"document {doc.op_id} is not registered by the SKO yet and cannot be printed as fiscal")
    page = _Page(width)
    title = TITLES[doc.type]
    _header(page, req, title, reg.sko_serial, copy)
    _doc_info(page, reg.number, doc.shift, reg.time, doc.cashier)
    if isinstance(doc, (Sale, Refund)):
        _priced_body(page, as_computed(doc, reg.cheque), marking_mark)     # printed as the SKO computed it
    elif isinstance(doc, Annulment):
        _annulment_body(page, doc)
    elif isinstance(doc, (CashIn, CashOut)):
        page.amount("СУММА", doc.amount)
    elif isinstance(doc, ShiftClose):
        _counters_body(page, counters_from_dict(doc.counters))
    elif isinstance(doc, ShiftOpen):
        page.text(f"Смена № {doc.shift} открыта")
    _footer(page, reg, copy, footer if isinstance(doc, (Sale, Refund)) else "")
    return page.done(f"{COPY_MARK}: {title}" if copy else title, qr_payload(reg) if reg.uid else None)


def render_x_report(counters: ShiftCounters, req: Requisites, width: int, time: str | datetime,
                    cashier: str, sko_serial: str = "", sko_cash: int | None = None) -> PrintedDocument:
    """The X report: the current shift's counters; not a fiscal document, so no uid and no QR.
    `sko_cash` is the SKO's own drawer counter: printed too when it differs from the journal's figure."""
    page = _Page(width)
    _header(page, req, X_TITLE, sko_serial, False)
    _doc_info(page, None, counters.shift, time, cashier)
    _counters_body(page, counters, sko_cash)
    page.rule()
    return page.done(X_TITLE)


SLIP_COPIES = {"customer": "Экземпляр покупателя", "merchant": "Экземпляр кассира"}


def render_card_slip(slip: list[str] | tuple[str, ...], width: int, *, copy_of: str = "customer",
                     reprint: bool = False, document: str = "") -> PrintedDocument:
    """The card terminal's slip (карт-чек) as the terminal sent it, one line per line, wrapped to the paper;
    `copy_of` names whose copy it is; a reprint is marked as a copy (it is not the terminal's original).
    `document` names the fiscal document the slip belongs to (e.g. «Чек продажи № 12»)."""
    page = _Page(width)
    if reprint:
        page.text(COPY_MARK, bold=True, double=True, center=True)
    page.text("КАРТ-ЧЕК", bold=True, center=True)
    page.text(SLIP_COPIES.get(copy_of, copy_of), center=True)
    if document:
        page.text(document, center=True)
    page.rule()
    for line in slip:
        text = str(line).rstrip()
        if text:
            page.text(text)
        else:
            page.lines.append(PrintLine(""))
    page.rule()
    if reprint:
        page.text(COPY_MARK, bold=True, double=True, center=True)
    title = f"Карт-чек: {SLIP_COPIES.get(copy_of, copy_of)}"
    return page.done(f"{COPY_MARK}: {title}" if reprint else title)
