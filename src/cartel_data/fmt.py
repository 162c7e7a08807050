"""Canonical CSV form: ``cartel-data fmt``.

Canonical means: columns in schema order (columns the schema does not know are kept, after
them), rows sorted by primary key, every cell Unicode NFC with surrounding white space
removed, minimal quoting, LF line endings and a final newline, UTF-8 without BOM.
Formatting is idempotent: formatting a canonical file changes nothing.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .package import Package


class FormatError(Exception):
    """A file cannot be put in canonical form without guessing (e.g. ragged rows)."""


def _clean(cell: str) -> str:
    return unicodedata.normalize("NFC", cell).strip()


def canonical_text(path: Path, schema) -> str:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    rows = [r for r in csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"), newline="")) if r]
    if not rows:
        raise FormatError(f"{path}: no header row")
    header = [_clean(h) for h in rows[0]]
    if len(set(header)) != len(header):
        raise FormatError(f"{path}: duplicate column names in the header")
    for n, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise FormatError(f"{path}: a row has {len(r)} cells but the header has {len(header)} (row {n})")
    order = [c for c in schema.field_names if c in header] + [c for c in header if c not in schema.field_names]
    idx = [header.index(c) for c in order]
    body = [[_clean(r[i]) for i in idx] for r in rows[1:]]
    pk = [order.index(k) for k in schema.primary_key if k in order]
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
            new = canonical_text(res.path, res.schema)
        except (FormatError, OSError) as exc:
            errors.append(str(exc))
            continue
        if res.path.read_bytes() != new.encode("utf-8"):
            changed.append(res.rel_path)
            if not check:
                tmp = res.path.with_name(f".{res.path.name}.fmt-tmp")
                tmp.write_bytes(new.encode("utf-8"))
                tmp.replace(res.path)
    return FormatResult(changed, errors)
