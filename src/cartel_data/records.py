"""Rows as plain Python values, for the exporters.

Values follow the Table Schema types: ``integer`` -> int, ``number`` -> float,
``boolean`` -> bool, ``list`` -> list of str, everything else (including dates and
partial dates) -> the text as written; missing cells -> None. Rows are ordered by
primary key so that every export is deterministic.
"""

from __future__ import annotations

import csv
import gc
from contextlib import contextmanager

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


class TableRows:
    """One table read for export: ``rows`` (typed tuples in column order) and ``text`` (a
    pyarrow Table of the cells as written, nulls for empty cells), both in primary-key
    order. Each is made from the other on first use, so a writer that works on whole
    columns never builds a tuple per row."""

    def __init__(self, name: str, schema: TableSchema, columns: list[str], rows: list[tuple] | None = None, text=None):
        self.name, self.schema, self.columns = name, schema, columns
        self._rows, self._text = rows, text

    def __len__(self) -> int:
        return len(self._rows) if self._rows is not None else self._text.num_rows

    @property
    def rows(self) -> list[tuple]:
        if self._rows is None:
            with _no_gc():
                columns = [_pylist(f, self._text.column(f.name)) for f in self.schema.fields]
                self._rows = list(zip(*columns)) if columns else []
        return self._rows

    @property
    def text(self):
        if self._text is None:
            import pyarrow as pa

            cols = {}
            for i, f in enumerate(self.schema.fields):
                cols[f.name] = pa.array([None if r[i] is None else as_text(f, r[i]) for r in self._rows], pa.string())
            self._text = pa.table(cols) if cols else pa.table({})
        return self._text

    def dicts(self):
        cols = self.columns
        return (dict(zip(cols, r)) for r in self.rows)

    def iter_text(self, size: int = 1 << 16):
        """The rows as tuples of the cells as written (None for empty), made ``size`` rows at a
        time, so a streaming writer never holds more than one slice of them."""
        names = [f.name for f in self.schema.fields]
        for batch in self.text.to_batches(max_chunksize=size):
            yield from zip(*(batch.column(n).to_numpy(zero_copy_only=False).tolist() for n in names))


@contextmanager
def _no_gc():
    """Pause the cyclic garbage collector while millions of new tuples and lists are made
    (none of them form cycles; left on, the collector rescans them again and again)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def read_rows(res: Resource) -> TableRows:
    """Read a resource's CSV for export, sorted by primary key."""
    try:
        return _read_rows_arrow(res)
    except Exception:  # noqa: BLE001 - anything pyarrow cannot split goes through the csv module
        with _no_gc():
            return _read_rows_csv(res)


def _read_rows_csv(res: Resource) -> TableRows:
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


def arrow_type(f: Field):
    """The Arrow type of a field's values."""
    import pyarrow as pa

    return {
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "list": pa.list_(pa.string()),
    }.get(f.type, pa.string())


def typed_column(f: Field, col):
    """One column of cells as written (text, nulls for empty) as Arrow values of the field's
    type (:func:`arrow_type`): the same values as :func:`converter`, full dates as dates."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = col.cast(pa.string())
    if f.type == "boolean":
        true = pc.is_in(col, value_set=pa.array(list(f.true_values), pa.string()))
        false = pc.is_in(col, value_set=pa.array(list(f.false_values), pa.string()))
        return pc.if_else(true, True, pc.if_else(false, False, pa.scalar(None, pa.bool_())))
    if f.type == "list":
        return pc.split_pattern(col, f.delimiter or ",")
    if f.type == "integer":  # Arrow's parser refuses a leading '+', which Table Schema allows
        col = pc.replace_substring_regex(col, r"^\+", "")
    return pc.cast(col, arrow_type(f))


def _pylist(f: Field, col) -> list:
    """One text column as Python values of the field's type (the same values as :func:`converter`)."""
    if f.type in ("integer", "number", "boolean"):
        return typed_column(f, col).to_pylist()
    text = col.to_numpy(zero_copy_only=False).tolist()
    if f.type == "list":
        d = f.delimiter or ","
        return [None if v is None else v.split(d) for v in text]
    return text


def _read_rows_arrow(res: Resource) -> TableRows:
    import pyarrow.compute as pc

    from .reading import split_plain

    schema = res.schema
    split = split_plain(res.path.read_bytes())
    if split is None or not set(schema.field_names) <= set(split[0]):
        raise ValueError("not a plainly well-formed CSV with the schema's columns")
    table = split[1].select(list(schema.field_names))
    if table.num_rows and not _sorted_by(table, schema.primary_key):
        table = table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in schema.primary_key]))
    for f in schema.fields:  # fail here, not in a writer, on text that is not of its type
        if f.type in ("integer", "number"):
            typed_column(f, table.column(f.name))
    return TableRows(res.name, schema, list(schema.field_names), text=table.combine_chunks())


def _sorted_by(table, keys) -> bool:
    """Whether ``table`` is already in order of its single-column key (canonical files are)."""
    import pyarrow.compute as pc

    if len(keys) != 1:
        return False
    col = table.column(keys[0])
    if col.null_count:
        return False
    return not pc.any(pc.greater(col[:-1], col[1:])).as_py()


def read_package(path=None, tables: list[str] | None = None) -> tuple[Package, dict[str, TableRows]]:
    pkg = Package(path)
    names = tables or pkg.resource_names
    unknown = [n for n in names if n not in pkg.resource_names]
    if unknown:
        raise KeyError(f"unknown table(s): {', '.join(unknown)}; tables: {', '.join(pkg.resource_names)}")
    return pkg, {n: read_rows(pkg.resource(n)) for n in names}
