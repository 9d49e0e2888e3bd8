"""The till: every service built once, with its dependencies named, in one place.

Screens, commands, scenarios and the demo hold a `Till` and call the service they need:
`session` (who is at the till), `shifts` (shift, X, Z, cash in/out), `sale` (the receipt being
built), `checkout` (paying it), `refunds`, `docs` (receipts, annulment, copies, reprint),
`admin`, `goods` (catalog queries), `reports`, `maintenance`, `hardware` (device readings, bank,
diagnostics).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from fsm.admin import Admin
from fsm.checkout import Checkout
from fsm.clock import Clock
from fsm.context import Notices, Registrar, Stores
from fsm.customer import CustomerView
from fsm.devices import DeviceSet
from fsm.documents import Documents
from fsm.electronic import Electronic
from fsm.exchange import GoodsExchange
from fsm.fiscal_path import CrashSwitch, FiscalPath
from fsm.goods import GoodsView
from fsm.hardware import Hardware
from fsm.intents import PaymentIntents
from fsm.maintenance import Maintenance
from fsm.marking import MarkingService
from fsm.refunds import Refunds
from fsm.reports import Reports
from fsm.sale import SaleService
from fsm.session import Session
from fsm.shifts import Shifts
from fsm.slips import CardSlips

log = logging.getLogger("zpos.register")


class Till:
    def __init__(self, data_dir: Path, devices: DeviceSet, clock: Clock, *,
                 sleep: Callable[[float], None] = time.sleep, crash: CrashSwitch | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.devices = devices
        self.clock = clock
        self.stores = stores = Stores(self.data_dir)
        self.notices = Notices()
        self.path = FiscalPath(stores.journal, devices.sko, lambda: devices.printer, stores.settings.requisites,
                               lambda: stores.params.printer_width, crash)
        self.registrar = registrar = Registrar(self.path, devices, self.notices, clock)
        self.intents = intents = PaymentIntents(stores)
        self.electronic = electronic = Electronic(stores, devices, intents)
        self.session = session = Session(stores, lambda: self.shifts.state, sleep=sleep, on_sko_pin=self._start_up,
                                         on_leave_payment=lambda: session.payment_cancelled(),
                                         on_login=lambda: self.sale.restore_draft())
        self.sale = sale = SaleService(stores, devices, session, unfinished_check=intents.ensure_resolved,
                                       money_taken=intents.paid_by,
                                       money_unknown=lambda op_id: bool(intents.unresolved_for(op_id)))
        self.reports = Reports(stores, session, registrar, self.notices, lambda: self.shifts.x_report_document(),
                               lambda: self.shifts.opened_at)
        self.shifts = shifts = Shifts(stores, devices, registrar, session, clock, lambda: sale.is_open,
                                      after_close=self.reports.export_z)
        self.checkout = Checkout(stores, session, sale, intents, electronic, registrar, lambda: shifts.number)
        self.refunds = Refunds(stores, session, lambda: intents.ensure_resolved(sale.receipt), electronic, registrar,
                               lambda: shifts.number, shifts.cash_in_drawer, sale.vat_table)
        self.docs = Documents(stores, session, electronic, registrar, lambda: shifts.number, shifts.cash_in_drawer)
        self.admin = Admin(stores, devices, session, lambda: shifts.state, sale.contains)
        self.maintenance = Maintenance(stores, devices, session, registrar, lambda: shifts.state, self.facts,
                                       self._after_reopen)
        self.hardware = Hardware(stores, devices, session, electronic, registrar)
        self.exchange = GoodsExchange(stores, session, registrar, lambda: sale.is_open, self.maintenance.removable_drives)
        self.goods = GoodsView(stores, session)
        self.customer = CustomerView(lambda: [d for d in (devices.display,) if d is not None])
        sale.on_change = lambda receipt: self.customer.receipt_changed(receipt, sale.vat_table())
        self.checkout.customer = self.customer
        electronic.on_qr = lambda amount, qr: self.customer.payment(amount, 0, 0, qr)
        self.marking = MarkingService(stores, sale, session, self.registrar.now)
        sale.marking = self.refunds.marking = self.marking
        self.slips = CardSlips(stores, devices, self.notices)
        self.checkout.slips = self.refunds.slips = self.docs.slips = self.slips
        self.path.render_options = lambda: {"marking_mark": self.marking.receipt_mark,
                                            "footer": stores.params.receipt_footer}

    # ----- start-up after the SKO PIN ----------------------------------------------------------
    def _start_up(self, pin: str) -> None:
        """Authorise the SKO, hold our shift record against it, settle pending documents and lost answers."""
        self.devices.sko.authorize(pin)
        self._pin_sko_key()
        self.shifts.sync()
        self.recover_effects()
        self.path.reconcile()

    def recover_effects(self) -> None:
        """Every card or ОПЛАТИ effect whose answer was lost is asked about again (at each start)."""
        for effect in self.intents.open():
            if effect.status in ("intended", "sent", "unknown"):
                self.electronic.ask(effect)

    def _pin_sko_key(self) -> None:
        """Remember the SKO at first contact: its serial, and its public key only where the SKO type signs.

        The iKassa SKO signs nothing (no key is needed); the journal's own hash chain covers each document
        with the SKO's uid and number, and a key pinned by an earlier SKO type still checks old signatures."""
        journal = self.stores.journal
        pem = journal.get_meta("sko_public_key")
        if not journal.get_meta("sko_serial"):
            info = self.devices.sko.info()
            journal.set_meta("sko_serial", info.serial)
            if info.public_key_pem and not pem:
                pem = info.public_key_pem
                journal.set_meta("sko_public_key", pem)
        if pem and hasattr(self.devices.sko, "pin_key"):
            self.devices.sko.pin_key(pem)

    def _after_reopen(self) -> None:
        self.path.journal = self.stores.journal
        self.shifts.reload()

    # ----- facts for the support bundle and the screens -------------------------------------------
    def now(self) -> str:
        return self.registrar.now()

    def facts(self) -> dict:
        s = self.session
        return {"state": s.state, "shift": self.shifts.number, "shift_state": str(self.shifts.state),
                "user": s.user.login if s.user else None}

    def journal_public_key(self) -> str | None:
        return self.stores.journal.get_meta("sko_public_key")

    def close(self) -> None:
        self.stores.close()

    def shutdown(self) -> None:
        """A clean exit: the SKO session is logged out (the published `logout`), then devices and stores close.
        A power loss never gets here; the next start authorises again (47 «already authorised» is fine)."""
        try:
            self.devices.sko.logout()
        except Exception as e:  # noqa: BLE001 - an SKO already gone must not keep the register from closing
            log.info("SKO logout at exit: %s", getattr(e, "detail", e))
        self.devices.close()
        self.close()
