"""cartel-data: a sourced open dataset on the history of Mexican drug cartels.

>>> import cartel_data
>>> persons = cartel_data.load("persons")
>>> "per-rafael-caro-quintero" in set(persons["person_id"])
True

Heavy libraries (pandas, pandera, frictionless) are imported only when a function
needs them, so importing this package and running ``cartel-data --help`` stay fast.
"""

from __future__ import annotations

__all__ = ["__version__", "load", "load_all", "validate", "tables", "Package"]


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
    from .package import Package

    return Package(path).resource_names


def validate(path=None, strict: bool = False):
    """Validate a data package; returns a :class:`cartel_data.report.Report`."""
    from .validation import validate as _validate

    return _validate(path, strict=strict)


def __getattr__(name):
    if name == "__version__":  # read from the descriptor on first use, not at import
        from ._version import __version__

        return __version__
    if name == "Package":
        from .package import Package

        return Package
    raise AttributeError(name)
