"""Drawing the sale screen: receipt lines with units, discounts and the stepper; tiles; the code keypad; sections."""
from __future__ import annotations

import pygame

from fiscal.money import format_money, format_qty
from screens.base import Layout, Screen, grid, split_h, split_v, take_bottom, take_top  # s: the sale screen
from screens.theme import line_height
from screens.widgets import MIN_TARGET, Ui

Rect = pygame.Rect

SUB = " / "                      # a subcategory is named "Parent / Child" in the catalog


def calc_of(reg):
    """The receipt arithmetic of the open receipt (the facade's numbers), or None when it is empty."""
    if not reg.sale.receipt.lines:
        return None
    return reg.sale.receipt.calc(vat=reg.sale.vat_table())


def qty_text(t, qty: int, weighed: bool) -> str:
    """«1 шт», «0,5 шт», «1,235 кг»: the quantity with its unit, the decimal sign of the language."""
    sep = t("ui.unit.decimal")
    if weighed:
        return f"{format_qty(qty).replace('.', sep)} {t('ui.unit.kg')}"
    whole, frac = divmod(qty, 1000)
    shown = str(whole) if not frac else f"{whole}{sep}{f'{frac:03d}'.rstrip('0')}"
    return f"{shown} {t('ui.unit.pcs')}"


def line_amounts(t, ln) -> str:
    """«2 шт × 2.49»."""
    return f"{qty_text(t, ln.qty, ln.weighed)} × {format_money(ln.price)}"


def discount_text(t, ln, cl) -> str:
    """The line's own discount (or markup) as the cashier sees it: «скидка 10%: −0.25»."""
    if cl is None or not (cl.discount or cl.markup):
        return ""
    adj = ln.discount or ln.markup
    pct = f" {adj.percent / 100:g}%" if adj is not None and adj.percent else ""
    if cl.discount:
        return t("ui.sale.line_discount", pct=pct, sum=format_money(cl.discount))
    return t("ui.sale.line_markup", pct=pct, sum=format_money(cl.markup))


