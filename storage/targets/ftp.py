"""FTP and FTPS (explicit TLS, AUTH TLS + PROT P) targets through the standard library's ftplib."""
from __future__ import annotations

import ftplib
import os
import ssl
from dataclasses import dataclass, field

from storage.targets.base import PART_SUFFIX, ArchiveError, Entry, ListMixin, check_name, parent_of

_ERRORS = (OSError, ftplib.Error, EOFError)


@dataclass(frozen=True)
class FtpTarget(ListMixin):
    host: str
    port: int = 21
    user: str = "anonymous"
    password: str = field(default="", repr=False)
    directory: str = "/"
    timeout: float = 15.0
    tls: bool = False
    cafile: str | None = None        # trust this certificate (a shop's self-signed server)
    verify: bool = True

    @property
    def label(self) -> str:
        return f"{'ftps' if self.tls else 'ftp'}://{self.user}@{self.host}:{self.port}{self.directory}"

    def _fail(self, code: str, what: str, e: Exception) -> ArchiveError:
        text = str(e)
        if isinstance(e, ftplib.error_perm) and text[:3] in ("530", "532"):
            code = "TARGET_AUTH"
        elif isinstance(e, ftplib.error_perm) and text[:3] == "552":
            code = "TARGET_FULL"
        elif isinstance(e, ftplib.error_temp) and text[:3] == "452":
            code = "TARGET_FULL"
        return ArchiveError(code, f"{self.label}: {what}: {text}", target=self.label)

    def _connect(self) -> ftplib.FTP:
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.cafile)
            if not self.verify:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            ftp: ftplib.FTP = ftplib.FTP_TLS(context=ctx)
        else:
            ftp = ftplib.FTP()
        try:
            ftp.connect(self.host, self.port, timeout=self.timeout)
            ftp.login(self.user, self.password)
            if self.tls:
                ftp.prot_p()
            if self.directory not in ("", "/"):
                ftp.cwd(self.directory)
        except _ERRORS as e:
            ftp.close()
            raise self._fail("TARGET_UNAVAILABLE", "cannot connect", e) from None
        return ftp

    def _mkdirs(self, ftp: ftplib.FTP, folder: str) -> None:
        path = ""
        for part in folder.split("/"):
            path = f"{path}/{part}" if path else part
            try:
                ftp.mkd(path)
            except ftplib.error_perm as e:
                if not str(e).startswith("550") and not str(e).startswith("521"):
                    raise

    def entries(self, folder: str = "") -> list[Entry]:
        ftp = self._connect()
        try:
            where = check_name(folder) if folder else ""
            try:
                return [Entry(n, f.get("type") == "dir", int(f["size"]) if f.get("size", "").isdigit() else None,
                              f.get("modify"))
                        for n, f in ftp.mlsd(where, facts=["type", "size", "modify"])
                        if f.get("type") in ("file", "dir") and not n.endswith(PART_SUFFIX)]
            except ftplib.error_perm as e:
                if str(e).startswith("550"):
                    raise ArchiveError("REMOTE_NOT_FOUND", f"{self.label}: no folder {folder}", target=self.label,
                                       path=folder) from None
                # a server without MLSD: plain names
                return [Entry(os.path.basename(n), False) for n in ftp.nlst(where)
                        if not n.endswith(PART_SUFFIX)]
        except _ERRORS as e:
            raise self._fail("TARGET_FAILED", "listing failed", e) from None
        finally:
            ftp.close()

    def mkdir(self, folder: str) -> None:
        ftp = self._connect()
        try:
            self._mkdirs(ftp, check_name(folder))
        except _ERRORS as e:
            raise self._fail("TARGET_FAILED", f"cannot create {folder}", e) from None
        finally:
            ftp.close()

    def put(self, local_path: str, name: str) -> None:
        check_name(name)
        ftp = self._connect()
        try:
            if parent_of(name):
                self._mkdirs(ftp, parent_of(name))
            with open(local_path, "rb") as f:
                ftp.storbinary(f"STOR {name}{PART_SUFFIX}", f)
            try:
                ftp.rename(f"{name}{PART_SUFFIX}", name)
            except ftplib.error_perm:
                # servers that refuse to rename onto an existing file: remove it, then rename
                ftp.delete(name)
                ftp.rename(f"{name}{PART_SUFFIX}", name)
        except _ERRORS as e:
            raise self._fail("TARGET_FAILED", f"upload of {name} failed", e) from None
        finally:
            ftp.close()

    def get(self, name: str, local_path: str) -> None:
        check_name(name)
        ftp = self._connect()
        try:
            with open(local_path, "wb") as f:
                ftp.retrbinary(f"RETR {name}", f.write)
        except ftplib.error_perm as e:
            code = "NO_ARCHIVE" if name.endswith(".zposdb") else "REMOTE_NOT_FOUND"
            raise ArchiveError(code, f"{self.label}: there is no file {name} ({e})", target=self.label,
                               path=name) from None
        except _ERRORS as e:
            raise self._fail("TARGET_FAILED", f"download of {name} failed", e) from None
        finally:
            ftp.close()

    def stat(self, name: str) -> Entry | None:
        check_name(name)
        ftp = self._connect()
        try:
            ftp.voidcmd("TYPE I")
            try:
                size = ftp.size(name)
            except ftplib.error_perm:
                return None
            return Entry(os.path.basename(name), False, size)
        except _ERRORS as e:
            raise self._fail("TARGET_FAILED", f"cannot stat {name}", e) from None
        finally:
            ftp.close()

    def free_space(self) -> int | None:
        return None     # plain FTP does not tell (AVBL is a draft few servers answer)
