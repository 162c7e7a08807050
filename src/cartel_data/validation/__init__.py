"""``validate()``: every check on a data package, in layers, collected into one report.

1. the descriptor and each schema (:mod:`.descriptor`);
2. each file's bytes and rows: encoding, BOM, line endings, header, row lengths (:mod:`..reading`);
3. each cell against its Table Schema, with Pandera (:mod:`.fields`);
4. rules across fields and tables (:mod:`.rules`).

Bad data never raises: it becomes a :class:`~cartel_data.report.Problem`.
Only a package that cannot be read at all raises :class:`~cartel_data.package.PackageError`.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from ..package import Package, PackageError
from ..report import WARNING, Problem, Report

__all__ = ["validate", "Report", "Problem", "PackageError"]


def _header_problems(raw, table) -> list[Problem]:
    expected = table.field_names
    got = raw.header
    if got == expected:
        return []
    out = []

    def err(message, col=None, value=None, hint=None):
        out.append(Problem(rule="header", message=message, file=raw.file, line=1, col=col, value=value, hint=hint))

    seen = set()
    for j, name in enumerate(got):
        if name in seen:
            err(f"column {name!r} appears twice in the header", col=j + 1, value=name)
        seen.add(name)
    missing = [c for c in expected if c not in got]
    extra = [c for c in got if c not in expected]
    import difflib

    for c in extra:
        close = difflib.get_close_matches(c, missing, n=1)
        err(f"column {c!r} is not in the schema", col=got.index(c) + 1, value=c,
            hint=f"renamed? the schema has {close[0]!r}" if close else "remove it or add it to the schema")
    for c in missing:
        err(f"column {c!r} of the schema is missing from the header", value=c)
    if not missing and not extra and len(seen) == len(got):
        err("columns are not in schema order", value=",".join(got), hint="expected: " + ",".join(expected))
    return out


def validate(path: str | Path | None = None, strict: bool = False, today: _dt.date | None = None) -> Report:
    """Validate the data package at ``path`` (a folder or descriptor; default: the working
    copy's ``./datapackage.json``, else the bundled package).

    >>> report = validate()
    >>> report.valid
    True
    """
    from .descriptor import check_descriptor
    from .fields import check_cells
    from .rules import Context, Table, run_all
    from ..reading import read_raw

    from ..dates import Widened

    pkg = Package(path)
    widened = Widened()
    report = Report(package=str(pkg.descriptor_path), strict=strict)
    problems, names = check_descriptor(pkg)
    report.extend(problems)
    tables = {}
    for name in names:
        try:
            res = pkg.resource(name)
        except PackageError as exc:
            report.add(Problem(rule="schema", message=str(exc), file=pkg.descriptor_path.name))
            continue
        raw = read_raw(res.path, res.rel_path)
        report.extend(raw.problems)
        report.tables[name] = raw.n_rows
        if raw.header:
            report.extend(_header_problems(raw, res.schema))
        if not raw.readable:
            report.add(Problem(rule="skipped", message="the table's rows could not be read reliably; its cells and references were not checked",
                               file=res.rel_path, severity=WARNING))
            continue
        if raw.n_rows == 0:
            report.add(Problem(rule="no-rows", message="the table has a header but no rows", file=res.rel_path, line=1,
                               hint="add the table's rows, or remove the resource from datapackage.json"))
        df = raw.frame(res.schema.field_names)
        report.extend(check_cells(raw, df, res.schema, today, widened))
        tables[name] = Table(schema=res.schema, raw=raw, df=df)
    report.extend(run_all(Context(tables, widened)))
    return report
