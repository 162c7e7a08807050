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

from . import Format

FORMAT = Format("json", ".json", False, "one JSON document: metadata and a list of records per table")

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

    from ..types import python_values

    return pa.array([None if v is None else _dump(v) for v in python_values(f, col)], pa.string())


def values(f, col):
    """One column as JSON: ``(inner, open, close)``, where the JSON text of a present value
    is ``open + inner + close`` (the quotes or brackets around it) and missing values are
    nulls in ``inner`` (written ``null``). ``col`` holds the cells as written."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ..types import typed_column

    col = col.cast(pa.string())
    kind = f.spec.json
    if kind == "integer":
        return pc.cast(typed_column(f, col), pa.string()), "", ""
    if kind == "boolean":
        return pc.if_else(typed_column(f, col), "true", "false"), "", ""
    if kind == "number":
        return _python(f, col), "", ""
    d = f.delimiter
    if kind == "array" and (d in '"\\' or ord(d) < 0x20):
        return _python(f, col), "", ""
    esc = _escaped(col)
    if esc is None:
        return _python(f, col), "", ""
    if kind == "array":
        return pc.replace_substring(esc, d, '", "'), '["', '"]'
    return esc, '"', '"'


def write_records(fh, t, before: str, after: str, skip: int = 0) -> None:
    """Write ``before + record + after`` for every row of ``t`` to the binary file ``fh``,
    leaving out the first ``skip`` bytes.

    Every record is a sequence of pieces: the literal text between two values (which
    depends on whether each neighbour is present, for its quotes or brackets), then a value
    or ``null``. One ``take`` over a pool of the value columns and the literals lays all the
    pieces out in order, so the result's data buffer holds the file's bytes."""
    import numpy as np
    import pyarrow as pa

    n, fields = len(t), t.schema.fields
    if not n:
        return
    if not fields:
        fh.write(((before + "{}" + after) * n).encode()[skip:])
        return
    k = len(fields)
    cols, opens, closes, present = [], [], [], []
    for f in fields:
        inner, o, c = values(f, t.text.column(f.name))
        inner = inner.combine_chunks() if isinstance(inner, pa.ChunkedArray) else inner
        cols.append(inner.cast(pa.large_string()))
        opens.append(o)
        closes.append(c)
        present.append(inner.is_valid().to_numpy(zero_copy_only=False).astype(np.int64))
    keys = [_dump(f.name) + ": " for f in fields]
    # gap g comes before value g (g = k: after the last value); variant 2*prev + next
    lits = []
    for g in range(k + 1):
        for prev in (0, 1):
            for nxt in (0, 1):
                head = (closes[g - 1] if prev else "") if g else ""
                mid = (before + "{" if g == 0 else ", ") + keys[g] if g < k else "}" + after
                lits.append(head + mid + (opens[g] if nxt and g < k else ""))
    base = k * n
    null = base + len(lits)
    pool = pa.concat_arrays(cols + [pa.array(lits + ["null"], pa.large_string())])
    step = 1 << 16  # rows per slice, to bound the memory of the laid-out text
    for start in range(0, n, step):
        stop = min(n, start + step)
        rows = np.arange(start, stop)
        p = [x[start:stop] for x in present]
        idx = np.empty((stop - start, 2 * k + 1), dtype=np.int64)
        for g in range(k + 1):
            prev = p[g - 1] if g else 0
            nxt = p[g] if g < k else 0
            idx[:, 2 * g] = base + 4 * g + 2 * prev + nxt
            if g < k:
                idx[:, 2 * g + 1] = np.where(p[g] == 1, g * n + rows, null)
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
