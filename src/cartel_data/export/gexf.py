"""GEXF: the network of people and organizations, for Gephi (written with networkx).

- **Nodes**: every person (``kind`` person: name, birth and death dates as recorded,
  nationality) and organization (``kind`` organization: name, type, country, founded).
- **Edges**, each with a ``kind``:
  ``membership`` (person → organization; role, start, end, membership id),
  ``relation`` (organization → organization; the relation, start, end, relation id), and
  ``co-participation`` (undirected in meaning, stored once per pair in id order; ``weight``
  = the number of events both took part in, ``events`` = their ids separated by ``;``).

The graph is directed; dates are text as recorded (``1989``, ``1989-04``). The file's
``lastmodifieddate`` is the date the sources were last read, so the same data gives the same
bytes.
"""

from __future__ import annotations

from itertools import combinations

from ..errors import MissingDependency
from . import Format

FORMAT = Format("gexf", ".gexf", False, "the network of people and organizations (GEXF, for Gephi)")


def _nx():
    try:
        import networkx as nx
    except ImportError as exc:
        raise MissingDependency("--format gexf needs networkx: pip install 'cartel-data[formats]'") from exc
    return nx


def graph(data):
    """The network as a ``networkx.MultiDiGraph``."""
    nx = _nx()
    rows = {name: list(t.dicts()) for name, t in data.items()}
    g = nx.MultiDiGraph()
    for p in rows.get("persons", []):
        g.add_node(p["person_id"], label=p["name"], kind="person", birth_date=p["birth_date"] or "",
                   death_date=p["death_date"] or "", nationality=p["nationality"] or "")
    for o in rows.get("organizations", []):
        g.add_node(o["organization_id"], label=o["name"], kind="organization", organization_type=o["organization_type"],
                   country=o["country"] or "", founded=o["founded"] or "")
    for m in rows.get("memberships", []):
        g.add_edge(m["person_id"], m["organization_id"], key=m["membership_id"], kind="membership", label=m["role"],
                   start=m["start_date"] or "", end=m["end_date"] or "", ref=m["membership_id"], weight=1)
    for r in rows.get("organization_relations", []):
        g.add_edge(r["organization_id"], r["related_organization_id"], key=r["relation_id"], kind="relation",
                   label=r["relation_type"], start=r["start_date"] or "", end=r["end_date"] or "", ref=r["relation_id"], weight=1)
    together: dict[tuple, list[str]] = {}
    by_event: dict[str, set] = {}
    for p in rows.get("event_participants", []):
        by_event.setdefault(p["event_id"], set()).add(p["person_id"] or p["organization_id"])
    for eid in sorted(by_event):
        for a, b in combinations(sorted(by_event[eid]), 2):
            together.setdefault((a, b), []).append(eid)
    for (a, b), events in sorted(together.items()):
        g.add_edge(a, b, key=f"co-{a}-{b}", kind="co-participation", label="co-participation", start="", end="",
                   ref=";".join(events), weight=len(events))
    return g


def write(pkg, data, output) -> None:
    from networkx.readwrite.gexf import GEXFWriter

    g = graph(data)
    accessed = [r["accessed"] for r in data["sources"].dicts()] if "sources" in data else []
    w = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    w.xml.find("meta").set("lastmodifieddate", str(max(accessed)) if accessed else "2000-01-01")
    w.add_graph(g)
    w.write(str(output))
