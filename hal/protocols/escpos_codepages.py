"""Published ESC t code-page tables of the printer models we ship profiles for, as data.

Transcribed from escpos-printer-db (https://github.com/receipt-print-hq/escpos-printer-db,
`data/profile/*.yml` and `data/encoding.yml`, commit fe07c81155a6c49912379fdb960dc9155c8dfc89,
2026-07-27), (c) the escpos-printer-db contributors, licensed CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/). Only the pages the database names are listed
(its "Unknown" slots are left out). "default" is the database's Epson-compatible default
profile; "NT-80-V-UL" (Netum) and "POS-5890" (Zjiang) are the 80 mm and 58 mm Chinese clones
whose table (CP866 at 17 and 59, CP1251 at 73) Xprinter-class printers share.

The driver's profiles pick their slots by hand; a test checks every pick against these tables,
and the virtual printer decodes ESC t with the table of the model it plays.
"""
from __future__ import annotations

PUBLISHED: dict[str, dict[int, str]] = {
    "default": {
        0: "CP437", 1: "CP932", 2: "CP850", 3: "CP860", 4: "CP863", 5: "CP865", 11: "CP851", 12: "CP853",
        13: "CP857", 14: "CP737", 15: "ISO_8859-7", 16: "CP1252", 17: "CP866", 18: "CP852", 19: "CP858",
        21: "CP874", 30: "TCVN-3-1", 31: "TCVN-3-2", 32: "CP720", 33: "CP775", 34: "CP855", 35: "CP861",
        36: "CP862", 37: "CP864", 38: "CP869", 39: "ISO_8859-2", 40: "ISO_8859-15", 41: "CP1098",
        42: "CP774", 43: "CP772", 44: "CP1125", 45: "CP1250", 46: "CP1251", 47: "CP1253", 48: "CP1254",
        49: "CP1255", 50: "CP1256", 51: "CP1257", 52: "CP1258", 53: "RK1048",
    },
    "TM-T20III": {
        0: "CP437", 1: "CP932", 2: "CP850", 3: "CP860", 4: "CP863", 5: "CP865", 12: "CP853", 13: "CP857",
        14: "CP737", 15: "ISO_8859-7", 16: "CP1252", 17: "CP866", 18: "CP852", 19: "CP858", 30: "TCVN-3-1",
        31: "TCVN-3-2", 32: "CP720", 33: "CP775", 34: "CP855", 35: "CP861", 36: "CP862", 37: "CP864",
        38: "CP869", 39: "ISO_8859-2", 40: "ISO_8859-15", 41: "CP1098", 44: "CP1125", 45: "CP1250",
        46: "CP1251", 47: "CP1253", 48: "CP1254", 49: "CP1255", 50: "CP1256", 51: "CP1257", 52: "CP1258",
        53: "RK1048",
    },
    "TM-T88V": {
        0: "CP437", 1: "CP932", 2: "CP850", 3: "CP860", 4: "CP863", 5: "CP865", 11: "CP851", 12: "CP853",
        13: "CP857", 14: "CP737", 15: "ISO_8859-7", 16: "CP1252", 17: "CP866", 18: "CP852", 19: "CP858",
        30: "TCVN-3-1", 31: "TCVN-3-2", 32: "CP720", 33: "CP775", 34: "CP855", 35: "CP861", 36: "CP862",
        37: "CP864", 38: "CP869", 39: "ISO_8859-2", 40: "ISO_8859-15", 41: "CP1098", 45: "CP1250",
        46: "CP1251", 47: "CP1253", 48: "CP1254", 49: "CP1255", 50: "CP1256", 51: "CP1257", 52: "CP1258",
        53: "RK1048",
    },
    "RP326": {
        0: "CP437", 1: "KATAKANA", 2: "CP850", 3: "CP860", 4: "CP863", 5: "CP865", 6: "CP1251", 7: "CP866",
        15: "CP862", 16: "CP1252", 17: "CP1253", 18: "CP852", 19: "CP858", 23: "ISO_8859-1", 24: "CP737",
        25: "CP1257", 27: "CP720", 28: "CP855", 29: "CP857", 30: "CP1250", 31: "CP775", 32: "CP1254",
        33: "CP1255", 34: "CP1256", 35: "CP1258", 36: "ISO_8859-2", 37: "ISO_8859-3", 38: "ISO_8859-4",
        39: "ISO_8859-5", 40: "ISO_8859-6", 41: "ISO_8859-7", 42: "ISO_8859-8", 43: "ISO_8859-9",
        44: "ISO_8859-15", 46: "CP856", 47: "CP874",
    },
    "NT-80-V-UL": {
        0: "CP437", 2: "CP850", 3: "CP860", 4: "CP863", 5: "CP865", 16: "CP1252", 17: "CP866", 18: "CP852",
        19: "CP858", 22: "ISO_8859-6", 24: "CP747", 25: "CP1257", 28: "CP864", 32: "CP1255", 50: "CP437",
        52: "CP437", 53: "CP858", 54: "CP852", 55: "CP860", 56: "CP861", 57: "CP863", 58: "CP865",
        59: "CP866", 60: "CP855", 61: "CP857", 62: "CP862", 63: "CP864", 64: "CP737", 65: "CP851",
        66: "CP869", 68: "CP772", 69: "CP774", 71: "CP1252", 72: "CP1250", 73: "CP1251", 74: "CP3840",
        76: "CP3843", 77: "CP3844", 78: "CP3845", 79: "CP3846", 80: "CP3847", 81: "CP3848", 83: "CP2001",
        84: "CP3001", 85: "CP3002", 86: "CP3011", 87: "CP3012", 88: "CP3021", 89: "CP3041", 90: "CP1253",
        91: "CP1254", 92: "CP1256", 93: "CP720", 94: "CP1258", 95: "CP775",
    },
    "POS-5890": {
        0: "CP437", 1: "CP932", 2: "CP850", 3: "CP860", 4: "CP863", 5: "CP865", 16: "CP1252", 17: "CP866",
        18: "CP852", 19: "CP858", 24: "CP747", 25: "CP1257", 27: "CP1258", 28: "CP864", 32: "CP1255",
        50: "CP437", 52: "CP437", 53: "CP858", 54: "CP852", 55: "CP860", 56: "CP861", 57: "CP863",
        58: "CP865", 59: "CP866", 60: "CP855", 61: "CP857", 62: "CP862", 63: "CP864", 64: "CP737",
        65: "CP851", 66: "CP869", 68: "CP772", 69: "CP774", 71: "CP1252", 72: "CP1250", 73: "CP1251",
        74: "CP3840", 76: "CP3843", 77: "CP3844", 78: "CP3845", 79: "CP3846", 80: "CP3847", 81: "CP3848",
        83: "CP2001", 84: "CP3001", 85: "CP3002", 86: "CP3011", 87: "CP3012", 88: "CP3021", 89: "CP3041",
        90: "CP1253", 91: "CP1254", 92: "CP1256", 93: "CP720", 94: "CP1258", 95: "CP775",
    },
}

