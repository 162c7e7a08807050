"""cartel-data: a sourced open dataset on the history of Mexican drug cartels.

>>> import cartel_data
>>> persons = cartel_data.load("persons")
>>> "per-rafael-caro-quintero" in set(persons["person_id"])
True

Heavy libraries (pandas, pyarrow) are imported only when a function needs them, so
importing this package and running ``cartel-data --help`` stay fast. Every function that
takes a ``path`` finds the package the same way: the path given (a folder, a descriptor,
or for ``validate`` a release zip), else ``./datapackage.json``, else the bundled data.
"""

from __future__ import annotations

__all__ = ["__version__", "load", "load_all", "validate", "tables", "export", "Package", "pandera_schema"]


def load(name: str, path=None):
    """Load one table as a pandas DataFrame with deliberate dtypes (see :mod:`cartel_data.loading`)."""
    from .loading import load as _load

    return _load(name, path)


def load_all(path=None) -> dict:
    """Load every table: ``{name: DataFrame}`` in descriptor order."""
    from .loading import load_all as _load_all

    return _load_all(path)


def tables(path=None) -> list[str]:
    """Names of the tables in the package."""
    from .api import tables as _tables

    return _tables(path)


def validate(path=None, strict: bool = False):
    """Validate a data package; returns a :class:`cartel_data.report.Report`."""
    from .api import validate as _validate

    return _validate(path, strict=strict)


def export(fmt: str, output, tables=None, path=None, force: bool = False):
    """Validate, then write the package in format ``fmt`` (see :func:`cartel_data.api.export`)."""
    from .api import export as _export

    return _export(fmt, output, tables=tables, path=path, force=force)


def pandera_schema(table: str, path=None):
    """A Pandera schema for the text cells of ``table``, from the validator's own checks."""
    from .package import Package
    from .validation import pandera_schema as _schema

    return _schema(Package(path).resource(table).schema)


def __getattr__(name):
    if name == "__version__":  # read from the descriptor on first use, not at import
        from ._version import __version__

        return __version__
    if name == "Package":
        from .package import Package

        return Package
    raise AttributeError(name)
