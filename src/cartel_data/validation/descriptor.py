"""Checks on ``datapackage.json`` itself and on each resource's schema."""

from __future__ import annotations

import json
import re

from ..package import Package, outside_reason, unsafe_path_reason
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
        reason = (unsafe_path_reason(path) or outside_reason(pkg.root, path)) if isinstance(path, str) \
            else "each resource needs a single path string"
        if reason:
            err("resource-path", f"resource {name!r}: {reason}", value=str(path))
            continue
        schema = r.get("schema")
        if isinstance(schema, str):
            reason = unsafe_path_reason(schema) or outside_reason(pkg.root, schema)
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
            problems = _check_schema(schema, sd)
        elif isinstance(schema, dict):
            problems = _check_schema(file, schema, where=f"resource {name!r} inline schema: ")
        else:
            err("schema", f"resource {name!r} has no schema")
            continue
        out.extend(problems)
        if any(p.severity != WARNING for p in problems):
            continue  # the table is not checked against a schema that is itself wrong
        ok.append(name)
    return out, ok


KINDS = {"partial_date", "country"}


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_count(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _is_names(v) -> bool:
    return isinstance(v, str) or (isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v))


def _is_texts(v) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


#: constraint -> (test of its value, what the value must be)
CONSTRAINTS = {
    "required": (lambda v: isinstance(v, bool), "true or false"),
    "unique": (lambda v: isinstance(v, bool), "true or false"),
    "pattern": (lambda v: isinstance(v, str), "a regular expression string"),
    "enum": (lambda v: isinstance(v, list) and bool(v) and all(isinstance(x, (str, int, float)) for x in v), "a non-empty list of values"),
    "minLength": (_is_count, "a whole number >= 0"),
    "maxLength": (_is_count, "a whole number >= 0"),
    "minimum": (_is_number, "a number"),
    "maximum": (_is_number, "a number"),
}


def pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used (by Python's re and by RE2, which runs the checks), or None."""
    try:
        re.compile(pattern)
    except re.error as exc:
        return str(exc)
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        pc.match_substring_regex(pa.array([""]), f"^(?:{pattern})$")
    except pa.ArrowInvalid as exc:
        return str(exc)
    return None


def _check_schema(file: str, sd, where: str = "") -> list[Problem]:
    """Problems in one Table Schema: its shape and the type of every value the validator uses."""
    out = []

    def err(message, value=None, severity="error"):
        out.append(Problem(rule="schema", message=where + message, file=file, value=value, severity=severity))

    if not isinstance(sd, dict) or not isinstance(sd.get("fields"), list):
        err("a Table Schema must be an object with a list of fields")
        return out
    names = [f["name"] for f in sd["fields"] if isinstance(f, dict) and isinstance(f.get("name"), str)]
    for f in sd["fields"]:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            err("every field must be an object with a name", value=json.dumps(f, ensure_ascii=False)[:80])
            continue
        n = f["name"]
        if f.get("type", "string") not in FIELD_TYPES:
            err(f"field {n!r} has an unsupported type", value=str(f.get("type")))
        if not f.get("description"):
            err(f"field {n!r} has no description", severity=WARNING)
        c = f.get("constraints", {})
        if not isinstance(c, dict):
            err(f"field {n!r}: constraints must be an object", value=str(c))
            c = {}
        for key, (ok, what) in CONSTRAINTS.items():
            if key in c and not ok(c[key]):
                err(f"field {n!r}: constraint {key} must be {what}", value=json.dumps(c[key], ensure_ascii=False))
        if isinstance(c.get("pattern"), str):
            reason = pattern_error(c["pattern"])
            if reason:
                err(f"field {n!r} has an invalid pattern: {reason}", value=c["pattern"])
        for key in ("trueValues", "falseValues"):
            if key in f and not _is_texts(f[key]):
                err(f"field {n!r}: {key} must be a list of strings", value=json.dumps(f[key], ensure_ascii=False))
        if "delimiter" in f and not (isinstance(f["delimiter"], str) and len(f["delimiter"]) == 1):
            err(f"field {n!r}: delimiter must be one character", value=json.dumps(f["delimiter"], ensure_ascii=False))
        if "x-kind" in f and f["x-kind"] not in KINDS:
            err(f"field {n!r}: x-kind must be one of {', '.join(sorted(KINDS))}", value=str(f["x-kind"]))
        if "x-notBefore" in f and f["x-notBefore"] not in names:
            err(f"field {n!r}: x-notBefore names unknown field {f['x-notBefore']!r}")
        ref = f.get("x-references")
        if ref is not None and not (isinstance(ref, dict) and isinstance(ref.get("resource"), str) and isinstance(ref.get("field"), str)):
            err(f"field {n!r}: x-references must be an object with resource and field", value=json.dumps(ref, ensure_ascii=False))
    if len(set(names)) != len(names):
        err("field names must be unique")
    pk = sd.get("primaryKey")
    if pk is not None and not _is_names(pk):
        err("primaryKey must be a field name or a list of field names", value=json.dumps(pk, ensure_ascii=False))
        pk = None
    pk = [pk] if isinstance(pk, str) else (pk or [])
    if not pk:
        err("the table has no primaryKey")
    for k in pk:
        if k not in names:
            err(f"primaryKey names unknown field {k!r}")
    fks = sd.get("foreignKeys", [])
    if not isinstance(fks, list):
        err("foreignKeys must be a list", value=json.dumps(fks, ensure_ascii=False))
        fks = []
    for fk in fks:
        ref = fk.get("reference") if isinstance(fk, dict) else None
        if not (isinstance(fk, dict) and _is_names(fk.get("fields")) and isinstance(ref, dict)
                and isinstance(ref.get("resource", ""), str) and _is_names(ref.get("fields"))):
            err("each foreignKey must be an object with fields and a reference {resource, fields}",
                value=json.dumps(fk, ensure_ascii=False)[:120])
            continue
        flds = fk["fields"]
        for k in [flds] if isinstance(flds, str) else flds:
            if k not in names:
                err(f"foreignKey names unknown field {k!r}")
    return out
