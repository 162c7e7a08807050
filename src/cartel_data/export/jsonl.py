"""JSON Lines: one stream, one line per row, each ``{"table": NAME, "record": {...}}``.

The first line is ``{"table": null, "package": {name, version, licenses...}}`` so a reader
knows what it is streaming. Tables follow descriptor order, rows primary-key order.
"""

from __future__ import annotations

from .json_ import _dump, metadata, records, write_lines


def write(pkg, data, output) -> None:
    with open(output, "wb") as fh:
        fh.write((_dump({"table": None, "package": metadata(pkg)}) + "\n").encode())
        for name, t in data.items():
            if len(t):
                write_lines(fh, '{"table": ' + _dump(name) + ', "record": ', records(t), "}\n")
