"""One test per validation rule: a copy of the real package broken in one place must be
reported with the right rule, file, line, column and exit code."""

from __future__ import annotations


import pytest

from cartel_data.validation import validate
from conftest import problems_for


def only(report, rule):
    found = problems_for(report, rule)
    assert found, f"expected a {rule!r} problem; got:\n{report.to_text()}"
    return found


def test_shipped_package_is_valid_strict():
    report = validate(None, strict=True)
    assert report.valid, report.to_text()
    assert report.exit_code == 0
    assert all(n > 0 for n in report.tables.values()), report.tables


# -- cells ------------------------------------------------------------------
@pytest.mark.parametrize("value", ["1985-02-30", "1985-13", "85", "1985/02/03", "2023-02-29", "0000"])
def test_impossible_or_malformed_dates(pkg, value):
    line = pkg.set_cell("events", "date", value, index=1)
    report = validate(pkg.root)
    hits = [p for p in report.errors if p.column == "date" and p.file == "data/events.csv"]
    assert hits, report.to_text()
    assert {p.rule for p in hits} & {"partial-date", "pattern"}
    assert all(p.line == line and p.value == value for p in hits)
    assert report.exit_code == 1


def test_future_date(pkg):
    line = pkg.set_cell("events", "date", "2999-01-01", index=0)
    (p,) = only(validate(pkg.root), "future-date")
    assert (p.file, p.line, p.column, p.value) == ("data/events.csv", line, "date", "2999-01-01")


def test_required_value(pkg):
    line = pkg.set_cell("persons", "description", "", index=2)
    (p,) = only(validate(pkg.root), "required")
    assert (p.line, p.column) == (line, "description")


def test_duplicate_primary_key(pkg):
    rows = pkg.rows("persons")
    dup = dict(rows[3])
    line = pkg.append_row("persons", dup)
    found = only(validate(pkg.root), "unique")
    assert {p.line for p in found} == {pkg.line_of("persons", 3), line}
    assert all(p.column == "person_id" and p.value == dup["person_id"] for p in found)


def test_bad_id_pattern(pkg):
    line = pkg.set_cell("persons", "person_id", "Per-Caro Quintero", index=0)
    report = validate(pkg.root)
    p = next(p for p in only(report, "pattern") if p.column == "person_id")
    assert p.line == line and "per-" in p.hint


def test_unknown_enum_value(pkg):
    line = pkg.set_cell("events", "event_type", "massacre", index=0)
    (p,) = only(validate(pkg.root), "enum")
    assert (p.line, p.column, p.value) == (line, "event_type", "massacre")
    assert "kidnapping" in p.hint


def test_bad_country_code(pkg):
    line = pkg.set_cell("events", "country", "XX", index=0)
    (p,) = only(validate(pkg.root), "country")
    assert (p.line, p.value) == (line, "XX")


@pytest.mark.parametrize("url", ["http://example.org/a", "javascript:alert(1)"])
def test_non_https_url(pkg, url):
    line = pkg.set_cell("sources", "url", url, index=0)
    p = next(p for p in only(validate(pkg.root), "pattern") if p.column == "url")
    assert (p.line, p.value) == (line, url)


@pytest.mark.parametrize("value", ["src-a;;src-b", "src-a; src-b", ";"])
def test_malformed_list(pkg, value):
    line = pkg.set_cell("persons", "source_ids", value, index=0)
    p = next(p for p in only(validate(pkg.root), "list"))
    assert (p.line, p.column) == (line, "source_ids")


def test_empty_source_ids(pkg):
    line = pkg.set_cell("events", "source_ids", "", index=0)
    (p,) = only(validate(pkg.root), "required")
    assert (p.line, p.column) == (line, "source_ids")


@pytest.mark.parametrize("value", [" leading", "trailing ", "both\t"])
def test_surrounding_whitespace(pkg, value):
    line = pkg.set_cell("persons", "name", value, index=0)
    (p,) = only(validate(pkg.root), "whitespace")
    assert (p.line, p.column) == (line, "name")


