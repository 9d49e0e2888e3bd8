"""The administrator's set-up: requisites, parameters, users, the device password, goods, categories, sections."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from fiscal.documents import Requisites
from fiscal.identifiers import unp_valid
from fsm.context import Stores
from fsm.errors import OperationError
from fsm.passwords import check_new_password
from fsm.permissions import ShiftState
from fsm.session import Session
from hal.errors import DeviceError
from storage.catalog_items import Item
from storage.errors import StorageError
from storage.goods_import import import_csv
from storage.settings import Parameters


def storage_refusal(e: StorageError) -> OperationError:
    if e.code == "BAD_SETTING":
        return OperationError("BAD_FIELD", e.detail, variant=e.variant, **e.params)
    return OperationError.carrying(e)


@contextmanager
def storage_refusals() -> Iterator[None]:
    """A store's refusal (bad value, duplicate, unreadable medium) becomes the operation's refusal."""
    try:
        yield
    except StorageError as e:
        raise storage_refusal(e) from None


class Admin:
    def __init__(self, stores: Stores, devices, session: Session, shift_state: Callable[[], ShiftState],
                 in_receipt: Callable[[str], bool]) -> None:
        self.stores = stores
        self.devices = devices
        self.session = session
        self._shift_state = shift_state
        self._in_receipt = in_receipt

    # ----- requisites and parameters ----------------------------------------------------
    @property
    def params(self) -> Parameters:
        return self.stores.params

    def requisites(self) -> Requisites | None:
        """The requisites as saved, or None on a fresh install."""
        s = self.stores.settings
        return s.requisites() if s.has_requisites() else None

    def fill_requisites_from_sko(self) -> Requisites:
        """«Заполнить из ПК»: organisation, УНП, register number and SKO serial as the SKO holds them."""
        self.session.require("requisites")
        try:
            req = self.devices.sko.requisites(self.requisites())
        except DeviceError as e:
            raise OperationError.carrying(e) from None
        self.stores.settings.save_requisites(req)
        return req

    def save_requisites(self, shop_name: str, shop_address: str) -> Requisites:
        """The fields the administrator types; name, УНП and КСА come only from the SKO."""
        self.session.require("requisites")
        req = self.stores.settings.requisites()
        new = replace(req, shop_name=shop_name.strip()[:64], shop_address=shop_address.strip()[:128])
        if not unp_valid(new.unp):
            raise OperationError("BAD_FIELD", variant="BAD_UNP", unp=new.unp)
        self.stores.settings.save_requisites(new)
        return new

    def update_requisites(self, **fields) -> Requisites:
        """The fields the administrator types (trade-point name and address); the rest comes from the SKO."""
        unknown = set(fields) - {"shop_name", "shop_address"}
        if unknown:
            raise OperationError("NOT_ALLOWED", variant="REQUISITE_FROM_SKO", field=sorted(unknown)[0])
        req = self.stores.settings.requisites()
        return self.save_requisites(fields.get("shop_name", req.shop_name), fields.get("shop_address", req.shop_address))

    def save_parameters(self, **changes) -> Parameters:
        """Change working parameters (accounting mode, printer width, VAT list, stock rule, …)."""
        self.session.require("parameters")
        if "accounting_mode" in changes and changes["accounting_mode"] != self.params.accounting_mode:
            if self._shift_state() is not ShiftState.CLOSED:
                raise OperationError("SHIFT_OPEN", variant="MODE_NEEDS_CLOSED_SHIFT")
        with storage_refusals():
            p = Parameters.from_dict({**self.params.to_dict(), **changes})
        self.stores.settings.save_parameters(p)
        return p

    def set_device_password(self, old: str, new: str) -> None:
        self.session.require("parameters")
        if not self.stores.settings.check_device_password(old):
            raise OperationError("WRONG_PASSWORD")
        check_new_password(new)
        self.stores.settings.set_device_password(new)

    # ----- users -------------------------------------------------------------------------
    def users(self) -> list:
        self.session.require("users")
        return self.stores.users.list()

    def add_user(self, login: str, name: str, role: str, cashier_id: str, password: str):
        self.session.require("users")
        check_new_password(password)
        with storage_refusals():
            return self.stores.users.add(login.strip(), name.strip(), role, cashier_id.strip(), password)

    def update_user(self, login: str, **fields):
        self.session.require("users")
        with storage_refusals():
            return self.stores.users.update(login, **fields)

    def reset_password(self, login: str, password: str) -> None:
        self.session.require("users")
        check_new_password(password)
        with storage_refusals():
            self.stores.users.set_password(login, password)

    def delete_user(self, login: str) -> None:
        self.session.require("users")
        if self.session.user is not None and login == self.session.user.login:
            raise OperationError("NOT_ALLOWED", variant="DELETE_SELF")
        with storage_refusals():
            self.stores.users.delete(login)

    # ----- goods, categories, sections ------------------------------------------------------
    @staticmethod
    def blank_item() -> Item:
        """An empty item for the goods editor to fill."""
        return Item(code="", barcode=None, name="", price=0, vat="20", stock=None)

    def save_item(self, item: Item, new: bool = False) -> Item:
        """Add or edit a catalog item (Товары → добавить / изменить)."""
        self.session.require("goods_edit")
        with storage_refusals():
            return self.stores.catalog.add(item) if new else self.stores.catalog.update(item)

    def delete_item(self, code: str) -> None:
        self.session.require("goods_edit")
        if self._in_receipt(code):
            raise OperationError("NOT_ALLOWED", variant="ITEM_IN_RECEIPT")
        with storage_refusals():
            self.stores.catalog.delete(code)

    def rename_category(self, old: str, new: str) -> None:
        self.session.require("category_rename")
        with storage_refusals():
            self.stores.catalog.rename_category(old, new.strip())

    def rename_section(self, code: int, name: str) -> None:
        self.session.require("sections_edit")
        with storage_refusals():
            self.stores.catalog.rename_section(int(code), name.strip())

    def export_goods(self, path) -> int:
        self.session.require("goods_export")
        return self.stores.catalog.export_csv(str(path))

    def import_goods(self, path) -> int:
        """All rows or none: a bad row is refused with its row number and field."""
        self.session.require("goods_import")
        with storage_refusals():
            return import_csv(str(self.stores.data_dir), str(path))
