"""Citations: which source backs each row, as one flat CSV table.

One row per (table, row id, source id), in table, row and source order, with the source's
address, publisher, date and tier: the way to check a single value against its sources, or
to sync corrections (like OpenSanctions' statements file). The SQLite export holds the same
rows in ``citations``, with the source columns in the view ``citation_sources``.
"""

from __future__ import annotations

import csv

from . import Format

FORMAT = Format("citations", ".citations.csv", False, "one row per (table, row, source) with the source's address and tier")

COLUMNS = ("table_name", "row_id", "source_id", "url", "publisher", "published", "tier", "original_publisher")


def rows(data):
    """``(table, row id, source id, url, publisher, published, tier, original publisher)`` tuples."""
    sources = {r["source_id"]: r for r in data["sources"].dicts()} if "sources" in data else {}
    for name, t in data.items():
        ref = next((f for f in t.schema.fields if f.references == ("sources", "source_id")), None)
        if ref is None:
            continue
        key = t.schema.primary_key
        for r in t.dicts():
            rid = "|".join(str(r[k]) for k in key)
            for sid in dict.fromkeys(r[ref.name] or []):
                s = sources.get(sid, {})
                yield (name, rid, sid, s.get("url"), s.get("publisher"), s.get("published"), s.get("tier"),
                       s.get("original_publisher"))


def write(pkg, data, output) -> None:
    with open(output, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(("" if v is None else v for v in r) for r in rows(data))