def test_not_nfc(pkg):
    decomposed = "Fe\u0301lix"
    line = pkg.set_cell("persons", "name", decomposed, index=0)
    (p,) = only(validate(pkg.root), "nfc")
    assert (p.line, p.column) == (line, "name")


def test_integer_type_and_range(pkg):
    rows = pkg.rows("sentences")
    rows[0]["term_years"] = "forty"
    rows[0]["term_months"] = "14"
    pkg.write_rows("sentences", rows)
    report = validate(pkg.root)
    assert only(report, "type")[0].column == "term_years"
    assert only(report, "maximum")[0].column == "term_months"


def test_boolean_type(pkg):
    line = pkg.set_cell("persons", "disputed", "yes", index=0)
    (p,) = only(validate(pkg.root), "type")
    assert (p.line, p.column, p.value) == (line, "disputed", "yes")


def test_huge_cell(pkg):
    line = pkg.set_cell("events", "summary", "x" * 100_000, index=0)
    (p,) = only(validate(pkg.root), "max-length")
    assert p.line == line


# -- references -------------------------------------------------------------
def test_dangling_foreign_key_with_hint(pkg):
    pid = pkg.rows("memberships")[0]["person_id"]
    typo = pid[:-1] + ("x" if pid[-1] != "x" else "y")
    line = pkg.set_cell("memberships", "person_id", typo, index=0)
    (p,) = only(validate(pkg.root), "foreign-key")
    assert (p.file, p.line, p.column, p.value) == ("data/memberships.csv", line, "person_id", typo)
    assert pid in p.hint


def test_dangling_id_inside_source_ids(pkg):
    first = pkg.rows("events")[0]["source_ids"].split(";")[0]
    bad = first + "-typo"
    line = pkg.set_cell("events", "source_ids", f"{first};{bad}", index=0)
    (p,) = only(validate(pkg.root), "foreign-key")
    assert (p.line, p.column, p.value) == (line, "source_ids", bad)
    assert first in p.hint


def test_uncited_source_is_a_warning_and_strict_fails(pkg):
    src = dict(pkg.rows("sources")[0])
    src["source_id"] = "src-never-cited"
    line = pkg.append_row("sources", src)
    report = validate(pkg.root)
    (p,) = only(report, "uncited-source")
    assert p.severity == "warning" and p.line == line
    assert report.valid and report.exit_code == 0
    strict = validate(pkg.root, strict=True)
    assert not strict.valid and strict.exit_code == 1


# -- cross-field --------------------------------------------------------------
def test_end_before_start(pkg):
    rows = pkg.rows("memberships")
    rows[0]["start_date"], rows[0]["end_date"] = "1990", "1985-03"
    pkg.write_rows("memberships", rows)
    (p,) = only(validate(pkg.root), "date-order")
    assert (p.line, p.column, p.value) == (pkg.line_of("memberships", 0), "end_date", "1985-03")


def test_alias_needs_exactly_one_owner(pkg):
    rows = pkg.rows("aliases")
    rows[0]["organization_id"] = pkg.rows("organizations")[0]["organization_id"]
    rows[0]["person_id"] = rows[0]["person_id"] or pkg.rows("persons")[0]["person_id"]
    pkg.write_rows("aliases", rows)
    (p,) = only(validate(pkg.root), "one-of")
    assert p.line == pkg.line_of("aliases", 0) and "both" in p.message


def test_overturned_sentence_needs_date(pkg):
    rows = pkg.rows("sentences")
    rows[0]["status"], rows[0]["status_date"] = "overturned", ""
    pkg.write_rows("sentences", rows)
    (p,) = only(validate(pkg.root), "sentence-status")
    assert (p.line, p.column) == (pkg.line_of("sentences", 0), "status_date")


def test_event_after_death(pkg):
    persons = pkg.rows("persons")
    i = next(i for i, r in enumerate(persons) if r["person_id"] in {p["person_id"] for p in pkg.rows("extraditions")})
    pid = persons[i]["person_id"]
    persons[i]["birth_date"], persons[i]["death_date"] = "", "1950"
    pkg.write_rows("persons", persons)
    report = validate(pkg.root)
    found = [p for p in only(report, "lifespan") if p.file == "data/extraditions.csv"]
    assert found and pid in found[0].message


