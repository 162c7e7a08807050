"""Checks on ``datapackage.json`` itself; each resource's schema is read and checked once by
:meth:`cartel_data.package.Package.schema`."""

from __future__ import annotations

import json
import re

from ..catalogue import problem
from ..files import MAX_RESOURCES, read_reason
from ..names import table_name_reason
from ..package import Package
from ..report import WARNING

REQUIRED_KEYS = ("name", "version", "licenses", "resources")
SEMVER = re.compile(r"\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?")

#: Descriptor keys whose values must be text, and those that must be lists of text.
TEXT_KEYS = ("name", "title", "description", "homepage", "version", "created")
TEXT_LIST_KEYS = ("keywords",)
#: Descriptor values that become links (in Datasette, the site, the workbook).
URL_KEYS = ("homepage",)

#: Characters that may not appear in descriptor or schema text: C0 and C1 controls (line
#: breaks and tabs too, outside descriptions) and bidirectional overrides.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _walk(obj, path: str = ""):
    """``(path, key, text)`` for every string in ``obj``, keys included."""
    if isinstance(obj, str):
        yield path or "(root)", None, obj
    elif isinstance(obj, dict):
        for k, val in obj.items():
            yield path, k, k
            yield from _walk(val, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list):
        for i, val in enumerate(obj):
            yield from _walk(val, f"{path}[{i}]")


def text_problems(obj, file: str) -> list:
    """Unencodable text (a lone surrogate) and control characters in a descriptor or schema."""
    out = []
    for path, _key, text in _walk(obj):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return [problem("descriptor", f"text at {path} holds an unpaired surrogate escape (\\ud800-\\udfff), "
                            "which is not Unicode text", file=file)]
        multiline_ok = path.endswith("description") or path.endswith("title")
        if (_UNSAFE if multiline_ok else _UNSAFE_LINE).search(text):
            out.append(problem("unsafe-text", f"text at {path} holds a control character or line break", file=file,
                               value=text[:80]))
    return out


class _Check:
    def __init__(self, pkg: Package):
        self.pkg, self.file, self.out = pkg, pkg.descriptor_path.name, []

    def add(self, rule, message, severity=None, value=None, hint=None):
        self.out.append(problem(rule, message, file=self.file, severity=severity, value=value, hint=hint))

    def keys(self, d) -> None:
        for key in REQUIRED_KEYS:
            if key not in d:
                self.add("descriptor", f"the descriptor has no '{key}'")
        if "version" in d and not (isinstance(d["version"], str) and SEMVER.fullmatch(d["version"])):
            self.add("descriptor", "version must be a semantic version (MAJOR.MINOR.PATCH)", value=str(d["version"]))
        for key in TEXT_KEYS:
            if key in d and not isinstance(d[key], str):
                self.add("descriptor", f"{key} must be text", value=json.dumps(d[key], ensure_ascii=False)[:80])
        for key in TEXT_LIST_KEYS:
            if key in d and not (isinstance(d[key], list) and all(isinstance(x, str) for x in d[key])):
                self.add("descriptor", f"{key} must be a list of text", value=json.dumps(d[key], ensure_ascii=False)[:80])
        self.licenses(d.get("licenses", []))
        for key in URL_KEYS:
            if isinstance(d.get(key), str) and not d[key].startswith("https://"):
                self.add("unsafe-url", f"{key} must be an https URL", value=d[key])

    def licenses(self, lic) -> None:
        if not (isinstance(lic, list) and all(isinstance(x, dict) and all(isinstance(v, str) for v in x.values()) for x in lic)):
            self.add("descriptor", "licenses must be a list of objects with text values (name, path, title)",
                     value=json.dumps(lic, ensure_ascii=False)[:80])
            return
        for x in lic:
            path = x.get("path")
            if path is not None and not path.startswith("https://"):
                self.add("unsafe-url", "a licence path must be an https URL (it becomes a link)", value=path)

    def resource(self, i: int, r, names: set) -> str | None:
        """The resource's name when it can be checked further, else None."""
        if not isinstance(r, dict) or not isinstance(r.get("name"), str):
            self.add("descriptor", f"resource #{i + 1} has no name")
            return None
        name = r["name"]
        if name in names:
            self.add("descriptor", f"resource name {name!r} is used twice")
            return None
        names.add(name)
        reason = table_name_reason(name)
        if reason:
            self.add("descriptor", f"resource name {name!r} cannot be a table name", value=name, hint=reason)
            return None
        for key in ("title", "description"):
            if key in r and not isinstance(r[key], str):
                self.add("descriptor", f"resource {name!r}: {key} must be text", value=json.dumps(r[key], ensure_ascii=False)[:80])
        path = r.get("path")
        if not isinstance(path, str):
            self.add("resource-path", f"resource {name!r}: each resource needs a single path string", value=str(path))
            return None
        reason = read_reason(self.pkg.root, path)
        if reason:
            self.add("resource-path", f"resource {name!r}: {reason}", value=path)
            return None
        schema, problems = self.pkg.schema(name)
        self.out += problems
        return name if schema is not None else None


