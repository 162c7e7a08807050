"""What changed between two versions of the package (``cartel-data diff``).

OLD and NEW are package folders, descriptors or release zips. Rows are matched by primary
key; for each table the result lists rows added, removed and changed (with each changed
field's before and after). A removed id, or one that looks re-keyed (the same row content
under a new id), is a breaking change: ids must stay stable once published.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import escape
from .archive import opened

__all__ = ["diff", "opened", "to_text", "to_json", "to_markdown", "PackageDiff", "TableDiff"]


@dataclass
class TableDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, dict[str, tuple]] = field(default_factory=dict)  # id -> field -> (before, after)
    rekeyed: dict[str, str] = field(default_factory=dict)  # old id -> new id
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.columns_added or self.columns_removed)


@dataclass
class PackageDiff:
    old_version: str | None
    new_version: str | None
    tables: dict[str, TableDiff]

    @property
    def breaking(self) -> list[str]:
        out = []
        for name, t in self.tables.items():
            for rid in t.removed:
                new = t.rekeyed.get(rid)
                out.append(f"{name}: {rid} " + (f"re-keyed as {new}" if new else "removed"))
            for c in t.columns_removed:
                out.append(f"{name}: column {c} removed")
        return out

    def to_dict(self) -> dict:
        return {
            "old_version": self.old_version, "new_version": self.new_version, "breaking": self.breaking,
            "tables": {n: {"added": t.added, "removed": t.removed, "rekeyed": t.rekeyed,
                           "changed": {rid: {f: {"before": b, "after": a} for f, (b, a) in ch.items()} for rid, ch in t.changed.items()},
                           "columns_added": t.columns_added, "columns_removed": t.columns_removed}
                       for n, t in self.tables.items()},
            "summary": {n: {"added": len(t.added), "removed": len(t.removed), "changed": len(t.changed)} for n, t in self.tables.items()},
        }


def _rows(pkg, name):
    """``{key: row}`` and the columns of one table; the key is the primary key's values
    joined by ``|`` (a missing key cell reads as empty)."""
    from .records import read_rows

    tr = read_rows(pkg.resource(name))
    pk = tr.schema.primary_key
    return {"|".join("" if r[k] is None else str(r[k]) for k in pk): r for r in tr.dicts()}, tr.columns


def diff(old, new) -> PackageDiff:
    from .package import Package

    with opened(old) as a, opened(new) as b:
        pa, pb = Package(a), Package(b)
        tables = {}
        for name in list(dict.fromkeys(pa.resource_names + pb.resource_names)):
            t = TableDiff()
            ra, ca = _rows(pa, name) if name in pa.resource_names else ({}, [])
            rb, cb = _rows(pb, name) if name in pb.resource_names else ({}, [])
            t.columns_added = [c for c in cb if c not in ca]
            t.columns_removed = [c for c in ca if c not in cb]
            t.added = sorted(set(rb) - set(ra))
            t.removed = sorted(set(ra) - set(rb))
            common = [c for c in ca if c in cb]
            for rid in sorted(set(ra) & set(rb)):
                ch = {c: (ra[rid][c], rb[rid][c]) for c in common if ra[rid][c] != rb[rid][c]}
                if ch:
                    t.changed[rid] = ch
            # a removed row whose content (all but the id) equals an added row was re-keyed
            key_col = common[0] if common else None
            sig = lambda r: json.dumps([r[c] for c in common if c != key_col], ensure_ascii=False, default=str)
            added_by_sig = {sig(rb[x]): x for x in t.added}
            for rid in t.removed:
                if sig(ra[rid]) in added_by_sig:
                    t.rekeyed[rid] = added_by_sig[sig(ra[rid])]
            tables[name] = t
        return PackageDiff(pa.version, pb.version, tables)


def _v(v) -> str:
    if v is None:
        return "∅"
    if isinstance(v, list):
        return ";".join(v)
    return str(v)


def to_text(d: PackageDiff) -> str:
    """The diff for a terminal; every name and value from the data is escaped."""
    e = lambda x: escape.terminal(_v(x))  # noqa: E731
    out = [f"cartel-data {e(d.old_version)} → {e(d.new_version)}"]
    for name, t in d.tables.items():
        if t.empty:
            continue
        out.append(f"\n{e(name)}: +{len(t.added)} added, -{len(t.removed)} removed, ~{len(t.changed)} changed")
        out += [f"  + column {e(c)}" for c in t.columns_added]
        out += [f"  - column {e(c)} (BREAKING)" for c in t.columns_removed]
        out += [f"  + {e(rid)}" for rid in t.added]
        for rid in t.removed:
            new = t.rekeyed.get(rid)
            out.append(f"  - {e(rid)} (BREAKING: {'re-keyed as ' + e(new) if new else 'id removed'})")
        for rid, ch in t.changed.items():
            out.append(f"  ~ {e(rid)}")
            out += [f"      {e(f)}: {e(b)} → {e(a)}" for f, (b, a) in ch.items()]
    if all(t.empty for t in d.tables.values()):
        out.append("no changes")
    if d.breaking:
        out.append(f"\n{len(d.breaking)} breaking change(s): ids must stay stable once published")
    return "\n".join(out)


def _code(x) -> str:
    """A value as a Markdown code span: no backtick or line break from the data survives."""
    return "`" + escape.terminal(_v(x)).replace("`", "'") + "`"


def to_markdown(d: PackageDiff) -> str:
    """A CHANGELOG-ready section; names and values from the data are code spans or escaped text."""
    md = lambda x: escape.markdown(_v(x))  # noqa: E731
    out = [f"## [{md(d.new_version)}]", ""]
    added = [(n, t) for n, t in d.tables.items() if t.added or t.columns_added]
    changed = [(n, t) for n, t in d.tables.items() if t.changed]
    removed = [(n, t) for n, t in d.tables.items() if t.removed or t.columns_removed]
    if added:
        out.append("### Added")
        for n, t in added:
            ids = ", ".join(_code(x) for x in t.added[:10]) + (", …" if len(t.added) > 10 else "")
            cols = ", ".join(_code(c) for c in t.columns_added)
            out.append(f"- {_code(n)}: {len(t.added)} row(s)" + (f" ({ids})" if t.added else "")
                       + (f"; column(s) {cols}" if cols else ""))
        out.append("")
    if changed:
        out.append("### Changed")
        for n, t in changed:
            for rid, ch in t.changed.items():
                out.append(f"- {_code(n)} {_code(rid)}: " + "; ".join(f"{md(f)} {md(b)} → {md(a)}" for f, (b, a) in ch.items()))
        out.append("")
    if removed:
        out.append("### Removed")
        for n, t in removed:
            for rid in t.removed:
                out.append(f"- **Breaking:** {_code(n)} {_code(rid)}"
                           + (f" re-keyed as {_code(t.rekeyed[rid])}" if rid in t.rekeyed else " removed"))
            out += [f"- **Breaking:** {_code(n)} column {_code(c)} removed" for c in t.columns_removed]
        out.append("")
    if len(out) == 2:
        out.append("No data changes.")
    return "\n".join(out).rstrip() + "\n"


def to_json(d: PackageDiff) -> str:
    return json.dumps(d.to_dict(), ensure_ascii=False, indent=2, default=str)
