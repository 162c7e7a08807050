"""Canonical CSV form: ``cartel-data fmt``.

Canonical means: columns in schema order (columns the schema does not know are kept, after
them), rows sorted by primary key, every cell Unicode NFC with surrounding white space
removed, minimal quoting, LF line endings and a final newline, UTF-8 without BOM.
Formatting is idempotent: formatting a canonical file changes nothing.

``fmt`` never changes what a file says: it reads files with the validator's own reader and
refuses (exit 2, with the file and line) any file whose rows cannot be split reliably
(bad encoding, unbalanced quotes, ragged rows, a NUL byte) or whose header repeats a name.
It fixes only what has one meaning: a BOM, CR or CRLF line ends, blank lines, a missing final
newline, cell and header spacing, Unicode normalisation and order.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

from .errors import CartelDataError, FormatError
from .files import atomic_output
from .package import Package
from .reading import STRUCTURE_RULES, read_raw

__all__ = ["FormatError", "FormatResult", "canonical_text", "format_package"]


def _clean(cell: str | None) -> str:
    return "" if cell is None else unicodedata.normalize("NFC", cell).strip()


def canonical_text(res) -> str:
    """The canonical text of a resource's file; FormatError when it cannot be made without guessing."""
    raw = read_raw(res.path, res.rel_path)
    bad = next((p for p in raw.problems if p.rule in STRUCTURE_RULES), None)
    if bad is not None or not raw.readable or raw.table is None:
        where = bad.location() if bad else res.rel_path
        raise FormatError(f"{where}: {bad.message if bad else 'the rows cannot be read'}; fix it by hand "
                          "(fmt only rewrites files whose cells it can read unambiguously)")
    header = [_clean(h) for h in raw.header]
    if len(set(header)) != len(header):
        raise FormatError(f"{res.rel_path}:1: duplicate column names in the header")
    known = res.schema.field_names
    order = [c for c in known if c in header] + [c for c in header if c not in known]
    source = {h: raw.header[j] for j, h in enumerate(header)}
    cols = [[_clean(x) for x in raw.table.column(source[c]).to_pylist()] for c in order]
    body = [list(r) for r in zip(*cols)] if cols else []
    pk = [order.index(k) for k in res.schema.primary_key if k in order]
    body.sort(key=lambda r: tuple(r[i] for i in pk))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(order)
    w.writerows(body)
    return out.getvalue()


@dataclass
class FormatResult:
    changed: list[str]  # resource paths that are (or were) not canonical
    errors: list[str]


def format_package(path=None, check: bool = False) -> FormatResult:
    """Rewrite every CSV of the package in canonical form (or, with ``check``, only list the
    files that are not)."""
    pkg = Package(path)
    changed, errors = [], []
    for name in pkg.resource_names:
        try:
            res = pkg.resource(name)
            new = canonical_text(res).encode("utf-8")
        except CartelDataError as exc:  # FormatError, or a resource that cannot be used at all
            errors.append(str(exc))
            continue
        if res.path.read_bytes() != new:
            changed.append(res.rel_path)
            if not check:
                with atomic_output(res.path.resolve(), force=True) as tmp:
                    tmp.write_bytes(new)
    return FormatResult(changed, errors)
