"""Finding and reading a data package: the descriptor, its resources and their schemas."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

from .schema import TableSchema

DESCRIPTOR = "datapackage.json"
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class PackageError(Exception):
    """The package cannot be read at all (missing, unreadable or malformed descriptor)."""


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
    if not p.is_file():
        raise PackageError(f"no data package descriptor at {p}")
    return p


def unsafe_path_reason(path: str) -> str | None:
    """Why a resource path may not be read, or None when it is a safe relative path."""
    if not isinstance(path, str) or not path:
        return "resource path must be a non-empty string"
    if _URL.match(path) or path.startswith("//"):
        return "remote or URL resource paths are refused; the validator reads only files inside the package folder"
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", path):
        return "absolute resource paths are refused; use a path relative to the descriptor"
    if ".." in PurePosixPath(path.replace("\\", "/")).parts:
        return "resource paths containing '..' are refused; the package may not read outside its folder"
    return None


def outside_reason(root: Path, rel: str) -> str | None:
    """Why ``root / rel`` may not be read because it leads outside ``root`` (a symbolic
    link to elsewhere), or None."""
    try:
        target = (root / rel).resolve()
        target.relative_to(root.resolve())
    except ValueError:
        return "the path leads outside the package folder (through a symbolic link); it is refused"
    except (OSError, RuntimeError) as exc:
        return f"the path cannot be resolved: {exc}"
    return None


@dataclass(frozen=True)
class Resource:
    name: str
    path: Path  # absolute path of the CSV
    rel_path: str  # as written in the descriptor
    schema: TableSchema


class Package:
    """A data package on disk. Construction reads only the descriptor."""

    def __init__(self, path: str | Path | None = None):
        self.descriptor_path = resolve_descriptor(path).resolve()
        self.root = self.descriptor_path.parent
        try:
            text = self.descriptor_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PackageError(f"cannot read {self.descriptor_path}: {exc}") from exc
        try:
            self.descriptor = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PackageError(f"{self.descriptor_path.name} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
        except RecursionError as exc:
            raise PackageError(f"{self.descriptor_path.name} is nested too deeply to read") from exc
        if not isinstance(self.descriptor, dict):
            raise PackageError(f"{self.descriptor_path.name} must hold a JSON object")

    @property
    def version(self) -> str | None:
        return self.descriptor.get("version")

    @property
    def resource_names(self) -> list[str]:
        return [r.get("name") for r in self.descriptor.get("resources", []) if isinstance(r, dict)]

    def resource(self, name: str) -> Resource:
        for r in self.descriptor.get("resources", []):
            if isinstance(r, dict) and r.get("name") == name:
                return self._make_resource(r)
        raise KeyError(f"no table named {name!r}; tables: {', '.join(self.resource_names)}")

    def _make_resource(self, r: dict) -> Resource:
        rel = r.get("path")
        reason = unsafe_path_reason(rel) or outside_reason(self.root, rel)
        if reason:
            raise PackageError(f"resource {r.get('name')!r}: {reason}: {rel!r}")
        schema = r.get("schema")
        if isinstance(schema, str):
            reason = unsafe_path_reason(schema) or outside_reason(self.root, schema)
            if reason:
                raise PackageError(f"resource {r.get('name')!r} schema: {reason}: {schema!r}")
            schema_path = self.root / schema
            try:
                ts = TableSchema.from_file(r["name"], schema_path, r.get("title", ""), r.get("description", ""))
            except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
                raise PackageError(f"resource {r.get('name')!r}: cannot read schema {schema}: {exc}") from exc
        elif isinstance(schema, dict):
            try:
                ts = TableSchema.from_dict(r["name"], schema, r.get("title", ""), r.get("description", ""))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise PackageError(f"resource {r.get('name')!r}: the inline schema cannot be read: {exc}") from exc
        else:
            raise PackageError(f"resource {r.get('name')!r} has no schema")
        return Resource(name=r["name"], path=self.root / rel, rel_path=rel, schema=ts)

    @cached_property
    def resources(self) -> dict[str, Resource]:
        return {n: self.resource(n) for n in self.resource_names}
