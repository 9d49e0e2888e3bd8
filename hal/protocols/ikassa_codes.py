"""The published iKassa error codes (IKAPI «Список ошибок», enum ServiceErrorCode) and the product code of each.

Each row is `NAME(statusCode, code, "msg")` as published; `PRODUCT` says which stable code of the
register (DeviceCode, or the FiscalCode / OperationCode a cashier already knows) a refusal carries,
and every code has its own cashier text `error.SKO.<code>` in texts/locale/*/sko.json. A few codes
mean something more precise for one action (`CONTEXT`). The emulator builds its error answers from
the same table.
"""
from __future__ import annotations

from dataclasses import dataclass

from hal.protocols.ikassa import Action


@dataclass(frozen=True)
class Published:
    name: str
    status: int          # the HTTP-like statusCode of the enum row
    code: int
    message: str = ""    # the enum's msg, where IKAPI gives one


def _rows(*rows: tuple) -> dict[int, Published]:
    return {r[2]: Published(*r) for r in rows}


CODES: dict[int, Published] = _rows(
    ("CHEQUE_NOT_FOUND", 404, 2000), ("TOKEN_NOT_FOUND_ERROR", 404, 2010), ("WRONG_INPUT_ERROR", 400, 2011),
    ("SALE_CHEQUE_NOT_FOUND_ERROR", 404, 2012), ("SHIFT_CLOSED_ERROR", 400, 2013), ("SALE_DISCOUNT_ERROR", 400, 2014),
    ("INDEX_OUT_OF_RANGE_ERROR", 400, 2015), ("CHANGE_ERROR", 400, 2016), ("EMPTY_SALE_ERROR", 400, 2017),
    ("SALE_NOT_PAYED_ERROR", 400, 2018), ("UNAUTHORIZED_ERROR", 400, 2019), ("UNSUPPORTED_CURRENCY_ERROR", 400, 2022),
    ("UNKNOWN_ERROR", 500, 2023), ("NOT_SECURE_ERROR", 400, 2025), ("SALE_WAS_ROLLBACKED_ERROR", 400, 2026),
    ("ZERO_SUM_ERROR", 400, 2027), ("ZERO_QUANTITY_ERROR", 400, 2028), ("REVOKED_KEY_ERROR", 400, 2029),
    ("PRINTER_NOT_FOUND_ERROR", 400, 2030), ("PRINTING_FAILURE_ERROR", 500, 2031), ("WRONG_DISCOUNT_ERROR", 400, 2032),
    ("INVALID_CODE_ERROR", 400, 2033), ("TOO_MANY_ITEMS_ERROR", 400, 2036),
    ("NOT_PRINTED_CHEQUE_NOT_FOUND_ERROR", 404, 2038), ("NOT_ENOUGH_MONEY_IN_CASH_BOX_ERROR", 400, 2039),
    ("EAN_ITEM_NOT_FOUND_ERROR", 404, 2040), ("ACTION_ERROR", 400, 2042), ("DELAY_ERROR", 400, 2043),
    ("ACTIVE_CHEQUE_ERROR", 400, 2044), ("ACTIVE_CHEQUE_NOT_FOUND_ERROR", 404, 2045),
    ("INVALID_PIN_PUK_FORMAT", 400, 2047, "Неверный формат pin/puk кода"), ("NAME_LENGTH_ERROR", 400, 2048),
    ("CHANGE_SUM_ERROR", 400, 2049), ("WRONG_CHEQUE_SUM_ERROR", 400, 2050), ("SALE_ITEM_PRICE_ERROR", 400, 2051),
    ("EMPTY_Z_REPORT", 400, 1001, "Пусой Z-отчет. Требуется совершение операции"),
    ("OPERATION_IS_NOT_ALLOWED", 403, 1004, "Операция не может быть выполнена"),
    ("EMPTY_CASHIER_NAME", 400, 1005, "Имя кассира не может быть пустым"),
    ("INVALID_MONEY_FORMAT_ERROR", 400, 1105, "Неверный денежный формат"),
    ("INVALID_QUANTITY_FORMAT_ERROR", 400, 1106, "Неверный формат кол-ва"),
    ("AVQFR_INVALID_COMMAND", 500, 5, "Подана команда с неизвестным кодом или нарушен порядок подачи команд"),
    ("AVQFR_UNSUPPORTED_VERSION", 500, 6, "Версия протокола взаимодействия с устройством не поддерживается"),
    ("AVQFR_ACCESS_DENIED", 403, 8, "Неверно указана роль при авторизации (отличная от PIN, PUK или REG)"),
    ("AVQFR_BAD_SERIAL_NUMBER", 400, 9, "Неверно задан серийный номер устиойства"),
    ("AVQFR_BAD_DEVICE_MODE", 400, 10, "Команда не может быть выполнена в текущем режиме устройства"),
    ("AVQFR_INTERNAL_ERROR", 500, 11, "Внутренняя ошибка (возможная причина - аппаратный сбой)"),
    ("AVQFR_TIMEOUT", 500, 12, "Превышено время ожидания ответа при синхронизации времени"),
    ("AVQFR_BAD_FW_UPGRADE_KEY", 500, 13, "Отсутствует ключ обновления прошивки или его целостность нарушена"),
    ("AVQFR_NOT_MOUNTED", 500, 101, "Файловая система на смонтирована (внутренняя ошибка, устройство неисправно)"),
    ("AVQFR_NOT_FORMATED", 500, 102, "Носитель на отформатирован (внутренняя ошибка, устройство неисправно)"),
    ("AVQFR_INSUFFICIENT_SPACE", 500, 103, "Недостаточно места для записи данных"),
    ("AVQFR_FILE_IS_TOO_BIG", 500, 104, "Превышен размер файла (внутренняя ошибка, устройство неисправно)"),
    ("AVQFR_FILE_NOT_EXIST", 500, 105, "Файл не найден, необходимые данные отсутствуют"),
    ("AVQFR_FILE_ALREADY_EXISTS", 500, 106, "Файл уже имеется (внутренняя ошибка, устройство неисправно)"),
    ("AVQFR_INVALID_OFFSET", 500, 107, "Неверное смещение (внутренняя ошибка, устройство неисправно)"),
    ("AVQFR_PROGRAM_ERROR", 500, 108, "Ошибка записи во флеш-память (внутренняя ошибка, устройство неисправно)"),
    ("AVQFR_BAD_ADDRESS", 500, 109, "Неверно задан адрес блока памяти (внутренняя ошибка, устройство неисправно)"),
    ("AVQFR_ERASE_ERROR", 500, 110, "Ошибка стирания флеш-памяти (внутренняя ошибка, устройство неисправно)"),
    ("AVQFR_NO_CIPHER_CALLBACKS", 500, 111, "Функции шифрования файловой системы недоступны (внутренняя ошибка, "
                                            "устройство неисправно)"),
    ("AVQFR_MAC_NOT_FOUND", 500, 112, "У файла отсутствует имитовставка (внутренняя ошибка, устройство неисправно)"),
    ("AVQFR_NOT_ACTUAL_KEY", 400, 17, "Cрок действия ключа не наступил или истек"),
    ("AVQFR_BAD_SIGN", 500, 18, "Подпись не верна"),
    ("AVQFR_INCORRECT_PARAM_SIZE", 500, 19, "Неверный размер параметра (один из параметров команды имеет неверную длину)"),
    ("AVQFR_BAD_SYNC_REQUEST_ID", 500, 20, "Неверный идентификатор запроса синхронизации времени"),
    ("AVQFR_BAD_FILE_INDEX", 500, 21, "Недопустимое имя файла (внутренняя ошибка, устройство неисправно)"),
    ("AVQFR_NO_DATA", 404, 22, "Запрашиваемые данные отсутствуют (попытка получить внутренний или отсутствующий документ)"),
    ("AVQFR_INTEGRITY_ERROR", 500, 24, "Нарушение целостности данных, хранящихся в устройстве (устройство неисправно)"),
    ("AVQFR_PRNG_NOT_INITIALIZED", 500, 25, "Генератор СЧП не инициализирован, инициализация устройства не завершена"),
    ("AVQFR_BAD_SIGN_CTR", 500, 26, "Неверное значение счетчика подписей"),
    ("AVQFR_BAD_STATUS_CODE", 500, 27, "Неверное значение кода завершения обработки запроса сервером"),
    ("AVQFR_INVALID_MODE", 500, 28, "Неверно задан режим алгоритма (внутренняя ошибка, устройство неисправно)"),
    ("AVQFR_INCORRECT_PARAM", 500, 29, "Один из переданных параметров имеет недопустимое значение"),
    ("AVQFR_SELF_TEST_FAILURE", 500, 30, "Ошибка самотестирования (устройство неисправно)"),
    ("AVQFR_SHIFT_IDLE_TIMEOUT", 500, 31, "Превышено время бездействия, требуется синхронизация времени"),
    ("AVQFR_BAD_KEY_AUTH_DATA", 403, 32, "Неверные данные для авторизации сессии (неверное значение PIN, PUK или REG)"),
    ("AVQFR_INVALID_ATTR_ID", 500, 33, "Неверный идентификатор атрибута устройства (атрибут, не поддерживается "
                                       "устройством)"),
    ("AVQFR_BAD_KEY_TOKEN", 500, 34, "Токен ключа сформирован некорректно"),
    ("AVQFR_FILE_BACKUP_ERROR", 500, 35, "Ошибка дублирования файла (внутренняя ошибка, устройство неисправно)"),
    ("AVQFR_BAD_KEY_ID", 500, 36, "Идентификатор ключа отсутствует или имеет неверный размер"),
    ("AVQFR_BAD_KEY", 500, 37, "Ключ отсутствует, имеет неверный размер или неверный формат набора ключей"),
    ("AVQFR_ASN1_PARSE_ERROR", 500, 38, "Невозможно разобрать ASN1-структуру (нарушена структура сертификата или ответа "
                                        "сервера)"),
    ("AVQFR_INCORRECT_DATA_SIZE", 500, 39, "Неверный общий размер данных команды (передана команда неподдерживаемой длины)"),
    ("AVQFR_SESSIONS_LIMIT_EXCEEDED", 500, 40, "Слишком много одновременно открытых сессий"),
    ("AVQFR_INVALID_SESSION_ID", 500, 41, "Неверный идентификатор сессии"),
    ("AVQFR_SHIFT_IS_PENDING", 400, 42, "Необходимо закрыть смену"),
    ("AVQFR_RECEIPT_IS_PENDING", 400, 43, "В устройстве присутствуют кассовые документы, которые необходимо передать на "
                                          "сервер"),
    ("AVQFR_RECEIPT_SUM_OVERFLOW", 400, 44, "Переполнение счетчиков, необходимо закрыть смену"),
    ("AVQFR_RECEIPT_NEGATIVE_VALUE", 400, 45, "Задано отрицательное значение суммы"),
    ("AVQFR_NEGATIVE_SHIFT_BALANCE", 400, 46, "Получен отрицательный сменный баланс"),
    ("AVQFR_SESSION_ALREADY_AUTHORIZED", 400, 47, "Сессия уже авторизована (попытка повторной авторизации уже "
                                                  "авторизованной сессии)"),
    ("AVQFR_SESSION_NOT_AUTHORIZED", 403, 48, "Сессия не авторизована (команда требует обязательной авторизации)"),
    ("AVQFR_SESSION_EXISTS", 500, 49, "Имеется открытая сессия (выполнение команды возможно только в монопольном режиме)"),
    ("AVQFR_SHIFT_IS_OPENED", 400, 50, "Смена открыта (команда возможна только при закрытой смене)"),
    ("AVQFR_SHIFT_IS_CLOSED", 400, 51, "Смена закрыта (команда возможна только при открытой смене)"),
    ("AVQFR_BAD_DATE_TIME", 400, 52, "Неверный формат или значение даты или времени (операция выполняется \"задним\" "
                                     "числом)"),
    ("AVQFR_BAD_CASHREG_NUMBER", 400, 53, "Неверный номер кассового аппарата (номер КСА в СККО)"),
    ("AVQFR_BAD_CURRENCY_NAME", 400, 54, "Неверное наименование кода валюты"),
    ("AVQFR_BAD_RECEIPT_TYPE", 500, 55, "Неверный тип кассового документа"),
    ("AVQFR_BAD_RECEIPT_NUMBER", 500, 56, "Номер кассового документа отличается от значения внутренего счетчика "
                                          "кассовых документов"),
    ("AVQFR_BAD_RECEIPT_COST", 400, 57, "Рассогласование по полю \"Итого общая стоимость\""),
    ("AVQFR_BAD_RECEIPT_DISCOUNT", 400, 58, "Рассогласование по полю \"Сумма скидки (надбавки)\""),
    ("AVQFR_BAD_RECEIPT_TOTAL", 400, 59, "Рассогласование по полю \"Итого к оплате\""),
    ("AVQFR_BAD_RECEIPT_CENTS", 500, 60, "Неправильное значение дробной части денежного поля"),
    ("AVQFR_BAD_TAXPAYER_NUMBER", 400, 61, "Задан неверный УНП"),
    ("AVQFR_BAD_CORRECTION_VALUE", 500, 62, "Задана ненулевая сумма коррекции при отсутствии коррекций"),
    ("AVQFR_TOTAL_TRADE_OVERFLOW", 400, 63, "Переполнение счетчика суммарного торгового оборота"),
)

