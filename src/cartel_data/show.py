"""Profiles: who is this, and what happened to them? (``cartel-data show``)

A profile gathers a person's or organization's names and aliases, memberships, and a
chronological timeline of events, sentences and transfers. Every line carries numbered
references to its sources, listed with their URLs at the end. Dates are shown exactly as
recorded (``1989``, ``1989-04``, ``1989-04-08``) and sorted by the earliest day they can mean;
values of enumerations are shown with their labels from the schemas (``x-labels``).

Every rendering escapes the data for its medium: control and bidirectional characters are
shown as escapes on a terminal, and Markdown and HTML structure in a cell is printed as text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import escape
from .catalogue import SECONDARY_TIERS
from .errors import NotFound

__all__ = ["NotFound", "Profile", "profile", "to_markdown", "to_json", "render_terminal", "plot"]


@dataclass
class Profile:
    id: str
    kind: str
    name: str
    description: str | None
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    aliases: list[dict] = field(default_factory=list)
    memberships: list[dict] = field(default_factory=list)
    timeline: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)  # sources of the main row
    relations: list[dict] = field(default_factory=list)  # organizations: dated relations to other organizations
    disputed: bool = False
    notes: str | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "name": self.name, "description": self.description,
                "facts": dict(self.facts), "refs": self.refs, "aliases": self.aliases, "memberships": self.memberships,
                "relations": self.relations, "timeline": self.timeline, "sources": self.sources}


class Data:
    """A package's rows as dicts, read once, with the lookups profiles need."""

    def __init__(self, pkg, tables: dict):
        self.pkg = pkg
        self.rows = {name: list(tr.dicts()) for name, tr in tables.items()}
        self.label = {name: tr.schema for name, tr in tables.items()}
        self.persons = {r["person_id"]: r for r in self.rows.get("persons", [])}
        self.orgs = {r["organization_id"]: r for r in self.rows.get("organizations", [])}
        self.sources = {r["source_id"]: r for r in self.rows.get("sources", [])}
        self.events = {e["event_id"]: e for e in self.rows.get("events", [])}
        self.tiers = {k: r.get("tier") for k, r in self.sources.items()}
        self._by: dict[tuple, dict] = {}

    #: Profiles are of rows of these tables; rows of other tables are tied to them by foreign keys.
    OWNER_TABLES = ("persons", "organizations")

    def owner_columns(self, table: str) -> list[str]:
        """The columns that tie a row of ``table`` to the people and organizations it is about:
        its single-field foreign keys to :data:`OWNER_TABLES`."""
        schema = self.label.get(table)
        return [fk.fields[0] for fk in (schema.foreign_keys if schema is not None else ())
                if len(fk.fields) == 1 and (fk.resource or table) in self.OWNER_TABLES and table not in self.OWNER_TABLES]

    def of(self, table: str, owner: str) -> list[dict]:
        """The rows of ``table`` about ``owner`` (a person or organization id), in table order;
        indexed on first use so that building every profile stays linear."""
        if table not in self._by:
            index: dict[str, list] = {}
            for r in self.rows.get(table, []):
                for col in dict.fromkeys(self.owner_columns(table)):
                    if r.get(col):
                        index.setdefault(r[col], []).append(r)
            self._by[table] = index
        seen, out = set(), []
        for r in self._by[table].get(owner, []):
            if id(r) not in seen:
                seen.add(id(r))
                out.append(r)
        return out

    @classmethod
    def read(cls, path=None) -> "Data":
        from .records import read_package

        return cls(*read_package(path))


def _sort_key(date: str | None) -> str:
    return date or "9999"


def _pick(id_or_name: str, data: "Data") -> str:
    """The id of the person or organization ``id_or_name`` names; NotFound when none or several."""
    from .search import search

    if id_or_name in data.persons or id_or_name in data.orgs:
        return id_or_name
    hits = search(id_or_name, rows=data.rows)  # the tables profiles are built from, not read again
    if not hits:
        raise NotFound(f"nothing matches {id_or_name!r}")
    top = hits[0]
    if len(hits) > 1 and top.score < 0.9 and hits[1].score >= top.score - 0.05 and not (top.via == "name" and hits[1].via == "alias"):
        raise NotFound(f"{id_or_name!r} is ambiguous", hits[:5])
    return top.id