CODECS: dict[str, str] = {
    "CP1125": "cp1125",
    "CP1250": "cp1250",
    "CP1251": "cp1251",
    "CP1252": "cp1252",
    "CP1253": "cp1253",
    "CP1254": "cp1254",
    "CP1255": "cp1255",
    "CP1256": "cp1256",
    "CP1257": "cp1257",
    "CP1258": "cp1258",
    "CP437": "cp437",
    "CP720": "cp720",
    "CP737": "cp737",
    "CP775": "cp775",
    "CP850": "cp850",
    "CP852": "cp852",
    "CP855": "cp855",
    "CP856": "cp856",
    "CP857": "cp857",
    "CP858": "cp858",
    "CP860": "cp860",
    "CP861": "cp861",
    "CP862": "cp862",
    "CP863": "cp863",
    "CP864": "cp864",
    "CP865": "cp865",
    "CP866": "cp866",
    "CP869": "cp869",
    "CP874": "cp874",
    "CP932": "cp932",
    "ISO_8859-1": "latin_1",
    "ISO_8859-15": "iso8859-15",
    "ISO_8859-2": "iso8859_2",
    "ISO_8859-3": "iso8859_3",
    "ISO_8859-4": "iso8859_4",
    "ISO_8859-5": "iso8859_5",
    "ISO_8859-6": "iso8859_6",
    "ISO_8859-7": "iso8859_7",
    "ISO_8859-8": "iso8859_8",
    "ISO_8859-9": "iso8859_9",
}


def codec(model: str, slot: int) -> str | None:
    """The Python codec of `slot` on `model` per the published table, or None when the table has none."""
    name = PUBLISHED.get(model, {}).get(slot)
    return CODECS.get(name) if name else None
