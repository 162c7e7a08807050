"""Reduced-precision ISO 8601 dates: ``1989``, ``1989-04``, ``1989-04-08``.

A partial date is kept as written; for analysis it is widened into the earliest and
latest day it can mean, so no day or month is ever invented.

>>> import pyarrow as pa
>>> w = widen_array(pa.array(["1989", "1989-04", "1985-02-30", None]))
>>> [str(d) for d in w.earliest], [str(d) for d in w.latest]
(['1989-01-01', '1989-04-01', 'NaT', 'NaT'], ['1989-12-31', '1989-04-30', 'NaT', 'NaT'])
>>> w.valid.tolist(), w.precision.tolist()
([True, True, False, True], [0, 1, -1, -1])
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass

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


@dataclass
class WidenedArray:
    """Partial dates widened: numpy ``datetime64[D]`` arrays ``earliest`` and ``latest``
    (NaT where missing or invalid), ``precision`` codes (0 year, 1 month, 2 day, -1 none) and
    ``valid`` (False only for a present but invalid value)."""

    earliest: object
    latest: object
    precision: object
    valid: object


def _parts(a):
    """Year, month and day of each value of the right shape, as floats (NaN where absent)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    shape = pc.match_substring_regex(a, r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$")
    a = pc.if_else(shape, a, pa.scalar(None, a.type))
    n = pc.utf8_length(a)
    none = pa.scalar(None, a.type)

    def part(lo, hi, need):
        piece = pc.if_else(pc.greater_equal(n, need), pc.utf8_slice_codeunits(a, lo, hi), none)
        return pc.cast(piece, pa.int64()).to_numpy(zero_copy_only=False).astype("float64")

    return part(0, 4, 4), part(5, 7, 7), part(8, 10, 10)


def widen_array(a) -> WidenedArray:
    """Vectorised :func:`parse` over a pyarrow string array (nulls allowed)."""
    import numpy as np
    import pyarrow as pa

    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    a = a.cast(pa.string())
    y, m, d = _parts(a)
    present = a.is_valid().to_numpy(zero_copy_only=False)
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
    year_end = ((yy - 1970) + 1).astype("datetime64[Y]").astype("datetime64[D]") - 1
    month_end = (month_start + 1).astype("datetime64[D]") - 1
    last = np.where(has_d, first, np.where(has_m, month_end, year_end))
    nat = np.datetime64("NaT", "D")
    codes = np.where(has_d, 2, np.where(has_m, 1, 0)).astype("int8")
    codes[~ok] = -1
    return WidenedArray(np.where(ok, first, nat), np.where(ok, last, nat), codes, ~present | ok)


def widen(values, precision: bool = True):
    """:func:`widen_array` for a pandas Series: a DataFrame indexed like ``values`` with
    ``earliest`` and ``latest`` (``datetime64[s]``), ``precision`` (ordered category
    year < month < day; left out when ``precision`` is False) and ``valid``."""
    import pandas as pd

    from .vector import arrow

    index = values.index if isinstance(values, pd.Series) else pd.RangeIndex(len(values))
    w = widen_array(arrow(values))
    out = {
        "earliest": pd.Series(w.earliest.astype("datetime64[s]"), index=index, dtype="datetime64[s]"),
        "latest": pd.Series(w.latest.astype("datetime64[s]"), index=index, dtype="datetime64[s]"),
    }
    if precision:
        out["precision"] = pd.Categorical.from_codes(w.precision, categories=list(PRECISIONS), ordered=True)
    out["valid"] = w.valid
    return pd.DataFrame(out, index=index)


class Widened:
    """:func:`widen_array` once per column: the validator's cell checks and rules share it."""

    def __init__(self):
        self._cache: dict[tuple, WidenedArray] = {}

    def __call__(self, table: str, column: str, values) -> WidenedArray:
        key = (table, column, len(values))
        if key not in self._cache:
            self._cache[key] = widen_array(values)
        return self._cache[key]
