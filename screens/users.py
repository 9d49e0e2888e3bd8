"""Пользователи: the list of administrators and cashiers, and the card to add or edit one (login, name, role, id, password)."""
from __future__ import annotations

import pygame

from screens.base import Layout, Screen, split_h, take_bottom
from screens.widgets import Ui

Rect = pygame.Rect


class UsersScreen(Screen):
    id = "users"
    title_key = "ui.users.title"
    parent = "settings"

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        bottom, area = take_bottom(area, lay.btn, lay.gap)
        ui.button("users.add", bottom, self.t("ui.users.add"), lambda: self.app.go("user_edit"), style="primary")
        users = self.reg.admin.users()

        def row(r: Rect, u, _i: int) -> None:
            text = f"{u.name} · {u.login} · {self.t(f'ui.role.{u.role}')}"
            ui.button(f"users.user.{u.login}", r, text, lambda: self.app.go("user_edit", login=u.login), style="row")
        self.paged(ui, lay, area, users, lay.row, row, "users")


class UserEditScreen(Screen):
    id = "user_edit"
    title_key = "ui.users.edit_title"
    parent = "users"

    def __init__(self, app, **params) -> None:
        super().__init__(app, **params)
        user = next((u for u in self.reg.admin.users() if u.login == str(params["login"])), None) if params.get("login") else None
        self.new = user is None
        self.data = {"login": user.login if user else "", "name": user.name if user else "",
                     "role": str(user.role) if user else "cashier", "cashier_id": user.cashier_id if user else "",
                     "password": ""}

    def title(self) -> str:
        return self.t("ui.users.new_title" if self.new else "ui.users.edit_title")

    def set(self, field: str, value: str) -> None:
        self.data[field] = value
        self.app.refresh()

    def edit(self, field: str) -> None:
        label = self.t(f"ui.users.f.{field}")
        if field == "login":
            self.app.keyboard(label, lambda v: self.set("login", v), initial=self.data["login"], layout="lat")
        elif field == "name":
            self.app.keyboard(label, lambda v: self.set("name", v), initial=self.data["name"])
        elif field == "role":
            self.set("role", "admin" if self.data["role"] == "cashier" else "cashier")
        elif field == "cashier_id":
            self.app.keypad(label, lambda v: self.set("cashier_id", v), kind="int", initial=self.data["cashier_id"])
        elif field == "password":
            self.app.keypad(label, lambda v: self.set("password", v), kind="pin", hidden=True)

    def save(self) -> None:
        d, reg = self.data, self.reg

        def run() -> None:
            if self.new:
                reg.admin.add_user(d["login"], d["name"], d["role"], d["cashier_id"], d["password"])
            else:
                reg.admin.update_user(d["login"], name=d["name"], role=d["role"], cashier_id=d["cashier_id"])
                if d["password"]:
                    reg.admin.reset_password(d["login"], d["password"])
        if self.app.guard(run):
            self.app.back()

    def delete(self) -> None:
        def yes() -> None:
            if self.app.guard(self.reg.admin.delete_user, self.data["login"]):
                self.app.back()
        self.app.confirm(self.t("ui.users.delete_title"), self.t("ui.users.delete_text", name=self.data["name"]), yes,
                         self.t("ui.users.delete"), danger=True)

    def body(self, ui: Ui, lay: Layout, area: Rect) -> None:
        bottom, area = take_bottom(area, lay.btn, lay.gap)
        a, b = split_h(bottom, [0.4, 0], lay.gap)
        me = self.reg.session.user.login if self.reg.session.user else None
        ui.button("user.delete", a, self.t("ui.users.delete"), self.delete, style="danger",
                  enabled=not self.new and self.data["login"] != me, reason=self.t("ui.users.cannot_delete"))
        ui.button("user.save", b, self.t("ui.save"), self.save, style="primary")
        fields = ["login", "name", "role", "cashier_id", "password"]
        row_h = max(48, min(lay.row, (area.height - lay.gap * 4) // 5))
        for i, f in enumerate(fields):
            r = Rect(area.left, area.top + i * (row_h + lay.gap), area.width, row_h)
            value = self.data[f]
            if f == "role":
                value = self.t(f"ui.role.{value}")
            elif f == "password":
                value = "•" * len(value) if value else self.t("ui.users.password_keep" if not self.new else "ui.users.password_set")
            ui.button(f"user.field.{f}", r, f"{self.t(f'ui.users.f.{f}')}: {value or '—'}", lambda f=f: self.edit(f),
                      style="row", enabled=not (f == "login" and not self.new), reason=self.t("ui.users.login_fixed"))
