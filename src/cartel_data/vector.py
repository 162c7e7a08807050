"""Vectorised text operations on pandas Series through pyarrow compute kernels.

The validator and loaders keep text as pyarrow-backed strings; these helpers run a check
over a whole column in C++ and hand back a plain boolean Series aligned with the input.
Missing cells pass every check here (whether a value is required is a separate check).
"""

from __future__ import annotations


def arrow(values):
    """``values`` (a Series, array or list) as a pyarrow string array, nulls kept."""
    import pandas as pd
    import pyarrow as pa

    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(getattr(values, "dtype", None), pd.StringDtype) and values.dtype.storage == "pyarrow":
        return pa.array(values)
    return pa.array(pd.array(values, dtype=pd.StringDtype("pyarrow")))


def _series(result, like, missing: bool = True):
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    out = pc.fill_null(result, missing).to_numpy(zero_copy_only=False)
    return pd.Series(np.asarray(out, dtype=bool), index=like.index)


def fullmatch(s, pattern: str):
    """True where the whole value matches ``pattern`` (RE2 syntax; Python ``re`` if RE2 refuses it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return _series(pc.match_substring_regex(arrow(s), f"^(?:{pattern})$"), s)
    except pa.ArrowInvalid:
        return s.str.fullmatch(pattern).fillna(True).astype(bool)


def startswith_any(s, pattern: str):
    """True where the value begins with a match of ``pattern``; False for missing cells."""
    import pyarrow.compute as pc

    return _series(pc.match_substring_regex(arrow(s), f"^(?:{pattern})"), s, missing=False)


def contains(s, pattern: str, ignore_case: bool = False):
    import pyarrow.compute as pc

    return _series(pc.match_substring_regex(arrow(s), pattern, ignore_case=ignore_case), s, missing=False)


def isin(s, values):
    """True where the value is one of ``values`` (any iterable of text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    a = arrow(s)
    vs = arrow(values) if not isinstance(values, (set, frozenset, list, tuple)) else pa.array(list(values), pa.large_string())
    if vs.type != a.type:
        vs = vs.cast(a.type)
    return _series(pc.is_in(a, value_set=pc.drop_null(vs), skip_nulls=True), s)


def length_between(s, low: int | None = None, high: int | None = None):
    import pyarrow.compute as pc

    n = pc.utf8_length(arrow(s))
    ok = None
    if low is not None:
        ok = pc.greater_equal(n, low)
    if high is not None:
        hi = pc.less_equal(n, high)
        ok = hi if ok is None else pc.and_(ok, hi)
    return _series(ok, s)


def trimmed(s):
    """True where the value has no white space at either end."""
    import pyarrow.compute as pc

    a = arrow(s)
    return _series(pc.equal(pc.utf8_trim_whitespace(a), a), s)


def nfc(s):
    """True where the value is in Unicode NFC form.

    Text made only of Latin-1 characters is always NFC, so only values with a character
    above U+00FF are normalised and compared."""
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc

    a = arrow(s)
    out = np.ones(len(a), dtype=bool)
    idx = pc.indices_nonzero(pc.fill_null(pc.match_substring_regex(a, r"[^\x{0}-\x{ff}]"), False))
    if len(idx):
        sub = pc.take(a, idx)
        same = pc.equal(pc.utf8_normalize(sub, "NFC"), sub).to_numpy(zero_copy_only=False)
        out[idx.to_numpy()[~same.astype(bool)]] = False
    return pd.Series(out, index=s.index)


def to_number(s, pattern: str):
    """The values as float64 where they match ``pattern``, NaN elsewhere."""
    import pandas as pd

    ok = fullmatch(s, pattern) & s.notna()
    return pd.to_numeric(s.where(ok).astype("string[python]"), errors="coerce").astype("Float64")


def explode_list(s, delimiter: str):
    """The items of a delimited list column: ``(rows, items)`` where ``rows[k]`` is the
    position (0-based) of the row that item ``k`` came from."""
    import pyarrow.compute as pc

    lists = pc.split_pattern(arrow(s), delimiter)
    return pc.list_parent_indices(lists).to_numpy(), pc.list_flatten(lists)
