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
    """True where the whole value matches ``pattern``, with Python :mod:`re` semantics.

    RE2 (pyarrow) matches every value; the few values with a character outside printable
    ASCII, where RE2's ``\\s``, ``\\d``, ``\\w`` and ``\\b`` differ from Python's, are matched
    again with :mod:`re`."""
    import re

    import pyarrow as pa
    import pyarrow.compute as pc

    a = arrow(s)
    try:
        out = _series(pc.match_substring_regex(a, f"^(?:{pattern})$"), s)
    except pa.ArrowInvalid:
        return s.str.fullmatch(pattern).fillna(True).astype(bool)
    odd = pc.indices_nonzero(pc.fill_null(pc.match_substring_regex(a, r"[^\x{20}-\x{7e}]"), False))
    if len(odd):
        rx = re.compile(pattern)
        positions = odd.to_numpy()
        out.iloc[positions] = [rx.fullmatch(v) is not None for v in pc.take(a, odd).to_pylist()]
    return out


def startswith_any(s, chars: str):
    """True where the value begins with one of the ASCII ``chars``; False for missing cells.

    Reads the first byte of each value straight from the Arrow buffers."""
    import numpy as np
    import pandas as pd

    out = np.zeros(len(s), dtype=bool)
    start = 0
    for chunk in _chunks(arrow(s)):
        n = len(chunk)
        if n and chunk.buffers()[2] is not None:
            off = _offsets(chunk)
            data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
            nonempty = off[1:] > off[:-1]
            first = np.zeros(n, dtype=np.uint8)
            first[nonempty] = data[off[:-1][nonempty]]
            hit = np.isin(first, np.frombuffer(chars.encode("ascii"), dtype=np.uint8)) & nonempty
            out[start: start + n] = hit & chunk.is_valid().to_numpy(zero_copy_only=False)
        start += n
    return pd.Series(out, index=s.index)


def _chunks(a):
    import pyarrow as pa

    return a.chunks if isinstance(a, pa.ChunkedArray) else [a]


def _offsets(chunk):
    """The value offsets of a (large) string array, as numpy integers."""
    import numpy as np
    import pyarrow as pa

    dtype = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    return np.frombuffer(chunk.buffers()[1], dtype=dtype)[chunk.offset: chunk.offset + len(chunk) + 1]


def max_byte(s) -> int:
    """The largest byte in the UTF-8 text of ``s`` (0 if empty): a cheap test for which
    Unicode ranges a column uses (below 0xC4 means nothing above U+00FF)."""
    import numpy as np

    top = 0
    for chunk in _chunks(arrow(s)):
        if len(chunk) and chunk.buffers()[2] is not None:
            off = _offsets(chunk)
            data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[off[0]: off[-1]]
            if len(data):
                top = max(top, int(data.max()))
    return top


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
    if max_byte(a) < 0xC4:  # only characters up to U+00FF
        return pd.Series(out, index=s.index)
    idx = pc.indices_nonzero(pc.fill_null(pc.match_substring_regex(a, r"[^\x{0}-\x{ff}]"), False))
    if len(idx):
        sub = pc.take(a, idx)
        same = pc.equal(pc.utf8_normalize(sub, "NFC"), sub).to_numpy(zero_copy_only=False)
        out[idx.to_numpy()[~same.astype(bool)]] = False
    return pd.Series(out, index=s.index)


def to_number(s, pattern: str):
    """The values as Float64 where they match ``pattern``, missing elsewhere (parsed by Arrow,
    as the loaders and exports parse them)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    a = arrow(s)
    ok = pa.array(fullmatch(s, pattern).to_numpy() & s.notna().to_numpy())
    text = pc.replace_substring_regex(pc.if_else(ok, a, pa.scalar(None, a.type)), r"^\+", "")
    out = pc.cast(text, pa.float64()).to_pandas(types_mapper={pa.float64(): pd.Float64Dtype()}.get)
    out.index = s.index
    return out


INT64_MAX = 2**63 - 1


def fits_int64(s, pattern: str):
    """True where an integer written in ``s`` (matching ``pattern``) fits in a signed 64-bit
    integer; values that do not match pass (the type check reports them)."""
    import re

    import pyarrow.compute as pc

    a = arrow(s)
    long = pc.fill_null(pc.greater(pc.utf8_length(a), 18), False)
    out = _series(pc.invert(long), s)
    for i in pc.indices_nonzero(long).to_pylist():
        text = a[i].as_py()
        if re.fullmatch(pattern, text):
            out.iloc[i] = -INT64_MAX - 1 <= int(text) <= INT64_MAX
        else:
            out.iloc[i] = True
    return out


def explode_list(s, delimiter: str):
    """The items of a delimited list column: ``(rows, items)`` where ``rows[k]`` is the
    position (0-based) of the row that item ``k`` came from."""
    import pyarrow.compute as pc

    lists = pc.split_pattern(arrow(s), delimiter)
    return pc.list_parent_indices(lists).to_numpy(), pc.list_flatten(lists)
