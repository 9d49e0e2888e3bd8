"""Users: the built-in administrator, scrypt hashes never in clear, add/update/delete rules."""
from __future__ import annotations

import pytest

from storage.errors import StorageError
from storage.users import Role, UserStore


def test_first_start_has_admin_with_1111_to_be_changed(tmp_path):
    users = UserStore(str(tmp_path))
    admin = users.get("admin")
    assert admin.name == "Администратор" and admin.role is Role.ADMIN and admin.must_change_password
    assert users.verify("admin", "1111") and not users.verify("admin", "1112")


def test_passwords_are_never_stored_in_clear(tmp_path):
    users = UserStore(str(tmp_path))
    users.add("ivanova", "Иванова А.", "cashier", "7", "583920")
    raw = (tmp_path / "store" / "users.json").read_text(encoding="utf-8")
    assert "583920" not in raw and "1111" not in raw and "scrypt$" in raw
    assert users.verify("ivanova", "583920")


def test_set_password_replaces_the_hash_and_clears_the_change_flag(tmp_path):
    users = UserStore(str(tmp_path))
    users.set_password("admin", "7391")
    again = UserStore(str(tmp_path))
    assert again.verify("admin", "7391") and not again.verify("admin", "1111")
    assert not again.get("admin").must_change_password


def test_unknown_login_does_not_verify(tmp_path):
    assert not UserStore(str(tmp_path)).verify("ghost", "1111")


def test_duplicate_login_and_missing_user_are_refused(tmp_path):
    users = UserStore(str(tmp_path))
    with pytest.raises(StorageError) as e:
        users.add("admin", "X", "admin", "2", "4444")
    assert e.value.code == "USER_EXISTS"
    with pytest.raises(StorageError) as e:
        users.delete("ghost")
    assert e.value.code == "NO_USER"


def test_the_last_administrator_cannot_be_deleted_or_demoted(tmp_path):
    users = UserStore(str(tmp_path))
    for action in (lambda: users.delete("admin"), lambda: users.update("admin", role="cashier")):
        with pytest.raises(StorageError) as e:
            action()
        assert e.value.code == "LAST_ADMIN"
    users.add("boss", "Петров", "admin", "2", "9182")
    users.delete("admin")
    assert [u.login for u in users.list()] == ["boss"]


def test_update_changes_only_what_is_given(tmp_path):
    users = UserStore(str(tmp_path))
    users.add("k1", "Кассир", "cashier", "5", "2468")
    u = users.update("k1", name="Кассир Сидорова")
    assert (u.name, u.role, u.cashier_id) == ("Кассир Сидорова", Role.CASHIER, "5")
    assert users.verify("k1", "2468")
