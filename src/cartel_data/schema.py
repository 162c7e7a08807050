"""Table Schemas: the one place where columns are defined.

Everything else (Pandera checks, pandas dtypes, SQLite DDL, the data dictionary)
is derived from the objects in this module, which are read from ``schemas/*.json``.

Two custom field properties extend Frictionless Table Schema where it has no word:

``x-kind``
    ``partial_date``: a reduced ISO 8601 date (``1989``, ``1989-04``, ``1989-04-08``);
    ``country``: an ISO 3166-1 alpha-2 code.
``x-references``
    ``{"resource": ..., "field": ...}`` on a ``list`` field: every item must exist in that
    resource's field (Frictionless cannot declare a foreign key over a list field).
``x-notBefore``
    the name of another date field of the same row that this one may not precede
    (e.g. ``death_date`` is not before ``birth_date``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any


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
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    kind: str | None = None
    delimiter: str | None = None
    references: tuple[str, str] | None = None
    not_before: str | None = None
    true_values: tuple[str, ...] = ("true",)
    false_values: tuple[str, ...] = ("false",)
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Field":
        c = d.get("constraints", {}) or {}
        ref = d.get("x-references")
        enum = c.get("enum")
        return cls(
            name=d["name"],
            type=d.get("type", "string"),
            description=d.get("description", ""),
            required=bool(c.get("required", False)),
            unique=bool(c.get("unique", False)),
            pattern=c.get("pattern"),
            enum=tuple(str(v) for v in enum) if enum is not None else None,
            min_length=c.get("minLength"),
            max_length=c.get("maxLength"),
            minimum=c.get("minimum"),
            maximum=c.get("maximum"),
            kind=d.get("x-kind"),
            delimiter=d.get("delimiter", ",") if d.get("type") == "list" else None,
            references=(ref["resource"], ref["field"]) if ref else None,
            not_before=d.get("x-notBefore"),
            true_values=tuple(d.get("trueValues", ("true",))),
            false_values=tuple(d.get("falseValues", ("false",))),
            raw=d,
        )

    @property
    def is_partial_date(self) -> bool:
        return self.kind == "partial_date"

    @property
    def is_list(self) -> bool:
        return self.type == "list"


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
    missing_values: tuple[str, ...] = ("",)

    @classmethod
    def from_dict(cls, name: str, d: dict[str, Any], title: str = "", description: str = "") -> "TableSchema":
        pk = d.get("primaryKey", [])
        pk = (pk,) if isinstance(pk, str) else tuple(pk)
        fks = []
        for fk in d.get("foreignKeys", []) or []:
            flds = fk["fields"]
            ref = fk["reference"]
            rflds = ref["fields"]
            fks.append(
                ForeignKey(
                    fields=(flds,) if isinstance(flds, str) else tuple(flds),
                    resource=ref.get("resource", ""),
                    reference_fields=(rflds,) if isinstance(rflds, str) else tuple(rflds),
                )
            )
        return cls(
            name=name,
            fields=tuple(Field.from_dict(f) for f in d.get("fields", [])),
            primary_key=pk,
            foreign_keys=tuple(fks),
            title=title,
            description=description,
            missing_values=tuple(d.get("missingValues", [""])),
        )

    @classmethod
    def from_file(cls, name: str, path: Path, title: str = "", description: str = "") -> "TableSchema":
        with open(path, encoding="utf-8") as fh:
            return cls.from_dict(name, json.load(fh), title, description)

    @cached_property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    def __getitem__(self, name: str) -> Field:
        return self.by_name[name]

    @property
    def id_field(self) -> str:
        """The single primary-key column (every table of this package has one)."""
        return self.primary_key[0]
