"""Maintenance of manual §4.2: DB export, import and clear, and the support bundle («Помощь»)."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from fsm.admin import storage_refusals
from fsm.context import Registrar, Stores
from fsm.errors import OperationError
from fsm.permissions import ShiftState
from fsm.session import Session
from fsm.support import send_bundle
from storage.archive import clear_until, export_archive, import_archive
from storage.targets import parse_target


class Maintenance:
    def __init__(self, stores: Stores, devices, session: Session, registrar: Registrar,
                 shift_state: Callable[[], ShiftState], facts: Callable[[], dict],
                 after_reopen: Callable[[], None]) -> None:
        self.stores = stores
        self.devices = devices
        self.session = session
        self.registrar = registrar
        self._shift_state = shift_state
        self._facts = facts
        self._after_reopen = after_reopen

    def _closed_shift(self) -> None:
        self.session.require("maintenance")
        if self._shift_state() is not ShiftState.CLOSED:
            raise OperationError("SHIFT_OPEN", variant="MAINTENANCE_NEEDS_CLOSED_SHIFT")

    def export_db(self, target: str) -> str:
        """Export the whole database as one signed archive to a directory (USB stick) or ftp://…"""
        self.session.require("maintenance")
        with storage_refusals():
            return export_archive(str(self.stores.data_dir), parse_target(target))

    def list_archives(self, target: str) -> list[str]:
        self.session.require("maintenance")
        with storage_refusals():
            return sorted((n for n in parse_target(target).list() if n.endswith(".zposdb")), reverse=True)

    def import_db(self, target: str, name: str) -> int:
        """Verify, then replace the database all-or-nothing; the stores are reopened on the new data."""
        self._closed_shift()
        st = self.registrar.sko_status()
        registered = max(st.next_number - 1, self.stores.journal.last_number())
        self.stores.close_files()
        try:
            with storage_refusals():
                return import_archive(str(self.stores.data_dir), parse_target(target), name,
                                      registered_up_to=registered)
        finally:
            self.stores.reopen()
            self._after_reopen()

    def clear_db(self, until_date: str):
        """Clear documents up to a date inclusive — never one the SKO has not confirmed as sent."""
        self._closed_shift()
        st = self.registrar.sko_status()
        sent_up_to = st.next_number - 1 - st.unsent_count
        self.stores.close_files()
        try:
            with storage_refusals():
                return clear_until(str(self.stores.data_dir), until_date, sent_up_to)
        finally:
            self.stores.reopen()
            self._after_reopen()

    def send_support_info(self, target: str) -> str:
        """«Помощь»: service information for technical support, to a USB directory or FTP (a logged-in user)."""
        self.session.require_rule("support_info")
        with storage_refusals():
            return send_bundle(self._facts(), self.stores, self.devices, self.registrar.now(), target)

    def removable_drives(self) -> list:
        """Where an archive or the support bundle can go: the till's own export folder, then the mounted
        removable drives (`fsm.drives.Drive`: path, label, size, free)."""
        from fsm.drives import Drive, removable_drives
        export = Path(self.stores.data_dir) / "export"
        try:
            st = os.statvfs(self.stores.data_dir)
            size, free = st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize
        except OSError:
            size = free = 0
        return [Drive(str(export), "", size, free)] + removable_drives()