class _Refs:
    """Numbers the sources in the order a profile first cites them."""

    def __init__(self, tiers: dict[str, str] | None = None):
        self.order: dict[str, int] = {}
        self.tiers = tiers or {}

    def secondary(self, ids) -> bool:
        """Whether every source of a fact is a republication or of unknown provenance."""
        ids = list(ids or [])
        return bool(ids) and all(self.tiers.get(i) in SECONDARY_TIERS for i in ids)

    def __call__(self, ids) -> list[int]:
        out = []
        for sid in ids or []:
            if sid not in self.order:
                self.order[sid] = len(self.order) + 1
            out.append(self.order[sid])
        return out


def profile(id_or_name: str, path=None) -> Profile:
    """Build the profile of a person or organization given its id or (part of) its name."""
    data = Data.read(path)
    return build(data, _pick(id_or_name, data))


def build(data: Data, target: str) -> Profile:
    """The profile of the person or organization ``target`` (an id) from already-read data."""
    label, persons, orgs = data.label, data.persons, data.orgs
    refs = _Refs(data.tiers)
    kind = "person" if target in persons else "organization"
    main = persons.get(target) or orgs[target]
    p = Profile(id=target, kind=kind, name=main["name"], description=main.get("description"),
                disputed=bool(main.get("disputed")), notes=main.get("notes"))
    p.refs = refs(main["source_ids"])
    _facts(p, main, orgs, label)
    if kind == "organization":
        _relations(p, data, orgs, refs, label)
    col = "person_id" if kind == "person" else "organization_id"
    for a in data.of("aliases", target):
        if a[col] == target:
            p.aliases.append({"alias": a["alias"], "type": a["alias_type"], "refs": refs(a["source_ids"]),
                              "secondary_only": refs.secondary(a["source_ids"])})
    _memberships(p, data, persons, orgs, col, refs, label)
    _events(p, data, col, refs, label)
    if kind == "person":
        _sentences(p, data, refs, label)
        _transfers(p, data, refs, label)
    p.timeline.sort(key=lambda i: (_sort_key(i["date"]), i["kind"], i["id"]))
    sources = data.sources
    for sid, n in sorted(refs.order.items(), key=lambda kv: kv[1]):
        s = sources.get(sid, {})
        p.sources.append({"n": n, "id": sid, "title": s.get("title"), "publisher": s.get("publisher"),
                          "published": s.get("published"), "url": s.get("url"), "tier": s.get("tier"),
                          "original_publisher": s.get("original_publisher")})
    return p


def _relations(p: Profile, data, orgs, refs, label) -> None:
    """Dated relations to other organizations, in both directions."""
    for r in data.of("organization_relations", p.id):
        if p.id not in (r["organization_id"], r["related_organization_id"]):
            continue
        outgoing = r["organization_id"] == p.id
        other = r["related_organization_id"] if outgoing else r["organization_id"]
        kind = _lab(label, "organization_relations", "relation_type", r["relation_type"])
        p.relations.append({"id": r["relation_id"], "type": r["relation_type"], "label": kind, "outgoing": outgoing,
                            "with": orgs.get(other, {}).get("name", other), "with_id": other, "start": r["start_date"],
                            "end": r["end_date"], "disputed": r["disputed"], "notes": r["notes"] if r["disputed"] else None,
                            "refs": refs(r["source_ids"]), "secondary_only": refs.secondary(r["source_ids"])})
    p.relations.sort(key=lambda x: (_sort_key(x["start"]), x["label"], x["with"]))


def _lab(label, table: str, column: str, value) -> str:
    s = label.get(table)
    return s[column].label_of(value) if s is not None and column in s.field_names else (value or "")


