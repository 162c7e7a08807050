"""JSON: one document with the package's metadata and a list of records per table.

Layout::

    {"name": ..., "title": ..., "version": ..., "licenses": [...],
     "tables": {"persons": [{"person_id": ..., ...}, ...], ...}}

UTF-8 without ASCII escaping, ``null`` for missing values (never ``NaN``), dates as the ISO
text written in the CSV, keys in schema order, rows in primary-key order.
"""

from __future__ import annotations

import json


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def metadata(pkg) -> dict:
    d = pkg.descriptor
    return {k: d[k] for k in ("name", "title", "version", "licenses", "description") if k in d}


def write(pkg, data, output) -> None:
    with open(output, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("{\n")
        for k, v in metadata(pkg).items():
            fh.write(f"{_dump(k)}: {_dump(v)},\n")
        fh.write('"tables": {')
        for ti, (name, t) in enumerate(data.items()):
            fh.write(("," if ti else "") + f"\n{_dump(name)}: [")
            for ri, row in enumerate(t.dicts()):
                fh.write(("," if ri else "") + "\n" + _dump(row))
            fh.write("\n]")
        fh.write("\n}\n}\n")
