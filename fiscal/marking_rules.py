"""Which goods need a marking code, and since when: the goods-group table, category defaults, an item's own fields.

The rules change by decree (marking.md §1), so they are data: the shipped table
`fiscal/data/marking_groups.json` (read by `storage.marking_settings`) with dated periods, and the
administrator's overrides. An item resolves as follows: its own `marking` when it is "si" or "ukz"
(with its own `marking_policy`); else its category's rule — a goods group (whose period in force
that day gives kind and policy) or an explicit kind and policy; else not marked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fiscal.errors import FiscalError

MARKINGS = ("none", "si", "ukz")
POLICIES = ("required", "optional", "off")
DEFAULT_RECEIPT_MARK = "[М]"     # printed after a marked line's name; "" prints nothing


@dataclass(frozen=True)
class Effective:
    """What the till does with an item today: its mark kind and whether a code is required, optional or not read."""

    marking: str = "none"
    policy: str = "off"

    @property
    def marked(self) -> bool:
        return self.marking != "none" and self.policy != "off"

    @property
    def required(self) -> bool:
        return self.marked and self.policy == "required"


NOT_MARKED = Effective()


@dataclass(frozen=True)
class Period:
    start: date
    rule: Effective


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    periods: tuple[Period, ...]      # sorted by start

    def at(self, day: date) -> Effective:
        found = NOT_MARKED
        for p in self.periods:
            if p.start <= day:
                found = p.rule
        return found


@dataclass(frozen=True)
class MarkingRules:
    groups: dict[str, Group] = field(default_factory=dict)
    categories: dict[str, str | Effective] = field(default_factory=dict)   # category → group id or a rule
    receipt_mark: str = DEFAULT_RECEIPT_MARK

    def for_category(self, category: str, day: date) -> Effective:
        rule = self.categories.get(category)
        if rule is None:
            return NOT_MARKED
        if isinstance(rule, Effective):
            return rule
        group = self.groups.get(rule)
        return group.at(day) if group else NOT_MARKED

    def effective(self, marking: str, policy: str, category: str, day: date) -> Effective:
        """An item's own marking wins; a "none" item takes its category's rule (the group's period that day)."""
        if marking in ("si", "ukz"):
            return Effective(marking, policy if policy in POLICIES else "required")
        return self.for_category(category, day)


def _bad(where: str, why: str) -> FiscalError:
    return FiscalError("BAD_FIELD", f"marking rules: {where}: {why}", field=where)


def _rule(d: Any, where: str) -> Effective:
    if not isinstance(d, dict):
        raise _bad(where, f"{d!r} is not a mapping with marking and policy")
    marking = d.get("marking", "none")
    policy = d.get("policy", d.get("marking_policy", "required" if marking != "none" else "off"))
    if marking not in MARKINGS:
        raise _bad(where, f"marking {marking!r} is not one of {', '.join(MARKINGS)}")
    if policy not in POLICIES:
        raise _bad(where, f"policy {policy!r} is not one of {', '.join(POLICIES)}")
    return Effective(marking, policy)


def _group(d: Any, where: str) -> Group:
    if not isinstance(d, dict) or not isinstance(d.get("id"), str) or not d["id"].strip():
        raise _bad(where, "a group is a mapping with an id")
    periods = []
    for k, p in enumerate(d.get("periods") or []):
        at = f"{where}.periods[{k}]"
        try:
            start = date.fromisoformat(str(p["from"]))
        except (KeyError, TypeError, ValueError):
            raise _bad(at, "'from' must be a date such as 2026-05-01") from None
        periods.append(Period(start, _rule(p, at)))
    return Group(d["id"], str(d.get("name") or d["id"]), tuple(sorted(periods, key=lambda p: p.start)))


def parse_rules(shipped: Any, override: Any | None = None) -> MarkingRules:
    """The shipped table with the administrator's override laid over it: groups with the same id are
    replaced, new ones added; categories and the receipt mark come from the override."""
    groups: dict[str, Group] = {}
    for source, obj in (("shipped", shipped), ("override", override or {})):
        if not isinstance(obj, dict):
            raise _bad(source, "must be a JSON object")
        for k, g in enumerate(obj.get("groups") or []):
            group = _group(g, f"{source}.groups[{k}]")
            groups[group.id] = group
    over = override or {}
    categories: dict[str, str | Effective] = {}
    for name, rule in (over.get("categories") or {}).items():
        if isinstance(rule, str):
            if rule not in groups:
                raise _bad(f"categories.{name}", f"there is no goods group {rule!r}")
            categories[str(name)] = rule
        else:
            categories[str(name)] = _rule(rule, f"categories.{name}")
    mark = over.get("receipt_mark", DEFAULT_RECEIPT_MARK)
    if not isinstance(mark, str) or len(mark) > 8 or "\n" in mark:
        raise _bad("receipt_mark", "must be up to 8 characters on one line")
    return MarkingRules(groups, categories, mark)
