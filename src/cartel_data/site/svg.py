"""The site's figures, drawn as SVG text at build time (no script, no network).

Every piece of text from the data is escaped for XML; every link is a relative page address
built by the site, never a value from the data.
"""

from __future__ import annotations

import datetime as _dt
import math
from html import escape

from .. import dates


def _x(day: _dt.date, lo: _dt.date, hi: _dt.date, left: float, width: float) -> float:
    span = max((hi - lo).days, 1)
    return left + width * (day - lo).days / span


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def timeline(items: list[dict], title: str) -> str:
    """A person's timeline: exact days as points, years and months as spans from their first
    to their last day. ``items`` are the profile's timeline entries (date, kind, text)."""
    dated = [(i, dates.parse(i["date"])) for i in items if i.get("date")]
    dated = [(i, p) for i, p in dated if p]
    if not dated:
        return ""
    lo = min(p[0] for _, p in dated)
    hi = max(p[1] for _, p in dated)
    lo, hi = _dt.date(lo.year, 1, 1), _dt.date(hi.year, 12, 31)
    left, width, row = 110, 380, 22
    height = 40 + row * len(dated)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 {height}" class="figure timeline" role="img" '
           f'aria-labelledby="tl-title"><title id="tl-title">{escape(title)}</title>']
    years = range(lo.year, hi.year + 1)
    step = max(1, math.ceil(len(years) / 10))
    for y in years:
        if (y - lo.year) % step:
            continue
        x = _x(_dt.date(y, 1, 1), lo, hi, left, width)
        out.append(f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{height - 10}" class="grid"/>'
                   f'<text x="{x:.1f}" y="14" class="axis">{y}</text>')
    for k, (item, (a, b, precision)) in enumerate(dated):
        y = 32 + row * k
        out.append(f'<text x="4" y="{y + 4}" class="date">{escape(item["date"])}</text>')
        xa, xb = _x(a, lo, hi, left, width), _x(b + _dt.timedelta(days=1), lo, hi, left, width)
        label = escape(_clip(f'{item["kind"]}: {item["text"]}', 62))
        if precision == "day":
            out.append(f'<circle cx="{xa:.1f}" cy="{y}" r="5" class="point"><title>{escape(item["date"])}</title></circle>')
        else:
            out.append(f'<rect x="{xa:.1f}" y="{y - 5}" width="{max(xb - xa, 3):.1f}" height="10" class="span">'
                       f'<title>{escape(item["date"])} ({precision})</title></rect>')
        out.append(f'<text x="{left + width + 12}" y="{y + 4}" class="label">{label}</text>')
    out.append("</svg>")
    return "".join(out)


def _to_edge(ux: float, uy: float, rx: float, ry: float) -> float:
    """How far from an ellipse's centre its boundary lies in the direction (ux, uy)."""
    return 1.0 / math.sqrt((ux / rx) ** 2 + (uy / ry) ** 2)


def lineage(center: dict, relations: list[dict], href) -> str:
    """An organization and the organizations it is related to, as a star: the organization in
    the middle, each relation an arrow labelled with its kind (pointing from the organization the
    relation is about to the other). ``href(org_id)`` gives a page address."""
    others = []
    for r in relations:
        if r["with_id"] not in [o["id"] for o in others]:
            others.append({"id": r["with_id"], "name": r["with"]})
    if center.get("parent"):
        others += [o for o in [center["parent"]] if o["id"] not in [x["id"] for x in others]]
    if not others:
        return ""
    n = len(others)
    w = 900
    pos = {}
    if n <= 6:  # a ring around the organization
        h = 420
        cx, cy, rx, ry = w / 2, h / 2, w / 2 - 150, h / 2 - 50
        for k, o in enumerate(others):
            angle = 2 * math.pi * k / n - math.pi / 2
            pos[o["id"]] = (cx + rx * math.cos(angle), cy + ry * math.sin(angle))
    else:  # two columns, the organization between them
        per = math.ceil(n / 2)
        h = 60 * per + 60
        cx, cy = w / 2, h / 2
        for k, o in enumerate(others):
            col, i = divmod(k, per)
            count = per if col == 0 else n - per
            y = cy + (i - (count - 1) / 2) * 60
            pos[o["id"]] = (125.0 if col == 0 else w - 125.0, y)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="figure lineage" role="img" '
           f'aria-labelledby="lin-title"><title id="lin-title">Relations of {escape(center["name"])}</title>'
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>']
    stacked: dict[str, int] = {}
    for r in relations:
        ox, oy = pos[r["with_id"]]
        (ax, ay), (bx, by) = ((cx, cy), (ox, oy)) if r["outgoing"] else ((ox, oy), (cx, cy))
        length = math.hypot(bx - ax, by - ay) or 1.0
        ux, uy = (bx - ax) / length, (by - ay) / length
        ra = _to_edge(ux, uy, *((120, 26) if r["outgoing"] else (110, 22))) + 3
        rb = _to_edge(ux, uy, *((110, 22) if r["outgoing"] else (120, 26))) + 6
        x1, y1, x2, y2 = ax + ra * ux, ay + ra * uy, bx - rb * ux, by - rb * uy
        cls = "edge disputed" if r.get("disputed") else "edge"
        k = stacked.get(r["with_id"], 0)
        stacked[r["with_id"]] = k + 1
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2 - 4 + 14 * k
        when = f' {r["start"]}' if r.get("start") else ""
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="{cls}" marker-end="url(#arrow)"/>'
                   f'<text x="{mx:.1f}" y="{my:.1f}" class="edge-label">{escape(r["label"] + when)}</text>')
    out.append(f'<g class="node center"><ellipse cx="{cx:.1f}" cy="{cy:.1f}" rx="120" ry="26"/>'
               f'<text x="{cx:.1f}" y="{cy + 5:.1f}">{escape(_clip(center["name"], 30))}</text></g>')
    for o in others:
        x, y = pos[o["id"]]
        out.append(f'<a href="{escape(href(o["id"]))}"><g class="node"><ellipse cx="{x:.1f}" cy="{y:.1f}" rx="110" ry="22"/>'
                   f'<text x="{x:.1f}" y="{y + 5:.1f}">{escape(_clip(o["name"], 28))}</text></g></a>')
    out.append("</svg>")
    return "".join(out)


def bars(counts: dict[int, int], title: str) -> str:
    """A bar chart of counts per year (every year between the first and the last is shown)."""
    if not counts:
        return ""
    years = list(range(min(counts), max(counts) + 1))
    top = max(counts.values())
    w, h, left, bottom = 900, 260, 40, 30
    bw = (w - left - 10) / len(years)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="figure bars" role="img" '
           f'aria-labelledby="bars-title"><title id="bars-title">{escape(title)}</title>']
    for k, y in enumerate(years):
        n = counts.get(y, 0)
        bh = (h - bottom - 20) * n / top
        x = left + k * bw
        if n:
            out.append(f'<rect x="{x + 1:.1f}" y="{h - bottom - bh:.1f}" width="{max(bw - 2, 1):.1f}" height="{bh:.1f}" '
                       f'class="bar"><title>{y}: {n}</title></rect>'
                       f'<text x="{x + bw / 2:.1f}" y="{h - bottom - bh - 4:.1f}" class="count">{n}</text>')
        if len(years) <= 25 or y % 5 == 0:
            out.append(f'<text x="{x + bw / 2:.1f}" y="{h - 10}" class="axis">{y}</text>')
    out.append(f'<line x1="{left}" y1="{h - bottom}" x2="{w - 10}" y2="{h - bottom}" class="grid"/></svg>')
    return "".join(out)