def draw_receipt(s: Screen, ui: Ui, lay: Layout, area: Rect) -> None:
    t = s.t
    calc = calc_of(s.reg)
    lines = s.reg.sale.receipt.lines
    total_h = ui.line_h("big") + ui.line_h("muted")
    pay_r, area = take_bottom(area, max(lay.btn, lay.theme.px(62)), lay.gap)
    due = calc.total_due if calc else 0
    totals, lines_r = take_bottom(area, total_h, lay.gap)
    lh = max(line_height(ui.theme.font_of("row", "label")), line_height(ui.theme.font_of("muted", "label")))
    row_h = max(lay.row, 2 * lh + 2 * lay.theme.px(3) + 4)          # two lines of name, or name and discount
    calc_lines = calc.lines if calc else ()

    def name_width(i: int, ln) -> int:
        """The room a line's name has beside its sum and «2 шт × 2.49» (as `Ui.button` lays out the aside)."""
        total = format_money(calc_lines[i].total) if i < len(calc_lines) else ""
        aside = max(ui.text_w(total, "strong_r"), ui.text_w(line_amounts(t, ln), "muted_r")) + 4
        stepper = 2 * (MIN_TARGET + 8 + lay.gap) if s.selected == i + 1 and not ln.weighed else 0
        return area.width - stepper - aside - 2 * lay.theme.px(10) - lay.theme.px(8) - 4
    if any(ui.fit(f"{i + 1}. {ln.name}", "row", "label", name_width(i, ln), lh, 1)[2]
           for i, ln in enumerate(lines) if ln.discount or ln.markup):
        row_h = max(row_h, 3 * lh + 2 * lay.theme.px(3) + 4)        # a discounted long name keeps two lines
    nav_r = None
    if len(lines) > max(1, (lines_r.height + lay.gap) // (row_h + lay.gap)):   # ▲ ▼ beside the pay button
        nav_r, pay_r = split_h(pay_r, [2 * lay.btn + lay.gap, 0], lay.gap)
    ui.button("sale.pay", pay_r, f"{t('ui.sale.pay')}  {format_money(due)}", s.pay, style="go",
              icon="money-bill-wave", enabled=bool(lines), reason=t("ui.sale.empty_text"))
    ui.panel(totals, "card")
    if not lines:
        ui.paragraph(lines_r.inflate(-8, -8), t("ui.sale.empty_hint"), "muted")
    def row(r: Rect, ln, i: int) -> None:
        n = i + 1
        cl = calc_lines[i] if i < len(calc_lines) else None
        selected = s.selected == n
        if selected and not ln.weighed and ln.code is not None:
            r, minus_r, plus_r = split_h(r, [0, MIN_TARGET + 8, MIN_TARGET + 8], lay.gap)
            ui.button("sale.qty_minus", minus_r, "", lambda: s.step_qty(n, -1), style="stepper", icon="minus",
                      enabled=ln.qty > 1000, reason=t("ui.sale.min_qty"))
            ui.button("sale.qty_plus", plus_r, "", lambda: s.step_qty(n, 1), style="stepper", icon="plus")
        disc = discount_text(t, ln, cl)
        aside = ((format_money(cl.total if cl else 0), "strong_r"), (line_amounts(t, ln), "muted_r"))
        mark = f" {s.reg.marking.receipt_mark}" if ln.marking and s.reg.marking.receipt_mark else ""
        ui.button(f"sale.line.{n}", r, f"{n}. {ln.name}{mark}", lambda: s.select(n), on_long=lambda: s.line_menu(n),
                  style="row_selected" if selected else "row", sub=disc or None, lines=2, aside=aside)
    s.paged(ui, lay, lines_r, lines, row_h, row, "sale.lines", stick_to_end=True, nav=nav_r)
    inner = totals.inflate(-2 * lay.pad, 0)
    top, big = take_top(inner, ui.line_h("muted"), 0)
    discount = calc.discount_total if calc else 0
    info = t("ui.sale.count", n=len(lines))
    if discount:
        info += " · " + t("ui.sale.discount_total", sum=format_money(discount))
    if s.next_qty:
        info += " · " + t("ui.sale.next_qty_set", qty=s.next_qty)
    ui.label(top, info, "muted", wid="sale.info")
    label_w = min(big.width // 3, lay.theme.px(150))
    lab, val = split_h(big, [label_w, 0], 0)
    ui.label(lab, t("ui.sale.total"), "heading")
    ui.label(val, format_money(due), "big", wid="sale.total")


TOOLS = (("sale.search", "ui.sale.search", "search", "magnifying-glass"), ("sale.code", "ui.sale.code", "toggle_code",
                                                                            "keyboard"),
         ("sale.qty", "ui.sale.qty", "quantity", "calculator"), ("sale.weight", "ui.sale.weight", "weigh", "weight-scale"))


def draw_catalog(s: Screen, ui: Ui, lay: Layout, area: Rect) -> None:
    t = s.t
    tools, rest = take_top(area, lay.btn, lay.gap)
    actions, rest = take_bottom(rest, lay.btn, lay.gap)
    names = TOOLS
    sum_mode = str(s.reg.session.mode) == "sum"
    if sum_mode:
        names = names[1:3]
    compact = tools.width / len(names) < lay.theme.px(130)
    for (wid, key, fn, icon), r in zip(names, split_h(tools, [0] * len(names), lay.gap)):
        style = "selected" if wid == "sale.code" and s.code_mode else "secondary"
        ui.button(wid, r, t(key), getattr(s, fn), style=style, icon=None if compact else icon)
    receipt = s.reg.sale.receipt
    can_discount = s.reg.session.allowed("receipt_discount")
    acts = split_h(actions, [0, 0], lay.gap)
    ui.button("sale.discount", acts[0], t("ui.sale.receipt_discount"), s.receipt_discount, icon="percent",
              enabled=can_discount is None and bool(receipt.lines),
              reason=can_discount.reason if can_discount else t("ui.sale.empty_text"))
    ui.button("sale.cancel", acts[1], t("ui.sale.cancel"), s.cancel, enabled=bool(receipt.lines), style="danger",
              icon="trash-can", reason=t("ui.sale.empty_text"))
    if sum_mode:
        draw_sections(s, ui, lay, rest)
        return
    if s.code_mode:
        draw_code_keys(s, ui, lay, rest)
        return
    head, rest = take_top(rest, max(MIN_TARGET, ui.line_h("strong")), lay.gap)
    cat_w = min(lay.theme.px(170), head.width // 3)
    title_r, btn_r = split_h(head, [0, cat_w], lay.gap)
    nav_w = 2 * MIN_TARGET + lay.theme.px(44) + 2 * lay.gap            # ◀ 1/2 ▶ share the heading row
    title_r, nav_r = split_h(title_r, [0, nav_w], lay.gap)
    if s.query:
        items = s.reg.goods.search(s.query, limit=60)
        ui.label(title_r, t("ui.sale.found", text=s.query, n=len(items)), "strong", lines=2)
        ui.button("sale.search_clear", btn_r, t("ui.sale.search_clear"), s.clear_search, icon="xmark")
    else:
        cats = s.categories()
        known = set(cats) | set(s.reg.goods.categories())
        if s.category not in known:
            s.category = cats[0] if cats else None
        items = s.items_of(s.category) if s.category else s.reg.goods.items(60)
        ui.label(title_r, s.category_title(s.category), "strong", wid="sale.category", lines=2)
        ui.button("sale.categories", btn_r, t("ui.sale.categories"), s.app.toggle_side, icon="layer-group")
    draw_tiles(s, ui, lay, rest, items, nav_r)


def tile_size(ui: Ui, lay: Layout) -> tuple[int, int]:
    name_lh = line_height(ui.theme.font_of("tile", "label"))
    price_lh = line_height(ui.theme.font_of("tile_sub", "label"))
    return lay.theme.px(180), max(lay.btn, 2 * name_lh + price_lh + lay.theme.px(10))


def draw_tiles(s: Screen, ui: Ui, lay: Layout, area: Rect, items: list, nav: Rect) -> None:
    """Tiles of up to three lines of name and the price inside, as many as the area holds; ◀ ▶ in `nav`."""
    tile_w, tile_h = tile_size(ui, lay)
    cols = max(2, (area.width + lay.gap) // (tile_w + lay.gap))
    rows = max(1, (area.height + lay.gap) // (tile_h + lay.gap))
    per = cols * rows
    pages = max(1, -(-len(items) // per))
    if pages > 1:
        up, info, down = split_h(nav, [MIN_TARGET, 0, MIN_TARGET], lay.gap)
        s.cat_page = min(s.cat_page, pages - 1)
        ui.button("sale.items.prev", up, "", lambda: s.items_page(-1), enabled=s.cat_page > 0, style="nav",
                  icon="chevron-left")
        ui.label(info, f"{s.cat_page + 1}/{pages}", "muted_c")
        ui.button("sale.items.next", down, "", lambda: s.items_page(1), enabled=s.cat_page < pages - 1, style="nav",
                  icon="chevron-right")
    else:
        s.cat_page = 0
    rows = max(1, min(rows, -(-len(items[s.cat_page * per:]) // cols)))     # only the rows this page fills
    th = min(tile_h * 8 // 5, (area.height + lay.gap) // rows - lay.gap)       # the tiles use the height
    cells = grid(Rect(area.left, area.top, area.width, rows * (th + lay.gap) - lay.gap), cols, rows, lay.gap)
    start = s.cat_page * per
    t = s.t
    for item, cell in zip(items[start:start + per], cells):
        price = format_money(item.price) + (t("ui.sale.per_kg") if item.weighed else "")
        ui.button(f"sale.item.{item.code}", cell, item.name, lambda c=item.code: s.add(c), style="tile", sub=price,
                  lines=3)
    if not items:
        ui.paragraph(area, t("ui.sale.nothing_found"), "muted")


def draw_code_keys(s: Screen, ui: Ui, lay: Layout, area: Rect) -> None:
    """The code keypad in place of the tiles: digits, «×» (the number typed is the next quantity), OK adds."""
    disp, rest = take_top(area, max(lay.btn, ui.line_h("display")), lay.gap)
    ui.panel(disp, "card")
    hint = s.t("ui.sale.code_hint")
    ui.label(disp.inflate(-16, 0), s.code or hint, "display" if s.code else "muted", wid="code.value")
    c = grid(rest, 4, 4, lay.gap)
    keys = {"7": c[0], "8": c[1], "9": c[2], "4": c[4], "5": c[5], "6": c[6], "1": c[8], "2": c[9], "3": c[10],
            "0": c[12].union(c[13])}
    for k, r in keys.items():
        ui.button(f"code.{k}", r, k, lambda k=k: s.code_key(k), style="key")
    ui.button("code.back", c[3], "", lambda: s.code_key("back"), style="key_icon", icon="delete-left")
    ui.button("code.clear", c[7], "C", lambda: s.code_key("clear"), style="key")
    ui.button("code.times", c[14], "×", lambda: s.code_key("times"), style="key")
    ui.button("code.ok", c[11].union(c[15]), s.t("ui.sale.code_add"), lambda: s.code_key("ok"), style="primary",
              icon="cart-plus")


def draw_sections(s: Screen, ui: Ui, lay: Layout, area: Rect) -> None:
    sections = s.reg.goods.sections()
    rows = max(1, min(len(sections), (area.height + lay.gap) // (lay.btn + lay.gap)))
    for sec, r in zip(sections, split_v(Rect(area.left, area.top, area.width, rows * (lay.btn + lay.gap)),
                                        [0] * rows, lay.gap)):
        ui.button(f"sale.section.{sec.code}", r, f"{sec.code}. {sec.name}",
                  lambda x=sec: s.add_section(int(x.code), x.name), style="tile")
