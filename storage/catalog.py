"""The goods catalog: loaded once into in-memory indexes (code, barcode, category, name search), written back atomically."""
from __future__ import annotations

import os
from bisect import bisect_right
from dataclasses import replace

from storage.catalog_csv import format_csv, parse_csv
from storage.catalog_items import Item, Section, check_item, item_from_json, item_to_json
from storage.docstore import AtomicJSONStorage
from storage.errors import StorageError
from storage.fileops import FileOps

__all__ = ["Catalog", "Item", "Section", "normalize"]


def normalize(text: str) -> str:
    """The form names are searched in: case-folded, ё = е."""
    return text.casefold().replace("ё", "е")


def _item_hook(d: dict):
    return item_from_json(d) if "price" in d and "code" in d else d


class Catalog:
    """DATA/store/catalog.json (TinyDB layout: tables items, sections, categories) held in memory."""

    def __init__(self, data_dir: str, ops: FileOps | None = None, ledger=None) -> None:
        self._storage = AtomicJSONStorage(os.path.join(data_dir, "store", "catalog.json"), ops)
        # Items become Item values while the JSON is parsed: 100,000 of them never exist as dicts too.
        data = self._storage.read(object_hook=_item_hook) or {}
        self._items: dict[str, Item] = {}
        for d in (data.get("items") or {}).values():
            item = d if isinstance(d, Item) else item_from_json(d)
            self._items[item.code] = item
        self._sections: dict[int, Section] = {
            int(d["code"]): Section(int(d["code"]), d["name"], d.get("vat", "none"))
            for d in (data.get("sections") or {}).values()}
        self._extra_categories: set[str] = {d["name"] for d in (data.get("categories") or {}).values()}
        del data
        self._ledger = ledger            # storage.stock.StockLedger: current levels, wins over the JSON
        if ledger is not None:
            for code, qty in ledger.levels().items():
                if code in self._items and self._items[code].stock is not None:
                    self._items[code] = replace(self._items[code], stock=qty)
        self._reindex()
        self._name_index()

    # ---- indexes ---------------------------------------------------------------------------

    def _reindex(self) -> None:
        self._by_barcode = {i.barcode: i for i in self._items.values() if i.barcode}
        self._by_category: dict[str, list[str]] = {}
        for i in self._items.values():
            self._by_category.setdefault(i.category, []).append(i.code)
        self._names_dirty = True

    def _name_index(self) -> None:
        """One string of all normalized names, newline-separated, so a search is a few str.find calls."""
        self._order = list(self._items)
        parts = [normalize(self._items[c].name) for c in self._order]
        self._starts, pos = [], 0
        for p in parts:
            self._starts.append(pos)
            pos += len(p) + 1
        self._names = "\n".join(parts)
        self._names_dirty = False

    def __len__(self) -> int:
        return len(self._items)

    def by_code(self, code: str) -> Item | None:
        return self._items.get(code)

    def by_barcode(self, barcode: str) -> Item | None:
        return self._by_barcode.get(barcode)

    def search(self, text: str, limit: int = 50) -> list[Item]:
        """Items whose name contains `text` (case-insensitive, ё = е), in catalog order, at most `limit`."""
        needle = normalize(text.strip()).replace("\n", " ")
        if not needle:
            return []
        if self._names_dirty:
            self._name_index()
        hits: list[Item] = []
        pos = self._names.find(needle)
        while pos != -1 and len(hits) < limit:
            k = bisect_right(self._starts, pos) - 1
            hits.append(self._items[self._order[k]])
            nxt = self._starts[k + 1] if k + 1 < len(self._starts) else len(self._names)
            pos = self._names.find(needle, nxt)
        return hits

    def items(self) -> list[Item]:
        return list(self._items.values())

    def in_category(self, category: str) -> list[Item]:
        return [self._items[c] for c in self._by_category.get(category, [])]

    def categories(self) -> list[str]:
        return sorted((set(self._by_category) | self._extra_categories) - {""})

    def sections(self) -> list[Section]:
        return [self._sections[k] for k in sorted(self._sections)]

    # ---- edits (each one written back before it returns) ------------------------------------

    def _save(self) -> None:
        self._storage.write({
            "items": {str(n): item_to_json(i) for n, i in enumerate(self._items.values(), start=1)},
            "sections": {str(s.code + 1): {"code": s.code, "name": s.name, "vat": s.vat}
                         for s in self._sections.values()},
            "categories": {str(n): {"name": c} for n, c in enumerate(sorted(self._extra_categories), start=1)},
        })

    def _commit(self, items: dict[str, Item]) -> None:
        old = self._items
        if self._ledger is not None:
            changed = {c: i.stock for c, i in items.items() if c not in old or old[c].stock != i.stock}
            changed.update({c: None for c in old if c not in items})
            self._ledger.set_many(changed)
        self._items = items
        try:
            self._save()
        except BaseException:
            self._items = old
            raise
        finally:
            self._reindex()

    def _check_barcode(self, item: Item, items: dict[str, Item]) -> None:
        if item.barcode:
            other = self._by_barcode.get(item.barcode)
            if other is not None and other.code != item.code and other.code in items:
                raise StorageError("DUPLICATE_BARCODE", f"barcode {item.barcode} already belongs to item {other.code}")

    def add(self, item: Item) -> Item:
        check_item(item)
        if item.code in self._items:
            raise StorageError("DUPLICATE_CODE", f"item code {item.code} already exists")
        self._check_barcode(item, self._items)
        self._commit({**self._items, item.code: item})
        return item

    def update(self, item: Item) -> Item:
        check_item(item)
        if item.code not in self._items:
            raise StorageError("NO_ITEM", f"there is no item with code {item.code}")
        self._check_barcode(item, self._items)
        self._commit({**self._items, item.code: item})
        return item

    def delete(self, code: str) -> None:
        if code not in self._items:
            raise StorageError("NO_ITEM", f"there is no item with code {code}")
        self._commit({c: i for c, i in self._items.items() if c != code})

    def delete_all(self) -> None:
        """Delete every item and category (manual §4.2 «удаление товаров»); sections stay."""
        self._extra_categories = set()
        self._commit({})

    def reload_stock(self, codes) -> None:
        """The ledger moved (a registration's effects): take the new levels of these items into memory."""
        if self._ledger is None:
            return
        for code, qty in self._ledger.levels_of(codes).items():
            if code in self._items and self._items[code].stock is not None:
                self._items[code] = replace(self._items[code], stock=qty)

    def adjust_stock(self, code: str, delta_thousandths: int) -> Item:
        return self.adjust_stock_many({code: delta_thousandths})[code]

    def adjust_stock_many(self, deltas: dict[str, int]) -> dict[str, Item]:
        """Apply several stock changes (one receipt) with one write; items without stock tracking are left as is."""
        for code in deltas:
            if code not in self._items:
                raise StorageError("NO_ITEM", f"there is no item with code {code}")
        tracked = {c: d for c, d in deltas.items() if self._items[c].stock is not None}
        if self._ledger is not None:
            levels = self._ledger.apply(tracked, {c: self._items[c].stock for c in tracked})
            for code, qty in levels.items():
                self._items[code] = replace(self._items[code], stock=qty)
            return {c: self._items[c] for c in deltas}
        items = dict(self._items)
        for code, delta in tracked.items():
            items[code] = replace(items[code], stock=items[code].stock + delta)
        self._commit(items)
        return {c: self._items[c] for c in deltas}

    def add_category(self, name: str) -> None:
        if not name.strip():
            raise StorageError("BAD_ITEM", "category: the name must not be empty")
        self._extra_categories.add(name)
        self._commit(dict(self._items))

    def rename_category(self, old: str, new: str) -> None:
        if old not in self.categories():
            raise StorageError("NO_CATEGORY", f"there is no category {old!r}")
        if not new.strip():
            raise StorageError("BAD_ITEM", "category: the new name must not be empty")
        self._extra_categories = {new if c == old else c for c in self._extra_categories}
        self._commit({c: replace(i, category=new) if i.category == old else i for c, i in self._items.items()})

    def set_section(self, section: Section) -> None:
        if not 0 <= section.code <= 255 or not section.name.strip():
            raise StorageError("BAD_SECTION", f"section {section.code}: code 0…255 and a name are required")
        old = dict(self._sections)
        self._sections[section.code] = section
        try:
            self._commit(dict(self._items))
        except BaseException:
            self._sections = old
            raise

    def rename_section(self, code: int, name: str) -> None:
        if code not in self._sections:
            raise StorageError("NO_SECTION", f"there is no section {code}")
        self.set_section(replace(self._sections[code], name=name))

    def import_csv(self, path: str) -> int:
        """Add or replace items from a CSV file; every row is checked first, so a bad row changes nothing."""
        try:
            with open(path, encoding="utf-8-sig", newline="") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            raise StorageError("BAD_CSV", f"cannot read {path}: {e}") from None
        return self.import_text(text)

    def import_text(self, text: str) -> int:
        new = parse_csv(text)
        items = dict(self._items)
        for i in new:
            items[i.code] = i
        barcodes: dict[str, str] = {}
        for i in items.values():
            if i.barcode:
                if i.barcode in barcodes:
                    raise StorageError("BAD_CSV", f"barcode {i.barcode} would belong to items {barcodes[i.barcode]} "
                                       f"and {i.code}; nothing was imported")
                barcodes[i.barcode] = i.code
        self._commit(items)
        return len(new)

    def export_csv(self, path: str) -> int:
        from storage.fileops import atomic_write
        atomic_write(path, format_csv(self.items()).encode("utf-8"))
        return len(self._items)