def test_convicted_without_sentence(pkg):
    persons = pkg.rows("persons")
    verdicts = {e["event_id"] for e in pkg.rows("events") if e["event_type"] == "verdict"}
    sentenced = {s["person_id"] for s in pkg.rows("sentences")} | {
        p["person_id"] for p in pkg.rows("event_participants") if p["event_id"] in verdicts}
    i = next(i for i, r in enumerate(persons) if r["person_id"] not in sentenced)
    persons[i]["description"] = "A man convicted of smuggling."
    pkg.write_rows("persons", persons)
    (p,) = only(validate(pkg.root), "convicted-has-sentence")
    assert p.line == pkg.line_of("persons", i)


def test_batch_member_must_be_participant(pkg):
    ex = pkg.rows("extraditions")
    i = next(i for i, r in enumerate(ex) if r["batch_event_id"])
    par = [r for r in pkg.rows("event_participants")
           if not (r["event_id"] == ex[i]["batch_event_id"] and r["person_id"] == ex[i]["person_id"])]
    pkg.write_rows("event_participants", par)
    (p,) = only(validate(pkg.root), "batch-membership")
    assert p.line == pkg.line_of("extraditions", i)


def test_formula_like_text_is_a_warning(pkg):
    line = pkg.set_cell("events", "summary", "=HYPERLINK(\"https://example.org\")", index=0)
    (p,) = only(validate(pkg.root), "formula-like")
    assert p.severity == "warning" and p.line == line


# -- several problems in one run ---------------------------------------------
def test_every_planted_error_reported_in_one_run(pkg):
    bad_date_line = pkg.set_cell("events", "date", "1985-02-30", index=0)
    first = pkg.rows("persons")[0]["source_ids"].split(";")[0]
    dangling_line = pkg.set_cell("persons", "source_ids", f"{first};src-does-not-exist", index=1)
    dup_line = pkg.append_row("organizations", dict(pkg.rows("organizations")[0]))
    report = validate(pkg.root)
    got = {(p.file, p.line, p.rule) for p in report.errors}
    assert ("data/events.csv", bad_date_line, "partial-date") in got
    assert ("data/persons.csv", dangling_line, "foreign-key") in got
    assert ("data/organizations.csv", dup_line, "unique") in got
    assert report.exit_code == 1
    assert "3 error(s)" in report.summary() or len(report.errors) >= 3


@pytest.mark.parametrize("url", ["https://example.org/a\u00a0b", "https://example.org/a\x1cb"])
def test_patterns_follow_python_regex_semantics(pkg, url):
    """`\\s` in a pattern also means Unicode white space (no-break space) and the ASCII
    separators, as in Python, though most values are matched by RE2."""
    line = pkg.set_cell("sources", "url", url, index=1)
    report = validate(pkg.root)
    assert any(p.rule == "pattern" and p.line == line and p.column == "url" for p in report.problems)


# -- disputes, relations and provenance ----------------------------------------------------
def test_disputed_row_needs_notes(pkg):
    i = pkg.index_where("events", "disputed", "false")
    rows = pkg.rows("events")
    rows[i]["disputed"], rows[i]["notes"] = "true", ""
    pkg.write_rows("events", rows)
    report = validate(pkg.root)
    (p,) = only(report, "disputed-notes")
    assert (p.severity, p.file, p.line, p.column) == ("error", "data/events.csv", pkg.line_of("events", i), "notes")
    assert not report.valid


def test_organization_related_to_itself(pkg):
    org = pkg.rows("organization_relations")[0]["organization_id"]
    line = pkg.set_cell("organization_relations", "related_organization_id", org, index=0)
    (p,) = only(validate(pkg.root), "self-relation")
    assert (p.severity, p.line, p.column, p.value) == ("error", line, "related_organization_id", org)


