"""The catalogue of validation rules: every rule id, its severity, what it checks and the
usual fix, defined once. Every layer of the validator (files, descriptor, cells, rules
across tables) reports problems through :func:`problem`, which refuses an id that is not
here; the README's list of rules is generated from this table (:func:`markdown`).

>>> RULES["foreign-key"].severity
'error'
>>> problem("uncited-source", file="data/sources.csv", line=3).severity
'warning'
"""

from __future__ import annotations

from dataclasses import dataclass

from .report import ERROR, WARNING, Problem

#: Source tiers (``sources.tier``) whose text is not the publisher's own or whose origin is
#: unclear: a fact citing only these is reported by ``secondary-only`` and marked by ``show``
#: and the site.
SECONDARY_TIERS = ("republication", "unknown")

#: The layers, in the order the validator runs them.
LAYERS = {
    "descriptor": "the descriptor and each Table Schema",
    "file": "each file's bytes and rows",
    "cell": "each cell against its field",
    "table": "rules across fields, rows and tables",
}


@dataclass(frozen=True)
class Rule:
    id: str
    layer: str
    severity: str
    title: str  # what the rule checks, one line; the default message of its problems
    hint: str | None = None


_ALL = [
    # -- the descriptor and its schemas
    Rule("descriptor", "descriptor", ERROR, "the descriptor has the keys, value types and resources a package needs"),
    Rule("resource-path", "descriptor", ERROR, "resource and schema paths are relative files inside the package folder",
         "use a path such as data/persons.csv; URLs, absolute paths, '..' and links out of the folder are refused"),
    Rule("schema", "descriptor", ERROR, "each Table Schema is well formed: field types, constraints, keys and references"),
    Rule("unsafe-text", "descriptor", ERROR, "descriptor and schema text holds no control characters or line breaks where "
         "they could reach a terminal or a CI log", "remove the control character"),
    Rule("unsafe-url", "descriptor", ERROR, "URLs in the descriptor are https", "write the https:// address"),
    Rule("limit", "descriptor", ERROR, "the package stays within the documented size limits",
         "see the README's section on limits"),
    # -- each file
    Rule("file-missing", "file", ERROR, "the resource file exists"),
    Rule("file-unreadable", "file", ERROR, "the resource file can be read"),
    Rule("empty-file", "file", ERROR, "the file has a header row"),
    Rule("no-rows", "file", ERROR, "the table has at least one row",
         "add the table's rows, or remove the resource from datapackage.json"),
    Rule("bom", "file", ERROR, "no byte order mark", "save the file as UTF-8 without BOM"),
    Rule("encoding", "file", ERROR, "the file is UTF-8", "re-save the file as UTF-8"),
    Rule("nul-byte", "file", ERROR, "the file holds no NUL byte"),
    Rule("line-ending", "file", ERROR, "lines end with LF only", "convert the file to LF line endings (e.g. `dos2unix`)"),
    Rule("final-newline", "file", WARNING, "the last line ends with a newline"),
    Rule("blank-line", "file", ERROR, "no blank lines", "delete the empty line"),
    Rule("csv-syntax", "file", ERROR, "the CSV can be parsed", 'a double quote inside a quoted cell must be doubled ("")'),
    Rule("row-length", "file", ERROR, "every row has as many cells as the header", "a cell containing a comma must be quoted"),
    Rule("header", "file", ERROR, "the header names the schema's fields, once each, in schema order"),
    Rule("skipped", "file", WARNING, "the table's rows could be read reliably (otherwise its cells are not checked)"),
    # -- each cell
    Rule("required", "cell", ERROR, "a value is required"),
    Rule("unique", "cell", ERROR, "the value is unique in its column", "ids are never reused; give this row a new id"),
    Rule("type", "cell", ERROR, "the cell is of its field's type"),
    Rule("integer-range", "cell", ERROR, "the integer fits in 64 bits (within ±9,223,372,036,854,775,807)"),
    Rule("number-range", "cell", ERROR, "the number is finite (it does not overflow to infinity)"),
    Rule("minimum", "cell", ERROR, "the number is not below the field's minimum"),
    Rule("maximum", "cell", ERROR, "the number is not above the field's maximum"),
    Rule("pattern", "cell", ERROR, "the text matches the field's pattern"),
    Rule("enum", "cell", ERROR, "the value is one of the field's allowed values"),
    Rule("min-length", "cell", ERROR, "the text is not shorter than the field's minimum length"),
    Rule("max-length", "cell", ERROR, "the text is not longer than the field's maximum (10,000 characters by default)",
         "a cell this long is almost certainly pasted by mistake"),
    Rule("partial-date", "cell", ERROR, "a partial date is a real reduced ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)",
         "write only the parts the source gives; a day must exist in its month (1985-02-30 does not)"),
    Rule("date", "cell", ERROR, "a date is a real calendar date"),
    Rule("future-date", "cell", ERROR, "the date is not in the future"),
    Rule("country", "cell", ERROR, "the value is an ISO 3166-1 alpha-2 country code",
         "e.g. MX for Mexico, US for the United States"),
    Rule("list", "cell", ERROR, "a list is items separated by its delimiter, with no empty items or spaces around them"),
    Rule("whitespace", "cell", ERROR, "no leading or trailing white space", "delete the spaces at the start or end of the cell"),
    Rule("nfc", "cell", ERROR, "text is in Unicode NFC form",
         "normalise to NFC (e.g. a precomposed 'á' rather than 'a' + combining accent)"),
    Rule("format-limit", "cell", ERROR, "the cell and the table fit every export format (an Excel cell holds 32,767 "
         "characters, a sheet 1,048,575 rows)", "shorten the text or split the table"),
    Rule("control-character", "cell", WARNING, "text holds no control, bidirectional-override or invisible formatting "
         "characters (they can disguise text in terminals and editors)", "delete the character"),
    Rule("formula-like", "cell", WARNING, "text does not start with =, +, - or @, which spreadsheets may run as a formula",
         "reword so the cell does not start with that character"),
    # -- across fields, rows and tables
    Rule("primary-key", "table", ERROR, "a key of several columns is unique"),
    Rule("foreign-key", "table", ERROR, "every reference names an existing row"),
    Rule("uncited-source", "table", WARNING, "every source is cited by some row", "cite it from the rows it supports, or remove it"),
    Rule("date-order", "table", ERROR, "an end date is not before its start date"),
    Rule("one-of", "table", ERROR, "exactly one of person_id and organization_id is set"),
    Rule("disputed-notes", "table", ERROR, "a row marked disputed says in notes what the sources disagree on",
         "say in notes which sources disagree and on what"),
    Rule("sentence-status", "table", ERROR, "a sentence that was overturned, reduced, commuted or reinstated says when"),
    Rule("sentence-term", "table", ERROR, "a term beside a life sentence (life plus 30 years) is explained in notes"),
    Rule("fine-currency", "table", ERROR, "an amount of money (fine_amount, forfeiture_amount) and its currency go together"),
    Rule("transfer-countries", "table", ERROR, "a transfer is between two different countries"),
    Rule("batch-membership", "table", ERROR, "a transfer in a batch names a transfer event that lists the person",
         "add an event_participants row with role transferred"),
    Rule("lifespan", "table", ERROR, "what involves a person is dated between their birth and death "
         "(victims and subjects may appear in events after their death)"),
    Rule("convicted-has-sentence", "table", ERROR, "a person described as sentenced has a sentence; one described as "
         "convicted has a sentence or a verdict event",
         "add the sentence with its source, or reword the text"),
    Rule("self-relation", "table", ERROR, "an organization is not related to itself"),
    Rule("secondary-only", "table", WARNING, "a fact rests on at least one source that is not a republication or of "
         "unknown provenance", "cite the original (court, government, wire or newspaper) or say in notes why none exists"),
    Rule("staging-url", "table", ERROR, "a source URL is not a publisher's staging, test or CDN host",
         "cite the publisher's canonical address"),
    Rule("canonical-url", "table", WARNING, "a source URL is a canonical article address (no tracking parameters, "
         "no AMP variant)", "cite the canonical page"),
    Rule("republication-original", "table", ERROR, "a republication names the publisher of the original",
         "fill original_publisher"),
]

RULES: dict[str, Rule] = {r.id: r for r in _ALL}
assert len(RULES) == len(_ALL), "a rule id is declared twice"


def problem(rule_id: str, message: str | None = None, *, file: str, severity: str | None = None,
            hint: str | None = None, **where) -> Problem:
    """A :class:`~cartel_data.report.Problem` of a catalogued rule; the message, severity and
    hint default to the rule's own."""
    r = RULES[rule_id]  # a KeyError here is a bug: every rule id must be catalogued
    return Problem(rule=rule_id, message=message or r.title, file=file, severity=severity or r.severity,
                   hint=hint if hint is not None else r.hint, **where)


def markdown() -> str:
    """The rules as a Markdown table, grouped by layer (the README's list)."""
    out = ["| rule | severity | checks |", "|---|---|---|"]
    for layer in LAYERS:
        for r in _ALL:
            if r.layer == layer:
                out.append(f"| `{r.id}` | {r.severity} | {r.title} |")
    return "\n".join(out)
