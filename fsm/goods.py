"""The catalog as the screens read it: items by code, category or name, categories, sections, weighed goods."""
from __future__ import annotations

from fsm.context import Stores
from storage.catalog_items import Item, Section


class GoodsView:
    """Read-only queries for the sale screen, the goods list and the weight sheet (editing is `fsm.admin`)."""

    def __init__(self, stores: Stores) -> None:
        self.stores = stores

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