def _facts(p: Profile, main: dict, orgs: dict, label) -> None:
    if p.kind == "person":
        keys = (("Born", "birth_date"), ("Birthplace", "birth_place"), ("Died", "death_date"), ("Nationality", "nationality"))
        p.facts += [(lab, main[k]) for lab, k in keys if main.get(k)]
    else:
        if main.get("organization_type"):
            p.facts.append(("Type", _lab(label, "organizations", "organization_type", main["organization_type"])))
        keys = (("Country", "country"), ("Founded", "founded"), ("Dissolved", "dissolved"))
        p.facts += [(lab, main[k]) for lab, k in keys if main.get(k)]
        for lab, k in (("Split from / part of", "parent_id"), ("Succeeded by", "successor_id")):
            if main.get(k):
                p.facts.append((lab, f"{orgs.get(main[k], {}).get('name', main[k])} ({main[k]})"))
    if main.get("disputed"):
        p.facts.append(("Disputed", main.get("notes") or "yes"))


def _memberships(p, data, persons, orgs, col, refs, label) -> None:
    for m in data.of("memberships", p.id):
        if m[col] == p.id:
            other = orgs.get(m["organization_id"], {}) if p.kind == "person" else persons.get(m["person_id"], {})
            p.memberships.append({"id": m["membership_id"], "with": other.get("name"),
                                  "with_id": m["organization_id"] if p.kind == "person" else m["person_id"],
                                  "role": _lab(label, "memberships", "role", m["role"]), "start": m["start_date"],
                                  "end": m["end_date"], "disputed": m["disputed"], "refs": refs(m["source_ids"]),
                                  "secondary_only": refs.secondary(m["source_ids"])})


def _events(p, data, col, refs, label) -> None:
    """One timeline line per event, even when the target takes part in it in several roles."""
    events = data.events
    seen: dict[str, dict] = {}
    for par in data.of("event_participants", p.id):
        if par[col] != p.id or par["event_id"] not in events:
            continue
        e = events[par["event_id"]]
        role = _lab(label, "event_participants", "role", par["role"])
        if e["event_id"] in seen:
            item = seen[e["event_id"]]
            item["role"] = ", ".join(dict.fromkeys(item["role"].split(", ") + [role]))
            item["refs"] = list(dict.fromkeys(item["refs"] + refs(par["source_ids"])))
            continue
        place = ", ".join(x for x in (e["place"], e["admin1"], e["country"]) if x)
        ids = list(dict.fromkeys((e["source_ids"] or []) + (par["source_ids"] or [])))
        item = {"date": e["date"], "kind": _lab(label, "events", "event_type", e["event_type"]), "id": e["event_id"],
                "role": role, "text": e["summary"], "place": place or None, "disputed": e["disputed"],
                "notes": e["notes"] if e["disputed"] else None, "refs": refs(ids), "secondary_only": refs.secondary(ids)}
        seen[e["event_id"]] = item
        p.timeline.append(item)


def _sentences(p, data, refs, label) -> None:
    for s in data.of("sentences", p.id):
        if s["person_id"] != p.id:
            continue
        term = "life" if s["life"] else " ".join(x for x in (
            f"{s['term_years']} years" if s["term_years"] is not None else "",
            f"{s['term_months']} months" if s["term_months"] else "") if x) or "term not stated"
        status = _lab(label, "sentences", "status", s["status"])
        text = f"Sentence ({status}{' ' + s['status_date'] if s['status_date'] else ''}): {term}; {s['court']}; charges: {s['charges']}"
        p.timeline.append({"date": s["date"], "kind": "sentence", "id": s["sentence_id"], "role": None, "text": text,
                           "place": s["country"], "disputed": s["disputed"], "notes": s["notes"] if s["disputed"] else None,
                           "refs": refs(s["source_ids"]), "secondary_only": refs.secondary(s["source_ids"])})


