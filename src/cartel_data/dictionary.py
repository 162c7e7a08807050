"""The data dictionary, generated from the Table Schemas (``docs/data-dictionary.md``)."""

from __future__ import annotations

from .package import Package


def _constraints(f) -> str:
    parts = []
    if f.required:
        parts.append("required")
    if f.unique:
        parts.append("unique")
    if f.enum is not None:
        parts.append("one of: " + ", ".join(f"`{v}`" + (f" ({f.labels[v]})" if v in f.labels else "") for v in f.enum))
    if f.pattern and not f.enum:
        parts.append(f"pattern `{f.pattern}`".replace("|", "\\|"))
    if f.minimum is not None:
        parts.append(f"≥ {f.minimum}")
    if f.maximum is not None:
        parts.append(f"≤ {f.maximum}")
    if f.references:
        parts.append(f"each item in `{f.references[0]}.{f.references[1]}`")
    if f.not_before:
        parts.append(f"not before `{f.not_before}`")
    return "; ".join(parts)


def markdown(path=None) -> str:
    """The data dictionary of the package at ``path`` (default: working copy or bundled) as Markdown."""
    pkg = Package(path)
    d = pkg.descriptor
    out = [
        f"# Data dictionary: {d.get('title', d.get('name'))}",
        "",
        "Generated from `schemas/*.json` by `cartel-data dictionary`; do not edit by hand.",
        "",
        f"Version {d.get('version')}. Partial dates are reduced ISO 8601 (`1989`, `1989-04`, `1989-04-08`),",
        "as precise as their source. Lists are separated by `;`.",
        "",
    ]
    for name, res in pkg.resources.items():
        s = res.schema
        out += [f"## `{name}`", "", s.description, "", f"Primary key: `{', '.join(s.primary_key)}`.", ""]
        fks = [f"`{', '.join(fk.fields)}` → `{fk.resource or name}.{', '.join(fk.reference_fields)}`" for fk in s.foreign_keys]
        if fks:
            out += ["References: " + "; ".join(fks) + ".", ""]
        out += ["| column | type | constraints | description |", "|---|---|---|---|"]
        for f in s.fields:
            desc = f.description.replace("|", "\\|")
            out.append(f"| `{f.name}` | {f.label} | {_constraints(f)} | {desc} |")
        out.append("")
    return "\n".join(out)
