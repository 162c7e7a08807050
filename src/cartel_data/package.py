"""Finding and reading a data package: the descriptor, its resources and their schemas.

Every command finds its package the same way (:func:`resolve_descriptor`): the path it is
given (a folder holding ``datapackage.json``, the descriptor itself, or a release zip for the
commands that read zips), else ``./datapackage.json`` when the working directory holds one,
else the package bundled with this installation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import PackageError, UnknownTable
from .files import MAX_JSON_BYTES, kind_reason, path_reason, outside_reason, read_bytes, read_reason
from .schema import TableSchema, read_schema

DESCRIPTOR = "datapackage.json"

__all__ = ["Package", "PackageError", "Resource", "bundled_root", "resolve_descriptor", "DESCRIPTOR"]


def bundled_root() -> Path:
    """Folder of the data package shipped with this installation.

    In a wheel the package sits in ``cartel_data/package/``; in a source checkout
    (editable install) it is the repository root.
    """
    here = Path(__file__).resolve().parent
    inside = here / "package"
    if (inside / DESCRIPTOR).is_file():
        return inside
    return here.parent.parent


def resolve_descriptor(path: str | Path | None = None) -> Path:
    """Path of the descriptor for ``path``: a folder holding ``datapackage.json`` or the
    descriptor itself. Without ``path``: ``./datapackage.json`` if present, else the bundled one."""
    if path is None:
        local = Path.cwd() / DESCRIPTOR
        return local if local.is_file() else bundled_root() / DESCRIPTOR
    p = Path(path)
    if p.is_dir():
        p = p / DESCRIPTOR
    if not p.exists():
        raise PackageError(f"no data package descriptor at {p}")
    reason = kind_reason(p, MAX_JSON_BYTES)
    if reason:
        raise PackageError(f"cannot read {p}: {reason}")
    return p


@dataclass(frozen=True)
class Resource:
    name: str
    path: Path  # absolute path of the CSV
    rel_path: str  # as written in the descriptor
    schema: TableSchema


def load_json(data: bytes, name: str):
    """JSON text as Python values, or PackageError in one line."""
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PackageError(f"{name} is not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise PackageError(f"{name} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    except RecursionError as exc:
        raise PackageError(f"{name} is nested too deeply to read") from exc


class Package:
    """A data package on disk. Construction reads only the descriptor; each schema is read
    and checked once, on first use."""

    def __init__(self, path: str | Path | None = None):
        self.descriptor_path = resolve_descriptor(path).resolve()
        self.root = self.descriptor_path.parent
        try:
            data = read_bytes(self.descriptor_path, MAX_JSON_BYTES)
        except OSError as exc:
            raise PackageError(f"cannot read {self.descriptor_path}: {exc.strerror or exc}") from exc
        self.descriptor = load_json(data, self.descriptor_path.name)
        if not isinstance(self.descriptor, dict):
            raise PackageError(f"{self.descriptor_path.name} must hold a JSON object")
        self._schemas: dict[str, tuple] = {}

    @property
    def version(self) -> str | None:
        v = self.descriptor.get("version")
        return v if isinstance(v, str) else None

    @cached_property
    def resource_entries(self) -> list[dict]:
        res = self.descriptor.get("resources", [])
        return [r for r in res if isinstance(r, dict)] if isinstance(res, list) else []

    @property
    def resource_names(self) -> list[str]:
        return [r["name"] for r in self.resource_entries if isinstance(r.get("name"), str)]

    def entry(self, name: str) -> dict:
        for r in self.resource_entries:
            if r.get("name") == name:
                return r
        raise UnknownTable(f"no table named {name!r}; tables: {', '.join(self.resource_names)}")

    def schema(self, name: str) -> tuple[TableSchema | None, list]:
        """``(schema, problems)`` of resource ``name``, read and checked once."""
        if name not in self._schemas:
            self._schemas[name] = self._read_schema(self.entry(name))
        return self._schemas[name]

    def _read_schema(self, r: dict) -> tuple[TableSchema | None, list]:
        from .catalogue import problem

        name, schema = r["name"], r.get("schema")
        file = self.descriptor_path.name
        title, desc = r.get("title", ""), r.get("description", "")
        if isinstance(schema, dict):
            return read_schema(name, schema, file=file, where=f"resource {name!r} inline schema: ",
                               title=title if isinstance(title, str) else "", description=desc if isinstance(desc, str) else "")
        if not isinstance(schema, str):
            return None, [problem("schema", f"resource {name!r} has no schema", file=file)]
        reason = path_reason(schema) or outside_reason(self.root, schema)
        if reason:
            return None, [problem("resource-path", f"resource {name!r} schema: {reason}", file=file, value=schema)]
        path = self.root / schema
        if not path.exists():
            return None, [problem("schema", f"resource {name!r}: schema file {schema} does not exist", file=file)]
        try:
            reason = kind_reason(path, MAX_JSON_BYTES)
            if reason:
                raise PackageError(reason)
            sd = load_json(read_bytes(path, MAX_JSON_BYTES), schema)
        except (OSError, PackageError) as exc:
            return None, [problem("schema", f"resource {name!r}: schema {schema} cannot be read: {exc}", file=file)]
        return read_schema(name, sd, file=schema, title=title if isinstance(title, str) else "",
                           description=desc if isinstance(desc, str) else "")

    def resource(self, name: str) -> Resource:
        """The resource ``name`` with its schema; PackageError when it cannot be used."""
        r = self.entry(name)
        rel = r.get("path")
        reason = read_reason(self.root, rel) if isinstance(rel, str) else "each resource needs a single path string"
        if reason:
            raise PackageError(f"resource {name!r}: {reason}: {rel!r}")
        schema, problems = self.schema(name)
        if schema is None:
            first = next(p for p in problems if p.severity == "error")
            raise PackageError(f"resource {name!r}: {first.message}")
        return Resource(name=name, path=self.root / rel, rel_path=rel, schema=schema)

    @cached_property
    def resources(self) -> dict[str, Resource]:
        return {n: self.resource(n) for n in self.resource_names}

    def portable(self, names=None) -> tuple[dict, dict[str, bytes]]:
        """The descriptor laid out as exports and downloads write it, with the schema files it
        names: each table at ``data/<name>.csv`` and its schema (inline or not) at
        ``schemas/<name>.json``. Returns ``(descriptor, {schema path: bytes})``."""
        from .files import MAX_TEXT_BYTES, read_package_file

        desc = json.loads(json.dumps(self.descriptor))
        keep = set(self.resource_names if names is None else names)
        desc["resources"] = [r for r in desc.get("resources", []) if r.get("name") in keep]
        schemas = {}
        for r in desc["resources"]:
            name, schema = r["name"], r.get("schema")
            rel = f"schemas/{name}.json"
            schemas[rel] = (read_package_file(self.root, schema, MAX_TEXT_BYTES) if isinstance(schema, str)
                            else (json.dumps(schema, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
            r["path"], r["schema"] = f"data/{name}.csv", rel
        return desc, schemas
