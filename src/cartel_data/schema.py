"""Table Schemas: the one place where columns are defined.

Everything else (the validator's cell checks, pandas dtypes, SQLite DDL, Excel cells, the
data dictionary) is derived from the objects in this module, read from ``schemas/*.json``
by :func:`read_schema`, which checks a schema and builds it in the same pass: a schema is
either returned whole or reported with its problems, never half read.

Custom field properties extend Frictionless Table Schema where it has no word:

``x-kind``
    ``partial_date``: a reduced ISO 8601 date (``1989``, ``1989-04``, ``1989-04-08``);
    ``country``: an ISO 3166-1 alpha-2 code.
``x-references``
    ``{"resource": ..., "field": ...}`` on a ``list`` field: every item must exist in that
    resource's field (Frictionless cannot declare a foreign key over a list field).
``x-notBefore``
    the name of another date field of the same row that this one may not precede
    (e.g. ``death_date`` is not before ``birth_date``).
``x-labels``
    on a field with an ``enum``: ``{value: label}``, the words a reader sees for a value.

>>> s, problems = read_schema("t", {"fields": [{"name": "id", "type": "string", "description": "Id."}],
...                                 "primaryKey": "id"}, file="t.json")
>>> s.primary_key, problems
(('id',), [])
>>> read_schema("t", {"fields": [{"name": "id", "type": "text"}]}, file="t.json")[0] is None
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field as _field
from functools import cached_property
from typing import Any

from .types import KINDS, TYPES


@dataclass(frozen=True)
class Field:
    """One column of a table, as declared in its Table Schema."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    unique: bool = False
    pattern: str | None = None
    enum: tuple[str, ...] | None = None
    labels: dict = _field(default_factory=dict, compare=False, hash=False)
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    kind: str | None = None
    delimiter: str = ","
    references: tuple[str, str] | None = None
    not_before: str | None = None
    true_values: tuple[str, ...] = ("true",)
    false_values: tuple[str, ...] = ("false",)

    @property
    def is_partial_date(self) -> bool:
        return self.kind == "partial_date"

    @property
    def is_list(self) -> bool:
        return self.type == "list"

    @property
    def spec(self):
        return TYPES[self.type]

    @property
    def label(self) -> str:
        """The type as the data dictionary names it."""
        if self.kind in KINDS:
            return KINDS[self.kind]
        return f"list (`{self.delimiter}`)" if self.is_list else self.spec.label

    def label_of(self, value) -> str:
        """The reader's words for an enum value (``x-labels``), else the value itself."""
        return self.labels.get(value, value) if value is not None else ""


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str  # "" means the same table
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    """A resource's schema: its fields, primary key and foreign keys."""

    name: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    title: str = ""
    description: str = ""

    @cached_property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    def __getitem__(self, name: str) -> Field:
        return self.by_name[name]


# -- reading and checking a schema in one pass -------------------------------------------

def _is_number(v) -> bool:
    import math

    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_count(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _names(v) -> tuple[str, ...] | None:
    """A field name or list of names as a tuple, or None when it is neither."""
    if isinstance(v, str):
        return (v,)
    if isinstance(v, list) and v and all(isinstance(x, str) for x in v):
        return tuple(v)
    return None


def _texts(v) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _dump(v, limit: int = 80) -> str:
    return json.dumps(v, ensure_ascii=False, default=str)[:limit]


#: constraint -> (test of its value, what the value must be)
CONSTRAINTS = {
    "required": (lambda v: isinstance(v, bool), "true or false"),
    "unique": (lambda v: isinstance(v, bool), "true or false"),
    "pattern": (lambda v: isinstance(v, str), "a regular expression string"),
    "enum": (lambda v: isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v), "a non-empty list of text values"),
    "minLength": (_is_count, "a whole number >= 0"),
    "maxLength": (_is_count, "a whole number >= 0"),
    "minimum": (_is_number, "a finite number"),
    "maximum": (_is_number, "a finite number"),
}


def pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used (by Python's re and by RE2, which runs the checks), or None."""
    import re
    import warnings

    try:
        with warnings.catch_warnings():  # e.g. "possible nested set": a pattern problem, not ours
            warnings.simplefilter("ignore")
            re.compile(pattern)
    except (re.error, OverflowError, RecursionError, ValueError) as exc:
        return str(exc) or type(exc).__name__
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        pc.match_substring_regex(pa.array([""]), f"^(?:{pattern})$")
    except pa.ArrowInvalid as exc:
        return str(exc)
    return None


class _Reader:
    """One pass over a schema's JSON: collects problems and builds the objects."""

    def __init__(self, file: str, where: str):
        self.file, self.where, self.problems = file, where, []

    def err(self, message: str, value=None, severity: str | None = None) -> None:
        from .catalogue import problem

        self.problems.append(problem("schema", self.where + message, file=self.file, value=value, severity=severity))

    @property
    def failed(self) -> bool:
        from .report import ERROR

        return any(p.severity == ERROR for p in self.problems)

    def field(self, f, names) -> Field | None:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            self.err("every field must be an object with a name", value=_dump(f))
            return None
        n, ftype = f["name"], f.get("type", "string")
        before = len(self.problems)
        if not isinstance(ftype, str) or ftype not in TYPES:
            self.err(f"field {n!r} has an unsupported type", value=str(ftype))
        self._description(f, n)
        c = self._constraints(f, n)
        self._field_properties(f, n, names)
        if any(p.severity == "error" for p in self.problems[before:]):
            return None
        ref = f.get("x-references")
        return Field(
            name=n, type=ftype, description=f.get("description", ""),
            required=c.get("required", False), unique=c.get("unique", False), pattern=c.get("pattern"),
            enum=tuple(c["enum"]) if "enum" in c else None, labels=dict(f.get("x-labels", {})),
            min_length=c.get("minLength"), max_length=c.get("maxLength"),
            minimum=c.get("minimum"), maximum=c.get("maximum"), kind=f.get("x-kind"),
            delimiter=f.get("delimiter", ","), references=(ref["resource"], ref["field"]) if ref else None,
            not_before=f.get("x-notBefore"),
            true_values=tuple(f.get("trueValues", ("true",))), false_values=tuple(f.get("falseValues", ("false",))),
        )

    def _description(self, f, n) -> None:
        if "description" in f and not isinstance(f["description"], str):
            self.err(f"field {n!r}: description must be text", value=_dump(f["description"]))
        elif not f.get("description"):
            self.err(f"field {n!r} has no description", severity="warning")

    def _constraints(self, f, n) -> dict:
        c = f.get("constraints", {})
        if not isinstance(c, dict):
            self.err(f"field {n!r}: constraints must be an object", value=str(c))
            return {}
        for key, (ok, what) in CONSTRAINTS.items():
            if key in c and not ok(c[key]):
                self.err(f"field {n!r}: constraint {key} must be {what}", value=_dump(c[key]))
        if isinstance(c.get("enum"), list) and len({_dump(x, 10**6) for x in c["enum"]}) != len(c["enum"]):
            self.err(f"field {n!r}: an enum value is listed twice", value=_dump(c["enum"]))
        if isinstance(c.get("pattern"), str):
            reason = pattern_error(c["pattern"])
            if reason:
                self.err(f"field {n!r} has an invalid pattern: {reason}", value=c["pattern"])
        return c

    def _field_properties(self, f, n, names) -> None:
        for key in ("trueValues", "falseValues"):
            if key in f and not _texts(f[key]):
                self.err(f"field {n!r}: {key} must be a list of strings", value=_dump(f[key]))
        if "delimiter" in f and not (isinstance(f["delimiter"], str) and len(f["delimiter"]) == 1):
            self.err(f"field {n!r}: delimiter must be one character", value=_dump(f["delimiter"]))
        if "x-kind" in f and not (isinstance(f["x-kind"], str) and f["x-kind"] in KINDS):
            self.err(f"field {n!r}: x-kind must be one of {', '.join(sorted(KINDS))}", value=str(f["x-kind"]))
        if "x-notBefore" in f and not (isinstance(f["x-notBefore"], str) and f["x-notBefore"] in names):
            self.err(f"field {n!r}: x-notBefore names unknown field {f['x-notBefore']!r}")
        ref = f.get("x-references")
        if ref is not None and not (isinstance(ref, dict) and isinstance(ref.get("resource"), str)
                                    and isinstance(ref.get("field"), str)):
            self.err(f"field {n!r}: x-references must be an object with resource and field", value=_dump(ref))
        labels = f.get("x-labels")
        if labels is not None and not (isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values())):
            self.err(f"field {n!r}: x-labels must be an object of text labels", value=_dump(labels))

    def primary_key(self, sd, names) -> tuple[str, ...]:
        pk = sd.get("primaryKey")
        if pk is not None and _names(pk) is None:
            self.err("primaryKey must be a field name or a list of field names", value=_dump(pk))
            return ()
        pk = _names(pk) or ()
        if not pk:
            self.err("the table has no primaryKey")
        for k in pk:
            if k not in names:
                self.err(f"primaryKey names unknown field {k!r}")
        if len(set(pk)) != len(pk):
            self.err("primaryKey names a field twice", value=_dump(list(pk)))
        return pk

    def foreign_keys(self, sd, names) -> list[ForeignKey]:
        fks = sd.get("foreignKeys", [])
        if not isinstance(fks, list):
            self.err("foreignKeys must be a list", value=_dump(fks))
            return []
        out, seen = [], set()
        for fk in fks:
            key = json.dumps(fk, sort_keys=True, ensure_ascii=False, default=str)
            if key in seen:
                self.err("a foreignKey is declared twice", value=key[:120])
                continue
            seen.add(key)
            ref = fk.get("reference") if isinstance(fk, dict) else None
            fields = _names(fk.get("fields")) if isinstance(fk, dict) else None
            rfields = _names(ref.get("fields")) if isinstance(ref, dict) else None
            if fields is None or rfields is None or not isinstance(ref.get("resource", ""), str):
                self.err("each foreignKey must be an object with fields and a reference {resource, fields}", value=key[:120])
                continue
            for k in fields:
                if k not in names:
                    self.err(f"foreignKey names unknown field {k!r}")
            out.append(ForeignKey(fields, ref.get("resource", ""), rfields))
        return out


def read_schema(name: str, sd: Any, *, file: str, where: str = "", title: str = "",
                description: str = "") -> tuple[TableSchema | None, list]:
    """Check and build the Table Schema ``sd`` of resource ``name``.

    Returns ``(schema, problems)``; ``schema`` is None when any problem is an error.
    Problems are reported against ``file``, their messages prefixed with ``where``."""
    r = _Reader(file, where)
    if not isinstance(sd, dict) or not isinstance(sd.get("fields"), list):
        r.err("a Table Schema must be an object with a list of fields")
        return None, r.problems
    names = [f["name"] for f in sd["fields"] if isinstance(f, dict) and isinstance(f.get("name"), str)]
    fields = [r.field(f, names) for f in sd["fields"]]
    if len(set(names)) != len(names):
        r.err("field names must be unique")
    if "missingValues" in sd and sd["missingValues"] != [""]:
        r.err('missingValues must be [""]: an empty cell is the only missing value (text such as "NA" is data)',
              value=_dump(sd["missingValues"]))
    pk = r.primary_key(sd, names)
    fks = r.foreign_keys(sd, names)
    if r.failed:
        return None, r.problems
    return TableSchema(name, tuple(fields), pk, tuple(fks), title, description), r.problems
