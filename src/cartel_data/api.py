"""The Python API that the command line is a thin layer over.

>>> from cartel_data import api
>>> api.tables()[:2]
['sources', 'persons']
"""

from __future__ import annotations

from pathlib import Path

from .errors import ExportError


def tables(path=None) -> list[str]:
    """Names of the tables in the package."""
    from .package import Package

    return Package(path).resource_names


def validate(path=None, strict: bool = False):
    """Validate a data package (folder, descriptor or release zip); returns a Report."""
    from .validation import validate as run

    return run(path, strict=strict)


def export(fmt: str, output, tables: list[str] | None = None, path=None, force: bool = False,
           check: bool = True) -> Path:
    """Write the package at ``path`` in format ``fmt`` to ``output``; returns the output path.

    ``tables`` limits the export to those tables (default: all). With ``check`` (the
    default) the package is validated first and invalid data is refused."""
    from .export import write
    from .records import read_package

    if check:
        report = validate(path)
        if report.errors:
            raise ExportError(f"the package is invalid ({len(report.errors)} error(s)); run `cartel-data validate` to see them")
    pkg, data = read_package(path, tables)
    return write(fmt, pkg, data, output, force=force)
