"""Diagnostics of external storage and systems: sign in, list, free space — ok or words an engineer acts on."""
from __future__ import annotations

from dataclasses import dataclass

from storage.errors import StorageError
from storage.targets.base import redact
from storage.targets.settings import ExchangeSettings
from texts import t
from texts.errors import error_text


@dataclass(frozen=True)
class CheckResult:
    name: str                   # what was checked, secrets masked
    ok: bool
    words: str                  # the line for the diagnostics screen, in the current language
    free_bytes: int | None = None
    detail: str = ""            # technical, redacted: for the log and the trace


def _gb(n: int) -> str:
    return f"{n / 1024**3:.1f}"


def _refused(name: str, e: StorageError, lang: str | None) -> CheckResult:
    return CheckResult(name, False, t("diag.exchange_problem", lang, name=name,
                                      why=error_text(e.code, lang, **{"target": name, **e.params})),
                       detail=redact(e.detail))


def check_target(spec: str, data_dir: str, lang: str | None = None, usb_root: str = "/") -> CheckResult:
    """Sign in, list the folder, ask the free space (where the service tells it)."""
    from storage.targets import parse_target
    name = redact(spec)
    try:
        target = parse_target(spec, data_dir, usb_root)
        name = target.label
        count = len(target.list())
        free = target.free_space()
    except StorageError as e:
        return _refused(name, e, lang)
    if free is not None and free < 50 * 1024**2:
        return CheckResult(name, False, t("diag.target_low_space", lang, name=name, free=_gb(free)), free)
    words = t("diag.target_ok", lang, name=name, count=count) + \
        (t("diag.target_free", lang, free=_gb(free)) if free is not None else "")
    return CheckResult(name, True, words, free)


def check_bitrix24(data_dir: str, lang: str | None = None) -> CheckResult:
    from storage.bitrix24 import Bitrix24Source
    try:
        src = Bitrix24Source.from_settings(data_dir, max_retries=2)
        body = src.client.call("catalog.catalog.list", {"select": ["id", "iblockId", "name"]})
    except StorageError as e:
        return _refused("Битрикс24", e, lang)
    catalogs = (body.get("result") or {}).get("catalogs") or []
    return CheckResult(src.client.label, True, t("diag.bitrix24_ok", lang, count=len(catalogs)))


def check_cloudshop(data_dir: str, lang: str | None = None) -> CheckResult:
    from storage.cloudshop import CloudShopSource
    try:
        src = CloudShopSource.from_settings(data_dir)
        src._get("/product", {"limit": 1, "offset": 0})
    except StorageError as e:
        return _refused("CloudShop", e, lang)
    return CheckResult("CloudShop", True, t("diag.cloudshop_ok", lang))


def check_outbox(data_dir: str, lang: str | None = None, outbox=None) -> CheckResult:
    """What waits in the outbox; anything stuck (tried for hours) is a problem with its reason."""
    from storage.outbox import Outbox
    box = outbox or Outbox(data_dir)
    waiting, stuck = box.status(), box.stuck()
    if stuck:
        first = stuck[0]
        why = error_text(first.last_error, lang, target=first.where) if first.last_error else ""
        return CheckResult("outbox", False, t("diag.outbox_stuck", lang, count=len(stuck), name=first.remote_name,
                                              where=first.where, tries=first.attempts, why=why), detail=first.last_detail)
    return CheckResult("outbox", True, t("diag.outbox_ok", lang, count=len(waiting)))


def check_configured(data_dir: str, lang: str | None = None) -> list[CheckResult]:
    """One result per configured target and external system, and the outbox."""
    s = ExchangeSettings(data_dir)
    out = []
    specs = []
    if s.get("yadisk").get("token"):
        specs.append("yadisk:/")
    for service in ("ftp", "webdav", "reports"):
        spec = s.get(service).get("target")
        if spec and spec not in specs:
            specs.append(spec)
    out += [check_target(spec, data_dir, lang) for spec in specs]
    if s.get("bitrix24").get("webhook"):
        out.append(check_bitrix24(data_dir, lang))
    if s.get("cloudshop").get("token"):
        out.append(check_cloudshop(data_dir, lang))
    out.append(check_outbox(data_dir, lang))
    return out
