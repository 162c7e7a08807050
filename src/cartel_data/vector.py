"""Vectorised text checks over pyarrow string arrays, run as compute kernels.

Each check takes a column (a pyarrow array; a pandas Series or a list is converted) and
returns a numpy boolean array, True where the value passes. Missing cells pass every
check here (whether a value is required is a separate check).

>>> import pyarrow as pa
>>> fullmatch(pa.array(["per-a", "Per-B", None]), "per-[a-z]+").tolist()
[True, False, True]
>>> duplicated(pa.array(["a", "b", "a", None, None])).tolist()
[True, False, True, False, False]
"""

from __future__ import annotations

import re

import numpy as np


def arrow(values):
    """``values`` (a pyarrow array, a pandas Series, or a list) as one pyarrow string array."""
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if pa.types.is_string(values.type) or pa.types.is_large_string(values.type) else values.cast(pa.string())
    if isinstance(values, (list, tuple)):
        return pa.array(values, pa.string())
    import pandas as pd

    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(getattr(values, "dtype", None), pd.StringDtype) and values.dtype.storage == "pyarrow":
        return pa.array(values)
    return pa.array(pd.array(values, dtype=pd.StringDtype("pyarrow")))


def mask(result, missing: bool = True) -> np.ndarray:
    """A pyarrow boolean result as numpy, nulls as ``missing``."""
    import pyarrow.compute as pc

    return np.asarray(pc.fill_null(result, missing).to_numpy(zero_copy_only=False), dtype=bool)


def fullmatch(s, pattern: str) -> np.ndarray:
    """True where the whole value matches ``pattern``, with Python :mod:`re` semantics.

    Matching runs in RE2 (pyarrow), which cannot backtrack catastrophically. Where RE2's
    classes differ from Python's on non-ASCII text (``\\d``, ``\\s``, ``\\w`` and their
    negations), the pattern is first rewritten into RE2's Unicode classes
    (:func:`re2_pattern`). Only a pattern RE2 cannot express exactly (``\\b``, ``\\B``, a
    negated class inside brackets) is run with Python's engine, on the values with a
    character outside printable ASCII, in a separate process under a time limit."""
    import pyarrow.compute as pc

    a = arrow(s)
    translated = re2_pattern(pattern)
    out = mask(pc.match_substring_regex(a, f"^(?:{translated or pattern})$"))
    if translated is not None:
        return out
    odd = pc.indices_nonzero(pc.fill_null(pc.match_substring_regex(a, r"[^\x{20}-\x{7e}]"), False))
    if len(odd):
        out[odd.to_numpy()] = python_fullmatch(pattern, pc.take(a, odd).to_pylist())
    return out


#: Python's ``\s`` on text, as RE2 class items: ASCII white space and every other character
#: for which ``str.isspace()`` is true.
_SPACE = r"\t\n\x{b}\x{c}\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_CLASSES = {"d": r"\p{Nd}", "s": _SPACE, "w": r"\p{L}\p{N}_"}


def re2_pattern(pattern: str) -> str | None:
    r"""``pattern`` rewritten so RE2 matches what Python's :mod:`re` matches, or None when it
    cannot be (``\b``, ``\B``, or ``\D``, ``\S``, ``\W`` inside a bracket class).

    >>> re2_pattern(r"https://[^\s]+") == "https://[^" + _SPACE + "]+"
    True
    >>> re2_pattern(r"\bword") is None
    True
    """
    out, i, depth = [], 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            e = pattern[i + 1]
            if e in "bB":
                return None
            if e.lower() in _CLASSES:
                items = _CLASSES[e.lower()]
                if e.isupper():
                    if depth:
                        return None
                    out.append(f"[^{items}]")
                else:
                    out.append(items if depth else f"[{items}]")
            else:
                out.append(pattern[i: i + 2])
            i += 2
            continue
        if c == "[" and not depth:
            depth = 1
            out.append(c)
            i += 1
            if pattern[i: i + 1] == "^":
                out.append("^")
                i += 1
            if pattern[i: i + 1] == "]":  # a literal ] first in the class
                out.append("\\]")
                i += 1
            continue
        if c == "]" and depth:
            depth = 0
        out.append(c)
        i += 1
    return "".join(out)


