"""JSON Lines: one stream, one line per row, each ``{"table": NAME, "record": {...}}``.

The first line is ``{"table": null, "package": {name, version, licenses...}}`` so a reader
knows what it is streaming. Tables follow descriptor order, rows primary-key order.
"""

from __future__ import annotations

from .json_ import _dump, metadata


def write(pkg, data, output) -> None:
    with open(output, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(_dump({"table": None, "package": metadata(pkg)}) + "\n")
        for name, t in data.items():
            prefix = '{"table": ' + _dump(name) + ', "record": '
            for row in t.dicts():
                fh.write(prefix + _dump(row) + "}\n")
