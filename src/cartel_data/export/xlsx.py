"""Excel (xlsxwriter): a sheet per table, plus "About" and "Dictionary" sheets.

- bold, frozen header row; autofilter; column widths from the content (capped);
- ids, partial dates and all text written as text; ``date`` fields as real date cells;
- ``url`` columns as links while under Excel's per-sheet limit, plain text after it;
- formula, number and URL auto-conversion off, so a cell starting with ``=``, ``+``, ``-``
  or ``@`` is always text;
- a clear :class:`~cartel_data.export.ExportError` past 1,048,576 rows or 32,767
  characters in a cell, never silent loss;
- fixed document timestamps, so the same data gives the same bytes.
"""

from __future__ import annotations

import datetime as _dt

from ..errors import ExportError
from ..names import EXCEL_MAX_CELL, EXCEL_MAX_ROWS
from ..names import EXCEL_SHEETS as EXTRA_SHEETS
from ..types import as_text
from . import Format

FORMAT = Format("xlsx", ".xlsx", False, "an Excel workbook: a sheet per table, plus About and Dictionary")
MAX_ROWS = EXCEL_MAX_ROWS + 1  # with the header
MAX_CELL = EXCEL_MAX_CELL
MAX_URLS = 65_530
MAX_WIDTH = 60
FIXED_TIME = _dt.datetime(2000, 1, 1)


def write(pkg, data, output) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(output),
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
         "constant_memory": True},
    )
    wb.set_properties({"title": pkg.descriptor.get("title", ""), "created": FIXED_TIME})
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    link = wb.add_format({"font_color": "blue", "underline": 1})
    _about(wb, pkg, bold, wrap)
    _dictionary(wb, data, bold, wrap)
    for name, t in data.items():
        if len(t) + 1 > MAX_ROWS:
            raise ExportError(f"table {name} has {len(t)} rows; an Excel sheet holds at most {MAX_ROWS - 1} rows besides its header")
        ws = wb.add_worksheet(name[:31])
        fields = t.schema.fields
        widths = [min(max(len(f.name), 8), MAX_WIDTH) for f in fields]
        for c, f in enumerate(fields):
            ws.write_string(0, c, f.name, bold)
        urls = 0
        cell = [_cell_writer(ws, f, datefmt) for f in fields]
        urls = 0
        for r, row in enumerate(t.iter_text(), start=1):
            for c, (f, s) in enumerate(zip(fields, row)):
                if s is None:
                    continue
                if cell[c] is not None:
                    cell[c](r, c, s)
                    widths[c] = max(widths[c], 10)
                    continue
                if len(s) > MAX_CELL:
                    raise ExportError(f"{name}.{f.name} row {r + 1}: {len(s)} characters; an Excel cell holds at most {MAX_CELL}")
                if f.name.endswith("url") and s.startswith("https://") and urls < MAX_URLS and len(s) <= 2079:
                    ws.write_url(r, c, s, link, string=s)
                    urls += 1
                else:
                    ws.write_string(r, c, s)
                if len(s) > widths[c]:
                    widths[c] = min(len(s), MAX_WIDTH)
        for c, w in enumerate(widths):
            ws.set_column(c, c, w + 2)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(t), 1), len(fields) - 1)
    wb.close()


def _cell_writer(ws, f, datefmt):
    """How the cells of ``f`` are written, by its type's Excel kind (:mod:`cartel_data.types`):
    None for text, which the caller writes (it checks lengths and links)."""
    kind = f.spec.excel
    if kind == "number":
        parse = int if f.spec.json == "integer" else float
        return lambda r, c, s: ws.write_number(r, c, parse(s))
    if kind == "date":
        return lambda r, c, s: ws.write_datetime(r, c, _dt.datetime.strptime(s, "%Y-%m-%d"), datefmt)
    if kind == "boolean":
        return lambda r, c, s: ws.write_string(r, c, as_text(f, True) if s in f.true_values else
                                               as_text(f, False) if s in f.false_values else s)
    return None


def _about(wb, pkg, bold, wrap) -> None:
    d = pkg.descriptor
    ws = wb.add_worksheet(EXTRA_SHEETS[0])
    lic = ", ".join(x.get("name", "") for x in d.get("licenses", []))
    rows = [
        ("Title", d.get("title", "")),
        ("Version", d.get("version", "")),
        ("Description", d.get("description", "")),
        ("Licence", lic),
        ("How to cite", f"cartel-data contributors. {d.get('title', '')}, version {d.get('version', '')}. Licensed {lic}. "
                        "Cite the original source of each fact as listed in the sources sheet."),
        ("Dates", "Dates are as precise as their source: 1989, 1989-04 or 1989-04-08. They are text, never padded to a day."),
    ]
    for r, (k, v) in enumerate(rows):
        ws.write_string(r, 0, k, bold)
        ws.write_string(r, 1, v, wrap)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 100)


def _dictionary(wb, data, bold, wrap) -> None:
    ws = wb.add_worksheet(EXTRA_SHEETS[1])
    for c, h in enumerate(("table", "column", "type", "required", "description")):
        ws.write_string(0, c, h, bold)
    r = 1
    for name, t in data.items():
        for f in t.schema.fields:
            kind = f.label
            if f.enum:
                kind += " (one of: " + ", ".join(f.enum) + ")"
            for c, v in enumerate((name, f.name, kind, "yes" if f.required else "no", f.description)):
                ws.write_string(r, c, v, wrap if c == 4 else None)
            r += 1
    ws.set_column(0, 1, 20)
    ws.set_column(2, 2, 30)
    ws.set_column(3, 3, 9)
    ws.set_column(4, 4, 90)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, r - 1, 4)
