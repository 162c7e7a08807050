"""Citations: which source backs each row, as one flat CSV table.

One row per (table, row id, source id), in table, row and source order, with the source's
address, title, publisher, date and tier: the way to check a single value against its sources, or
to sync corrections (like OpenSanctions' statements file). The SQLite export holds the same
rows in ``citations``, with the source columns in the view ``citation_sources``.
"""

from __future__ import annotations

import csv

from . import Format

FORMAT = Format("citations", ".citations.csv", False, "one row per (table, row, source) with the source's address and tier")

#: The columns of ``sources`` a citation carries (here and in the SQLite view ``citation_sources``).
SOURCE_COLUMNS = ("url", "title", "publisher", "published", "tier", "original_publisher")
COLUMNS = ("table_name", "row_id", "source_id", *SOURCE_COLUMNS)


def cited(data):
    """``(table, row ids, source ids)`` for every table that cites sources: one pair per
    citation, a source listed twice in one cell counted once, in row and list order."""
    from .. import vector as v

    for name, t in data.items():
        for f in t.schema.fields:
            if f.references != ("sources", "source_id"):
                continue
            key = t.schema.primary_key
            ids = t.text.column(key[0]) if len(key) == 1 else v.joined([t.text.column(k) for k in key], "|")
            at, items = v.explode_list(t.text.column(f.name), f.delimiter)
            pairs = dict.fromkeys(zip(ids.take(at).to_pylist(), items.to_pylist()))
            yield name, [r for r, _ in pairs], [x for _, x in pairs]


def rows(data):
    """``(table, row id, source id, *SOURCE_COLUMNS)`` tuples."""
    sources = {r["source_id"]: r for r in data["sources"].dicts()} if "sources" in data else {}
    for name, row_ids, source_ids in cited(data):
        for rid, sid in zip(row_ids, source_ids):
            s = sources.get(sid, {})
            yield (name, rid, sid, *(s.get(c) for c in SOURCE_COLUMNS))


def write(pkg, data, output) -> None:
    with open(output, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(("" if v is None else v for v in r) for r in rows(data))
