"""Refusals with stable codes; their text is made only at the edge (screen, CLI) from the ru/be/en catalogues.

Each layer declares its codes as a `Code` enum (`FiscalCode`, `StorageCode`, `DeviceCode`,
`OperationCode`, ...) and raises a `CodedError` subclass with a code, parameters for the
text, and an optional technical `detail` (ports, baud rates, exception names) that goes to
the log and the diagnostics trace and never to the cashier. The text of a code is the
catalogue entry `error.<CODE>`; a test walks every declared code and checks ru, be and en.
"""
from __future__ import annotations

from enum import StrEnum

from texts import t

_ENUMS: list[type[Code]] = []


class Code(StrEnum):
    """Base of every layer's code enum: the value is the stable code string of contracts.md §3."""


def declare(enum_cls: type[Code]) -> type[Code]:
    """Register a layer's code enum, so that a plain string code can be resolved and every code is tested."""
    if enum_cls not in _ENUMS:
        _ENUMS.append(enum_cls)
    return enum_cls


def declared() -> list[type[Code]]:
    return list(_ENUMS)


def resolve(code: str | Code, prefer: type[Code] | None = None) -> Code:
    """The declared code for `code`; an undeclared code is a programming error, refused at once."""
    if isinstance(code, Code):
        return code
    for cls in ([prefer] if prefer else []) + _ENUMS:
        try:
            return cls(code)
        except ValueError:
            continue
    raise ValueError(f"undeclared error code {code!r}: add it to its layer's code enum and to the catalogues")


class _Blank(dict):
    """Placeholders a raise site did not fill stay out of the text instead of showing as {name}."""

    def __missing__(self, key: str) -> str:
        return "…"


def error_text(code: str | Code, lang: str | None = None, /, **params: object) -> str:
    """The cashier's text for a code in the current (or given) language, parameters filled in."""
    key = f"error.{code}"
    raw = t(key, lang)
    if raw == key:
        raw = t("error.UNKNOWN_CODE", lang)
        params = {"code": str(code)}
    try:
        return raw.format_map(_Blank({k: _shown(v, lang) for k, v in params.items()}))
    except (ValueError, IndexError):
        return raw


def _shown(value: object, lang: str | None) -> object:
    """A parameter that is itself a code (a tender, a device kind) is shown by its catalogue text."""
    if isinstance(value, Code):
        name = t(f"code.{value}", lang)
        return value.value if name == f"code.{value}" else name
    return value


class CodedError(Exception):
    """A refused operation: `code` is stable, `params` fill its text, `detail` is for the log only."""

    codes: type[Code] | None = None

    def __init__(self, code: str | Code, detail: str = "", /, *, variant: str | None = None, **params: object) -> None:
        self.code = resolve(code, self.codes)
        self.detail = detail
        self.variant = variant          # a more specific text of the same code: catalogue key error.<variant>
        self.params = params
        super().__init__(f"{self.code}: {detail}" if detail else str(self.code))

    def text(self, lang: str | None = None) -> str:
        """The message for people, in the current language unless `lang` is given."""
        return error_text(self.variant or self.code, lang, **self.params)

    @property
    def message(self) -> str:
        return self.text()
