"""The static site: page builders, the search index, escaping, determinism, every internal
link, and a real headless Chromium (Debian's ``chromium``, driven by Playwright) finding
people by alias and by unaccented name.

Browser tests are skipped when no Chromium is installed, unless ``CARTEL_REQUIRE_BROWSER=1``
(as in CI), which makes a missing browser a failure. Screenshots go to
``$CARTEL_ARTIFACTS`` (default ``build/test-artifacts``)."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from cartel_data.cli import cli
from cartel_data.search import fold
from cartel_data.site import build
from conftest import ROOT

ARTIFACTS = Path(os.environ.get("CARTEL_ARTIFACTS", ROOT / "build" / "test-artifacts"))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("site") / "site")


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


# -- the build ------------------------------------------------------------------------------
def test_one_page_per_row_and_the_index_pages(site):
    import cartel_data

    t = cartel_data.load_all()
    assert len(list((site / "person").glob("*.html"))) == len(t["persons"])
    assert len(list((site / "organization").glob("*.html"))) == len(t["organizations"])
    assert len(list((site / "event").glob("*.html"))) == len(t["events"])
    assert len(list((site / "source").glob("*.html"))) == len(t["sources"])
    for name in ("index", "search", "persons", "organizations", "events", "sources", "sentences", "transfers"):
        assert (site / f"{name}.html").is_file(), name


def test_the_build_is_deterministic_and_atomic(site, tmp_path):
    again = build(tmp_path / "again")
    assert _digest(again) == _digest(site)
    r = CliRunner().invoke(cli, ["site", "-o", str(tmp_path / "again")])
    assert r.exit_code == 2 and "--force" in r.stderr
    assert CliRunner().invoke(cli, ["site", "-o", str(tmp_path / "again"), "--force"]).exit_code == 0


def test_nothing_is_loaded_from_the_network(site):
    for p in site.rglob("*.html"):
        html = p.read_text(encoding="utf-8")
        for src in re.findall(r'(?:src|href)="([^"]+)"', html):
            if src.startswith(("http://", "https://", "//")):
                tag = html[html.rfind("<", 0, html.find(src)): html.find(src)]
                assert tag.startswith("<a "), (p.name, src)  # only links a reader follows, never a resource


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "link", "script", "img"):
                self.links.append(a[key])


def test_no_internal_link_is_broken(site):
    pages = {p: _parse(p) for p in site.rglob("*.html")}
    checked = 0
    for page, parsed in pages.items():
        for link in parsed.links:
            u = urlsplit(link)
            if u.scheme or link.startswith("//"):
                continue
            target = (page.parent / unquote(u.path)).resolve() if u.path else page
            assert target.exists(), f"{page.relative_to(site)} links to missing {link}"
            if u.fragment and target.suffix == ".html":
                assert u.fragment in pages[target].ids, f"{page.relative_to(site)}: no #{u.fragment} in {link}"
            checked += 1
    assert checked > 10_000


def _parse(p: Path) -> _Links:
    parser = _Links()
    parser.feed(p.read_text(encoding="utf-8"))
    return parser


def test_search_index_folds_names_and_aliases(site):
    text = (site / "search-index.js").read_text(encoding="utf-8")
    entries = json.loads(text[text.index("=") + 1: text.rindex(";")])
    keys = {(e[0], e[4]) for e in entries}
    assert ("el chapo", "person/per-joaquin-guzman-loera.html") in keys
    assert (fold("Miguel Ángel Félix Gallardo"), "person/per-miguel-angel-felix-gallardo.html") in keys
    assert any(k == "z 40" for k, _ in keys)
    assert all(e[0] == fold(e[1]) for e in entries)


def test_pages_carry_citations_and_marks(site):
    html = (site / "person" / "per-joaquin-guzman-loera.html").read_text(encoding="utf-8")
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'class="figure timeline"' in html
    assert 'href="../source/' in html and 'class="ref" href="#ref-1"' in html
    assert "disputed" in html and 'lang="en"' in (site / "index.html").read_text(encoding="utf-8")
    org = (site / "organization" / "org-los-zetas.html").read_text(encoding="utf-8")
    assert 'class="figure lineage"' in org and "split from" in org
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'class="figure bars"' in home and "download/data/persons.csv" in home


def test_hostile_cell_text_is_escaped(pkg, tmp_path):
    i = pkg.index_where("persons", "person_id", "per-rafael-caro-quintero")
    pkg.set_cell("persons", "description", '<script>alert("x")</script><img src=x onerror=alert(1)>', index=i)
    j = pkg.index_where("sources", "source_id", pkg.rows("sources")[0]["source_id"])
    rows = pkg.rows("sources")
    rows[j]["notes"] = "javascript:alert(1)"
    pkg.write_rows("sources", rows)
    out = build(tmp_path / "s", path=pkg.root)
    html = (out / "person" / "per-rafael-caro-quintero.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "<img src=x" not in html
    for p in out.rglob("*.html"):
        assert 'href="javascript:' not in p.read_text(encoding="utf-8")


def test_only_https_urls_become_links():
    from cartel_data.site import safe_url

    assert safe_url("https://example.org/a") == "https://example.org/a"
    assert safe_url("javascript:alert(1)") is None and safe_url("http://x") is None and safe_url(None) is None


# -- a real browser -------------------------------------------------------------------------
def _chromium() -> str | None:
    return os.environ.get("CARTEL_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    if exe is None:
        if os.environ.get("CARTEL_REQUIRE_BROWSER") == "1":
            pytest.fail("CARTEL_REQUIRE_BROWSER=1 but no chromium was found")
        pytest.skip("no chromium installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def served(site):
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(site), **k)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _page(browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


@pytest.mark.parametrize("where", ["http", "file"])
def test_home_loads_without_console_errors(browser, served, site, where):
    page = _page(browser)
    page.goto(f"{served}/index.html" if where == "http" else (site / "index.html").as_uri())
    assert page.title().startswith("Home")
    assert page.locator("svg.bars").count() == 1
    assert page.errors == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"home-{where}.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("query, person", [("z-40", "per-miguel-angel-trevino-morales"),
                                            ("felix gallardo", "per-miguel-angel-felix-gallardo"),
                                            ("el chapo", "per-joaquin-guzman-loera")])
def test_search_reaches_the_person(browser, served, query, person):
    page = _page(browser)
    page.goto(f"{served}/index.html")
    page.fill("#home-q", query)
    page.press("#home-q", "Enter")
    page.wait_for_selector("#search-results li a")
    page.click("#search-results li:first-child a")
    page.wait_for_load_state()
    assert page.url.endswith(f"/person/{person}.html"), page.url
    assert page.errors == []
    page.close()


def test_person_page_figure_and_citations(browser, served):
    page = _page(browser)
    page.goto(f"{served}/person/per-rafael-caro-quintero.html")
    assert page.locator("svg.timeline circle, svg.timeline rect").count() > 3
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "person.png"), full_page=True)
    page.click("ol.sources li:first-child a:first-child")
    page.wait_for_load_state()
    assert "/source/" in page.url and page.locator("h2#cited-h").count() == 1
    assert page.errors == []
    page.goto(f"{served}/organization/org-sinaloa-cartel.html")
    assert page.locator("svg.lineage").count() == 1
    page.screenshot(path=str(ARTIFACTS / "organization.png"), full_page=True)
    page.close()


def test_tables_sort_and_filter(browser, served):
    page = _page(browser)
    page.goto(f"{served}/persons.html")
    rows = page.locator("#persons tbody tr")
    total = rows.count()
    page.fill("input[data-filter-for=persons]", "trevino")
    visible = page.locator("#persons tbody tr:not([hidden])").count()
    assert 0 < visible < total
    page.fill("input[data-filter-for=persons]", "")
    page.click("#persons thead th:first-child")
    first = page.locator("#persons tbody tr:first-child td:first-child").inner_text()
    page.click("#persons thead th:first-child")
    assert page.locator("#persons tbody tr:first-child td:first-child").inner_text() != first
    assert page.errors == []
    page.close()


def test_readable_on_a_phone(browser, served):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{served}/person/per-joaquin-guzman-loera.html")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    page.screenshot(path=str(ARTIFACTS / "person-phone.png"))
    page.close()
