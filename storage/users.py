"""Users of the register (administrators and cashiers) in a TinyDB store; passwords hashed with scrypt."""
from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum

from tinydb import Query

from storage.docstore import open_db
from storage.errors import StorageError
from storage.fileops import FileOps
from storage.passwords import check_password, hash_password


class Role(StrEnum):
    ADMIN = "admin"
    CASHIER = "cashier"


@dataclass(frozen=True)
class User:
    login: str
    name: str
    role: Role
    cashier_id: str
    must_change_password: bool = False


DEFAULT_ADMIN = User("admin", "Администратор", Role.ADMIN, "1", must_change_password=True)
DEFAULT_PASSWORD = "1111"


class UserStore:
    """DATA/store/users.json. On first start it holds `admin` with password 1111 that must be changed."""

    def __init__(self, data_dir: str, ops: FileOps | None = None) -> None:
        self._db = open_db(os.path.join(data_dir, "store", "users.json"), ops)
        self._t = self._db.table("users")
        if len(self._t) == 0:
            self._t.insert(self._record(DEFAULT_ADMIN, hash_password(DEFAULT_PASSWORD)))

    @staticmethod
    def _record(u: User, pw_hash: str) -> dict:
        return {"login": u.login, "name": u.name, "role": u.role.value, "cashier_id": u.cashier_id,
                "must_change_password": u.must_change_password, "password": pw_hash}

    @staticmethod
    def _user(r: dict) -> User:
        return User(r["login"], r["name"], Role(r["role"]), r["cashier_id"], bool(r["must_change_password"]))

    def _row(self, login: str) -> dict:
        row = self._t.get(Query().login == login)
        if row is None:
            raise StorageError("NO_USER", f"user {login!r} does not exist")
        return row  # type: ignore[return-value]

    def list(self) -> list[User]:
        return sorted((self._user(r) for r in self._t.all()), key=lambda u: u.login)

    def get(self, login: str) -> User | None:
        row = self._t.get(Query().login == login)
        return self._user(row) if row else None  # type: ignore[arg-type]

    def add(self, login: str, name: str, role: Role | str, cashier_id: str, password: str,
            must_change_password: bool = False) -> User:
        if not login or not name:
            raise StorageError("BAD_USER", "login and name must not be empty")
        if self.get(login) is not None:
            raise StorageError("USER_EXISTS", f"user {login!r} already exists")
        user = User(login, name, Role(role), cashier_id, must_change_password)
        self._t.insert(self._record(user, hash_password(password)))
        return user

    def update(self, login: str, *, name: str | None = None, role: Role | str | None = None,
               cashier_id: str | None = None) -> User:
        self._row(login)
        changes = {k: v for k, v in (("name", name), ("role", Role(role).value if role else None),
                                     ("cashier_id", cashier_id)) if v is not None}
        if changes.get("role") == Role.CASHIER and self._is_last_admin(login):
            raise StorageError("LAST_ADMIN", "the last administrator cannot lose the administrator role")
        self._t.update(changes, Query().login == login)
        return self.get(login)  # type: ignore[return-value]

    def _is_last_admin(self, login: str) -> bool:
        admins = [u.login for u in self.list() if u.role is Role.ADMIN]
        return admins == [login]

    def delete(self, login: str) -> None:
        self._row(login)
        if self._is_last_admin(login):
            raise StorageError("LAST_ADMIN", "the last administrator cannot be deleted")
        self._t.remove(Query().login == login)

    def verify(self, login: str, password: str) -> bool:
        row = self._t.get(Query().login == login)
        if row is None:
            check_password(password, hash_password("x"))  # same cost whether or not the login exists
            return False
        return check_password(password, row["password"])  # type: ignore[index]

    def set_password(self, login: str, new: str) -> None:
        self._row(login)
        self._t.update({"password": hash_password(new), "must_change_password": False}, Query().login == login)
