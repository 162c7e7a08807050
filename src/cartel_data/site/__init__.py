"""``cartel-data site``: a static website generated from the package.

One page per person, organization, event and source, index pages per table, a transfers
page and a search page, with SVG figures drawn at build time. The site works from a file
server or opened from disk, loads nothing from the network, and but for search (a small
script reading an index file the build writes) works without JavaScript.

Pages are rendered by Jinja2 templates with autoescaping on: every value from the data is
escaped, and only ``https`` addresses ever become links. The build is deterministic (the same
data gives the same bytes) and atomic (written to a temporary folder, moved into place when
complete), like every export.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

from .. import show as sh
from ..files import atomic_output
from ..search import fold
from . import svg

#: Tables whose rows have a page of their own, and the folder of those pages. Any other row
#: belongs on the page its first foreign key to one of these tables names (a membership on
#: its person's page, a participant on its event's page, an alias on its owner's page).
PAGED = {"persons": "person", "organizations": "organization", "events": "event", "sources": "source"}


def safe_url(url) -> str | None:
    """An address that may become a link: https only."""
    return url if isinstance(url, str) and url.startswith("https://") else None


class Site:
    """Everything the pages need, computed once from the package."""

    def __init__(self, data: sh.Data):
        self.data = data
        self.profiles = {pid: sh.build(data, pid) for pid in sorted(data.persons)}
        self.profiles.update({oid: sh.build(data, oid) for oid in sorted(data.orgs)})
        self.cited_by = self._citations()
        self.participants = defaultdict(list)
        for p in data.rows.get("event_participants", []):
            self.participants[p["event_id"]].append(p)
        self.transfers = defaultdict(list)
        for x in data.rows.get("extraditions", []):
            self.transfers[x["batch_event_id"]].append(x)

    def _citations(self) -> dict[str, list[dict]]:
        out = defaultdict(list)
        for table, rows in self.data.rows.items():
            if table == "sources" or table not in self.data.label:
                continue
            schema = self.data.label[table]
            key = schema.primary_key[0]
            for r in rows:
                for sid in r.get("source_ids") or []:
                    out[sid].append({"table": table, "id": r[key], "page": self.owner_page(table, r)})
        return out

    def owner_page(self, table: str, row: dict) -> str | None:
        schema = self.data.label.get(table)
        if schema is None:
            return None
        if table in PAGED:
            return f"{PAGED[table]}/{row[schema.primary_key[0]]}.html"
        for fk in schema.foreign_keys:
            target = fk.resource or table
            if target in PAGED and len(fk.fields) == 1 and row.get(fk.fields[0]):
                return f"{PAGED[target]}/{row[fk.fields[0]]}.html"
        return None

    def name_of(self, eid: str) -> str:
        r = self.data.persons.get(eid) or self.data.orgs.get(eid)
        return r["name"] if r else eid


def _env(schemas: dict):
    """The template environment; ``lab`` gives an enumeration value's label from the schemas
    (``{{ value | lab("sources", "tier") }}``), or a table name in words."""
    import jinja2

    def lab(value, table=None, column=None):
        s = schemas.get(table)
        if s is not None and column in s.field_names:
            return s[column].label_of(value)
        return (value or "").replace("_", " ")

    env = jinja2.Environment(loader=jinja2.PackageLoader("cartel_data.site", "templates"),
                             autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["safe_url"] = safe_url
    env.filters["lab"] = lab
    return env


def _page(env, out: Path, rel: str, template: str, **ctx) -> None:
    depth = rel.count("/")
    root = "../" * depth
    html = env.get_template(template).render(root=root, page=rel, **ctx)
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")


def _search_index(site: Site) -> str:
    entries = []
    for eid, p in site.profiles.items():
        kind = "person" if p.kind == "person" else "organization"
        url = f"{kind}/{eid}.html"
        names = [(p.name, "name")] + [(a["alias"], "alias") for a in p.aliases]
        for text, via in names:
            entries.append([fold(text), text, p.name, kind, url, via])
    entries.sort(key=lambda e: (e[0], e[4], e[5]))
    return "window.CARTEL_INDEX = " + json.dumps(entries, ensure_ascii=False, separators=(",", ":")) + ";\n"


def _downloads(site: Site, out: Path, release: Path | None) -> list[dict]:
    pkg = site.data.pkg
    files = []
    dl = out / "download"
    (dl / "data").mkdir(parents=True)
    (dl / "schemas").mkdir()
    # the downloads are a package of their own, laid out as the CSV export lays it out
    desc, schemas = pkg.portable()
    for rel, text in schemas.items():
        (dl / rel).write_bytes(text)
    for r in desc["resources"]:
        res = pkg.resource(r["name"])
        shutil.copyfile(res.path, dl / r["path"])
        files.append({"name": f"{res.name}.csv", "href": f"download/{r['path']}", "what": res.schema.description})
    (dl / "datapackage.json").write_text(json.dumps(desc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    files.insert(0, {"name": "datapackage.json", "href": "download/datapackage.json", "what": "the data package descriptor"})
    if release is not None:
        for f in sorted(release.iterdir()):
            if f.is_file() and not f.name.startswith(".") and not f.name.endswith("-site.zip"):
                shutil.copyfile(f, dl / f.name)
                files.append({"name": f.name, "href": f"download/{f.name}", "what": "release file"})
    return files


def _home_stats(site: Site) -> dict:
    d = site.data
    per_year = defaultdict(int)
    for x in d.rows.get("extraditions", []):
        if x["date"]:
            per_year[int(x["date"][:4])] += 1
    years = [int(e["date"][:4]) for e in d.rows.get("events", []) if e["date"]]
    accessed = max((s["accessed"] for s in d.rows.get("sources", []) if s.get("accessed")), default="")
    cartels = sorted((p for p in site.profiles.values() if p.kind == "organization"
                      and dict(p.facts).get("Type") in ("cartel", "cartel faction or cell")),
                     key=lambda p: (-len(p.memberships), p.name))
    return {"counts": {n: len(rows) for n, rows in d.rows.items()}, "first_year": min(years, default=None),
            "last_year": max(years, default=None), "chart": svg.bars(dict(per_year), "Transfers of custody per year"),
            "date": str(accessed), "cartels": cartels[:12]}


def build(output, path=None, force: bool = False, release=None) -> Path:
    """Write the site for the package at ``path`` into the folder ``output``; returns it."""
    data = sh.Data.read(path)
    site = Site(data)
    env = _env(data.label)
    output = Path(output)
    with atomic_output(output, force=force, folder=True, protected=data.pkg.root) as out:
        _write(site, env, out, Path(release) if release else None)
    return output


def _write(site: Site, env, out: Path, release: Path | None) -> None:
    from importlib.resources import files as package_files

    d = site.data
    desc = d.pkg.descriptor
    common = {"title": desc.get("title", "cartel-data"), "version": d.pkg.version or "", "licenses": desc.get("licenses", [])}
    static = package_files("cartel_data.site") / "static"
    for name in ("site.css", "site.js", "favicon.svg"):
        (out / name).write_bytes((static / name).read_bytes())
    (out / "search-index.js").write_text(_search_index(site), encoding="utf-8")
    downloads = _downloads(site, out, release)
    stats = _home_stats(site)
    _page(env, out, "index.html", "home.html", desc=desc, stats=stats, downloads=downloads, **common)
    _page(env, out, "search.html", "search.html", **common)
    persons = [p for p in site.profiles.values() if p.kind == "person"]
    orgs = [p for p in site.profiles.values() if p.kind == "organization"]
    _page(env, out, "persons.html", "persons.html", persons=persons, **common)
    _page(env, out, "organizations.html", "organizations.html", orgs=orgs, **common)
    _page(env, out, "events.html", "events.html", events=sorted(d.rows.get("events", []), key=lambda e: (e["date"], e["event_id"])),
          **common)
    _page(env, out, "sources.html", "sources.html", sources=d.rows.get("sources", []), cited_by=site.cited_by, **common)
    _page(env, out, "sentences.html", "sentences.html", sentences=sorted(d.rows.get("sentences", []),
          key=lambda s: (s["date"] or "9999", s["sentence_id"])), name_of=site.name_of, **common)
    _page(env, out, "transfers.html", "transfers.html", **_transfers_context(site), name_of=site.name_of, **common)
    for p in persons:
        _page(env, out, f"person/{p.id}.html", "person.html", p=p, figure=svg.timeline(p.timeline, f"Timeline of {p.name}"),
              **common)
    for p in orgs:
        row = d.orgs[p.id]
        parent = {"id": row["parent_id"], "name": site.name_of(row["parent_id"])} if row.get("parent_id") else None
        fig = svg.lineage({"name": p.name, "parent": parent}, p.relations, lambda oid: f"{oid}.html")
        _page(env, out, f"organization/{p.id}.html", "organization.html", p=p, figure=fig, **common)
    for e in d.rows.get("events", []):
        _page(env, out, f"event/{e['event_id']}.html", "event.html", **_event_context(site, e), **common)
    for s in d.rows.get("sources", []):
        _page(env, out, f"source/{s['source_id']}.html", "source.html", s=s, cited=site.cited_by.get(s["source_id"], []),
              **common)


def _event_context(site: Site, e: dict) -> dict:
    d = site.data
    refs = sh._Refs(d.tiers)
    people = []
    for par in sorted(site.participants.get(e["event_id"], []), key=lambda q: (q["role"], q["participant_id"])):
        who = par["person_id"] or par["organization_id"]
        kind = "person" if par["person_id"] else "organization"
        people.append({"id": who, "name": site.name_of(who), "kind": kind, "role": d.label["event_participants"]["role"].label_of(par["role"]),
                       "refs": refs(par["source_ids"])})
    main_refs = refs(e["source_ids"])
    sources = [dict(d.sources.get(sid, {}), n=n, id=sid) for sid, n in sorted(refs.order.items(), key=lambda kv: kv[1])]
    return {"e": e, "kind": d.label["events"]["event_type"].label_of(e["event_type"]), "people": people, "refs": main_refs,
            "sources": sources, "secondary_only": refs.secondary(e["source_ids"]),
            "transfers": site.transfers.get(e["event_id"], [])}


def _transfers_context(site: Site) -> dict:
    d = site.data
    batches = []
    for eid, rows in sorted(site.transfers.items(), key=lambda kv: (d.events.get(kv[0], {}).get("date") or "", kv[0] or "")):
        if not eid or eid not in d.events:
            continue
        batches.append({"e": d.events[eid], "rows": sorted(rows, key=lambda x: site.name_of(x["person_id"]))})
    single = sorted((x for x in d.rows.get("extraditions", []) if not x["batch_event_id"]), key=lambda x: (x["date"], x["extradition_id"]))
    return {"batches": batches, "single": single}
