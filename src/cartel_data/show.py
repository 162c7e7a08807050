"""Profiles: who is this, and what happened to them? (``cartel-data show``)

A profile gathers a person's or organization's names and aliases, memberships, and a
chronological timeline of events, sentences and transfers. Every line carries numbered
references to its sources, listed with their URLs at the end. Dates are shown exactly as
recorded (``1989``, ``1989-04``, ``1989-04-08``) and sorted by the earliest day they can mean.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field


class NotFound(LookupError):
    def __init__(self, message: str, candidates=()):
        super().__init__(message)
        self.candidates = list(candidates)


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

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "name": self.name, "description": self.description,
                "facts": dict(self.facts), "refs": self.refs, "aliases": self.aliases, "memberships": self.memberships,
                "timeline": self.timeline, "sources": self.sources}


def _sort_key(date: str | None) -> str:
    return date or "9999"


def profile(id_or_name: str, path=None) -> Profile:
    """Build the profile of a person or organization given its id or (part of) its name."""
    from .package import bundled_root
    from .records import read_package
    from .search import search

    pkg, t = read_package(bundled_root() if path is None else path)
    rows = {name: list(tr.dicts()) for name, tr in t.items()}
    persons = {r["person_id"]: r for r in rows.get("persons", [])}
    orgs = {r["organization_id"]: r for r in rows.get("organizations", [])}
    target = id_or_name if id_or_name in persons or id_or_name in orgs else None
    if target is None:
        hits = search(id_or_name, path=pkg.root)
        if not hits:
            raise NotFound(f"nothing matches {id_or_name!r}")
        if len(hits) > 1 and hits[0].score < 0.9 and hits[1].score >= hits[0].score - 0.05:
            raise NotFound(f"{id_or_name!r} is ambiguous", hits[:5])
        target = hits[0].id
    sources = {r["source_id"]: r for r in rows.get("sources", [])}
    order: dict[str, int] = {}

    def refs(ids) -> list[int]:
        out = []
        for sid in ids or []:
            if sid not in order:
                order[sid] = len(order) + 1
            out.append(order[sid])
        return out

    kind = "person" if target in persons else "organization"
    main = persons.get(target) or orgs[target]
    col = "person_id" if kind == "person" else "organization_id"
    p = Profile(id=target, kind=kind, name=main["name"], description=main.get("description"))
    p.refs = refs(main["source_ids"])
    if kind == "person":
        for label, key in (("Born", "birth_date"), ("Birthplace", "birth_place"), ("Died", "death_date"), ("Nationality", "nationality")):
            if main.get(key):
                p.facts.append((label, main[key]))
    else:
        for label, key in (("Type", "organization_type"), ("Country", "country"), ("Founded", "founded"), ("Dissolved", "dissolved")):
            if main.get(key):
                p.facts.append((label, main[key]))
        for label, key in (("Split from / part of", "parent_id"), ("Succeeded by", "successor_id")):
            if main.get(key):
                p.facts.append((label, f"{orgs.get(main[key], {}).get('name', main[key])} ({main[key]})"))
    if main.get("disputed"):
        p.facts.append(("Disputed", main.get("notes") or "yes"))
    for a in rows.get("aliases", []):
        if a[col] == target:
            p.aliases.append({"alias": a["alias"], "type": a["alias_type"], "refs": refs(a["source_ids"])})
    for m in rows.get("memberships", []):
        if m[col] == target:
            other = orgs.get(m["organization_id"], {}) if kind == "person" else persons.get(m["person_id"], {})
            p.memberships.append({"id": m["membership_id"], "with": other.get("name"),
                                  "with_id": m["organization_id"] if kind == "person" else m["person_id"],
                                  "role": m["role"], "start": m["start_date"], "end": m["end_date"],
                                  "disputed": m["disputed"], "refs": refs(m["source_ids"])})
    events = {e["event_id"]: e for e in rows.get("events", [])}
    for par in rows.get("event_participants", []):
        if par[col] == target and par["event_id"] in events:
            e = events[par["event_id"]]
            place = ", ".join(x for x in (e["place"], e["admin1"], e["country"]) if x)
            p.timeline.append({"date": e["date"], "kind": e["event_type"], "id": e["event_id"], "role": par["role"],
                               "text": e["summary"], "place": place or None, "disputed": e["disputed"],
                               "refs": refs(list(dict.fromkeys((e["source_ids"] or []) + (par["source_ids"] or []))))})
    if kind == "person":
        for s in rows.get("sentences", []):
            if s["person_id"] == target:
                term = "life" if s["life"] else " ".join(x for x in (
                    f"{s['term_years']} years" if s["term_years"] is not None else "",
                    f"{s['term_months']} months" if s["term_months"] else "") if x) or "term not stated"
                text = f"Sentence ({s['status']}{' ' + s['status_date'] if s['status_date'] else ''}): {term}; {s['court']}; charges: {s['charges']}"
                p.timeline.append({"date": s["date"], "kind": "sentence", "id": s["sentence_id"], "role": None, "text": text,
                                   "place": s["country"], "disputed": s["disputed"], "refs": refs(s["source_ids"])})
        for x in rows.get("extraditions", []):
            if x["person_id"] == target:
                text = (f"Transferred {x['from_country']} → {x['to_country']} ({x['mechanism'].replace('_', ' ')})"
                        + (f"; destination: {x['destination']}" if x["destination"] else "")
                        + (f"; charges: {x['charges']}" if x["charges"] else ""))
                p.timeline.append({"date": x["date"], "kind": "transfer", "id": x["extradition_id"], "role": None, "text": text,
                                   "place": None, "disputed": x["disputed"], "refs": refs(x["source_ids"])})
    p.timeline.sort(key=lambda i: (_sort_key(i["date"]), i["kind"], i["id"]))
    for sid, n in sorted(order.items(), key=lambda kv: kv[1]):
        s = sources.get(sid, {})
        p.sources.append({"n": n, "id": sid, "title": s.get("title"), "publisher": s.get("publisher"),
                          "published": s.get("published"), "url": s.get("url")})
    return p


def _refs(r) -> str:
    return "".join(f"[{n}]" for n in r)


def to_markdown(p: Profile) -> str:
    out = [f"## {p.name}", "", f"`{p.id}` ({p.kind}) {_refs(p.refs)}", ""]
    if p.description:
        out += [p.description, ""]
    for label, value in p.facts:
        out.append(f"- **{label}:** {value}")
    if p.facts:
        out.append("")
    if p.aliases:
        out += ["**Also known as:** " + "; ".join(f"{a['alias']} {_refs(a['refs'])}" for a in p.aliases), ""]
    if p.memberships:
        out += ["### Organizations" if p.kind == "person" else "### Members", ""]
        for m in p.memberships:
            span = "–".join(x for x in (m["start"] or "?", m["end"] or "") if x) if (m["start"] or m["end"]) else "dates unknown"
            out.append(f"- {m['with']} — {m['role']} ({span}){' (disputed)' if m['disputed'] else ''} {_refs(m['refs'])}")
        out.append("")
    if p.timeline:
        out += ["### Timeline", ""]
        for i in p.timeline:
            role = f" ({i['role']})" if i["role"] else ""
            out.append(f"- **{i['date'] or 'undated'}** — {i['kind']}{role}: {i['text']}"
                       f"{' (disputed)' if i['disputed'] else ''} {_refs(i['refs'])}")
        out.append("")
    if p.sources:
        out += ["### Sources", ""]
        for s in p.sources:
            title = s["title"] or "(untitled)"
            out.append(f"{s['n']}. {s['publisher']}, “{title}”, {s['published'] or 'n.d.'}. <{s['url']}>")
    return "\n".join(out).rstrip() + "\n"


def to_json(p: Profile) -> str:
    return json.dumps(p.to_dict(), ensure_ascii=False, indent=2)


def render_terminal(p: Profile, console) -> None:
    """Print the profile with rich."""
    from rich.markup import escape
    from rich.table import Table

    console.print(f"[bold]{escape(p.name)}[/bold]  [dim]{p.id} · {p.kind}[/dim] {_refs(p.refs)}")
    if p.description:
        console.print(escape(p.description))
    for label, value in p.facts:
        console.print(f"[bold]{label}:[/bold] {escape(value)}")
    if p.aliases:
        console.print("[bold]Also known as:[/bold] " + escape("; ".join(f"{a['alias']} {_refs(a['refs'])}" for a in p.aliases)))
    if p.memberships:
        t = Table(title="Organizations" if p.kind == "person" else "Members", title_justify="left", show_lines=False)
        for c in ("name", "role", "from", "to", "refs"):
            t.add_column(c)
        for m in p.memberships:
            t.add_row(escape(m["with"] or m["with_id"]), m["role"], m["start"] or "", m["end"] or "", _refs(m["refs"]))
        console.print(t)
    if p.timeline:
        t = Table(title="Timeline", title_justify="left", expand=True)
        t.add_column("date", no_wrap=True)
        t.add_column("what", max_width=18)
        t.add_column("", ratio=1)
        t.add_column("refs", max_width=14)
        for i in p.timeline:
            what = i["kind"] + (f" ({i['role']})" if i["role"] else "")
            t.add_row(i["date"] or "undated", what, escape(i["text"]) + (" [yellow](disputed)[/yellow]" if i["disputed"] else ""),
                      _refs(i["refs"]))
        console.print(t)
    if p.sources:
        console.print("[bold]Sources[/bold]")
        for s in p.sources:
            console.print(f"{s['n']:>3}. {escape(s['publisher'] or '')}, “{escape(s['title'] or '(untitled)')}”, "
                          f"{s['published'] or 'n.d.'} {escape(s['url'] or '')}", soft_wrap=True)


def plot(p: Profile, output) -> None:
    """Draw the timeline as a PNG: a partial date is a span from its first to its last day."""
    import datetime as _dt

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import dates

    items = [i for i in p.timeline if i["date"]]
    fig, ax = plt.subplots(figsize=(11, 0.45 * max(len(items), 3) + 1.2))
    for y, i in enumerate(items):
        lo, hi, precision = dates.parse(i["date"])
        if precision == "day":
            ax.plot([lo], [y], "o", color="tab:blue")
        else:
            ax.barh(y, (hi - lo).days + 1, left=lo, height=0.5, color="tab:orange", alpha=0.7)
        label = f"{i['date']}  {i['kind']}: {i['text']}"
        ax.text(hi + _dt.timedelta(days=60), y, label[:90] + ("…" if len(label) > 90 else ""), va="center", fontsize=8)
    ax.set_yticks([])
    ax.invert_yaxis()
    ax.set_title(f"{p.name} — timeline (points: exact days; bars: a year or month)")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    plt.close(fig)
