"""Goods exchange for the screens: where files can be, preview → apply / discard of an import, and export.

The screens may not import storage, so this service turns the storage layer's staged import
into plain values (`Preview`, `Place`), checks the permission table (`goods_import`,
`goods_export`), refuses while a receipt is open (RECEIPT_OPEN) and carries every store or
target refusal up as an `OperationError` with its catalogue text. Long calls (`preview`,
`apply`, `export`) take a `progress(text, fraction)` callback and are meant for a UI job.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from fsm.admin import storage_refusals
from fsm.context import Registrar, Stores
from fsm.errors import OperationError
from fsm.period_reports import PeriodReports
from fsm.session import Session
from storage.goods_exchange import EXPORT_FORMATS, FORMATS, StagedImport, export_goods, preview_import
from storage.targets import ExchangeSettings, parse_target, redact
from texts import t

log = logging.getLogger("zpos.exchange")

# What the screens offer: NWP is not a source an administrator picks by hand yet.
IMPORT_FORMATS: tuple[str, ...] = tuple(f for f in FORMATS if f != "nwp")
OFFICES = ("bitrix24", "cloudshop")          # formats that are a back office, not a file
SUFFIXES = {"csv": (".csv",), "commerceml": (".xml", ".zip")}
Progress = Callable[[str, "float | None"], None]


@dataclass(frozen=True)
class Place:
    """Where goods files or reports can be: the till's folder, a USB drive, or a configured remote target."""
    spec: str             # what the storage layer takes: a directory, ftp://…, webdav://…, yadisk:/…
    label: str            # shown to the administrator (secrets masked)
    kind: str             # local | usb | remote
    size: int = 0         # bytes (local and usb only)
    free: int = 0


@dataclass(frozen=True)
class Sample:
    kind: str             # new | changed | removed
    code: str
    name: str


@dataclass(frozen=True)
class Preview:
    """What an import would change (or, after `apply`, what it changed)."""
    source: str
    format: str
    total: int
    new: int
    changed: int
    removed: int
    unchanged: int
    samples: tuple[Sample, ...] = ()


def _preview(p) -> Preview:
    return Preview(p.source, p.format, p.total, p.new, p.changed, p.removed, p.unchanged,
                   tuple(Sample(s.kind, s.code, s.name) for s in p.samples))


def _phase_text(phase: str, done: int, total: int | None) -> str:
    key = f"ui.exch.phase.{phase}"
    text = t(key)
    if text == key:
        text = t("ui.exch.phase.read")
    return t("ui.exch.phase_n", phase=text, done=done, total=total) if total else t("ui.exch.phase_done",
                                                                                     phase=text, done=done)


def _relay(progress: Progress | None) -> Callable[[str, int, int | None], None] | None:
    """The storage layer's (phase, done, total) as a text and a fraction for the progress sheet."""
    if progress is None:
        return None

    def cb(phase: str, done: int, total: int | None) -> None:
        progress(_phase_text(phase, done, total), (done / total) if total else None)
    return cb


