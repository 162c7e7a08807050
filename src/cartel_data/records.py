"""Rows as plain Python values, for the exporters.

Values follow the Table Schema types: ``integer`` -> int, ``number`` -> float,
``boolean`` -> bool, ``list`` -> list of str, everything else (including dates and
partial dates) -> the text as written; missing cells -> None. Rows are ordered by
primary key so that every export is deterministic.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from .package import Package, Resource
from .schema import Field, TableSchema

csv.field_size_limit(1 << 30)


def converter(f: Field):
    missing = ""
    if f.type == "integer":
        return lambda v: None if v == missing else int(v)
    if f.type == "number":
        return lambda v: None if v == missing else float(v)
    if f.type == "boolean":
        t, fl = set(f.true_values), set(f.false_values)
        return lambda v: True if v in t else False if v in fl else None
    if f.type == "list":
        d = f.delimiter or ","
        return lambda v: None if v == missing else v.split(d)
    return lambda v: None if v == missing else v


def as_text(f: Field, v) -> str:
    """The inverse of :func:`converter`: a typed value written back as the CSV text."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return f.true_values[0] if v else f.false_values[0]
    if isinstance(v, list):
        return (f.delimiter or ",").join(v)
    if isinstance(v, float):
        return repr(v)
    return str(v)


@dataclass
class TableRows:
    name: str
    schema: TableSchema
    columns: list[str]
    rows: list[tuple]  # values in column order

    def dicts(self):
        cols = self.columns
        return (dict(zip(cols, r)) for r in self.rows)


def read_rows(res: Resource) -> TableRows:
    """Read a resource's CSV into typed tuples, sorted by primary key."""
    schema = res.schema
    with open(res.path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        idx = [header.index(f.name) for f in schema.fields]
        convs = [converter(f) for f in schema.fields]
        rows = [tuple(c(r[i]) for c, i in zip(convs, idx)) for r in reader if r]
    pk = [schema.field_names.index(k) for k in schema.primary_key]
    rows.sort(key=lambda r: tuple("" if r[i] is None else str(r[i]) for i in pk))
    return TableRows(res.name, schema, list(schema.field_names), rows)


def read_package(path=None, tables: list[str] | None = None) -> tuple[Package, dict[str, TableRows]]:
    pkg = Package(path)
    names = tables or pkg.resource_names
    unknown = [n for n in names if n not in pkg.resource_names]
    if unknown:
        raise KeyError(f"unknown table(s): {', '.join(unknown)}; tables: {', '.join(pkg.resource_names)}")
    return pkg, {n: read_rows(pkg.resource(n)) for n in names}
