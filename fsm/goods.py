"""The catalog as the screens read it: items by code, category or name, categories, sections, weighed goods.

The sale screen's lookups are not gated (selling is). The «Товары» screens are, by the manual's
table (§3.6): a cashier sees the goods in use, an administrator all goods and the goods of a
category; an item's detail and its stock have rows of their own.
"""
from __future__ import annotations

from fsm.context import Stores
from fsm.errors import OperationError
from fsm.permissions import Role
from storage.catalog_items import Item, Section


def in_use(item: Item) -> bool:
    """An item the till can sell now: it has a price, and its stock, where tracked, is not used up."""
    return item.price > 0 and (item.stock is None or item.stock > 0)


class GoodsView:
    """Read-only queries for the sale screen, the goods list and the weight sheet (editing is `fsm.admin`)."""

    def __init__(self, stores: Stores, session=None) -> None:
        self.stores = stores
        self.session = session

    # ----- «Товары», by the permission table -------------------------------------------------
    def goods_list(self, limit: int | None = None) -> list[Item]:
        """«Просмотр используемого списка товаров» for a cashier (goods in use), «Просмотр всего списка
        товаров» for an administrator (every item)."""
        if self.session.role is Role.ADMIN:
            self.session.require_rule("goods_list_all")
            items = self.stores.catalog.items()
        else:
            self.session.require_rule("goods_list_used")
            items = [i for i in self.stores.catalog.items() if in_use(i)]
        return items[:limit] if limit else items

    def category_goods(self, category: str) -> list[Item]:
        """«Просмотр товаров в категории» (administrator)."""
        self.session.require_rule("category_goods")
        return self.stores.catalog.in_category(category)

    def goods_detail(self, code: str) -> Item:
        """«Просмотр информации о товаре детально»."""
        self.session.require_rule("goods_detail")
        return self.goods_detail_unchecked(code)

    def stock_of(self, code: str) -> int | None:
        """«Учет остатков»: an item's stock in thousandths (None when not tracked), for a cashier in an open shift."""
        self.session.require_rule("stock")
        return self.goods_detail_unchecked(code).stock

    def goods_detail_unchecked(self, code: str) -> Item:
        item = self.stores.catalog.by_code(str(code))
        if item is None:
            raise OperationError("UNKNOWN_ITEM", variant="UNKNOWN_ITEM_CODE", code=code)
        return item

    # ----- the sale screen's lookups -----------------------------------------------------------

    def item(self, code: str) -> Item | None:
        return self.stores.catalog.by_code(str(code))

    def by_barcode(self, barcode: str) -> Item | None:
        return self.stores.catalog.by_barcode(str(barcode))

    def search(self, text: str, limit: int = 50) -> list[Item]:
        return self.stores.catalog.search(text, limit)

    def in_category(self, category: str) -> list[Item]:
        return self.stores.catalog.in_category(category)

    def items(self, limit: int | None = None) -> list[Item]:
        items = self.stores.catalog.items()
        return items[:limit] if limit else items

    def weighed(self) -> list[Item]:
        return [i for i in self.stores.catalog.items() if i.weighed]

    def categories(self) -> list[str]:
        return self.stores.catalog.categories()

    def sections(self) -> list[Section]:
        return self.stores.catalog.sections()