class GoodsExchange:
    def __init__(self, stores: Stores, session: Session, registrar: Registrar | None = None,
                 receipt_open: Callable[[], bool] = lambda: False,
                 drives: Callable[[], list] = lambda: []) -> None:
        self.stores = stores
        self.session = session
        self._receipt_open = receipt_open
        self._drives = drives
        self._staged: StagedImport | None = None
        self.reports = PeriodReports(stores, session, registrar, self.places)

    # ----- where -------------------------------------------------------------------------------
    def places(self) -> list[Place]:
        """The till's export folder and the mounted USB drives (`fsm.drives`), then the configured remote targets."""
        out = []
        for d in self._drives():
            out.append(Place(str(d.path), d.label, "usb" if d.label else "local", d.size, d.free))
        for spec in self.remote_specs():
            out.append(Place(spec, redact(spec), "remote"))
        return out

    def remote_specs(self) -> list[str]:
        """Remote targets an engineer configured: Яндекс.Диск with a token, FTP / WebDAV / reports targets."""
        specs: list[str] = []
        try:
            s = ExchangeSettings(str(self.stores.data_dir))
            if s.get("yadisk").get("token"):
                specs.append("yadisk:/")
            for service in ("ftp", "webdav", "reports"):
                spec = s.get(service).get("target")
                if isinstance(spec, str) and spec and spec not in specs:
                    specs.append(spec)
        except Exception as e:  # noqa: BLE001 - an unreadable settings file must not hide the USB drives
            log.warning("exchange settings unreadable, remote targets not offered: %r", e)
        spec = self.stores.params.reports_target
        if spec and "://" in spec and spec not in specs:
            specs.append(spec)
        return specs

    def office_ready(self, fmt: str) -> bool:
        """Bitrix24 needs its webhook, CloudShop its token (DATA/exchange/*.json)."""
        key = {"bitrix24": "webhook", "cloudshop": "token"}.get(fmt)
        if key is None:
            return True
        try:
            return bool(ExchangeSettings(str(self.stores.data_dir)).get(fmt).get(key))
        except Exception:  # noqa: BLE001 - unreadable settings: not configured, the import says why
            return False

    def files(self, place: str, fmt: str) -> list[str]:
        """Names in `place` that can be imported as `fmt`, newest name first (a CommerceML folder is one choice: «.»)."""
        self.session.require("goods_import")
        suffixes = SUFFIXES.get(fmt, ())
        with storage_refusals():
            names = parse_target(place, str(self.stores.data_dir)).list()
        out = sorted((n for n in names if n.lower().endswith(suffixes)), reverse=True)
        if fmt == "commerceml" and any(n.lower() == "import.xml" for n in names):
            out = ["."] + [n for n in out if n.lower() not in ("import.xml", "offers.xml")]
        return out

    @staticmethod
    def source_of(place: str, name: str) -> str:
        """The source spec of a file in a place (a remote folder ends with «/» for a CommerceML pair)."""
        remote = "://" in place or place.startswith(("yadisk:", "usb:"))
        if name == ".":
            return place.rstrip("/") + "/" if remote else place
        return place.rstrip("/") + "/" + name if remote else os.path.join(place, name)

    # ----- import ------------------------------------------------------------------------------
    def _check(self, op: str) -> None:
        self.session.require(op)
        if self._receipt_open():
            raise OperationError("RECEIPT_OPEN", "a receipt is open on the register")

    def preview(self, source: str, fmt: str | None = None, *, remove_missing: bool = True,
                progress: Progress | None = None) -> Preview:
        """Fetch, parse and check the source whole and count what would change; nothing is applied yet."""
        self._check("goods_import")
        if fmt is not None and fmt not in IMPORT_FORMATS:
            raise OperationError("BAD_SOURCE", f"format {fmt!r}", source=fmt, why=fmt)
        self.discard()
        with storage_refusals():
            self._staged = preview_import(str(self.stores.data_dir), source, fmt, remove_missing=remove_missing,
                                          progress=_relay(progress))
        return _preview(self._staged.preview)

    @property
    def pending(self) -> Preview | None:
        """The previewed import waiting for «Загрузить» or «Отмена»."""
        return _preview(self._staged.preview) if self._staged is not None else None

    def apply(self, progress: Progress | None = None) -> Preview:
        """Apply the previewed import in one transaction; returns the counts applied."""
        self._check("goods_import")
        staged = self._staged
        if staged is None:
            raise OperationError("IMPORT_FAILED", "nothing previewed to apply")
        try:
            with storage_refusals():
                result = staged.apply(progress=_relay(progress))
        finally:
            if not os.path.exists(getattr(staged, "_path", "")):
                self._staged = None
        return _preview(result)

    def discard(self) -> None:
        """«Отмена»: the staged copy is deleted; the catalog never changed."""
        if self._staged is not None:
            self._staged.discard()
            self._staged = None

    # ----- export ------------------------------------------------------------------------------
    def export_name(self, fmt: str, now: str) -> str:
        """goods-20261201-1015.csv / .xml: a new name each time, so an export never overwrites the last one."""
        stamp = now[:16].replace("-", "").replace(":", "").replace("T", "-")
        return f"goods-{stamp}.{'csv' if fmt == 'csv' else 'xml'}"

    def export(self, place: str, fmt: str, now: str, progress: Progress | None = None) -> tuple[str, int]:
        """Write the catalog to `place` as `fmt`; returns (the file name, the number of items)."""
        self.session.require("goods_export")
        if fmt not in EXPORT_FORMATS:
            raise OperationError("BAD_SOURCE", f"export format {fmt!r}", source=fmt, why=fmt)
        name = self.export_name(fmt, now)
        remote = "://" in place or place.startswith(("yadisk:", "usb:"))
        dest = place.rstrip("/") + "/" + name if remote else os.path.join(place, name)
        if not remote:
            try:
                os.makedirs(place, exist_ok=True)
            except OSError as e:
                raise OperationError("TARGET_FAILED", f"{place}: {e}", target=place) from None
        with storage_refusals():
            n = export_goods(str(self.stores.data_dir), dest, fmt, progress=_relay(progress))
        return name, n
