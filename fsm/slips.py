"""Card slips (карт-чеки): the terminal's slip printed after each card payment, refund and cancel, reprinted from «Чеки».

The terminal sends its slip with every answer; the register keeps it with the card effect
(`result["slip"]`) and prints it as soon as the operation went through, before the fiscal
document (as a terminal with its own printer would): the customer's copy, and the cashier's
copy too when the parameter `card_slip_merchant_copy` asks for it. A slip that does not print
is a notice, never a refusal (the money has moved); it can be printed again from the
document, marked as a copy.
"""
from __future__ import annotations

import logging

from fiscal.documents import DocType
from fiscal.layout import PrintedDocument, render_card_slip
from fsm.context import Notices, Stores
from fsm.errors import OperationError
from hal.errors import DeviceError
from texts import t

log = logging.getLogger("zpos.slips")
CARD_KINDS = ("card_sale", "card_refund", "card_cancel")
DONE = ("approved", "settled")


class CardSlips:
    def __init__(self, stores: Stores, devices, notices: Notices) -> None:
        self.stores = stores
        self.devices = devices
        self.notices = notices

    def _done(self, op_id: str) -> list:
        """The document's card operations that went through and sent a slip, in the order they were made."""
        return [i for i in self.stores.journal.intents.for_document(op_id)
                if i.kind in CARD_KINDS and str(i.status) in DONE and (i.result or {}).get("slip")]

    def slips_of(self, op_id: str) -> list[list[str]]:
        return [[str(line) for line in i.result["slip"]] for i in self._done(op_id)]

    def _render(self, slip: list[str], kind: DocType | str, number: int | None, reprint: bool) -> list[PrintedDocument]:
        params = self.stores.params
        copies = ("customer", "merchant") if params.card_slip_merchant_copy else ("customer",)
        label = t(f"doc.slip_of.{DocType(str(kind)).value}") + (f" № {number}" if number is not None else "")
        return [render_card_slip(slip, params.printer_width, copy_of=c, reprint=reprint, document=label)
                for c in copies]

    def print_new(self, op_id: str, kind: DocType | str) -> int:
        """Print the slip of every card operation of the document not printed yet (as the terminal answers, before
        the fiscal document: the money has moved whatever the SKO does next); how many pages printed. Each slip
        prints once (a retry of the document does not repeat it); a printer fault is a notice, never a refusal."""
        printed = 0
        for intent in self._done(op_id):
            if intent.result.get("slip_printed"):
                continue
            try:
                for doc in self._render([str(x) for x in intent.result["slip"]], kind, None, False):
                    self._print(doc)
                    printed += 1
            except OperationError as e:
                log.warning("card slip of %s %s not printed: %s", kind, op_id, e.code)
                self.notices.add(t("notice.slip_not_printed"))
                return printed
            self.stores.journal.intents.set(intent.intent_id, intent.status, {**intent.result, "slip_printed": True})
        return printed

    def reprint(self, number: int) -> int:
        """«Чеки» → the document → «Карт-чек»: its slips again, marked as copies. Refused when it has none."""
        entry = self.stores.journal.by_number(int(number))
        if entry is None:
            raise OperationError("UNKNOWN_ITEM", variant="NO_SUCH_RECEIPT", number=number)
        docs = [d for slip in self.slips_of(entry.op_id) for d in self._render(slip, entry.type, entry.number, True)]
        if not docs:
            raise OperationError("UNKNOWN_ITEM", f"document {number} has no card operation", variant="NO_CARD_SLIP",
                                 number=number)
        for doc in docs:
            self._print(doc)
        return len(docs)

    def _print(self, doc: PrintedDocument) -> None:
        printer = self.devices.printer
        if printer is None:
            raise OperationError("PRINTER_OFFLINE")
        try:
            printer.print_document(doc)
        except DeviceError as e:
            raise OperationError.carrying(e) from None
