"""The errors a user can cause, each with the exit status the command line gives it.

Every command catches :class:`CartelDataError` in one place (``cli.CartelGroup``) and
prints its message as one line on standard error, then exits with ``exit_code``:
2 when the command could not run at all (a missing or malformed package, a refused
path, an output that exists), 1 when it ran and found the data or the request wanting
(invalid data for an export, an ambiguous name).
"""

from __future__ import annotations


class CartelDataError(Exception):
    """Something the user can fix; never a bug in cartel-data."""

    exit_code = 2

    def __str__(self) -> str:  # KeyError-style subclasses would otherwise quote the message
        return str(self.args[0]) if self.args else self.__class__.__name__


class PackageError(CartelDataError):
    """The package cannot be read at all (missing, unreadable or malformed descriptor or file)."""


class UnknownTable(CartelDataError, KeyError):
    """A table name the package does not have."""


class NotFound(CartelDataError, LookupError):
    """No person or organization matches, or the match is ambiguous."""

    exit_code = 1

    def __init__(self, message: str, candidates=()):
        super().__init__(message)
        self.candidates = list(candidates)


class UnsafePath(CartelDataError):
    """A path the tool refuses to read or write (outside the package, a device, a symlink...)."""


class OutputExists(CartelDataError, FileExistsError):
    """The output exists and ``--force`` was not given."""


class TooLarge(CartelDataError):
    """An input is over one of the documented size limits."""


class ExportError(CartelDataError):
    """The data cannot be written in the requested format without losing something."""

    exit_code = 1


class ReleaseError(CartelDataError):
    """The release cannot be built (invalid data, disagreeing versions...)."""

    exit_code = 1


class FormatError(CartelDataError):
    """A file cannot be put in canonical form without changing what it says."""


class MissingDependency(CartelDataError):
    """An optional library a command needs is not installed."""
