"""What changed between two versions of the package (``cartel-data diff``).

OLD and NEW are package folders, descriptors or release zips. Rows are matched by primary
key; for each table the result lists rows added, removed and changed (with each changed
field's before and after). A removed id, or one that looks re-keyed (the same row content
under a new id), is a breaking change: ids must stay stable once published.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@contextmanager
def opened(path):
    """A package folder for ``path``; a zip is extracted to a temporary folder (safely)."""
    p = Path(path)
    if p.is_file() and zipfile.is_zipfile(p):
        with tempfile.TemporaryDirectory() as d, zipfile.ZipFile(p) as z:
            for info in z.infolist():
                target = (Path(d) / info.filename).resolve()
                if not str(target).startswith(str(Path(d).resolve())):
                    raise ValueError(f"{p}: refusing unsafe member {info.filename!r}")
            z.extractall(d)
            roots = [q.parent for q in Path(d).rglob("datapackage.json")]
            if not roots:
                raise ValueError(f"{p}: no datapackage.json inside")
            yield min(roots, key=lambda q: len(q.parts))
    else:
        yield p


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
    from .records import read_rows

    tr = read_rows(pkg.resource(name))
    pk = tr.schema.primary_key[0]
    return {r[pk]: r for r in tr.dicts()}, tr.columns


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
    out = [f"cartel-data {d.old_version} → {d.new_version}"]
    for name, t in d.tables.items():
        if t.empty:
            continue
        out.append(f"\n{name}: +{len(t.added)} added, -{len(t.removed)} removed, ~{len(t.changed)} changed")
        for c in t.columns_added:
            out.append(f"  + column {c}")
        for c in t.columns_removed:
            out.append(f"  - column {c} (BREAKING)")
        for rid in t.added:
            out.append(f"  + {rid}")
        for rid in t.removed:
            new = t.rekeyed.get(rid)
            out.append(f"  - {rid} (BREAKING: {'re-keyed as ' + new if new else 'id removed'})")
        for rid, ch in t.changed.items():
            out.append(f"  ~ {rid}")
            for f, (b, a) in ch.items():
                out.append(f"      {f}: {_v(b)} → {_v(a)}")
    if all(t.empty for t in d.tables.values()):
        out.append("no changes")
    if d.breaking:
        out.append(f"\n{len(d.breaking)} breaking change(s): ids must stay stable once published")
    return "\n".join(out)


def to_markdown(d: PackageDiff) -> str:
    """A CHANGELOG-ready section."""
    out = [f"## [{d.new_version}]", ""]
    added = [(n, t) for n, t in d.tables.items() if t.added or t.columns_added]
    changed = [(n, t) for n, t in d.tables.items() if t.changed]
    removed = [(n, t) for n, t in d.tables.items() if t.removed or t.columns_removed]
    if added:
        out += ["### Added"] + [f"- `{n}`: {len(t.added)} row(s)" + (f" ({', '.join(f'`{x}`' for x in t.added[:10])}{', …' if len(t.added) > 10 else ''})" if t.added else "")
                                + (f"; column(s) {', '.join(f'`{c}`' for c in t.columns_added)}" if t.columns_added else "") for n, t in added] + [""]
    if changed:
        out.append("### Changed")
        for n, t in changed:
            for rid, ch in t.changed.items():
                out.append(f"- `{n}` `{rid}`: " + "; ".join(f"{f} {_v(b)} → {_v(a)}" for f, (b, a) in ch.items()))
        out.append("")
    if removed:
        out.append("### Removed")
        for n, t in removed:
            for rid in t.removed:
                out.append(f"- **Breaking:** `{n}` `{rid}`" + (f" re-keyed as `{t.rekeyed[rid]}`" if rid in t.rekeyed else " removed"))
            for c in t.columns_removed:
                out.append(f"- **Breaking:** `{n}` column `{c}` removed")
        out.append("")
    if len(out) == 2:
        out.append("No data changes.")
    return "\n".join(out).rstrip() + "\n"


def to_json(d: PackageDiff) -> str:
    return json.dumps(d.to_dict(), ensure_ascii=False, indent=2, default=str)
