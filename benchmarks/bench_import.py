"""import_100k_s, import_1m_peak_mb (and the 1C CommerceML 50k figures): goods imported through the staged import (`zpos goods import`'s path).

Each import runs in a fresh subprocess on an empty data directory; the figure is the child's
wall time from start to the applied catalog, and its peak resident memory (VmHWM from
/proc/self/status), so what the parent allocated to write the file never counts.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from storage.goods_csv import CsvSource
from storage.goods_import import import_goods
r = import_goods(sys.argv[1], CsvSource(sys.argv[2]))
seconds = time.perf_counter() - t0
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"s": seconds, "peak_kb": peak, "total": r.total}))
"""
_WORDS = ["Молоко", "Хлеб", "Сыр", "Ёрш", "Колбаса", "Яблоки", "Чай", "Кофе", "Сок", "Вода", "Печенье", "Конфеты"]


def write_csv(path: str, n: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("Код;Штрихкод;Наименование;Цена;НДС;Ед. изм.;Остаток;Группа\n")
        for k in range(n):
            w1, w2 = _WORDS[k % 12], _WORDS[(k // 12) % 12].lower()
            f.write(f"{k + 1};{4810000000000 + k};{w1} {w2} {k};{1 + k % 500},{k % 100:02d};"
                    f"{'10' if k % 3 else '20'};{'кг' if k % 17 == 0 else 'шт'};{k % 200};Категория {k % 50}\n")


def measure(n: int, tmp: str) -> dict:
    csv_path = os.path.join(tmp, f"goods-{n}.csv")
    write_csv(csv_path, n)
    data = os.path.join(tmp, f"data-{n}")
    os.makedirs(data)
    root = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", _CHILD, data, csv_path], capture_output=True, text=True,
                         cwd=root, env={**os.environ, "PYTHONPATH": root}, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["total"] == n
    os.unlink(csv_path)
    return r


def _csv_figures() -> dict:
    with tempfile.TemporaryDirectory(dir=os.environ.get("ZPOS_BENCH_DIR")) as tmp:
        small = measure(100_000, tmp)
        big = measure(1_000_000, tmp)
    return {"import_100k_s": round(small["s"], 2), "import_100k_peak_mb": round(small["peak_kb"] / 1024, 1),
            "import_1m_s": round(big["s"], 2), "import_1m_peak_mb": round(big["peak_kb"] / 1024, 1)}




def write_commerceml(folder: str, n: int) -> None:
    """A 1C-like pair: nested groups, barcodes in the goods, two price types, stock in the offers."""
    os.makedirs(folder)
    with open(os.path.join(folder, "import.xml"), "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" '
                'ВерсияСхемы="2.08"><Классификатор><Ид>c</Ид><Группы>')
        for g in range(50):
            f.write(f"<Группа><Ид>g{g}</Ид><Наименование>Группа {g}</Наименование><Группы><Группа><Ид>g{g}-1</Ид>"
                    f"<Наименование>Подгруппа {g}</Наименование></Группа></Группы></Группа>")
        f.write('</Группы></Классификатор><Каталог СодержитТолькоИзменения="false"><Товары>\n')
        for k in range(n):
            f.write(f"<Товар><Ид>00000000-0000-4000-8000-{k:012d}</Ид><Артикул>A{k}</Артикул>"
                    f"<Наименование>{_WORDS[k % 12]} {k}</Наименование><Штрихкод>{4810000000000 + k}</Штрихкод>"
                    f'<БазоваяЕдиница Код="796">шт</БазоваяЕдиница><Группы><Ид>g{k % 50}-1</Ид></Группы>'
                    "<СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>20</Ставка>"
                    "</СтавкаНалога></СтавкиНалогов></Товар>\n")
        f.write("</Товары></Каталог></КоммерческаяИнформация>\n")
    with open(os.path.join(folder, "offers.xml"), "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" '
                'ВерсияСхемы="2.08"><ПакетПредложений><ТипыЦен><ТипЦены><Ид>opt</Ид><Наименование>Оптовая'
                "</Наименование></ТипЦены><ТипЦены><Ид>r</Ид><Наименование>Розничная</Наименование></ТипЦены>"
                "</ТипыЦен><Предложения>\n")
        for k in range(n):
            f.write(f"<Предложение><Ид>00000000-0000-4000-8000-{k:012d}</Ид><Цены><Цена><ИдТипаЦены>opt</ИдТипаЦены>"
                    f"<ЦенаЗаЕдиницу>1.00</ЦенаЗаЕдиницу></Цена><Цена><ИдТипаЦены>r</ИдТипаЦены><ЦенаЗаЕдиницу>"
                    f"{1 + k % 90}.{k % 100:02d}</ЦенаЗаЕдиницу><Валюта>BYN</Валюта></Цена></Цены>"
                    f"<Количество>{k % 30}</Количество></Предложение>\n")
        f.write("</Предложения></ПакетПредложений></КоммерческаяИнформация>\n")


_CML_CHILD = _CHILD.replace("from storage.goods_csv import CsvSource", "from storage.commerceml import CommerceMLSource") \
    .replace("CsvSource(sys.argv[2])", "CommerceMLSource(sys.argv[2])")


def measure_commerceml(n: int, tmp: str) -> dict:
    folder = os.path.join(tmp, f"cml-{n}")
    write_commerceml(folder, n)
    data = os.path.join(tmp, f"data-cml-{n}")
    os.makedirs(data)
    root = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", _CML_CHILD, data, folder], capture_output=True, text=True, cwd=root,
                         env={**os.environ, "PYTHONPATH": root}, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["total"] == n
    return r


def run() -> dict:
    out = _csv_figures()
    with tempfile.TemporaryDirectory(dir=os.environ.get("ZPOS_BENCH_DIR")) as tmp:
        cml = measure_commerceml(50_000, tmp)
    out.update(import_commerceml_50k_s=round(cml["s"], 2), import_commerceml_50k_peak_mb=round(cml["peak_kb"] / 1024, 1))
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
