"""JSON Lines: one stream, one line per row, each ``{"table": NAME, "record": {...}}``.

The first line is ``{"table": null, "package": {name, version, licenses...}}`` so a reader
knows what it is streaming. Tables follow descriptor order, rows primary-key order.
"""

from __future__ import annotations

from . import Format
from .json_ import _dump, metadata, write_records

FORMAT = Format("jsonl", ".jsonl", False, "JSON Lines: a metadata line, then one line per row")


def write(pkg, data, output) -> None:
    with open(output, "wb") as fh:
        fh.write((_dump({"table": None, "package": metadata(pkg)}) + "\n").encode())
        for name, t in data.items():
            write_records(fh, t, '{"table": ' + _dump(name) + ', "record": ', "}\n")
