"""NWP: the manual names it as a goods source, but no public API or exchange format of it could be found.

The adapter slot is ready (the same GoodsSource interface as storage.goods_csv.CsvSource):
once the vendor's specification or sample files are at hand, `NwpSource.rows()` yields
`(entry, {field: value})` like the other sources. Until then an NWP user exports CSV or
CommerceML from NWP and imports that file (USB, FTP, WebDAV, Яндекс.Диск).
"""
from __future__ import annotations

from collections.abc import Iterator

from storage.errors import StorageError
from storage.goods_csv import Why

PUBLIC_FORMAT_KNOWN = False


class NwpSource:
    kind = "nwp"
    full = True
    fields = frozenset({"code", "name", "price", "vat"})

    def __init__(self, spec: str = "nwp:") -> None:
        self.name = "NWP"
        self.spec = spec

    def error(self, row: int, field: str, why: Why, detail: str = "") -> StorageError:
        return StorageError("BAD_GOODS", f"NWP entry {row}, field {field}: {detail}", source="NWP", row=row,
                            field=field, why=why)

    def rows(self) -> Iterator[tuple[int, dict]]:
        raise StorageError("BAD_SOURCE", "NWP has no public exchange format; export CSV or CommerceML from NWP "
                           "and import that file", source="NWP", why="нет открытого формата обмена — выгрузите из NWP "
                           "файл CSV или CommerceML и загрузите его")
        yield  # pragma: no cover  (the generator shape of the interface)