def _transfers(p, data, refs, label) -> None:
    """Each transfer of custody; one that is the same handover as a transfer event already on
    the timeline (the batch event, or an event of the same day) is folded into that line."""
    for x in data.of("extraditions", p.id):
        mech = _lab(label, "extraditions", "mechanism", x["mechanism"])
        detail = ((f"; destination: {x['destination']}" if x["destination"] else "")
                  + (f"; charges: {x['charges']}" if x["charges"] else ""))
        text = f"Transferred {x['from_country']} → {x['to_country']} ({mech})" + detail
        same = next((i for i in p.timeline if i["id"].startswith("evt-") and (
            i["id"] == x["batch_event_id"] or (i["date"] == x["date"] and i["kind"] == _lab(label, "events", "event_type", "transfer")))),
            None)
        if same is not None:
            same["text"] += f" ({mech}{detail})"
            same["refs"] = list(dict.fromkeys(same["refs"] + refs(x["source_ids"])))
            same["disputed"] = same["disputed"] or x["disputed"]
            continue
        p.timeline.append({"date": x["date"], "kind": "transfer", "id": x["extradition_id"], "role": None, "text": text,
                           "place": None, "disputed": x["disputed"], "notes": x["notes"] if x["disputed"] else None,
                           "refs": refs(x["source_ids"]), "secondary_only": refs.secondary(x["source_ids"])})


def _refs(r) -> str:
    return "".join(f"[{n}]" for n in r)


#: How a fact resting only on republications or sources of unknown provenance is marked.
SECONDARY_MARK = " (secondary sources only)"


def _source_line(s: dict, md) -> str:
    title = s["title"] or "(untitled)"
    date = s["published"] or "undated"
    tier = s.get("tier") or ""
    if tier == "republication" and s.get("original_publisher"):
        tier = f"republication of {s['original_publisher']}"
    return f"{md(s['publisher'])}, “{md(title)}”, {md(date)}" + (f" [{md(tier.replace('_', ' '))}]" if tier else "")


def to_markdown(p: Profile) -> str:
    """The profile as Markdown; every value from the data is escaped (no HTML or Markdown
    structure from a cell survives), and only https URLs become links."""
    md = escape.markdown
    out = [f"## {md(p.name)}", "", f"`{md(p.id)}` ({p.kind}) {_refs(p.refs)}", ""]
    if p.description:
        out += [md(p.description), ""]
    out += [f"- **{label}:** {md(value)}" for label, value in p.facts] + ([""] if p.facts else [])
    if p.aliases:
        out += ["**Also known as:** " + "; ".join(f"{md(a['alias'])} {_refs(a['refs'])}" for a in p.aliases), ""]
    if p.memberships:
        out += ["### Organizations" if p.kind == "person" else "### Members", ""]
        for m in p.memberships:
            span = "–".join(x for x in (m["start"] or "?", m["end"] or "") if x) if (m["start"] or m["end"]) else "dates unknown"
            out.append(f"- {md(m['with'] or m['with_id'])} — {md(m['role'])} ({span}){' (disputed)' if m['disputed'] else ''}"
                       f"{SECONDARY_MARK if m.get('secondary_only') else ''} {_refs(m['refs'])}")
        out.append("")
    if p.relations:
        out += ["### Relations to other organizations", ""]
        for r in p.relations:
            span = "–".join(x for x in (r["start"] or "?", r["end"] or "") if x) if (r["start"] or r["end"]) else "dates unknown"
            line = f"- {md(r['label'])} {md(r['with'])}" if r["outgoing"] else f"- {md(r['with'])} {md(r['label'])} this organization"
            out.append(f"{line} ({span}){' (disputed)' if r['disputed'] else ''} {_refs(r['refs'])}")
        out.append("")
    if p.timeline:
        out += ["### Timeline", ""]
        for i in p.timeline:
            role = f" ({md(i['role'])})" if i["role"] else ""
            disputed = f" (disputed: {md(i['notes'])})" if i["disputed"] and i.get("notes") else " (disputed)" if i["disputed"] else ""
            mark = SECONDARY_MARK if i.get("secondary_only") else ""
            out.append(f"- **{md(i['date'] or 'undated')}** — {md(i['kind'])}{role}: {md(i['text'])}{disputed}{mark} {_refs(i['refs'])}")
        out.append("")
    if p.sources:
        out += ["### Sources", ""]
        for s in p.sources:
            url = escape.markdown_url(s["url"])
            out.append(f"{s['n']}. {_source_line(s, md)}." + (f" <{url}>" if url else ""))
    return "\n".join(out).rstrip() + "\n"


