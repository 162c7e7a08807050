"""Reduced-precision ISO 8601 dates: ``1989``, ``1989-04``, ``1989-04-08``.

A partial date is kept as written; for analysis it is widened into the earliest and
latest instant it can mean, so no day or month is ever invented.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re

PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

PRECISIONS = ("year", "month", "day")


def parse(text: str) -> tuple[_dt.date, _dt.date, str] | None:
    """Return ``(earliest, latest, precision)`` for a partial date, or None if invalid.

    >>> parse("1989-04")
    (datetime.date(1989, 4, 1), datetime.date(1989, 4, 30), 'month')
    >>> parse("1985-02-30") is None
    True
    """
    m = PARTIAL_DATE.fullmatch(text)
    if not m:
        return None
    year = int(m.group(1))
    if year < 1:
        return None
    if m.group(2) is None:
        return _dt.date(year, 1, 1), _dt.date(year, 12, 31), "year"
    month = int(m.group(2))
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    if m.group(3) is None:
        return _dt.date(year, month, 1), _dt.date(year, month, last), "month"
    day = int(m.group(3))
    if not 1 <= day <= last:
        return None
    d = _dt.date(year, month, day)
    return d, d, "day"



def widen(values, precision: bool = True):
    """Vectorised :func:`parse` over a pandas Series of strings (missing values allowed).

    Returns a DataFrame indexed like ``values`` with columns ``earliest`` and ``latest``
    (``datetime64[s]``, NaT where missing or invalid), ``precision`` (``year``/``month``/
    ``day`` or missing; left out when ``precision`` is False) and ``valid`` (False only for a
    present but invalid value).
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from .vector import arrow

    index = values.index if isinstance(values, pd.Series) else pd.RangeIndex(len(values))
    a = arrow(values)
    shape = pc.match_substring_regex(a, r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$")
    a = pc.if_else(shape, a, pa.scalar(None, a.type))
    n = pc.utf8_length(a)
    none = pa.scalar(None, a.type)

    def part(lo, hi, need):
        piece = pc.if_else(pc.greater_equal(n, need), pc.utf8_slice_codeunits(a, lo, hi), none)
        return pc.cast(piece, pa.int64()).to_numpy(zero_copy_only=False).astype("float64")

    y, m, d = part(0, 4, 4), part(5, 7, 7), part(8, 10, 10)
    present = pc.is_valid(arrow(values)).to_numpy(zero_copy_only=False)
    has_y, has_m, has_d = ~np.isnan(y), ~np.isnan(m), ~np.isnan(d)
    ok = has_y & (np.nan_to_num(y) >= 1)
    ok &= ~has_m | ((np.nan_to_num(m) >= 1) & (np.nan_to_num(m) <= 12))
    yy = np.where(ok, y, 1970).astype("int64")
    mm = np.where(ok & has_m, m, 1).astype("int64")
    month_start = ((yy - 1970) * 12 + (mm - 1)).astype("datetime64[M]")
    dim = ((month_start + 1).astype("datetime64[D]") - month_start.astype("datetime64[D]")).astype("int64")
    dd = np.where(has_d, np.nan_to_num(d), 1).astype("int64")
    ok &= ~has_d | ((dd >= 1) & (dd <= dim))
    first = month_start.astype("datetime64[D]") + np.where(ok, dd - 1, 0)
    year_end = (((yy - 1970) + 1).astype("datetime64[Y]").astype("datetime64[D]")) - 1
    month_end = (month_start + 1).astype("datetime64[D]") - 1
    last = np.where(has_d, first, np.where(has_m, month_end, year_end))
    nat = np.datetime64("NaT", "s")
    earliest = np.where(ok, first.astype("datetime64[s]"), nat)
    latest = np.where(ok, last.astype("datetime64[s]"), nat)
    out = {
        "earliest": pd.Series(earliest, index=index, dtype="datetime64[s]"),
        "latest": pd.Series(latest, index=index, dtype="datetime64[s]"),
    }
    if precision:
        codes = np.where(has_d, 2, np.where(has_m, 1, 0))
        codes[~ok] = -1
        out["precision"] = pd.Categorical.from_codes(codes, categories=list(PRECISIONS), ordered=True)
    out["valid"] = ~present | ok
    return pd.DataFrame(out, index=index)


class Widened:
    """:func:`widen` once per column: the validator's cell checks and rules share the result."""

    def __init__(self):
        self._cache: dict[tuple, object] = {}

    def __call__(self, table: str, column: str, values):
        key = (table, column, len(values))
        if key not in self._cache:
            self._cache[key] = widen(values, precision=False)
        return self._cache[key]
