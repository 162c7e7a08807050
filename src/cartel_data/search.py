"""Finding people and organizations by name or alias: accent- and case-insensitive,
tolerant of small misspellings, ranked.

>>> hits = search("felix gallardo")
>>> hits[0].id
'per-miguel-angel-felix-gallardo'
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import asdict, dataclass

from .package import Package


def fold(text: str) -> str:
    """Lowercase, strip accents, and turn punctuation into spaces: ``Z-40`` -> ``z 40``."""
    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", t).split())


@dataclass
class Hit:
    id: str
    kind: str  # person | organization
    name: str
    matched: str  # the name or alias that matched
    score: float
    via: str = "name"  # name | alias

    def to_dict(self) -> dict:
        return asdict(self)


#: Articles a name may be written with or without ("El Mini Lic" and "Mini Lic").
ARTICLES = {"el", "la", "los", "las"}


def _core(text: str) -> str:
    return " ".join(w for w in text.split() if w not in ARTICLES)


def _score(q: str, target: str) -> float:
    if not q or not target:
        return 0.0
    if q == target:
        return 1.0
    if _core(q) and _core(q) == _core(target):
        return 0.98
    qt, tt = q.split(), target.split()
    if all(any(t.startswith(w) for t in tt) for w in qt):
        return 0.9 - 0.01 * (len(tt) - len(qt))
    if q.replace(" ", "") == target.replace(" ", ""):
        return 0.95
    if q in target:
        return 0.8
    # fuzzy: each query word against its best target word, and the whole string
    per_word = sum(max(difflib.SequenceMatcher(None, w, t).ratio() for t in tt) for w in qt) / len(qt)
    whole = difflib.SequenceMatcher(None, q, target).ratio()
    return 0.75 * max(per_word, whole)


#: A partial (not exact) match on an alias ranks this far below the same match on a name, so
#: that "Caro Quintero" finds the person Rafael Caro Quintero before an organization
#: whose alias is "Caro Quintero Organization".
ALIAS_PENALTY = 0.1


def entries(pkg: Package, rows: dict | None = None):
    """(id, kind, display name, searchable text, via) for every name and alias; from ``rows``
    (table name -> row dicts) when the caller has already read them, else from the package."""
    from .records import read_rows

    def table(name):
        if rows is not None:
            return rows.get(name, [])
        return read_rows(pkg.resource(name)).dicts() if name in pkg.resource_names else []

    names = {}
    for name, kind, id_col in (("persons", "person", "person_id"), ("organizations", "organization", "organization_id")):
        for r in table(name):
            names[r[id_col]] = (kind, r["name"])
            yield r[id_col], kind, r["name"], r["name"], "name"
    for r in table("aliases"):
        owner = r["person_id"] or r["organization_id"]
        if owner in names:
            kind, name = names[owner]
            yield owner, kind, name, r["alias"], "alias"


def search(text: str, path=None, limit: int = 10, threshold: float = 0.55, rows: dict | None = None) -> list[Hit]:
    """People and organizations whose name or alias matches ``text``, best first (``rows``:
    the tables already read, see :func:`entries`)."""
    pkg = Package(path) if rows is None else None
    q = fold(text)
    best: dict[str, Hit] = {}
    for eid, kind, name, alias, via in entries(pkg, rows):
        s = _score(q, fold(alias))
        if via == "alias" and s < 1.0:
            s -= ALIAS_PENALTY
        if s >= threshold and (eid not in best or s > best[eid].score):
            best[eid] = Hit(eid, kind, name, alias, round(s, 3), via)
    return sorted(best.values(), key=lambda h: (-h.score, h.via != "name", h.name))[:limit]
