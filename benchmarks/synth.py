"""Generate a synthetic, valid cartel-data package of about N rows, for benchmarks.

Proportions across tables follow the shipped data; text has accents, partial dates of
every precision, multi-source lists and the occasional quoted comma. Deterministic for a
given N and seed.

    python benchmarks/synth.py 100000 /tmp/synth-100k
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARE = {"sources": 0.30, "persons": 0.08, "organizations": 0.03, "organization_relations": 0.01, "aliases": 0.11,
         "memberships": 0.08, "events": 0.10, "event_participants": 0.22, "sentences": 0.03, "extraditions": 0.04}
GIVEN = ["José", "María", "Ángel", "Rafael", "Héctor", "Jesús", "Martín", "Inés", "Raúl", "Óscar", "Ramón", "Zoé"]
FAMILY = ["Núñez", "Félix", "Gómez", "Treviño", "Zúñiga", "Peña", "Ibáñez", "Quintero", "Valdés", "Carrillo"]
WORDS = ["cártel", "operación", "captura", "traslado", "acusación", "juzgado", "prisión", "región", "norte", "sur"]


def _date(r: random.Random) -> str:
    y = r.randint(1970, 2024)
    p = r.random()
    if p < 0.2:
        return str(y)
    m = r.randint(1, 12)
    if p < 0.45:
        return f"{y}-{m:02d}"
    return f"{y}-{m:02d}-{r.randint(1, 28):02d}"


def _text(r: random.Random, n: int) -> str:
    s = " ".join(r.choice(WORDS) for _ in range(n))
    return s[0].upper() + s[1:] + ("; otra, más" if r.random() < 0.1 else "") + "."


def generate(n_rows: int, out: Path, seed: int = 1) -> dict[str, int]:
    r = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "schemas", out / "schemas")
    shutil.copy(ROOT / "datapackage.json", out / "datapackage.json")
    counts = {t: max(2, int(n_rows * s)) for t, s in SHARE.items()}
    ids = {t: [f"{p}-{t[:3]}-{i:07d}" for i in range(counts[t])] for t, p in
           (("sources", "src"), ("persons", "per"), ("organizations", "org"), ("events", "evt"), ("sentences", "sen"))}
    n_src = counts["sources"]
    cursor = [0]

    def sources() -> str:
        # walk through the sources so that every one is cited at least once
        k = r.randint(1, 3)
        picks = [ids["sources"][(cursor[0] + j) % n_src] for j in range(k)]
        cursor[0] += k
        return ";".join(dict.fromkeys(picks))

    schemas = {t: json.loads((ROOT / "schemas" / f"{t}.json").read_text(encoding="utf-8")) for t in SHARE}
    enums = {t: {f["name"]: f.get("constraints", {}).get("enum") for f in s["fields"]} for t, s in schemas.items()}

    def write(table, rows):
        cols = [f["name"] for f in schemas[table]["fields"]]
        with open(out / "data" / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(cols)
            for row in rows:
                w.writerow([row.get(c, "") for c in cols])

    def person(i, pid):
        g, f1, f2 = r.choice(GIVEN), r.choice(FAMILY), r.choice(FAMILY)
        return {"person_id": pid, "name": f"{g} {f1} {f2}", "given_names": g, "family_names": f"{f1} {f2}",
                "birth_date": str(r.randint(1930, 1960)) if r.random() < 0.5 else "", "nationality": "MX",
                "description": _text(r, 8), "disputed": "false", "source_ids": sources()}

    write("persons", (person(i, p) for i, p in enumerate(ids["persons"])))
    write("organizations", ({"organization_id": o, "name": f"Organización {r.choice(FAMILY)} {i}",
                             "organization_type": r.choice(enums["organizations"]["organization_type"]), "country": "MX",
                             "founded": str(r.randint(1970, 2000)), "description": _text(r, 6), "disputed": "false",
                             "source_ids": sources()} for i, o in enumerate(ids["organizations"])))
    def relation(i):
        a, b = r.sample(ids["organizations"], 2)
        start = r.randint(1980, 2010)
        return {"relation_id": f"rel-{i:07d}", "organization_id": a, "related_organization_id": b,
                "relation_type": r.choice(enums["organization_relations"]["relation_type"]), "start_date": str(start),
                "end_date": str(start + r.randint(0, 10)) if r.random() < 0.5 else "", "disputed": "false",
                "source_ids": sources()}

    write("organization_relations", (relation(i) for i in range(counts["organization_relations"])))
    write("aliases", ({"alias_id": f"ali-{i:07d}", "person_id": r.choice(ids["persons"]), "alias": f"El {r.choice(WORDS)}",
                       "alias_type": "nickname", "language": "es", "source_ids": sources()} for i in range(counts["aliases"])))
    write("memberships", ({"membership_id": f"mem-{i:07d}", "person_id": r.choice(ids["persons"]),
                           "organization_id": r.choice(ids["organizations"]), "role": r.choice(enums["memberships"]["role"]),
                           "start_date": str(r.randint(1975, 1990)), "end_date": str(r.randint(1991, 2020)),
                           "disputed": "false", "source_ids": sources()} for i in range(counts["memberships"])))
    write("events", ({"event_id": e, "event_type": r.choice(enums["events"]["event_type"]), "date": _date(r),
                      "place": "Culiacán", "admin1": "Sinaloa", "country": "MX", "summary": _text(r, 12),
                      "disputed": "false", "source_ids": sources()} for e in ids["events"]))
    write("event_participants", ({"participant_id": f"par-{i:07d}", "event_id": r.choice(ids["events"]),
                                  "person_id": r.choice(ids["persons"]), "role": r.choice(enums["event_participants"]["role"]),
                                  "source_ids": sources()} for i in range(counts["event_participants"])))
    write("sentences", ({"sentence_id": s, "person_id": r.choice(ids["persons"]), "court": "Juzgado de Distrito",
                         "country": "MX", "date": _date(r), "charges": _text(r, 5), "term_years": str(r.randint(5, 60)),
                         "case_number": f"{r.randint(1, 25)}-cr-{r.randint(1, 999):05d}", "life": "false", "status": "imposed",
                         "disputed": "false", "source_ids": sources()}
                        for s in ids["sentences"]))
    write("extraditions", ({"extradition_id": f"ext-{i:07d}", "person_id": r.choice(ids["persons"]), "date": _date(r),
                            "from_country": "MX", "to_country": "US", "mechanism": "extradition_treaty",
                            "destination": "Southern District of Texas", "charges": _text(r, 5), "disputed": "false",
                            "source_ids": sources()} for i in range(counts["extraditions"])))
    write("sources", ({"source_id": s, "source_type": "news", "title": _text(r, 6), "publisher": "Periódico " + r.choice(FAMILY),
                       "published": _date(r), "url": f"https://example.org/{i}", "accessed": "2026-01-01", "language": "es",
                       "tier": "major_outlet"}
                      for i, s in enumerate(ids["sources"])))
    return counts


if __name__ == "__main__":
    n = int(sys.argv[1])
    counts = generate(n, Path(sys.argv[2]))
    print(f"{sum(counts.values())} rows: {counts}")
