"""FollowTheMoney entities (JSON Lines), for Aleph, OpenSanctions and their tools.

Every entity is made through the ``followthemoney`` library's model (``model.make_entity``,
``entity.add``), which refuses unknown properties and cleans values by their property type.

===================== ===========================================================
table                 FollowTheMoney
===================== ===========================================================
persons               ``Person`` (name, alias, first/last name, birth and death dates as the
                      partial dates they are, birth place, nationality, description)
organizations         ``Organization`` (name, alias, jurisdiction, founding and dissolution)
memberships           ``Membership`` (member, organization, role, start and end)
organization_relations ``UnknownLink`` (subject, object, role = the relation, start and end)
events                ``Event`` (name, date, place, country, involved = its participants)
sentences             ``CourtCase`` (court, case number, dates, charges) + ``CourtCaseParty``
extraditions          ``Event`` (the handover: date, countries, destination court, charges,
                      involved = the person)
sources               ``Article`` (title, publisher, author, date, address, language)
===================== ===========================================================

Every entity made from a row cites its sources: ``proof`` holds the ``Article`` entities,
``sourceUrl`` and ``publisher`` their addresses and publishers.

Entity ids are this package's own ids with the prefix ``cartel-data-`` (a person
``per-rafael-caro-quintero`` is ``cartel-data-per-rafael-caro-quintero``; a court-case party
is its sentence's id with ``-party``), so a re-export of unchanged rows gives the same ids.
"""

from __future__ import annotations

import json

from ..errors import MissingDependency
from . import Format

FORMAT = Format("ftm", ".ftm.jsonl", False, "FollowTheMoney entities (JSON Lines) for Aleph and OpenSanctions")
PREFIX = "cartel-data-"


def entity_id(package_id: str) -> str:
    return PREFIX + package_id


def _model():
    try:
        from followthemoney import model
    except ImportError as exc:
        raise MissingDependency("--format ftm needs followthemoney: pip install 'cartel-data[formats]'") from exc
    return model


class _Builder:
    def __init__(self, data):
        self.model = _model()
        self.data = data
        self.sources = {r["source_id"]: r for r in data["sources"].dicts()} if "sources" in data else {}
        self.out = []

    def make(self, schema: str, pid: str, source_ids=None, **props):
        e = self.model.make_entity(schema)
        e.id = entity_id(pid)
        for prop, values in props.items():
            for v in values if isinstance(values, (list, tuple)) else [values]:
                if v not in (None, ""):
                    e.add(prop, str(v), quiet=False)
        self._cite(e, source_ids or [])
        self.out.append(e)
        return e

    def _cite(self, e, source_ids) -> None:
        schema = e.schema
        for sid in source_ids:
            s = self.sources.get(sid)
            if s is None:
                continue
            if "proof" in schema.properties:
                e.add("proof", entity_id(sid), quiet=False)
            if "sourceUrl" in schema.properties:
                e.add("sourceUrl", s["url"], quiet=False)
            if "publisher" in schema.properties:
                e.add("publisher", s["publisher"], quiet=False)


def entities(data) -> list:
    """Every entity, in table order then row order (primary key)."""
    b = _Builder(data)
    rows = {name: list(t.dicts()) for name, t in data.items()}
    aliases: dict[str, list[str]] = {}
    for a in rows.get("aliases", []):
        aliases.setdefault(a["person_id"] or a["organization_id"], []).append(a["alias"])
    for s in rows.get("sources", []):
        b.make("Article", s["source_id"], title=s["title"], publisher=s["publisher"], author=s.get("authors") or [],
               publishedAt=s["published"], sourceUrl=s["url"], language=_language(s["language"]), notes=s["notes"])
    for p in rows.get("persons", []):
        b.make("Person", p["person_id"], p["source_ids"], name=p["name"], alias=aliases.get(p["person_id"], []),
               firstName=p["given_names"], lastName=p["family_names"], birthDate=p["birth_date"],
               deathDate=p["death_date"], birthPlace=p["birth_place"], nationality=p["nationality"],
               description=p["description"], wikidataId=p.get("wikidata_id"), notes=p["notes"])
    for o in rows.get("organizations", []):
        b.make("Organization", o["organization_id"], o["source_ids"], name=o["name"], alias=aliases.get(o["organization_id"], []),
               jurisdiction=o["country"], incorporationDate=o["founded"], dissolutionDate=o["dissolved"],
               description=o["description"], notes=o["notes"])
    for m in rows.get("memberships", []):
        b.make("Membership", m["membership_id"], m["source_ids"], member=entity_id(m["person_id"]),
               organization=entity_id(m["organization_id"]), role=m["role"], startDate=m["start_date"],
               endDate=m["end_date"], description=m["notes"])
    for r in rows.get("organization_relations", []):
        b.make("UnknownLink", r["relation_id"], r["source_ids"], subject=entity_id(r["organization_id"]),
               object=entity_id(r["related_organization_id"]), role=r["relation_type"].replace("_", " "),
               startDate=r["start_date"], endDate=r["end_date"], description=r["notes"])
    _events(b, rows)
    _sentences(b, rows)
    _transfers(b, rows)
    return b.out


def _language(code):
    """FollowTheMoney languages are ISO 639-2/3 codes."""
    return {"es": "spa", "en": "eng", "pt": "por", "fr": "fra", "it": "ita", "de": "deu"}.get(code or "", None)


def _events(b, rows) -> None:
    involved: dict[str, list[str]] = {}
    for p in rows.get("event_participants", []):
        involved.setdefault(p["event_id"], []).append(entity_id(p["person_id"] or p["organization_id"]))
    for e in rows.get("events", []):
        b.make("Event", e["event_id"], e["source_ids"], name=f"{e['event_type'].replace('_', ' ')}: {e['date']}",
               summary=e["summary"], date=e["date"], location=", ".join(x for x in (e["place"], e["admin1"]) if x) or None,
               country=e["country"], involved=involved.get(e["event_id"], []), notes=e["notes"])


def _sentences(b, rows) -> None:
    for s in rows.get("sentences", []):
        term = "life" if s["life"] else (f"{s['term_years']} years" if s["term_years"] is not None else "term not stated")
        b.make("CourtCase", s["sentence_id"], s["source_ids"], name=f"Sentence: {term}", court=s["court"],
               caseNumber=s.get("case_number"), country=s["country"], closeDate=s["date"], status=s["status"],
               summary=s["charges"], notes=s["notes"])
        b.make("CourtCaseParty", s["sentence_id"] + "-party", s["source_ids"], case=entity_id(s["sentence_id"]),
               party=entity_id(s["person_id"]), role="defendant")


def _transfers(b, rows) -> None:
    for x in rows.get("extraditions", []):
        b.make("Event", x["extradition_id"], x["source_ids"],
               name=f"Transfer of custody {x['from_country']} to {x['to_country']}: {x['date']}",
               date=x["date"], country=[x["from_country"], x["to_country"]], location=x["destination"],
               summary=f"{x['mechanism'].replace('_', ' ')}" + (f"; charges: {x['charges']}" if x["charges"] else ""),
               involved=[entity_id(x["person_id"])], notes=x["notes"])


def write(pkg, data, output) -> None:
    with open(output, "w", encoding="utf-8", newline="\n") as fh:
        for e in entities(data):
            fh.write(json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
