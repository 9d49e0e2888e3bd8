"""Start-up screens: the device lock, the SKO PIN, the login (user list, keypad, hidden digits), the forced password change."""
from __future__ import annotations

import pygame

from screens.base import Layout, Screen, split_h, split_v, take_bottom, take_top
from screens.dialogs import draw_keys, keypad_input
from screens.widgets import Ui

Rect = pygame.Rect


class _PinPad(Screen):
    """A prompt, hidden digits and the keypad; `submit(value)` is the register call."""

    parent = None
    side_menu = False
    prompt_key = ""
    hidden = True

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)
        self.value = ""

    def press(self, key: str) -> None:
        self.value = keypad_input(self.value, key, "pin", 12)
        self.app.refresh()

    def ok(self) -> None:
        if not self.value:
            return
        value, self.value = self.value, ""
        self.submit(value)

    def submit(self, value: str) -> None:
        raise NotImplementedError

    def pad(self, ui: Ui, lay: Layout, area: Rect, prompt: str) -> None:
        head, rest = take_top(area, ui.line_h("heading"), lay.gap)
        ui.label(head, prompt, "heading_c", wid=f"{self.id}.prompt")
        disp, rest = take_top(rest, max(lay.btn, ui.line_h("display")), lay.gap)
        ui.panel(disp, "card")
        ui.label(disp.inflate(-16, 0), "•" * len(self.value) if self.hidden else self.value, "display",
                 wid=f"{self.id}.value")
        draw_keys(ui, lay, rest, 0, "pin", self.press, self.ok, None)

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        width = min(area.width, lay.theme.px(440))
        height = min(area.height, lay.theme.px(520))
        box = Rect(area.centerx - width // 2, area.top + (area.height - height) // 2, width, height)
        self.pad(ui, lay, box, self.t(self.prompt_key))


class LockScreen(_PinPad):
    id = "lock"
    title_key = "ui.lock.title"
    prompt_key = "ui.lock.prompt"

    def submit(self, value: str) -> None:
        self.app.guard(self.reg.session.unlock, value)


class SkoPinScreen(_PinPad):
    id = "sko_pin"
    title_key = "ui.sko_pin.title"
    prompt_key = "ui.sko_pin.prompt"

    def submit(self, value: str) -> None:
        self.app.guard(self.reg.session.sko_pin, value)

    def header_buttons(self) -> list:
        # When the SKO itself is the problem the register stops here: the engineer needs the checks now.
        return [("login.diag", self.t("ui.login.diag"), lambda: self.app.go("diagnostics"))]


class LoginScreen(_PinPad):
    """The user list on one side, the password keypad on the other; the key button opens diagnostics."""

    id = "login"
    title_key = "ui.login.title"

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)
        users = self.reg.session.login_choices()
        self.users = sorted(users, key=lambda u: (u.role != "admin", u.name))
        self.selected = params.get("user") or next((u.login for u in self.users if u.role == "cashier"),
                                                   self.users[0].login if self.users else None)

    def header_buttons(self) -> list:
        return [("login.diag", self.t("ui.login.diag"), lambda: self.app.go("diagnostics"))]

    def choose(self, login: str) -> None:
        self.selected, self.value = login, ""
        self.app.refresh()

    def submit(self, value: str) -> None:
        from fsm.errors import OperationError
        try:
            self.reg.session.login(self.selected, value)
        except OperationError as e:
            if e.code != "WRONG_PASSWORD":
                self.app.fail(e.code, e.message)
                return
            self.app.message(self.t("ui.login.wrong"), self.t("ui.login.wrong_text"),
                             [("dialog.forgot", self.t("ui.login.forgot"), lambda: self.app.go("help"), "secondary"),
                              ("dialog.retry", self.t("ui.retry"), None, "primary")], problem=True)
        self.app.refresh()

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        if lay.portrait:
            list_r, pad_r = split_v(area, [0.36, 0], lay.pad)
        else:
            list_r, pad_r = split_h(area, [0.42, 0], lay.pad * 2)
        head, rows = take_top(list_r, ui.line_h("strong"), lay.gap)
        ui.label(head, self.t("ui.login.users"), "strong")

        def row(r: Rect, u, _i: int) -> None:
            role = self.t(f"ui.role.{u.role}")
            ui.button(f"login.user.{u.login}", r, f"{u.name} — {role}", lambda: self.choose(u.login),
                      style="row_selected" if u.login == self.selected else "row")
        self.paged(ui, lay, rows, self.users, lay.row, row, "login.users")
        name = next((u.name for u in self.users if u.login == self.selected), "")
        pad_w = min(pad_r.width, lay.theme.px(460))
        pad_r = Rect(pad_r.centerx - pad_w // 2, pad_r.top, pad_w, min(pad_r.height, lay.theme.px(540)))
        self.pad(ui, lay, pad_r, self.t("ui.login.prompt", name=name))


class ChangePasswordScreen(Screen):
    """After the first login (or a reset): the old password, then the new one twice."""

    id = "change_password"
    title_key = "ui.change_password.title"
    parent = None
    side_menu = False

    def header_buttons(self) -> list:
        return [("password.cancel", self.t("ui.menu.logout"), lambda: self.app.guard(self.reg.session.logout))]

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)
        self.fields = ["", "", ""]
        self.at = 0

    def press(self, key: str) -> None:
        self.fields[self.at] = keypad_input(self.fields[self.at], key, "pin", 12)
        self.app.refresh()

    def pick(self, i: int) -> None:
        self.at = i
        self.app.refresh()

    def ok(self) -> None:
        if not self.fields[self.at]:
            return
        if self.at < 2:
            self.at += 1
            self.app.refresh()
            return
        old, new, again = self.fields
        self.fields, self.at = ["", "", ""], 0
        if new != again:
            self.app.fail("WEAK_PASSWORD", self.t("ui.change_password.mismatch"))
            return
        if self.app.guard(self.reg.session.change_password, old, new):
            self.app.message(self.t("ui.change_password.done_title"), self.t("ui.change_password.done"))

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        if lay.portrait:
            info, pad_r = split_v(area, [0.3, 0], lay.pad)
        else:
            info, pad_r = split_h(area, [0.45, 0], lay.pad * 2)
        rule_h = ui.line_h("muted") * 3
        fields_r, rule = take_bottom(info, rule_h, lay.gap)[1], take_bottom(info, rule_h, lay.gap)[0]
        labels = ["ui.change_password.old", "ui.change_password.new", "ui.change_password.again"]
        for i, (key, r) in enumerate(zip(labels, split_v(Rect(fields_r.left, fields_r.top, fields_r.width,
                                                                min(fields_r.height, 3 * (lay.row + lay.gap))),
                                                           [0, 0, 0], lay.gap))):
            text = f"{self.t(key)}: {'•' * len(self.fields[i])}"
            ui.button(f"password.field.{i + 1}", r, text, lambda i=i: self.pick(i),
                      style="row_selected" if i == self.at else "row")
        ui.paragraph(rule, self.t("ui.change_password.rule"), "muted")
        pad_w = min(pad_r.width, lay.theme.px(440))
        pad_r = Rect(pad_r.centerx - pad_w // 2, pad_r.top, pad_w, min(pad_r.height, lay.theme.px(480)))
        draw_keys(ui, lay, pad_r, 0, "pin", self.press, self.ok, None)
