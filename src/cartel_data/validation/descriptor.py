"""Checks on ``datapackage.json`` itself and on each resource's schema."""

from __future__ import annotations

import json
import re

from ..package import Package, outside_reason, unsafe_path_reason
from ..report import WARNING, Problem

REQUIRED_KEYS = ("name", "version", "licenses", "resources")
SEMVER = re.compile(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?")
FIELD_TYPES = {"string", "integer", "number", "boolean", "date", "list"}


#: Table names must be plain identifiers: they become file names (Parquet), SQLite tables
#: and Excel sheets (at most 31 characters, and not the workbook's own sheets).
TABLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}")


def _reserved_tables() -> set[str]:
    """Names the exports use for their own tables and sheets (lowercase; sheet names ignore case)."""
    from ..export.sqlite import DERIVED_TABLES
    from ..export.xlsx import EXTRA_SHEETS

    return {n.lower() for n in DERIVED_TABLES + EXTRA_SHEETS}


#: Descriptor keys whose values must be text, and those that must be lists of text.
TEXT_KEYS = ("name", "title", "description", "homepage", "version", "created")
TEXT_LIST_KEYS = ("keywords",)


def _bad_text(obj, path: str = "") -> str | None:
    """The path of the first string in ``obj`` that UTF-8 cannot encode (a lone surrogate)."""
    if isinstance(obj, str):
        try:
            obj.encode("utf-8")
        except UnicodeEncodeError:
            return path or "(root)"
    elif isinstance(obj, dict):
        for k, v in obj.items():
            found = _bad_text(k, path) or _bad_text(v, f"{path}.{k}" if path else str(k))
            if found:
                return found
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            found = _bad_text(v, f"{path}[{i}]")
            if found:
                return found
    return None