def to_json(p: Profile) -> str:
    return json.dumps(p.to_dict(), ensure_ascii=False, indent=2)


def render_terminal(p: Profile, console) -> None:
    """Print the profile with rich; data is escaped for rich markup and for the terminal."""
    from rich.markup import escape as rich_escape
    from rich.table import Table

    def e(text) -> str:
        return rich_escape(escape.terminal(text))

    console.print(f"[bold]{e(p.name)}[/bold]  [dim]{e(p.id)} · {p.kind}[/dim] {_refs(p.refs)}")
    if p.description:
        console.print(e(p.description))
    for label, value in p.facts:
        console.print(f"[bold]{label}:[/bold] {e(value)}")
    if p.aliases:
        console.print("[bold]Also known as:[/bold] " + e("; ".join(f"{a['alias']} {_refs(a['refs'])}" for a in p.aliases)))
    if p.memberships:
        t = Table(title="Organizations" if p.kind == "person" else "Members", title_justify="left", show_lines=False)
        for c in ("name", "role", "from", "to", "refs"):
            t.add_column(c, overflow="fold")
        for m in p.memberships:
            t.add_row(e(m["with"] or m["with_id"]), e(m["role"]), e(m["start"]), e(m["end"]), _refs(m["refs"]))
        console.print(t)
    if p.relations:
        t = Table(title="Relations", title_justify="left")
        for c in ("relation", "organization", "from", "to", "refs"):
            t.add_column(c, overflow="fold")
        for r in p.relations:
            t.add_row(e(r["label"] if r["outgoing"] else f"{r['with']} is {r['label']} it"), e(r["with"]),
                      e(r["start"]), e(r["end"]), _refs(r["refs"]))
        console.print(t)
    if p.timeline:
        # not expand=True: rich lays out an expanding table with folded cells ten times slower
        t = Table(title="Timeline", title_justify="left")
        t.add_column("date", no_wrap=True)
        t.add_column("what", max_width=16, overflow="fold")
        t.add_column("", min_width=24, overflow="fold")
        t.add_column("refs", max_width=12, overflow="fold", min_width=4)
        for i in p.timeline:
            what = i["kind"] + (f" ({i['role']})" if i["role"] else "")
            marks = (" [yellow](disputed)[/yellow]" if i["disputed"] else "") + (
                f" [magenta]{SECONDARY_MARK.strip()}[/magenta]" if i.get("secondary_only") else "")
            t.add_row(e(i["date"] or "undated"), e(what), e(i["text"]) + marks, _refs(i["refs"]))
        console.print(t)
    if p.sources:
        console.print("[bold]Sources[/bold]")
        for s in p.sources:
            console.print(f"{s['n']:>3}. {e(_source_line(s, str))} {e(s['url'])}", soft_wrap=True)


def plot(p: Profile, output) -> None:
    """Draw the timeline as a PNG: a partial date is a span from its first to its last day.
    Text is drawn literally (a ``$`` in the data is not TeX), nothing is clipped."""
    import datetime as _dt

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import dates

    items = [i for i in p.timeline if i["date"]]
    fig, ax = plt.subplots(figsize=(12, 0.45 * max(len(items), 3) + 1.4))
    for y, i in enumerate(items):
        lo, hi, precision = dates.parse(i["date"])
        if precision == "day":
            ax.plot([lo], [y], "o", color="tab:blue")
        else:
            ax.barh(y, (hi - lo).days + 1, left=lo, height=0.5, color="tab:orange", alpha=0.7)
        label = escape.terminal(f"{i['date']}  {i['kind']}: {i['text']}")
        ax.text(hi + _dt.timedelta(days=60), y, label[:90] + ("…" if len(label) > 90 else ""), va="center", fontsize=8,
                parse_math=False, clip_on=False)
    ax.set_yticks([])
    ax.invert_yaxis()
    ax.set_title(escape.terminal(f"{p.name} — timeline (points: exact days; bars: a year or month)"), parse_math=False)
    ax.set_xlabel("date", parse_math=False)
    fig.autofmt_xdate()
    fig.savefig(output, dpi=120, bbox_inches="tight")
    plt.close(fig)
