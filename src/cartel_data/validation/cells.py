"""Cell-level checks, derived from the Table Schemas.

:func:`field_checks` turns one :class:`~cartel_data.schema.Field` into the list of checks
its cells must pass, each a :class:`CellCheck` of a catalogued rule whose test is a
vectorised function over the column's text (a pyarrow array). The validator runs them
directly (:func:`check_cells`); :func:`cartel_data.validation.pandera_schema` wraps the
very same checks as a Pandera schema for pandas users. Missing cells pass every check but
``required``.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import vector as v
from ..catalogue import problem
from ..names import EXCEL_MAX_CELL, EXCEL_MAX_ROWS
from ..schema import Field, TableSchema
from ..types import INTEGER, ISO_DATE, NUMBER

#: Longest text accepted in one cell when the schema sets no maxLength (Excel's limit is 32,767).
MAX_CELL = 10_000


@dataclass(frozen=True)
class CellCheck:
    rule: str
    test: Callable  # pyarrow string array -> numpy bool array, True where the cell passes
    message: str | None = None  # default: the rule's title
    hint: str | None = None  # default: the rule's hint


def _country_codes() -> list[str]:
    import pycountry

    return sorted(c.alpha_2 for c in pycountry.countries)


def _type_checks(f: Field) -> list[CellCheck]:
    if f.type == "integer":
        return [CellCheck("type", lambda s: v.fullmatch(s, INTEGER), "not an integer"),
                CellCheck("integer-range", lambda s: v.fits_int64(s, INTEGER),
                          "the integer does not fit in 64 bits (it must lie within ±9,223,372,036,854,775,807)")]
    if f.type == "number":
        return [CellCheck("type", lambda s: v.fullmatch(s, NUMBER), "not a number"),
                CellCheck("number-range", lambda s: ~np.isinf(v.to_number(s, NUMBER)),
                          "the number is too large to represent (it overflows to infinity)")]
    if f.type == "boolean":
        allowed = list(f.true_values + f.false_values)
        return [CellCheck("type", lambda s: v.isin(s, allowed), f"not a boolean; write {' or '.join(allowed)}")]
    if f.type == "date":
        return [CellCheck("type", lambda s: v.fullmatch(s, ISO_DATE), "not a date (YYYY-MM-DD)")]
    return []


def _range_checks(f: Field) -> list[CellCheck]:
    if f.type not in ("integer", "number"):
        return []
    num = INTEGER if f.type == "integer" else NUMBER
    out = []
    if f.minimum is not None:
        out.append(CellCheck("minimum", lambda s: ~(v.to_number(s, num) < f.minimum), f"less than the minimum {f.minimum}"))
    if f.maximum is not None:
        out.append(CellCheck("maximum", lambda s: ~(v.to_number(s, num) > f.maximum), f"more than the maximum {f.maximum}"))
    return out


def _pattern_hint(f: Field) -> str | None:
    if f.pattern and f.pattern.endswith("-[a-z0-9]+(?:-[a-z0-9]+)*"):
        prefix = f.pattern.split("-[", 1)[0]
        return f"ids are lowercase ASCII slugs starting with '{prefix}-', e.g. {prefix}-rafael-caro-quintero"
    if f.pattern and f.pattern.startswith("https://"):
        return "only https URLs are accepted"
    return None


def _text_checks(f: Field) -> list[CellCheck]:
    out = []
    if f.pattern and not f.is_list:
        out.append(CellCheck("pattern", lambda s: v.fullmatch(s, f.pattern), f"does not match the pattern {f.pattern}",
                             _pattern_hint(f)))
    if f.enum is not None:
        out.append(CellCheck("enum", lambda s: v.isin(s, list(f.enum)), "not one of the allowed values",
                             "allowed: " + ", ".join(f.enum)))
    if f.min_length is not None and not f.is_list:
        out.append(CellCheck("min-length", lambda s: v.length_between(s, low=f.min_length),
                             f"shorter than {f.min_length} characters"))
    limit = f.max_length if f.max_length is not None else MAX_CELL
    out.append(CellCheck("max-length", lambda s: v.length_between(s, high=limit), f"longer than {limit} characters"))
    if limit > EXCEL_MAX_CELL:
        out.append(CellCheck("format-limit", lambda s: v.length_between(s, high=EXCEL_MAX_CELL),
                             f"longer than {EXCEL_MAX_CELL:,} characters, which an Excel cell cannot hold"))
    return out


def _date_checks(f: Field, table: str, today: _dt.date, widened) -> list[CellCheck]:
    if not (f.is_partial_date or f.type == "date"):
        return []
    valid = lambda s: widened(table, f.name, s).valid  # noqa: E731
    if f.is_partial_date:
        out = [CellCheck("partial-date", valid, "not a real reduced ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)")]
    else:
        out = [CellCheck("date", lambda s: valid(s) | ~v.fullmatch(s, ISO_DATE), "not a real calendar date")]
    day = np.datetime64(today.isoformat(), "D")
    out.append(CellCheck("future-date", lambda s: ~(widened(table, f.name, s).earliest > day),
                         f"the date is in the future (after {today.isoformat()})"))
    return out


def _kind_checks(f: Field) -> list[CellCheck]:
    out = []
    if f.kind == "country":
        out.append(CellCheck("country", lambda s: v.isin(s, _country_codes()), "not an ISO 3166-1 alpha-2 country code"))
    if f.is_list:
        d = re.escape(f.delimiter)
        item = r"[^\s" + d + r"](?:[^" + d + r"]*[^\s" + d + r"])?"
        rx = rf"{item}(?:{d}{item})*"
        out.append(CellCheck("list", lambda s: v.fullmatch(s, rx),
                             f"a list must be items separated by '{f.delimiter}', with no empty items or spaces around them"))
    return out


def _convention_checks(f: Field) -> list[CellCheck]:
    """Conventions for all text: Unicode NFC, no surrounding white space, no disguising characters."""
    out = [CellCheck("whitespace", v.trimmed, "leading or trailing white space"),
           CellCheck("nfc", v.nfc, "text is not in Unicode NFC form"),
           CellCheck("control-character", v.no_unsafe_chars,
                     "text holds a control, bidirectional-override or invisible formatting character")]
    if f.type == "string":
        out.append(CellCheck("formula-like", lambda s: ~v.startswith_any(s, "=+-@"),
                             "text starts with =, +, - or @, which spreadsheets may run as a formula"))
    return out


def field_checks(f: Field, table: str, today: _dt.date | None = None, widened=None) -> list[CellCheck]:
    """Every check the cells of field ``f`` (of table ``table``) must pass, but required and unique."""
    from ..dates import Widened

    today = today or _dt.date.today()
    widened = widened if widened is not None else Widened()
    return (_type_checks(f) + _range_checks(f) + _text_checks(f) + _date_checks(f, table, today, widened)
            + _kind_checks(f) + _convention_checks(f))


def is_unique(table: TableSchema, f: Field) -> bool:
    """Whether the field's values must be unique (a one-column primary key always is)."""
    return f.unique or list(table.primary_key) == [f.name]