def _load_json(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def check_descriptor(pkg: Package) -> tuple[list[Problem], list[str]]:
    """Problems in the descriptor, and the names of the resources that can be checked further."""
    file = pkg.descriptor_path.name
    d = pkg.descriptor
    out: list[Problem] = []

    def err(rule, message, severity="error", value=None, hint=None):
        out.append(Problem(rule=rule, message=message, file=file, severity=severity, value=value, hint=hint))

    bad = _bad_text(d)
    if bad:
        err("descriptor", f"text at {bad} holds an unpaired surrogate escape (\\ud800-\\udfff), which is not Unicode text")
        return out, []
    for key in REQUIRED_KEYS:
        if key not in d:
            err("descriptor", f"the descriptor has no '{key}'")
    if "version" in d and not (isinstance(d["version"], str) and SEMVER.fullmatch(d["version"])):
        err("descriptor", "version must be a semantic version (MAJOR.MINOR.PATCH)", value=str(d["version"]))
    for key in TEXT_KEYS:
        if key in d and not isinstance(d[key], str):
            err("descriptor", f"{key} must be text", value=json.dumps(d[key], ensure_ascii=False)[:80])
    for key in TEXT_LIST_KEYS:
        if key in d and not (isinstance(d[key], list) and all(isinstance(x, str) for x in d[key])):
            err("descriptor", f"{key} must be a list of text", value=json.dumps(d[key], ensure_ascii=False)[:80])
    lic = d.get("licenses", [])
    if not (isinstance(lic, list) and all(isinstance(x, dict) and all(isinstance(v, str) for v in x.values()) for x in lic)):
        err("descriptor", "licenses must be a list of objects with text values (name, path, title)",
            value=json.dumps(lic, ensure_ascii=False)[:80])
    resources = d.get("resources", [])
    if not isinstance(resources, list) or not resources:
        err("descriptor", "resources must be a non-empty list")
        return out, []
    ok: list[str] = []
    names = set()
    schemas: dict[str, dict] = {}
    reserved = _reserved_tables()
    for i, r in enumerate(resources):
        if not isinstance(r, dict) or not isinstance(r.get("name"), str):
            err("descriptor", f"resource #{i + 1} has no name")
            continue
        name = r["name"]
        if name in names:
            err("descriptor", f"resource name {name!r} is used twice")
            continue
        names.add(name)
        if not TABLE_NAME.fullmatch(name) or name.lower() in reserved or name.startswith("sqlite_"):
            err("descriptor", f"resource name {name!r} cannot be a table name", value=name,
                hint="lowercase letters, digits and _, starting with a letter, at most 31 characters; not "
                     + ", ".join(sorted(reserved)) + " or sqlite_...")
            continue
        for key in ("title", "description"):
            if key in r and not isinstance(r[key], str):
                err("descriptor", f"resource {name!r}: {key} must be text", value=json.dumps(r[key], ensure_ascii=False)[:80])
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
                sd = _load_json(spath)
            except FileNotFoundError:
                err("schema", f"resource {name!r}: schema file {schema} does not exist")
                continue
            except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
                reason = "it is nested too deeply" if isinstance(exc, RecursionError) else str(exc)
                err("schema", f"resource {name!r}: schema {schema} cannot be read: {reason}")
                continue
            problems = _check_schema(schema, sd)
        elif isinstance(schema, dict):
            sd = schema
            problems = _check_schema(file, schema, where=f"resource {name!r} inline schema: ")
        else:
            err("schema", f"resource {name!r} has no schema")
            continue
        out.extend(problems)
        if any(p.severity != WARNING for p in problems):
            continue  # the table is not checked against a schema that is itself wrong
        schemas[name] = sd
        ok.append(name)
    bad_refs = _check_references(schemas, file, out)
    return out, [n for n in ok if n not in bad_refs]


def _keys(v) -> list:
    return [v] if isinstance(v, str) else list(v or [])


def _check_references(schemas: dict[str, dict], file: str, out: list[Problem]) -> set[str]:
    """Each foreign key points at another table's primary key (or a unique field), with as
    many fields as it names. Returns the tables with a wrong foreign key."""
    bad = set()
    for name, sd in schemas.items():
        for fk in sd.get("foreignKeys", []) or []:
            ref = fk["reference"]
            target = ref.get("resource") or name
            fields, rfields = _keys(fk["fields"]), _keys(ref["fields"])
            problem = None
            if len(fields) != len(rfields):
                problem = f"foreign key {fields} names {len(fields)} field(s) but references {len(rfields)}"
            elif target not in schemas:
                problem = f"foreign key {fields} references table {target!r}, which is not a checked table of the package"
            else:
                tsd = schemas[target]
                unique = {f["name"] for f in tsd["fields"] if (f.get("constraints") or {}).get("unique") is True}
                if rfields != _keys(tsd.get("primaryKey")) and not (len(rfields) == 1 and rfields[0] in unique):
                    problem = (f"foreign key {fields} references {target}.{rfields}, which is not that table's "
                               "primary key or a unique field")
            if problem:
                out.append(Problem(rule="schema", message=f"table {name!r}: {problem}", file=file))
                bad.add(name)
    return bad


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
        if not isinstance(f.get("type", "string"), str) or f.get("type", "string") not in FIELD_TYPES:
            err(f"field {n!r} has an unsupported type", value=str(f.get("type")))
        if "description" in f and not isinstance(f["description"], str):
            err(f"field {n!r}: description must be text", value=json.dumps(f["description"], ensure_ascii=False)[:80])
        elif not f.get("description"):
            err(f"field {n!r} has no description", severity=WARNING)
        c = f.get("constraints", {})
        if not isinstance(c, dict):
            err(f"field {n!r}: constraints must be an object", value=str(c))
            c = {}
        for key, (ok, what) in CONSTRAINTS.items():
            if key in c and not ok(c[key]):
                err(f"field {n!r}: constraint {key} must be {what}", value=json.dumps(c[key], ensure_ascii=False))
        if isinstance(c.get("enum"), list) and len({json.dumps(x) for x in c["enum"]}) != len(c["enum"]):
            err(f"field {n!r}: an enum value is listed twice", value=json.dumps(c["enum"], ensure_ascii=False)[:80])
        if isinstance(c.get("pattern"), str):
            reason = pattern_error(c["pattern"])
            if reason:
                err(f"field {n!r} has an invalid pattern: {reason}", value=c["pattern"])
        for key in ("trueValues", "falseValues"):
            if key in f and not _is_texts(f[key]):
                err(f"field {n!r}: {key} must be a list of strings", value=json.dumps(f[key], ensure_ascii=False))
        if "delimiter" in f and not (isinstance(f["delimiter"], str) and len(f["delimiter"]) == 1):
            err(f"field {n!r}: delimiter must be one character", value=json.dumps(f["delimiter"], ensure_ascii=False))
        if "x-kind" in f and not (isinstance(f["x-kind"], str) and f["x-kind"] in KINDS):
            err(f"field {n!r}: x-kind must be one of {', '.join(sorted(KINDS))}", value=str(f["x-kind"]))
        if "x-notBefore" in f and not (isinstance(f["x-notBefore"], str) and f["x-notBefore"] in names):
            err(f"field {n!r}: x-notBefore names unknown field {f['x-notBefore']!r}")
        ref = f.get("x-references")
        if ref is not None and not (isinstance(ref, dict) and isinstance(ref.get("resource"), str) and isinstance(ref.get("field"), str)):
            err(f"field {n!r}: x-references must be an object with resource and field", value=json.dumps(ref, ensure_ascii=False))
    if len(set(names)) != len(names):
        err("field names must be unique")
    if "missingValues" in sd and sd["missingValues"] != [""]:
        err('missingValues must be [""]: an empty cell is the only missing value (text such as "NA" is data)',
            value=json.dumps(sd["missingValues"], ensure_ascii=False)[:80])
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
    if len(set(pk)) != len(pk):
        err("primaryKey names a field twice", value=json.dumps(pk, ensure_ascii=False))
    fks = sd.get("foreignKeys", [])
    if not isinstance(fks, list):
        err("foreignKeys must be a list", value=json.dumps(fks, ensure_ascii=False))
        fks = []
    seen_fks = set()
    for fk in fks:
        key = json.dumps(fk, sort_keys=True, ensure_ascii=False)
        if key in seen_fks:
            err("a foreignKey is declared twice", value=key[:120])
            continue
        seen_fks.add(key)
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