#: Seconds Python's regex engine may spend on one column's values (patterns it must run).
PYTHON_RE_SECONDS = 5.0


class PatternTimeout(Exception):
    """Python's regex engine did not finish a pattern within :data:`PYTHON_RE_SECONDS`."""


_PROGRAM = ("import json, re, sys; p, vs = json.load(sys.stdin); r = re.compile(p); "
            "json.dump([r.fullmatch(v) is not None for v in vs], sys.stdout)")


def python_fullmatch(pattern: str, values: list[str]) -> list[bool]:
    """Python's :mod:`re` full match of each value, run in a child process that is stopped
    after :data:`PYTHON_RE_SECONDS` (catastrophic backtracking cannot hang the caller)."""
    import json
    import subprocess
    import sys

    try:
        done = subprocess.run([sys.executable, "-I", "-c", _PROGRAM], input=json.dumps([pattern, values]),
                              capture_output=True, text=True, timeout=PYTHON_RE_SECONDS, check=True)
    except subprocess.TimeoutExpired as exc:
        raise PatternTimeout(pattern) from exc
    return json.loads(done.stdout)


def startswith_any(s, chars: str) -> np.ndarray:
    """True where the value begins with one of the ASCII ``chars``; False for missing cells.

    Reads the first byte of each value straight from the Arrow buffers."""
    a = arrow(s)
    n = len(a)
    out = np.zeros(n, dtype=bool)
    if n and a.buffers()[2] is not None:
        off = _offsets(a)
        data = np.frombuffer(a.buffers()[2], dtype=np.uint8)
        nonempty = off[1:] > off[:-1]
        first = np.zeros(n, dtype=np.uint8)
        first[nonempty] = data[off[:-1][nonempty]]
        hit = np.isin(first, np.frombuffer(chars.encode("ascii"), dtype=np.uint8)) & nonempty
        out = hit & a.is_valid().to_numpy(zero_copy_only=False)
    return out


def _offsets(chunk):
    """The value offsets of a (large) string array, as numpy integers."""
    import pyarrow as pa

    dtype = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    return np.frombuffer(chunk.buffers()[1], dtype=dtype)[chunk.offset: chunk.offset + len(chunk) + 1]


def max_byte(s) -> int:
    """The largest byte in the UTF-8 text of ``s`` (0 if empty): a cheap test for which
    Unicode ranges a column uses (below 0xC4 means nothing above U+00FF)."""
    a = arrow(s)
    if not len(a) or a.buffers()[2] is None:
        return 0
    off = _offsets(a)
    data = np.frombuffer(a.buffers()[2], dtype=np.uint8)[off[0]: off[-1]]
    return int(data.max()) if len(data) else 0


def contains(s, pattern: str, ignore_case: bool = False) -> np.ndarray:
    """True where the value contains a match of ``pattern``; False for missing cells."""
    import pyarrow.compute as pc

    return mask(pc.match_substring_regex(arrow(s), pattern, ignore_case=ignore_case), missing=False)


