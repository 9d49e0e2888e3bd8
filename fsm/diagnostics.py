"""Diagnostics: each device, the SKO, the internet, storage, external systems — OK or a problem in plain words."""
from __future__ import annotations

import shutil
import socket
from dataclasses import asdict, dataclass
from pathlib import Path

from hal.errors import DeviceError


@dataclass(frozen=True)
class Check:
    id: str
    title: str           # what was checked, for the screen (Russian)
    ok: bool
    detail: str          # the reading when OK, the reason and what to do when not

    def as_dict(self) -> dict:
        return asdict(self)


def _run(id_: str, title: str, fn) -> Check:
    try:
        detail = fn()
        return Check(id_, title, True, detail or "OK")
    except DeviceError as e:
        return Check(id_, title, False, e.message)
    except Exception as e:  # a check must report, never crash the diagnostics screen
        return Check(id_, title, False, f"{type(e).__name__}: {e}")


def run_diagnostics(devices, data_dir: Path, *, internet_host: str = "skko.by", skip_network: bool = False) -> list[Check]:
    checks: list[Check] = []
    for name, err in devices.errors.items():
        checks.append(Check(f"open:{name}", f"Подключение: {name}", False, err))

    def sko():
        info = devices.sko.info()
        rtt = devices.sko.ping() if hasattr(devices.sko, "ping") else None
        st = devices.sko.status()
        unsent = f"неотправленных документов: {st.unsent_count}"
        return f"{info.serial}, {unsent}" + (f", отклик {rtt * 1000:.0f} мс" if rtt is not None else "")
    checks.append(_run("sko", "СКО", sko))

    if devices.printer is not None:
        def printer():
            devices.printer.check_ready()
            st = devices.printer.status()
            return "готов" + (", бумага заканчивается" if st.paper_near_end else "")
        checks.append(_run("printer", "Принтер чеков", printer))
    if devices.scale is not None:
        def scale():
            r = devices.scale.read()
            return f"{r.weight_g} г, {'стабильно' if r.stable else 'не стабильно'}"
        checks.append(_run("scale", "Весы", scale))
    for name, term in devices.terminals.items():
        def terminal(term=term):
            res = term.test()
            if not res.approved:
                raise DeviceError("CARD_TEST_FAILED", f"терминал {term.name}: проверка связи с банком не прошла "
                                                      f"({res.message or res.status})")
            return "связь с банком есть"
        checks.append(_run(f"terminal:{name}", f"Терминал «{name}»", terminal))
    if devices.oplati is not None:
        checks.append(_run("oplati", "ОПЛАТИ", lambda: (devices.oplati.report("diag"), "сервис отвечает")[1]))

    def storage():
        usage = shutil.disk_usage(data_dir)
        free_mb = usage.free // (1024 * 1024)
        if free_mb < 100:
            raise DeviceError("DISK_FULL", f"на диске осталось {free_mb} МБ — выгрузите и очистите базу данных")
        from storage.journal import Journal
        with Journal(Path(data_dir) / "journal.sqlite") as j:
            v = j.verify(j.get_meta("sko_public_key"))
        if not v.ok:
            raise DeviceError("JOURNAL_BROKEN", f"журнал повреждён на документе {v.broken_number}: {v.reason}")
        return f"журнал цел ({v.count} док.), свободно {free_mb} МБ"
    checks.append(_run("storage", "Хранилище данных", storage))

    if not skip_network:
        def internet():
            try:
                socket.create_connection((internet_host, 443), timeout=2).close()
            except OSError as e:
                raise DeviceError("NO_INTERNET", f"нет связи с {internet_host}: {e.strerror or e} — "
                                                 "проверьте кабель или Wi-Fi; СКО копит документы до 72 ч") from None
            return f"{internet_host} доступен"
        checks.append(_run("internet", "Интернет", internet))
    return checks