@pytest.mark.parametrize("url", [
    "https://www-staging.example.com/a",
    "https://example-testslot.azurewebsites.net/a",
    "https://example-example-staging.web.arc-cdn.net/a",
    "https://example.cdn.arcpublishing.com/a",
])
def test_staging_or_cdn_url_is_an_error(pkg, url):
    line = pkg.set_cell("sources", "url", url, index=0)
    report = validate(pkg.root)
    (p,) = only(report, "staging-url")
    assert (p.severity, p.line, p.column, p.value) == ("error", line, "url", url)
    assert not report.valid


@pytest.mark.parametrize("url", [
    "https://www.example.com/story?utm_source=feed",
    "https://www.example.com/story?id=3&fbclid=abc",
    "https://amp.example.com/story",
    "https://www.example.com/news/story/amp/",
    "https://www.example.com/story?outputType=amp",
])
def test_tracking_or_amp_url_is_a_warning(pkg, url):
    line = pkg.set_cell("sources", "url", url, index=0)
    report = validate(pkg.root)
    (p,) = only(report, "canonical-url")
    assert (p.severity, p.line, p.value) == ("warning", line, url)
    assert report.valid and not validate(pkg.root, strict=True).valid


def test_canonical_url_is_not_flagged(pkg):
    pkg.set_cell("sources", "url", "https://www.example.com/2024/08/ampara-story.html", index=0)
    assert not problems_for(validate(pkg.root), "canonical-url")


def test_republication_names_its_original(pkg):
    rows = pkg.rows("sources")
    rows[0]["tier"], rows[0]["original_publisher"] = "republication", ""
    pkg.write_rows("sources", rows)
    (p,) = only(validate(pkg.root), "republication-original")
    assert (p.severity, p.line, p.column) == ("error", pkg.line_of("sources", 0), "original_publisher")


def _rest_event_on(pkg, tier: str, notes: str) -> int:
    """Cite a new source of ``tier`` as the only source of an event; returns the event's line."""
    src = dict(pkg.rows("sources")[0])
    src.update(source_id="src-planted-secondary", tier=tier,
               original_publisher="Example Wire" if tier == "republication" else "", original_url="")
    pkg.append_row("sources", src)
    rows = pkg.rows("events")
    i = next(i for i, r in enumerate(rows) if r["disputed"] == "false")
    rows[i]["source_ids"], rows[i]["notes"] = "src-planted-secondary", notes
    pkg.write_rows("events", rows)
    return pkg.line_of("events", i)


@pytest.mark.parametrize("tier", ["republication", "unknown"])
def test_fact_resting_only_on_secondary_sources_is_a_warning(pkg, tier):
    line = _rest_event_on(pkg, tier, "")
    report = validate(pkg.root)
    found = [p for p in only(report, "secondary-only") if p.file == "data/events.csv"]
    assert [(p.severity, p.line, p.column, p.value) for p in found] == [("warning", line, "source_ids", "src-planted-secondary")]
    assert report.valid and not validate(pkg.root, strict=True).valid


@pytest.mark.parametrize("tier, notes", [
    ("republication", "Rests only on a republication: no original was found."),
    ("unknown", "The only report is on a site of unknown provenance; nothing better was found."),
])
def test_secondary_only_fact_explained_in_notes_passes(pkg, tier, notes):
    _rest_event_on(pkg, tier, notes)
    assert not [p for p in problems_for(validate(pkg.root), "secondary-only") if p.file == "data/events.csv"]


def test_a_primary_source_beside_a_republication_is_enough(pkg):
    _rest_event_on(pkg, "republication", "")
    rows = pkg.rows("events")
    i = next(i for i, r in enumerate(rows) if r["source_ids"] == "src-planted-secondary")
    primary = next(s["source_id"] for s in pkg.rows("sources") if s["tier"] == "primary")
    rows[i]["source_ids"] = f"src-planted-secondary;{primary}"
    pkg.write_rows("events", rows)
    assert not [p for p in problems_for(validate(pkg.root), "secondary-only") if p.file == "data/events.csv"]