def check_descriptor(pkg: Package) -> tuple[list, list[str]]:
    """Problems in the descriptor and its schemas, and the names of the resources that can be
    checked further."""
    c = _Check(pkg)
    d = pkg.descriptor
    c.out += text_problems(d, c.file)
    if any(p.rule == "descriptor" for p in c.out):
        return c.out, []
    c.keys(d)
    resources = d.get("resources", [])
    if not isinstance(resources, list) or not resources:
        c.add("descriptor", "resources must be a non-empty list")
        return c.out, []
    if len(resources) > MAX_RESOURCES:
        c.add("limit", f"the package declares {len(resources):,} resources, over the limit of {MAX_RESOURCES}")
        return c.out, []
    names: set = set()
    ok = [n for n in (c.resource(i, r, names) for i, r in enumerate(resources)) if n]
    for name in ok:
        c.out += text_problems(_schema_json(pkg, name), _schema_file(pkg, name))
    bad = _check_references(pkg, ok, c)
    return c.out, [n for n in ok if n not in bad]


def _schema_file(pkg: Package, name: str) -> str:
    s = pkg.entry(name).get("schema")
    return s if isinstance(s, str) else pkg.descriptor_path.name


def _schema_json(pkg: Package, name: str):
    """The schema's field names and descriptions, for the text checks (already parsed)."""
    schema, _ = pkg.schema(name)
    return {"fields": [{"name": f.name, "description": f.description, "pattern": f.pattern or "",
                        "enum": list(f.enum or []), "labels": list(f.labels.values())} for f in schema.fields]}


def _check_references(pkg: Package, names: list[str], c: _Check) -> set[str]:
    """Each foreign key points at another table's primary key (or a unique field), with as
    many fields as it names. Returns the tables with a wrong foreign key."""
    schemas = {n: pkg.schema(n)[0] for n in names}
    bad = set()
    for name, s in schemas.items():
        for fk in s.foreign_keys:
            target = fk.resource or name
            problem_text = None
            if len(fk.fields) != len(fk.reference_fields):
                problem_text = f"foreign key {list(fk.fields)} names {len(fk.fields)} field(s) but references {len(fk.reference_fields)}"
            elif target not in schemas:
                problem_text = f"foreign key {list(fk.fields)} references table {target!r}, which is not a checked table of the package"
            else:
                t = schemas[target]
                unique = {f.name for f in t.fields if f.unique}
                rf = list(fk.reference_fields)
                if rf != list(t.primary_key) and not (len(rf) == 1 and rf[0] in unique):
                    problem_text = (f"foreign key {list(fk.fields)} references {target}.{rf}, which is not that table's "
                                    "primary key or a unique field")
            if problem_text:
                c.add("schema", f"table {name!r}: {problem_text}")
                bad.add(name)
    return bad


__all__ = ["check_descriptor", "text_problems", "WARNING"]