def isin(s, values) -> np.ndarray:
    """True where the value is one of ``values`` (a pyarrow array or any iterable of text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    a = arrow(s)
    if isinstance(values, (set, frozenset)):
        values = sorted(values)
    vs = arrow(values) if not isinstance(values, (list, tuple)) else pa.array(list(values), pa.string())
    if vs.type != a.type:
        vs = vs.cast(a.type)
    return mask(pc.is_in(a, value_set=pc.drop_null(vs), skip_nulls=True))


def length_between(s, low: int | None = None, high: int | None = None) -> np.ndarray:
    import pyarrow.compute as pc

    n = pc.utf8_length(arrow(s))
    ok = np.ones(len(n), dtype=bool)
    if low is not None:
        ok &= mask(pc.greater_equal(n, low))
    if high is not None:
        ok &= mask(pc.less_equal(n, high))
    return ok


def trimmed(s) -> np.ndarray:
    """True where the value has no white space at either end."""
    import pyarrow.compute as pc

    a = arrow(s)
    return mask(pc.equal(pc.utf8_trim_whitespace(a), a))


def nfc(s) -> np.ndarray:
    """True where the value is in Unicode NFC form.

    Text made only of Latin-1 characters is always NFC, so only values with a character
    above U+00FF are normalised and compared."""
    import pyarrow.compute as pc

    a = arrow(s)
    out = np.ones(len(a), dtype=bool)
    if max_byte(a) < 0xC4:  # only characters up to U+00FF
        return out
    idx = pc.indices_nonzero(pc.fill_null(pc.match_substring_regex(a, r"[^\x{0}-\x{ff}]"), False))
    if len(idx):
        sub = pc.take(a, idx)
        same = pc.equal(pc.utf8_normalize(sub, "NFC"), sub).to_numpy(zero_copy_only=False)
        out[idx.to_numpy()[~same.astype(bool)]] = False
    return out


#: Characters that disguise or rewrite text on a terminal or in an editor: C0 controls other
#: than tab and line feed, DEL, C1 controls, bidirectional overrides and isolates, and
#: zero-width or invisible formatting characters.
UNSAFE_CHARS = r"[\x{0}-\x{8}\x{b}-\x{1f}\x{7f}-\x{9f}\x{200b}-\x{200f}\x{202a}-\x{202e}\x{2060}-\x{2064}\x{2066}-\x{2069}\x{feff}]"


def no_unsafe_chars(s) -> np.ndarray:
    """True where the value holds none of :data:`UNSAFE_CHARS`."""
    import pyarrow.compute as pc

    a = arrow(s)
    if max_byte(a) < 0x80 and not mask(pc.match_substring_regex(a, r"[\x{0}-\x{8}\x{b}-\x{1f}\x{7f}]"), False).any():
        return np.ones(len(a), dtype=bool)
    return ~mask(pc.match_substring_regex(a, UNSAFE_CHARS), missing=False)


def to_number(s, pattern: str) -> np.ndarray:
    """The values as float64 where they match ``pattern``, NaN elsewhere (parsed by Arrow,
    as the loaders and exports parse them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    a = arrow(s)
    ok = pa.array(fullmatch(a, pattern) & a.is_valid().to_numpy(zero_copy_only=False))
    text = pc.replace_substring_regex(pc.if_else(ok, a, pa.scalar(None, a.type)), r"^\+", "")
    return pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False).astype("float64")


INT64_MAX = 2**63 - 1


def fits_int64(s, pattern: str) -> np.ndarray:
    """True where an integer written in ``s`` (matching ``pattern``) fits in a signed 64-bit
    integer; values that do not match pass (the type check reports them)."""
    import pyarrow.compute as pc

    a = arrow(s)
    long = mask(pc.greater(pc.utf8_length(a), 18), False)
    out = ~long
    for i in np.flatnonzero(long):
        text = a[int(i)].as_py()
        out[i] = not re.fullmatch(pattern, text) or -INT64_MAX - 1 <= int(text) <= INT64_MAX
    return out


def duplicated(s, keep_first: bool = False) -> np.ndarray:
    """True for every occurrence of a value that occurs more than once (nulls never); with
    ``keep_first``, the first occurrence of each value is not marked."""
    enc = arrow(s).dictionary_encode()
    codes = np.asarray(enc.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    valid = codes >= 0
    counts = np.bincount(codes[valid], minlength=len(enc.dictionary))
    out = np.zeros(len(codes), dtype=bool)
    out[valid] = counts[codes[valid]] > 1
    if keep_first and out.any():
        positions = np.flatnonzero(valid)
        _, first = np.unique(codes[valid], return_index=True)
        out[positions[first]] = False
    return out


def index_in(s, values) -> np.ndarray:
    """The position of each value in ``values`` (-1 where absent or missing)."""
    import pyarrow.compute as pc

    idx = pc.index_in(arrow(s), value_set=arrow(values))
    return np.asarray(idx.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def joined(columns, sep: str = "\x1f"):
    """Several string columns joined row by row (null where any is null): a key of many columns."""
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(*[arrow(c) for c in columns], sep)


def explode_list(s, delimiter: str):
    """The items of a delimited list column: ``(rows, items)`` where ``rows[k]`` is the
    position (0-based) of the row that item ``k`` came from."""
    import pyarrow.compute as pc

    lists = pc.split_pattern(arrow(s), delimiter)
    return pc.list_parent_indices(lists).to_numpy(), pc.list_flatten(lists)
