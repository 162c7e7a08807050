"""Cell-level checks, derived from the Table Schemas and run with Pandera.

:func:`pandera_schema` turns a :class:`~cartel_data.schema.TableSchema` into a
``pandera.DataFrameSchema`` over the cells *as written* (text), so that every type,
constraint and convention declared in ``schemas/*.json`` is checked, and every
failure can be reported with its line, column and value.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from ..report import ERROR, Problem
from ..schema import Field, TableSchema

#: Longest text accepted in one cell when the schema sets no maxLength (Excel's limit is 32,767).
MAX_CELL = 10_000

INTEGER = r"[+-]?[0-9]+"
NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


@dataclass(frozen=True)
class Rule:
    rule: str
    message: str
    hint: str | None = None
    severity: str = ERROR


def _country_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


def pandera_schema(table: TableSchema, today: _dt.date | None = None, widened=None):
    """Build the Pandera schema for ``table`` and the rules behind its checks.

    Returns ``(schema, rules)``: ``rules`` maps each check's error key to a :class:`Rule`.
    The schema expects every column as text with missing cells as ``<NA>``.
    """
    import pandera.pandas as pa

    from .. import dates
    from .. import vector as v

    today = today or _dt.date.today()
    rules: dict[str, Rule] = {}
    widened = widened if widened is not None else dates.Widened()
    columns = {}

    def check(f: Field, rule: str, message: str, fn, hint: str | None = None):
        key = f"{f.name}::{rule}"
        rules[key] = Rule(rule, message, hint)
        return pa.Check(fn, error=key, name=rule)

    for f in table.fields:
        checks = []
        if f.type == "integer":
            checks.append(check(f, "type", "not an integer", lambda s: v.fullmatch(s, INTEGER)))
            checks.append(check(f, "integer-range", "the integer does not fit in 64 bits (it must lie within ±9,223,372,036,854,775,807)",
                                lambda s: v.fits_int64(s, INTEGER)))
        elif f.type == "number":
            checks.append(check(f, "type", "not a number", lambda s: v.fullmatch(s, NUMBER)))
            checks.append(check(f, "number-range", "the number is too large to represent (it overflows to infinity)",
                                lambda s: ~v.to_number(s, NUMBER).abs().eq(float("inf")).fillna(False).astype(bool)))
        elif f.type == "boolean":
            allowed = list(f.true_values + f.false_values)
            checks.append(check(f, "type", f"not a boolean; write {' or '.join(allowed)}", lambda s, a=allowed: v.isin(s, a)))
        elif f.type == "date":
            checks.append(check(f, "type", "not a date (YYYY-MM-DD)", lambda s: v.fullmatch(s, ISO_DATE)))
        if f.type in ("integer", "number"):
            num = INTEGER if f.type == "integer" else NUMBER
            if f.minimum is not None:
                checks.append(check(f, "minimum", f"less than the minimum {f.minimum}",
                                    lambda s, m=f.minimum, num=num: ~(v.to_number(s, num) < m).fillna(False).astype(bool)))
            if f.maximum is not None:
                checks.append(check(f, "maximum", f"more than the maximum {f.maximum}",
                                    lambda s, m=f.maximum, num=num: ~(v.to_number(s, num) > m).fillna(False).astype(bool)))
        if f.pattern and f.type != "list":
            checks.append(check(f, "pattern", f"does not match the pattern {f.pattern}", lambda s, p=f.pattern: v.fullmatch(s, p),
                                hint=_pattern_hint(f)))
        if f.enum is not None:
            opts = list(f.enum)
            checks.append(check(f, "enum", "not one of the allowed values", lambda s, o=opts: v.isin(s, o),
                                hint="allowed: " + ", ".join(opts)))
        if f.min_length is not None and f.type != "list":
            checks.append(check(f, "min-length", f"shorter than {f.min_length} characters", lambda s, n=f.min_length: v.length_between(s, low=n)))
        limit = f.max_length if f.max_length is not None else MAX_CELL
        checks.append(check(f, "max-length", f"longer than {limit} characters", lambda s, n=limit: v.length_between(s, high=n),
                            hint=None if f.max_length else "a cell this long is almost certainly pasted by mistake"))
        if f.is_partial_date or f.type == "date":
            if f.is_partial_date:
                checks.append(check(f, "partial-date", "not a real reduced ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)",
                                    lambda s, n=f.name: widened(table.name, n, s)["valid"],
                                    hint="write only the parts the source gives; a day must exist in its month (1985-02-30 does not)"))
            else:
                checks.append(check(f, "date", "not a real calendar date",
                                    lambda s, n=f.name: widened(table.name, n, s)["valid"] | ~v.fullmatch(s, ISO_DATE)))
            ts = _dt.datetime.combine(today, _dt.time())
            checks.append(check(f, "future-date", f"the date is in the future (after {today.isoformat()})",
                                lambda s, ts=ts, n=f.name: ~(widened(table.name, n, s)["earliest"] > ts)))
        if f.kind == "country":
            codes = _country_codes()
            checks.append(check(f, "country", "not an ISO 3166-1 alpha-2 country code",
                                lambda s, c=codes: v.isin(s, c), hint="e.g. MX for Mexico, US for the United States"))
        if f.is_list:
            d = re.escape(f.delimiter or ",")
            item = r"[^\s" + d + r"](?:[^" + d + r"]*[^\s" + d + r"])?"
            rx = rf"{item}(?:{d}{item})*"
            checks.append(check(f, "list", f"a list must be items separated by '{f.delimiter}', with no empty items or spaces around them",
                                lambda s, rx=rx: v.fullmatch(s, rx)))
        # Conventions for all text: Unicode NFC, no surrounding white space.
        checks.append(check(f, "whitespace", "leading or trailing white space", v.trimmed,
                            hint="delete the spaces at the start or end of the cell"))
        checks.append(check(f, "nfc", "text is not in Unicode NFC form",
                            v.nfc,
                            hint="normalise to NFC (e.g. a precomposed 'á' rather than 'a' + combining accent)"))
        columns[f.name] = pa.Column(
            nullable=not f.required,
            unique=f.unique or list(table.primary_key) == [f.name],  # a one-column key is unique
            checks=checks,
            required=False,
            coerce=False,
        )
        rules[f"{f.name}::not_nullable"] = Rule("required", "a value is required", None)
        rules[f"{f.name}::field_uniqueness"] = Rule("unique", "the value is not unique in its column",
                                                    "ids are never reused; give this row a new id")
    schema = pa.DataFrameSchema(columns, strict=False, name=table.name)
    return schema, rules


def _pattern_hint(f: Field) -> str | None:
    if f.pattern and f.pattern.endswith("-[a-z0-9]+(?:-[a-z0-9]+)*"):
        prefix = f.pattern.split("-[", 1)[0]
        return f"ids are lowercase ASCII slugs starting with '{prefix}-', e.g. {prefix}-rafael-caro-quintero"
    if f.pattern and f.pattern.startswith("https://"):
        return "only https URLs are accepted"
    return None


def check_cells(raw, df, table: TableSchema, today: _dt.date | None = None, widened=None) -> list[Problem]:
    """Run the derived Pandera schema over ``df``, the text frame of a
    :class:`~cartel_data.reading.RawTable` (``raw`` maps rows back to lines)."""
    import pandera.pandas as pa

    if df.columns.empty:
        return []
    schema, rules = pandera_schema(table, today, widened)
    try:
        schema.validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    problems = []
    for rec in fc.itertuples(index=False):
        column = rec.column
        key = f"{column}::{rec.check}" if not str(rec.check).startswith(f"{column}::") else str(rec.check)
        rule = rules.get(key) or rules.get(str(rec.check)) or Rule(str(rec.check), f"failed check {rec.check}")
        idx = rec.index
        line = None if _missing(idx) else raw.line_of(int(idx))
        value = None if _missing(rec.failure_case) else str(rec.failure_case)
        if rule.rule == "required":
            value = ""
        problems.append(Problem(rule=rule.rule, message=rule.message, file=raw.file, severity=rule.severity, line=line,
                                column=column, col=raw.col_of(column), value=value, hint=rule.hint))
    return problems


def _missing(v) -> bool:
    import pandas as pd

    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False
