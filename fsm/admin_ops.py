"""The administrator's operations and the report queries, each behind the permission table."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace

from fiscal.documents import Requisites
from fiscal.identifiers import unp_valid
from fsm.errors import OperationError
from fsm.passwords import check_new_password
from hal.errors import DeviceError
from storage.errors import StorageError


def storage_refusal(e: StorageError) -> OperationError:
    if e.code == "BAD_SETTING":
        return OperationError("BAD_FIELD", e.detail, variant=e.variant, **e.params)
    return OperationError.carrying(e)


@contextmanager
def storage_refusals():
    """A store's refusal (bad value, duplicate, unreadable medium) becomes the operation's refusal."""
    try:
        yield
    except StorageError as e:
        raise storage_refusal(e) from None


class AdminOps:
    """Mixin of fsm.register.Register."""

    @staticmethod
    def blank_item():
        """An empty item for the goods editor to fill."""
        from storage.catalog_items import Item
        return Item(code="", barcode=None, name="", price=0, vat="20", stock=None)

    # ----- requisites and parameters ----------------------------------------------------
    def fill_requisites_from_sko(self) -> Requisites:
        """«Заполнить из ПК»: organisation, УНП, register number and SKO serial as the SKO holds them."""
        self.require("requisites")
        current = self.settings.requisites() if self.settings.has_requisites() else None
        try:
            req = self.devices.sko.requisites(current)
        except DeviceError as e:
            raise OperationError.carrying(e) from None
        self.settings.save_requisites(req)
        return req

    def save_requisites(self, shop_name: str, shop_address: str) -> Requisites:
        """The fields the administrator types; name, УНП and КСА come only from the SKO."""
        self.require("requisites")
        req = self.settings.requisites()
        new = replace(req, shop_name=shop_name.strip()[:64], shop_address=shop_address.strip()[:128])
        if not unp_valid(new.unp):
            raise OperationError("BAD_FIELD", variant="BAD_UNP", unp=new.unp)
        self.settings.save_requisites(new)
        return new

    def save_parameters(self, **changes):
        """Change working parameters (accounting mode, printer width, VAT list, stock rule, …)."""
        self.require("parameters")
        if "accounting_mode" in changes and changes["accounting_mode"] != self.params.accounting_mode:
            if str(self.shift_state) != "closed":
                raise OperationError("SHIFT_OPEN", variant="MODE_NEEDS_CLOSED_SHIFT")
        from storage.settings import Parameters
        with storage_refusals():
            p = Parameters.from_dict({**self.params.to_dict(), **changes})
        self.settings.save_parameters(p)
        return p

    # ----- users -------------------------------------------------------------------------
    def add_user(self, login: str, name: str, role: str, cashier_id: str, password: str):
        self.require("users")
        check_new_password(password)
        with storage_refusals():
            return self.users.add(login.strip(), name.strip(), role, cashier_id.strip(), password)

    def update_user(self, login: str, **fields):
        self.require("users")
        with storage_refusals():
            return self.users.update(login, **fields)

    def reset_password(self, login: str, password: str) -> None:
        self.require("users")
        check_new_password(password)
        with storage_refusals():
            self.users.set_password(login, password)

    def delete_user(self, login: str) -> None:
        self.require("users")
        if self.user is not None and login == self.user.login:
            raise OperationError("NOT_ALLOWED", variant="DELETE_SELF")
        with storage_refusals():
            self.users.delete(login)

    def set_device_password(self, old: str, new: str) -> None:
        self.require("parameters")
        if not self.settings.check_device_password(old):
            raise OperationError("WRONG_PASSWORD")
        check_new_password(new)
        self.settings.set_device_password(new)

    # ----- lists and reports ---------------------------------------------------------------
    def shifts(self):
        self.require("shifts_list")
        return self.journal.shifts()

    def receipts(self, shift: int | None = None):
        self.require("receipts_list")
        return self.journal.shift_documents(self.shift_number if shift is None else shift)

    def receipt(self, number: int):
        self.require("receipt_detail")
        entry = self.journal.by_number(int(number))
        if entry is None:
            raise OperationError("UNKNOWN_ITEM", variant="NO_SUCH_RECEIPT", number=number)
        return entry

    def report_items(self, start_iso: str, end_iso: str):
        self.require("report_items")
        return self.journal.sales_by_item(start_iso, end_iso)

    def report_payments(self, start_iso: str, end_iso: str):
        self.require("report_payments")
        return self.journal.totals_by_payment(start_iso, end_iso)

    def report_stock(self):
        self.require("report_stock")
        return [it for it in self.catalog.items() if it.stock is not None]

    def bank_test(self, terminal: str | None = None):
        """«Проверка связи с банком» on one terminal (or each)."""
        self.require("bank_test")
        names = [terminal] if terminal else list(self.devices.terminals)
        out = {}
        for name in names:
            try:
                out[name] = self.terminal(name).test()
            except DeviceError as e:
                raise OperationError.carrying(e) from None
        return out

    def settlement(self, terminal: str | None = None):
        """Сверка итогов at the terminal(s), usually at the end of the day."""
        self.require("bank_test")
        out = {}
        for name in ([terminal] if terminal else list(self.devices.terminals)):
            try:
                out[name] = self.terminal(name).settlement()
            except DeviceError as e:
                raise OperationError.carrying(e) from None
        return out

    # ----- goods, categories, sections ------------------------------------------------------
    def save_item(self, item, new: bool = False):
        """Add or edit a catalog item (Товары → добавить / изменить)."""
        self.require("goods_edit")
        with storage_refusals():
            return self.catalog.add(item) if new else self.catalog.update(item)

    def delete_item(self, code: str) -> None:
        self.require("goods_edit")
        if any(ln.code == code for ln in self.receipt.lines):
            raise OperationError("NOT_ALLOWED", variant="ITEM_IN_RECEIPT")
        with storage_refusals():
            self.catalog.delete(code)

    def rename_category(self, old: str, new: str) -> None:
        self.require("category_rename")
        with storage_refusals():
            self.catalog.rename_category(old, new.strip())

    def rename_section(self, code: int, name: str) -> None:
        self.require("sections_edit")
        with storage_refusals():
            self.catalog.rename_section(int(code), name.strip())

    def export_goods(self, path) -> int:
        self.require("goods_export")
        return self.catalog.export_csv(str(path))

    def import_goods(self, path) -> int:
        """All rows or none: a bad row is refused with its row number and field."""
        self.require("goods_import")
        with storage_refusals():
            return self.catalog.import_csv(str(path))

    def report_turnover(self, start_iso: str, end_iso: str) -> list[dict]:
        """Оборотная ведомость: per item, sold and returned in the period and the stock now."""
        self.require("report_turnover")
        rows = []
        moved = {t.code: t for t in self.journal.sales_by_item(start_iso, end_iso)}
        for item in self.catalog.items():
            if item.stock is None and item.code not in moved:
                continue
            t = moved.get(item.code)
            rows.append({"code": item.code, "name": item.name, "stock": item.stock,
                         "sold_qty": t.sold_qty if t else 0, "sold_sum": t.sold_sum if t else 0,
                         "refunded_qty": t.refunded_qty if t else 0, "refunded_sum": t.refunded_sum if t else 0})
        return rows

    # ----- maintenance (manual §4.2) ----------------------------------------------------------------
    def _maintenance(self) -> None:
        self.require("maintenance")
        if str(self.shift_state) != "closed":
            raise OperationError("SHIFT_OPEN", variant="MAINTENANCE_NEEDS_CLOSED_SHIFT")

    def export_db(self, target: str) -> str:
        """Export the whole database as one signed archive to a directory (USB stick) or ftp://…"""
        self.require("maintenance")
        from storage.archive import export_archive
        from storage.targets import parse_target
        with storage_refusals():
            return export_archive(str(self.data_dir), parse_target(target))

    def list_archives(self, target: str) -> list[str]:
        self.require("maintenance")
        from storage.targets import parse_target
        with storage_refusals():
            return sorted((n for n in parse_target(target).list() if n.endswith(".zposdb")), reverse=True)

    def import_db(self, target: str, name: str) -> int:
        """Verify, then replace the database all-or-nothing; the stores are reopened on the new data."""
        self._maintenance()
        from storage.archive import import_archive
        from storage.targets import parse_target
        self.stock.close()
        self.journal.close()
        try:
            with storage_refusals():
                return import_archive(str(self.data_dir), parse_target(target), name)
        finally:
            self.reopen_stores()

    def clear_db(self, until_date: str):
        """Clear documents up to a date inclusive — never one the SKO has not confirmed as sent."""
        self._maintenance()
        from storage.archive import clear_until
        st = self.devices.sko.status(self.now())
        sent_up_to = st.next_number - 1 - st.unsent_count
        self.stock.close()
        self.journal.close()
        try:
            with storage_refusals():
                return clear_until(str(self.data_dir), until_date, sent_up_to)
        finally:
            self.reopen_stores()

    def reopen_stores(self) -> None:
        from storage.catalog import Catalog
        from storage.journal import Journal
        from storage.settings import SettingsStore
        from storage.stock import StockLedger
        from storage.users import UserStore
        self.journal = Journal(self.data_dir / "journal.sqlite")
        self.stock = StockLedger(self.data_dir / "journal.sqlite")
        self.catalog = Catalog(self.data_dir, ledger=self.stock)
        self.settings = SettingsStore(self.data_dir)
        self.users = UserStore(self.data_dir)
        self.path.journal = self.journal

    def update_requisites(self, **fields) -> Requisites:
        """The fields the administrator types (trade-point name and address); the rest comes from the SKO."""
        unknown = set(fields) - {"shop_name", "shop_address"}
        if unknown:
            raise OperationError("NOT_ALLOWED", variant="REQUISITE_FROM_SKO", field=sorted(unknown)[0])
        req = self.settings.requisites()
        return self.save_requisites(fields.get("shop_name", req.shop_name), fields.get("shop_address", req.shop_address))

    def send_support_info(self, target: str) -> str:
        """«Помощь»: service information for technical support, to a USB directory or FTP (any user)."""
        from fsm.support import send_bundle
        with storage_refusals():
            return send_bundle(self, target)
