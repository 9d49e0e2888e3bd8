"""The `expect` checks of a scenario and the snapshot that proves a rejected step changed nothing."""
from __future__ import annotations

import re
import time
from decimal import Decimal, InvalidOperation
from typing import Any

from fiscal.money import format_money, format_qty


class ExpectationFailed(AssertionError):
    """An expectation that did not hold; the message says what was expected and what was found."""


def same_value(expected: Any, actual: Any) -> bool:
    """Sums and quantities compare by value ("1.2" == "1.20"); anything else exactly."""
    if isinstance(expected, (str, int)) and isinstance(actual, (str, int)) and not isinstance(expected, bool):
        try:
            return Decimal(str(expected)) == Decimal(str(actual))
        except InvalidOperation:
            pass
    return expected == actual


_same = same_value


def last_document_json(register) -> dict | None:
    journal = register.stores.journal
    entry = journal.last_document()
    if entry is None:
        return None
    for line in journal.export_lines():
        if line.get("op_id") == entry.op_id:
            return line
    return None


def printed_text(runner, wait: float = 2.0) -> str:
    """The last page the virtual printer produced; waits briefly for bytes still on their way."""
    deadline = time.monotonic() + wait
    text = runner.hub.printer.last_text()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        newer = runner.hub.printer.last_text()
        if newer == text:
            break
        text = newer
    return text


def state_snapshot(runner) -> dict:
    """What a rejected step must not change: registered documents, the receipt's lines, the lifecycle, stock,
    printed paper. A document journaled as pending because the SKO did not answer is not such a change:
    it is the register remembering money it took, and it is registered once on the retry or at start-up."""
    reg = runner.register
    receipt = reg.sale.receipt.to_dict()
    receipt.pop("op_id", None)
    return {
        "registered": reg.stores.journal.last_number(),
        "receipt": receipt if reg.sale.receipt.lines else None,
        "state": reg.session.state,
        "stock": {i.code: i.stock for i in reg.stores.catalog.items()},
        "printed": len(runner.hub.printer.documents),
    }


def check_expectations(runner, spec: dict) -> None:
    reg = runner.register
    for key, expected in spec.items():
        if key == "state":
            _eq(key, expected, reg.session.state)
        elif key == "shift":
            _eq(key, expected, str(reg.shifts.state))
        elif key == "role":
            _eq(key, expected, str(reg.session.role) if reg.session.role else None)
        elif key == "documents":
            counts = documents_count(reg)
            for t, n in expected.items():
                _eq(f"documents.{t}", n, counts.get(t, 0))
        elif key == "last_document":
            doc = last_document_json(reg)
            if doc is None:
                raise ExpectationFailed("last_document: the journal has no document")
            for field, value in expected.items():
                if field not in doc:
                    raise ExpectationFailed(f"last_document.{field}: no such field (has {', '.join(sorted(doc))})")
                _eq(f"last_document.{field}", value, doc[field])
        elif key == "printed_contains":
            text = printed_text(runner)
            for piece in ([expected] if isinstance(expected, str) else expected):
                if str(piece) not in text:
                    raise ExpectationFailed(f"printed_contains: {piece!r} is not in the last printed document:\n{text}")
        elif key == "not_printed":
            _eq(key, expected, len(reg.stores.journal.not_printed()))
        elif key == "sko_unsent":
            _eq(key, expected, reg.devices.sko.status(reg.now()).unsent_count)
        elif key == "cash_in_drawer":
            _eq(key, expected, format_money(reg.shifts.cash_in_drawer()))
        elif key == "receipt_lines":
            _eq(key, expected, len(reg.sale.receipt.lines))
        elif key == "stock":
            for code, qty in expected.items():
                item = reg.stores.catalog.by_code(str(code))
                if item is None:
                    raise ExpectationFailed(f"stock.{code}: no such item")
                _eq(f"stock.{code}", qty, format_qty(item.stock) if item.stock is not None else None)
        elif key == "drawer_kicks":
            _eq(key, expected, settled(lambda: runner.hub.printer.drawer_kicks, expected))
        elif key == "customer_display":
            want = [expected] if isinstance(expected, str) else list(expected)
            shown = settled(lambda: " | ".join(runner.hub.display.lines()) if runner.hub.display else "",
                            None, wait=0.0)
            deadline = time.monotonic() + 2.0
            while not all(w in shown for w in want) and time.monotonic() < deadline:
                time.sleep(0.05)
                shown = " | ".join(runner.hub.display.lines())
            missing = [w for w in want if w not in shown]
            if missing:
                raise ExpectationFailed(f"customer_display: {missing} not shown; the display shows {shown!r}")
        elif key == "notices_contain":
            shown = " | ".join(reg.notices.items)
            for piece in ([expected] if isinstance(expected, str) else expected):
                if str(piece) not in shown:
                    raise ExpectationFailed(f"notices_contain: {piece!r} is not among the notices: {shown or 'none'}")
        elif key == "originals":
            for number, n in expected.items():
                _eq(f"originals.{number}", n, settled(lambda number=number: originals(runner, int(number)), n))
        elif key == "card_net":
            _eq(key, expected, format_money(runner.hub.card_net()))
        elif key == "screen":
            _eq(key, expected, runner.headless_ui().visible_screen())
        elif key in ("enabled", "disabled"):
            for op in expected:
                allowed = reg.session.allowed(op) is None
                if allowed != (key == "enabled"):
                    raise ExpectationFailed(f"{key}: {op} is {'enabled' if allowed else 'disabled'}")
        else:
            raise ExpectationFailed(f"expect: unknown check {key!r}")


def settled(read, expected, wait: float = 2.0):
    """A count the virtual printer reaches once the bytes on their way are decoded: read until it matches or time is up."""
    deadline = time.monotonic() + wait
    value = read()
    while not _same(expected, value) and time.monotonic() < deadline:
        time.sleep(0.05)
        value = read()
    return value


def originals(runner, number: int) -> int:
    """How many pages the virtual printer produced that are the original (not a copy) of document `number`."""
    mark = re.compile(rf"(?m)^№ {number}\b")
    return sum(1 for page in runner.hub.printer.documents
               if mark.search(page.text) and "КОПИЯ" not in page.text)


def documents_count(reg) -> dict[str, int]:
    shift = reg.shifts.number
    counts: dict[str, int] = {}
    for e in reg.stores.journal.shift_documents(shift):
        counts[str(e.type)] = counts.get(str(e.type), 0) + 1
    return counts


def _eq(key: str, expected: Any, actual: Any) -> None:
    if not _same(expected, actual):
        raise ExpectationFailed(f"{key}: expected {expected!r}, found {actual!r}")
