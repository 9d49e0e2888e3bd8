"""Отчеты → За период by taps: two days of sales add up on screen, print, and go to the till's folder as CSV."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ui_steps import login, unlock


def _day_of_sales(reg, codes: tuple[str, ...]) -> None:
    reg.shifts.open_shift()
    for code in codes:
        reg.sale.add_item(code)
    reg.checkout.pay({"cash": "100.00"})
    reg.shifts.close_shift()


def _two_days(ui, sim) -> tuple[int, int]:
    """Day 1 sells items 1 and 2, day 2 sells item 1; returns (price of 1, price of 2)."""
    reg = sim[0]
    unlock(ui)
    login(ui, "ivanova", "2580")
    _day_of_sales(reg, ("1", "2"))
    reg.clock.advance(timedelta(days=1))
    _day_of_sales(reg, ("1",))
    reg.session.logout()
    ui.app.home()
    login(ui, "admin", "7395")
    return reg.goods.item("1").price, reg.goods.item("2").price


def _money(kop: int) -> str:
    return f"{kop // 100}.{kop % 100:02d}"


def test_the_goods_report_for_two_days_shows_what_both_days_sold(ui, sim):
    p1, p2 = _two_days(ui, sim)
    ui.tap("menu.reports")
    ui.tap("reports.period")
    assert ui.visible_screen() == "period_report"
    # today only: the second day's one loaf
    assert ui.text_of("period.total") == f"Итого: {_money(p1)}"
    ui.tap("period.from")
    ui.tap("date.day.minus")
    ui.tap("date.ok")
    assert ui.text_of("period.total") == f"Итого: {_money(2 * p1 + p2)}"
    assert ui.text_of("period.row.1") == sim[0].goods.item("1").name
    assert ui.text_of("period.row.1.sub") == "код 1 · продано 2 · возврат 0"
    assert ui.text_of("period.row.1.aside1") == _money(2 * p1)
    assert ui.text_of("period.row.2.aside1") == _money(p2)


def _row_text(ui, wid: str) -> str:
    return " ".join(w.text for k, w in ui.app.ui.widgets.items() if k == wid or k.startswith(wid + "."))


def test_the_payments_report_for_two_days_is_printed_and_exported(ui, sim):
    p1, p2 = _two_days(ui, sim)
    ui.tap("menu.reports")
    ui.tap("reports.period")
    ui.tap("period.kind.payments")
    ui.tap("period.from")
    ui.tap("date.day.minus")
    ui.tap("date.ok")
    assert ui.text_of("period.row.1") == "Наличные"
    assert _money(2 * p1 + p2) in _row_text(ui, "period.row.1")
    ui.tap("period.print")
    assert ui.overlay() == "dialog"
    assert "напечатан" in ui.app.overlays[-1].text
    ui.tap("dialog.ok")
    ui.tap("period.export")
    ui.tap("period.place.1")
    files = list((Path(sim[0].stores.data_dir) / "export").glob("report-payments-*.csv"))
    assert len(files) == 1
    body = files[0].read_text(encoding="utf-8")
    assert body.splitlines()[0] == "type,sales,refunds,net"
    assert f"cash,{_money(2 * p1 + p2)},0.00,{_money(2 * p1 + p2)}" in body


def test_stock_has_no_dates_and_a_grey_date_says_why(ui, sim):
    _two_days(ui, sim)
    ui.tap("menu.reports")
    ui.tap("reports.period")
    ui.tap("period.kind.stock")
    assert not ui.enabled("period.from")
    ui.tap("period.from")
    assert "на текущий момент" in ui.app.overlays[-1].text
