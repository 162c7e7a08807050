"""``validate()``: every check on a data package, in layers, collected into one report.

1. the descriptor and each schema (:mod:`.descriptor`, :func:`cartel_data.schema.read_schema`);
2. each file's bytes and rows: encoding, BOM, line endings, header, row lengths (:mod:`..reading`);
3. each cell against its field (:mod:`.cells`);
4. rules across fields, rows and tables (:mod:`.rules`).

Every rule id is declared once, in :mod:`cartel_data.catalogue`. Bad data never raises: it
becomes a :class:`~cartel_data.report.Problem`. Only a package that cannot be read at all
raises :class:`~cartel_data.errors.PackageError`. The checks run as pyarrow kernels over
the cells as text; pandas is not imported.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from pathlib import Path

from ..catalogue import problem
from ..errors import PackageError
from ..report import Problem, Report

__all__ = ["validate", "Report", "Problem", "PackageError", "pandera_schema"]


def header_problems(raw, table) -> list[Problem]:
    """The header against the schema's fields: duplicates, unknown, missing, out of order."""
    expected, got = table.field_names, raw.header
    if got == expected:
        return []
    out = []

    def err(message, col=None, value=None, hint=None):
        out.append(problem("header", message, file=raw.file, line=1, col=col, value=value, hint=hint))

    position, seen = {}, set()
    for j, name in enumerate(got):
        if name in seen:
            err(f"column {name!r} appears twice in the header", col=j + 1, value=name)
        seen.add(name)
        position.setdefault(name, j + 1)
    want = set(expected)
    missing = [c for c in expected if c not in seen]
    extra = [c for c in position if c not in want]
    for k, c in enumerate(extra):
        close = difflib.get_close_matches(c, missing, n=1) if k < 20 and len(missing) < 200 else []
        err(f"column {c!r} is not in the schema", col=position[c], value=c,
            hint=f"renamed? the schema has {close[0]!r}" if close else "remove it or add it to the schema")
    for c in missing:
        err(f"column {c!r} of the schema is missing from the header", value=c)
    if not missing and not extra and len(seen) == len(got):
        err("columns are not in schema order", value=",".join(got), hint="expected: " + ",".join(expected))
    return out


def _check_table(pkg, name, report, today, widened):
    """Read one resource and check its file and cells; returns its rules.Table, or None."""
    from ..reading import read_raw
    from .cells import check_cells
    from .rules import Table

    res = pkg.resource(name)
    raw = read_raw(res.path, res.rel_path)
    report.extend(raw.problems)
    report.tables[name] = raw.n_rows
    if raw.header:
        report.extend(header_problems(raw, res.schema))
    if not raw.readable:
        report.add(problem("skipped", "the table's rows could not be read reliably; its cells and references were not checked",
                           file=res.rel_path))
        return None
    if raw.n_rows == 0:
        report.add(problem("no-rows", "the table has a header but no rows", file=res.rel_path, line=1))
    report.extend(check_cells(raw, res.schema, today, widened))
    return Table(schema=res.schema, raw=raw)


def validate(path: str | Path | None = None, strict: bool = False, today: _dt.date | None = None) -> Report:
    """Validate the data package at ``path`` (a folder, a descriptor or a release zip;
    default: the working copy's ``./datapackage.json``, else the bundled package).

    >>> report = validate()
    >>> report.valid
    True
    """
    from ..archive import opened

    with opened(path) as root:
        return _validate(root, strict, today, shown=str(path) if path is not None and root != path else None)


def _validate(path, strict, today, shown=None) -> Report:
    from ..dates import Widened
    from ..package import Package
    from .descriptor import check_descriptor
    from .rules import Context, run_all

    pkg = Package(path)
    widened = Widened()
    report = Report(package=shown or str(pkg.descriptor_path), strict=strict)
    problems, names = check_descriptor(pkg)
    report.extend(problems)
    tables = {}
    for name in names:
        t = _check_table(pkg, name, report, today, widened)
        if t is not None:
            tables[name] = t
    report.extend(run_all(Context(tables, widened)))
    return report


def pandera_schema(table, today: _dt.date | None = None):
    """A ``pandera.DataFrameSchema`` for the cells of ``table`` (a TableSchema) as text
    (pandas strings, missing as ``<NA>``), built from the validator's own cell checks, for
    checking a frame in pandas code. Each check's error is its rule id."""
    import pandera.pandas as pa

    from ..dates import Widened
    from ..vector import arrow
    from .cells import field_checks, is_unique

    widened = Widened()
    columns = {}
    for f in table.fields:
        checks = [pa.Check(lambda s, c=c: _series(c.test(arrow(s)) | s.isna().to_numpy(), s), error=c.rule, name=c.rule)
                  for c in field_checks(f, table.name, today, widened)]
        columns[f.name] = pa.Column(nullable=not f.required, unique=is_unique(table, f), checks=checks,
                                    required=False, coerce=False)
    return pa.DataFrameSchema(columns, strict=False, name=table.name)


def _series(values, like):
    import pandas as pd

    return pd.Series(values, index=like.index)
