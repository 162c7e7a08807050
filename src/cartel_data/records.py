"""Tables read for the exports: the cells as written and, on demand, typed Python rows.

Values follow the Table Schema types (:mod:`cartel_data.types`): ``integer`` -> int,
``number`` -> float, ``boolean`` -> bool, ``list`` -> list of str, everything else
(including dates and partial dates) -> the text as written; missing cells -> None. Rows
are ordered by primary key so that every export is deterministic.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

from .errors import PackageError, UnknownTable
from .package import Package, Resource
from .schema import TableSchema
from .types import as_text, python_values, typed_column


class TableRows:
    """One table read for export: ``text`` (a pyarrow Table of the cells as written, nulls
    for empty cells, in primary-key order) and, made on first use, ``rows`` (typed tuples in
    column order), so a writer that works on whole columns never builds a tuple per row."""

    def __init__(self, name: str, schema: TableSchema, text):
        self.name, self.schema, self.text = name, schema, text
        self.columns = list(schema.field_names)
        self._rows = None

    def __len__(self) -> int:
        return self.text.num_rows

    @property
    def rows(self) -> list[tuple]:
        if self._rows is None:
            with _no_gc():
                columns = [python_values(f, self.text.column(f.name)) for f in self.schema.fields]
                self._rows = list(zip(*columns)) if columns else []
        return self._rows

    def dicts(self):
        cols = self.columns
        return (dict(zip(cols, r)) for r in self.rows)

    def iter_text(self, size: int = 1 << 16):
        """The rows as tuples of the cells as written (None for empty), made ``size`` rows at a
        time, so a streaming writer never holds more than one slice of them."""
        names = self.columns
        for batch in self.text.to_batches(max_chunksize=size):
            yield from zip(*(batch.column(n).to_numpy(zero_copy_only=False).tolist() for n in names))

    @classmethod
    def from_rows(cls, name: str, schema: TableSchema, rows: list[tuple]) -> "TableRows":
        """A table made from typed rows (the inverse of :attr:`rows`), for tests and tools."""
        import pyarrow as pa

        cols = {f.name: pa.array([None if r[i] is None else as_text(f, r[i]) for r in rows], pa.string())
                for i, f in enumerate(schema.fields)}
        return cls(name, schema, pa.table(cols) if cols else pa.table({}))


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


def _sorted_by(table, keys) -> bool:
    """Whether ``table`` is already in order of its single-column key (canonical files are)."""
    import pyarrow.compute as pc

    if len(keys) != 1 or not table.num_rows:
        return len(keys) == 1
    col = table.column(keys[0])
    if col.null_count:
        return False
    return not pc.any(pc.greater(col[:-1], col[1:])).as_py()


def read_rows(res: Resource) -> TableRows:
    """Read a resource's CSV for export, sorted by primary key; PackageError if its rows
    cannot be split or a number cell is not a number."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .reading import read_cells

    schema = res.schema
    table = read_cells(res, "export").table.select(list(schema.field_names))
    if table.num_rows and not _sorted_by(table, schema.primary_key):
        table = table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in schema.primary_key]))
    for f in schema.fields:  # fail here, not in a writer, on text that is not of its type
        if f.spec.arrow != "string":
            try:
                typed_column(f, table.column(f.name))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise PackageError(f"{res.rel_path}: column {f.name} holds a value that is not a {f.type} "
                                   "(run `cartel-data validate`)") from exc
    return TableRows(res.name, schema, table.combine_chunks())


def read_package(path=None, tables: list[str] | None = None) -> tuple[Package, dict[str, TableRows]]:
    pkg = Package(path)
    names = tables or pkg.resource_names
    unknown = [n for n in names if n not in pkg.resource_names]
    if unknown:
        raise UnknownTable(f"unknown table(s): {', '.join(unknown)}; tables: {', '.join(pkg.resource_names)}")
    return pkg, {n: read_rows(pkg.resource(n)) for n in names}
