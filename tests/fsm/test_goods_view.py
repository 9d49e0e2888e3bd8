"""fsm.goods: the «Товары» lists by the permission table — goods in use for a cashier, all goods for an administrator."""
import pytest

from fsm.errors import OperationError
from storage.catalog_items import Item


def add(reg, **kw):
    reg.stores.catalog.add(Item(**{"barcode": None, "vat": "20", **kw}))


def test_a_cashier_sees_the_goods_in_use_and_an_administrator_every_item(register_as):
    reg, _ = register_as("ivanova", "2580")
    add(reg, code="90", name="Снят с продажи", price=0)
    add(reg, code="91", name="Распродан", price=100, stock=0)
    cashier = {i.code for i in reg.goods.goods_list()}
    assert "90" not in cashier and "91" not in cashier and "2" in cashier
    with pytest.raises(OperationError) as e:
        reg.goods.category_goods("Молочные")
    assert e.value.code == "NOT_ALLOWED"
    reg.session.logout()
    reg.session.login("admin", "7395")
    admin = {i.code for i in reg.goods.goods_list()}
    assert {"90", "91", "2"} <= admin and len(admin) == len(reg.stores.catalog.items())
    assert {i.code for i in reg.goods.category_goods("Молочные")} == {"2", "3", "4", "5"}


def test_the_detail_is_for_anyone_and_the_stock_for_a_cashier_in_an_open_shift(register_as):
    reg, _ = register_as("ivanova", "2580")
    assert reg.goods.goods_detail("2").name.startswith("Молоко")
    with pytest.raises(OperationError) as e:
        reg.goods.stock_of("2")
    assert e.value.code == "SHIFT_CLOSED"
    reg.shifts.open_shift()
    assert reg.goods.stock_of("2") == 60_000
    with pytest.raises(OperationError) as e:
        reg.goods.goods_detail("nope")
    assert e.value.code == "UNKNOWN_ITEM"
