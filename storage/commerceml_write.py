"""The catalog as a CommerceML 2.08 pair (import.xml + offers.xml) in one zip, written as a stream."""
from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from fiscal.money import format_money, format_qty

_OKEI = {"шт": "796", "кг": "166", "л": "112", "м": "006", "г": "163"}
_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.08" '
         'ДатаФормирования={}>\n')
PRICE_TYPE_ID = "zpos-retail"


def _id(kind: str, value: str) -> str:
    """A stable GUID-shaped id from our code (the same item always gets the same Ид)."""
    h = hashlib.sha1(f"{kind}:{value}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def write_commerceml(catalog, path: str) -> None:
    """Write `path` (a zip) holding import.xml and offers.xml for every item of `catalog`."""
    stamp = quoteattr(datetime.now().replace(microsecond=0).isoformat())
    with tempfile.TemporaryDirectory() as tmp:
        imp, off = os.path.join(tmp, "import.xml"), os.path.join(tmp, "offers.xml")
        cats = catalog.categories()
        with open(imp, "w", encoding="utf-8") as f:
            f.write(_HEAD.format(stamp))
            f.write(f"<Классификатор><Ид>{_id('cls', 'zpos')}</Ид><Наименование>Классификатор</Наименование><Группы>\n")
            for c in cats:
                f.write(f"<Группа><Ид>{_id('grp', c)}</Ид><Наименование>{escape(c)}</Наименование></Группа>\n")
            f.write("</Группы></Классификатор>\n<Каталог СодержитТолькоИзменения=\"false\">"
                    f"<Ид>{_id('cat', 'zpos')}</Ид><ИдКлассификатора>{_id('cls', 'zpos')}</ИдКлассификатора>"
                    "<Наименование>Каталог кассы</Наименование><Товары>\n")
            for i in catalog.iter_items():
                vat = "Без налога" if i.vat == "none" else i.vat
                f.write(f"<Товар><Ид>{_id('item', i.code)}</Ид><Артикул>{escape(i.code)}</Артикул>"
                        f"<Наименование>{escape(i.name)}</Наименование>"
                        + (f"<Штрихкод>{i.barcode}</Штрихкод>" if i.barcode else "")
                        + f"<БазоваяЕдиница Код={quoteattr(_OKEI.get(i.unit, ''))}>{escape(i.unit)}</БазоваяЕдиница>"
                        + (f"<Группы><Ид>{_id('grp', i.category)}</Ид></Группы>" if i.category else "")
                        + f"<СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>{vat}</Ставка>"
                          "</СтавкаНалога></СтавкиНалогов></Товар>\n")
            f.write("</Товары></Каталог>\n</КоммерческаяИнформация>\n")
        with open(off, "w", encoding="utf-8") as f:
            f.write(_HEAD.format(stamp))
            f.write(f"<ПакетПредложений СодержитТолькоИзменения=\"false\"><Ид>{_id('cat', 'zpos')}#</Ид>"
                    f"<ИдКаталога>{_id('cat', 'zpos')}</ИдКаталога><ТипыЦен><ТипЦены><Ид>{PRICE_TYPE_ID}</Ид>"
                    "<Наименование>Розничная</Наименование><Валюта>BYN</Валюта><Налог><Наименование>НДС</Наименование>"
                    "<УчтеноВСумме>true</УчтеноВСумме></Налог></ТипЦены></ТипыЦен><Предложения>\n")
            for i in catalog.iter_items():
                f.write(f"<Предложение><Ид>{_id('item', i.code)}</Ид><Наименование>{escape(i.name)}</Наименование>"
                        f"<Цены><Цена><ИдТипаЦены>{PRICE_TYPE_ID}</ИдТипаЦены><ЦенаЗаЕдиницу>{format_money(i.price)}"
                        f"</ЦенаЗаЕдиницу><Валюта>BYN</Валюта><Единица>{escape(i.unit)}</Единица></Цена></Цены>"
                        + (f"<Количество>{format_qty(i.stock)}</Количество>" if i.stock is not None else "")
                        + "</Предложение>\n")
            f.write("</Предложения></ПакетПредложений>\n</КоммерческаяИнформация>\n")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(imp, "import.xml")
            z.write(off, "offers.xml")
