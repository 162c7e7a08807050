"""JSON: one document with the package's metadata and a list of records per table.

Layout::

    {"name": ..., "title": ..., "version": ..., "licenses": [...],
     "tables": {"persons": [{"person_id": ..., ...}, ...], ...}}

UTF-8 without ASCII escaping, ``null`` for missing values (never ``NaN``), dates as the ISO
text written in the CSV, keys in schema order, rows in primary-key order, one record per line.

Records are built a column at a time with pyarrow string kernels and are byte for byte what
``json.dumps(record, ensure_ascii=False)`` gives (tested); values the kernels do not cover
(numbers, rare control characters) go through :mod:`json`.
"""

from __future__ import annotations

import json

#: JSON escapes for the characters ``json.dumps`` writes with a short escape.
_SHORT = [("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\b", "\\b"), ("\f", "\\f")]


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def metadata(pkg) -> dict:
    d = pkg.descriptor
    return {k: d[k] for k in ("name", "title", "version", "licenses", "description") if k in d}


def _escaped(col):
    """Text escaped for the inside of a JSON string, or None if a rare control character needs :mod:`json`."""
    import pyarrow.compute as pc

    for ch, esc in _SHORT:
        if pc.any(pc.match_substring(col, ch)).as_py():
            col = pc.replace_substring(col, ch, esc)
    if pc.any(pc.match_substring_regex(col, r"[\x00-\x1f]")).as_py():
        return None
    return col


def _python(f, col):
    import pyarrow as pa

    from ..records import _pylist

    return pa.array(["null" if v is None else _dump(v) for v in _pylist(f, col)], pa.string())


def values(f, col):
    """The JSON text of each value of one column (``col``: the cells as written, nulls for empty)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = col.cast(pa.string())
    if f.type == "integer":
        out = pc.cast(pc.cast(col, pa.int64()), pa.string())
    elif f.type == "boolean":
        true = pc.is_in(col, value_set=pa.array(list(f.true_values), pa.string()))
        false = pc.is_in(col, value_set=pa.array(list(f.false_values), pa.string()))
        out = pc.if_else(true, "true", pc.if_else(false, "false", pa.scalar(None, pa.string())))
    elif f.type == "number":
        return _python(f, col)
    else:
        d = f.delimiter or ","
        if f.type == "list" and (d in '"\\' or ord(d) < 0x20):
            return _python(f, col)
        esc = _escaped(col)
        if esc is None:
            return _python(f, col)
        if f.type == "list":
            esc = pc.replace_substring(esc, d, '", "')
            out = pc.binary_join_element_wise('["', esc, '"]', "")
        else:
            out = pc.binary_join_element_wise('"', esc, '"', "")
    return pc.fill_null(out, "null")


def records(t):
    """One JSON object per row of ``t`` (a :class:`~cartel_data.records.TableRows`), as a pyarrow string array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = t.text
    if not t.schema.fields or not len(t):
        return pa.array(["{}"] * len(t), pa.string())
    parts = []
    for k, f in enumerate(t.schema.fields):
        parts.append(("{" if k == 0 else ", ") + _dump(f.name) + ": ")
        parts.append(values(f, text.column(f.name)))
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "")


def write_lines(fh, prefixes, rows, suffix: str = "") -> None:
    """Write ``prefix + row + suffix`` for each row to the binary file ``fh`` from Arrow's buffers."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pc.binary_join_element_wise(prefixes, rows, suffix, "")
    arr = (arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr).cast(pa.large_string())
    if not len(arr):
        return
    offsets = arr.buffers()[1]
    import numpy as np

    off = np.frombuffer(offsets, dtype=np.int64)[arr.offset: arr.offset + len(arr) + 1]
    fh.write(memoryview(arr.buffers()[2])[int(off[0]): int(off[-1])])


def write(pkg, data, output) -> None:
    import pyarrow as pa

    with open(output, "wb") as fh:
        fh.write(b"{\n")
        for k, v in metadata(pkg).items():
            fh.write(f"{_dump(k)}: {_dump(v)},\n".encode())
        fh.write(b'"tables": {')
        for ti, (name, t) in enumerate(data.items()):
            fh.write((("," if ti else "") + f"\n{_dump(name)}: [").encode())
            n = len(t)
            if n:
                prefixes = pa.array(["\n"] + [",\n"] * (n - 1), pa.string())
                write_lines(fh, prefixes, records(t))
            fh.write(b"\n]")
        fh.write(b"\n}\n}\n")
