"""Tap sequences the screen tests share: unlock, log in, open the shift."""
from __future__ import annotations


def unlock(ui, pin: str = "123456") -> None:
    ui.type_digits("1111")
    ui.tap("keypad.ok")
    ui.type_digits(pin)
    ui.tap("keypad.ok")


def login(ui, user: str = "ivanova", password: str = "2580") -> None:
    ui.tap(f"login.user.{user}")
    ui.type_digits(password)
    ui.tap("keypad.ok")


def open_shift(ui) -> None:
    ui.tap("menu.cash")
    ui.tap("cash.open_shift")
    ui.tap("dialog.ok")
    ui.tap("header.back")


def cashier_in_open_shift(ui) -> None:
    """Unlock, log in as the cashier and open the shift: where most sale tests begin."""
    unlock(ui)
    login(ui)
    open_shift(ui)
