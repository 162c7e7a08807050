"""Checks on ``datapackage.json`` itself and on each resource's schema."""

from __future__ import annotations

import json
import re

from ..package import Package, unsafe_path_reason
from ..report import WARNING, Problem

REQUIRED_KEYS = ("name", "version", "licenses", "resources")
SEMVER = re.compile(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?")
FIELD_TYPES = {"string", "integer", "number", "boolean", "date", "list"}


def check_descriptor(pkg: Package) -> tuple[list[Problem], list[str]]:
    """Problems in the descriptor, and the names of the resources that can be checked further."""
    file = pkg.descriptor_path.name
    d = pkg.descriptor
    out: list[Problem] = []

    def err(rule, message, severity="error", value=None, hint=None):
        out.append(Problem(rule=rule, message=message, file=file, severity=severity, value=value, hint=hint))

    for key in REQUIRED_KEYS:
        if key not in d:
            err("descriptor", f"the descriptor has no '{key}'")
    if "version" in d and not (isinstance(d["version"], str) and SEMVER.fullmatch(d["version"])):
        err("descriptor", "version must be a semantic version (MAJOR.MINOR.PATCH)", value=str(d["version"]))
    resources = d.get("resources", [])
    if not isinstance(resources, list) or not resources:
        err("descriptor", "resources must be a non-empty list")
        return out, []
    ok: list[str] = []
    names = set()
    for i, r in enumerate(resources):
        if not isinstance(r, dict) or not isinstance(r.get("name"), str):
            err("descriptor", f"resource #{i + 1} has no name")
            continue
        name = r["name"]
        if name in names:
            err("descriptor", f"resource name {name!r} is used twice")
            continue
        names.add(name)
        path = r.get("path")
        reason = unsafe_path_reason(path) if isinstance(path, str) else "each resource needs a single path string"
        if reason:
            err("resource-path", f"resource {name!r}: {reason}", value=str(path))
            continue
        schema = r.get("schema")
        if isinstance(schema, str):
            reason = unsafe_path_reason(schema)
            if reason:
                err("resource-path", f"resource {name!r} schema: {reason}", value=schema)
                continue
            spath = pkg.root / schema
            try:
                sd = json.loads(spath.read_text(encoding="utf-8"))
            except FileNotFoundError:
                err("schema", f"resource {name!r}: schema file {schema} does not exist")
                continue
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                err("schema", f"resource {name!r}: schema {schema} cannot be read: {exc}")
                continue
            out.extend(_check_schema(schema, sd))
            if not isinstance(sd, dict) or not isinstance(sd.get("fields"), list):
                continue
        elif not isinstance(schema, dict):
            err("schema", f"resource {name!r} has no schema")
            continue
        ok.append(name)
    return out, ok


def _check_schema(file: str, sd) -> list[Problem]:
    out = []

    def err(message, value=None, severity="error"):
        out.append(Problem(rule="schema", message=message, file=file, value=value, severity=severity))

    if not isinstance(sd, dict) or not isinstance(sd.get("fields"), list):
        err("a Table Schema must be an object with a list of fields")
        return out
    names = []
    for f in sd["fields"]:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            err("every field needs a name")
            continue
        names.append(f["name"])
        if f.get("type", "string") not in FIELD_TYPES:
            err(f"field {f['name']!r} has an unsupported type", value=str(f.get("type")))
        if not f.get("description"):
            err(f"field {f['name']!r} has no description", severity=WARNING)
        pattern = (f.get("constraints") or {}).get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                err(f"field {f['name']!r} has an invalid pattern: {exc}", value=pattern)
    if len(set(names)) != len(names):
        err("field names must be unique")
    pk = sd.get("primaryKey")
    pk = [pk] if isinstance(pk, str) else (pk or [])
    if not pk:
        err("the table has no primaryKey")
    for k in pk:
        if k not in names:
            err(f"primaryKey names unknown field {k!r}")
    for fk in sd.get("foreignKeys", []) or []:
        flds = fk.get("fields")
        for k in [flds] if isinstance(flds, str) else (flds or []):
            if k not in names:
                err(f"foreignKey names unknown field {k!r}")
    return out