def check_cells(raw, table: TableSchema, today: _dt.date | None = None, widened=None) -> list:
    """Run every cell check of ``table`` over the cells of ``raw`` (a
    :class:`~cartel_data.reading.RawTable`); problems carry their line, column and value."""
    out = []
    if raw.n_rows > EXCEL_MAX_ROWS:
        out.append(problem("format-limit", f"the table has {raw.n_rows:,} rows; an Excel sheet holds {EXCEL_MAX_ROWS:,}",
                           file=raw.file))
    present = set(raw.table.column_names) if raw.table is not None else set()
    for f in table.fields:
        if f.name in present:
            out += _column_problems(raw, table, f, raw.column(f.name), today, widened)
    return out


def _column_problems(raw, table, f, col, today, widened) -> list:
    from ..vector import PatternTimeout

    out = []
    valid = col.is_valid().to_numpy(zero_copy_only=False)

    def report(rule, bad, message=None, hint=None, blank=False):
        for i in np.flatnonzero(bad):
            value = "" if blank else col[int(i)].as_py()
            out.append(problem(rule, message, file=raw.file, line=raw.line_of(int(i)), column=f.name,
                               col=raw.col_of(f.name), value=value, hint=hint))

    if f.required:
        report("required", ~valid, "a value is required", blank=True)
    if is_unique(table, f):
        report("unique", v.duplicated(col), "the value is not unique in its column")
    for check in field_checks(f, table.name, today, widened):
        try:
            ok = check.test(col)
        except PatternTimeout:
            out.append(problem("pattern", f"the pattern took longer than {v.PYTHON_RE_SECONDS:g} s to check; its cells "
                               "were not checked", file=raw.file, column=f.name, col=raw.col_of(f.name), value=f.pattern,
                               hint="simplify the pattern (nested repetition backtracks catastrophically)"))
            continue
        report(check.rule, ~ok & valid, check.message, check.hint or None)
    return out
