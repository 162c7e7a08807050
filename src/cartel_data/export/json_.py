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


def _special_bytes(col) -> set[int]:
    """Which bytes that JSON must escape (quote, backslash, control characters) occur in
    ``col``, found with one pass of numpy over its data buffers."""
    import numpy as np
    import pyarrow as pa

    found: set[int] = set()
    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    for chunk in chunks:
        data = chunk.buffers()[2]
        if data is None:
            continue
        u = np.frombuffer(data, dtype=np.uint8)
        found.update(np.unique(u[(u < 0x20) | (u == 0x22) | (u == 0x5C)]).tolist())
    return found


def _escaped(col):
    """Text escaped for the inside of a JSON string, or None if a rare control character needs :mod:`json`."""
    import pyarrow.compute as pc

    special = _special_bytes(col)
    for ch, esc in _SHORT:
        if ord(ch) in special:
            col = pc.replace_substring(col, ch, esc)
            special.discard(ord(ch))
    return None if special else col


def _python(f, col):
    import pyarrow as pa

    from ..records import _pylist

    return pa.array(["null" if v is None else _dump(v) for v in _pylist(f, col)], pa.string())


def values(f, col):
    """The JSON text of each value of one column (``col``: the cells as written, nulls for empty)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..records import typed_column

    col = col.cast(pa.string())
    if f.type == "integer":
        out = pc.cast(pc.cast(col, pa.int64()), pa.string())
    elif f.type == "boolean":
        out = pc.if_else(typed_column(f, col), "true", "false")
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


def _parts(t, open_: str, between: str, close: str):
    """The literal texts and value columns of ``t``'s records: record ``r`` is
    ``lits[0] + cols[0][r] + lits[1] + ... + cols[-1][r] + lits[-1]``."""
    lits, cols = [], []
    for k, f in enumerate(t.schema.fields):
        lits.append((open_ if k == 0 else between) + _dump(f.name) + ": ")
        cols.append(values(f, t.text.column(f.name)))
    lits.append(close)
    return lits, cols


def records(t):
    """One JSON object per row of ``t`` (a :class:`~cartel_data.records.TableRows`), as a pyarrow string array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not t.schema.fields or not len(t):
        return pa.array(["{}"] * len(t), pa.string())
    lits, cols = _parts(t, "{", ", ", "}")
    args = [x for pair in zip(lits, cols) for x in pair] + [lits[-1]]
    return pc.binary_join_element_wise(*args, "")


def write_records(fh, t, before: str, after: str, skip: int = 0) -> None:
    """Write ``before + record + after`` for every row of ``t`` to the binary file ``fh``,
    leaving out the first ``skip`` bytes.

    The pieces of all records are laid out by one ``take`` over the value columns and the
    literal texts, so the result's data buffer holds the file's bytes, in order."""
    import numpy as np
    import pyarrow as pa

    n = len(t)
    if not n:
        return
    if not t.schema.fields:
        fh.write(((before + "{}" + after) * n).encode()[skip:])
        return
    lits, cols = _parts(t, before + "{", ", ", "}" + after)
    k = len(cols)
    flat = [c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in cols]
    pool = pa.concat_arrays([c.cast(pa.large_string()) for c in flat] + [pa.array(lits, pa.large_string())])
    step = 1 << 16  # rows per slice, to bound the memory of the laid-out text
    for start in range(0, n, step):
        rows = np.arange(start, min(n, start + step))
        idx = np.empty((len(rows), 2 * k + 1), dtype=np.int64)
        idx[:, 0::2] = k * n + np.arange(k + 1)  # the literals come after the k columns
        idx[:, 1::2] = np.arange(k) * n + rows[:, None]
        out = pool.take(pa.array(idx.ravel()))
        off = np.frombuffer(out.buffers()[1], dtype=np.int64)[out.offset: out.offset + len(out) + 1]
        fh.write(memoryview(out.buffers()[2])[int(off[0]) + (skip if start == 0 else 0): int(off[-1])])


def write(pkg, data, output) -> None:
    with open(output, "wb") as fh:
        fh.write(b"{\n")
        for k, v in metadata(pkg).items():
            fh.write(f"{_dump(k)}: {_dump(v)},\n".encode())
        fh.write(b'"tables": {')
        for ti, (name, t) in enumerate(data.items()):
            fh.write((("," if ti else "") + f"\n{_dump(name)}: [").encode())
            write_records(fh, t, ",\n", "", skip=1)  # no comma before the first record
            fh.write(b"\n]")
        fh.write(b"\n}\n}\n")