HARDWARE = frozenset({11, 13, 21, 24, 25, 26, 28, 30, 35} | set(range(101, 113)))

# Published code → the register's stable code (default SKO_ERROR: «СКО отказало», with the code's own text).
PRODUCT: dict[int, str] = {
    **{c: "SKO_HARDWARE" for c in HARDWARE},
    12: "SKO_TIME_SYNC", 20: "SKO_TIME_SYNC", 31: "SKO_TIME_SYNC",
    18: "SKO_BAD_SIGNATURE", 32: "WRONG_PIN", 40: "SKO_IN_USE", 49: "SKO_IN_USE", 41: "NOT_AUTHORIZED",
    42: "SHIFT_EXPIRED", 43: "SKO_UNSENT_LIMIT", 44: "SHIFT_EXPIRED", 46: "NOT_ENOUGH_CASH", 48: "NOT_AUTHORIZED",
    50: "SHIFT_OPEN", 51: "SHIFT_CLOSED", 52: "BAD_TIME", 56: "BAD_NUMBER",
    57: "TOTALS_MISMATCH", 58: "TOTALS_MISMATCH", 59: "TOTALS_MISMATCH",
    1001: "EMPTY_Z_REPORT", 1004: "NOT_ALLOWED", 1005: "SKO_CASHIER_NAME",
    2010: "SKO_NOT_FOUND", 2013: "SHIFT_CLOSED", 2014: "DISCOUNT_TOO_LARGE", 2016: "CASHLESS_OVERFLOW",
    2017: "EMPTY_RECEIPT", 2018: "NOT_ENOUGH_MONEY", 2019: "NOT_AUTHORIZED", 2023: "SKO_UNKNOWN",
    2026: "NOTHING_TO_ANNUL", 2027: "SUM_RANGE", 2028: "QTY_RANGE", 2031: "SKO_UNKNOWN", 2032: "DISCOUNT_TOO_LARGE",
    2033: "BAD_BARCODE", 2036: "TOO_MANY_ITEMS", 2039: "NOT_ENOUGH_CASH", 2040: "UNKNOWN_ITEM",
    2044: "UNFINISHED_SALE", 2047: "WRONG_PIN", 2048: "SKO_NAME_TOO_LONG", 2049: "CASHLESS_OVERFLOW",
    2050: "TOTALS_MISMATCH", 2051: "PRICE_RANGE",
}
# A code that says more for one action: (action, code) → (stable code, catalogue variant).
CONTEXT: dict[tuple[Action, int], tuple[str, str]] = {
    (Action.AUTHORIZE, 10): ("SKO_LOCKED", "SKO.10.authorize"),
    (Action.CHANGE_PIN, 32): ("WRONG_PUK", "SKO.32.changePinCode"),
    (Action.CHANGE_PIN, 2047): ("WRONG_PUK", "SKO.2047"),
    (Action.CREATE_ROLLBACK, 22): ("NOTHING_TO_ANNUL", "SKO.22.createRollback"),
    (Action.CLOSE_SHIFT, 1004): ("DRAWER_NOT_EMPTY", "SKO.1004.closeShift"),
}
REAUTHORIZE = frozenset({41, 48, 2019})        # the session is gone: authorise once with the PIN and retry
ALREADY_AUTHORIZED = 47                       # on `authorize`: success (IKAPI 47 «Сессия уже авторизована»)
OUTCOME_UNKNOWN = frozenset({2023, 2031})     # a 500 of the service itself: the document may be registered


def product(code: int, action: Action | None = None) -> tuple[str, str]:
    """(stable code, catalogue variant) for a published code; an unpublished one is SKO_ERROR without a variant."""
    if action is not None and (action, code) in CONTEXT:
        return CONTEXT[(action, code)]
    if code not in CODES:
        return "SKO_ERROR", ""
    return PRODUCT.get(code, "SKO_ERROR"), f"SKO.{code}"


def variants() -> set[str]:
    """Every catalogue variant this table can name (a test checks each has ru, be and en texts)."""
    return {f"SKO.{c}" for c in CODES} | {v for _, v in CONTEXT.values()}
