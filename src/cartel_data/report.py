"""Validation problems and the report that collects them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from . import escape

ERROR = "error"
WARNING = "warning"

#: Longest value a problem carries (a whole 100 MB cell is never echoed).
MAX_VALUE = 1_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the package.

    ``line`` is the line in the file as an editor shows it (the CSV header is line 1);
    ``column`` is the field name and ``col`` its 1-based position, where they apply.
    """

    rule: str
    message: str
    file: str
    severity: str = ERROR
    line: int | None = None
    column: str | None = None
    col: int | None = None
    value: str | None = None
    hint: str | None = None

    def __post_init__(self):
        # Text read from the package may hold what UTF-8 cannot encode (a lone surrogate from
        # a JSON "\ud800" escape); show such characters as escapes so the report can be printed.
        for name in ("rule", "message", "file", "column", "value", "hint"):
            v = getattr(self, name)
            if isinstance(v, str):
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    object.__setattr__(self, name, v.encode("utf-8", "backslashreplace").decode("utf-8"))
        if self.value is not None and len(self.value) > MAX_VALUE:
            object.__setattr__(self, "value", self.value[: MAX_VALUE - 1] + "…")

    def location(self) -> str:
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        return loc

    def sort_key(self):
        return (self.file, self.line or 0, self.col or 0, self.rule)


def _short(value: str | None, limit: int = 80) -> str:
    if value is None:
        return ""
    v = value if len(value) <= limit else value[: limit - 1] + "…"
    return escape.terminal(json.dumps(v, ensure_ascii=False))


@dataclass
class Report:
    """Everything one validation run found. ``valid`` is False when there is an error
    (or, with ``strict``, a warning)."""

    package: str
    problems: list[Problem] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)  # rows read per table
    strict: bool = False

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors and not (self.strict and self.warnings)

    @property
    def exit_code(self) -> int:
        return 0 if self.valid else 1

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=Problem.sort_key)

    def summary(self) -> str:
        rows = sum(self.tables.values())
        verdict = "valid" if self.valid else "INVALID"
        s = (
            f"{verdict}: {len(self.errors)} error(s), {len(self.warnings)} warning(s) "
            f"in {len(self.tables)} table(s), {rows} row(s) checked"
        )
        if self.strict and self.warnings and not self.errors:
            s += " (--strict: warnings fail)"
        return s

    # -- renderings -----------------------------------------------------------
    def to_text(self) -> str:
        """One line per problem (plus its hint), every piece of data escaped for a terminal:
        no control, bidi or line-break character from the package reaches the output."""
        t = escape.terminal
        out = []
        for p in self.sorted():
            line = f"{t(p.location())}: {p.severity}: {t(p.message)}"
            if p.column:
                line += f" [column {t(p.column)}]"
            if p.value is not None:
                line += f" value {_short(p.value)}"
            line += f" ({t(p.rule)})"
            if p.hint:
                line += f"\n    hint: {t(p.hint)}"
            out.append(line)
        out.append(self.summary())
        return "\n".join(out)

    def to_dict(self) -> dict:
        return {
            "package": self.package,
            "valid": self.valid,
            "strict": self.strict,
            "counts": {"errors": len(self.errors), "warnings": len(self.warnings), "rows": dict(self.tables)},
            "problems": [asdict(p) for p in self.sorted()],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_github(self) -> str:
        """GitHub Actions workflow commands, so problems show on the pull request diff; every
        property and message is escaped as the runner unescapes it."""
        esc_data, esc_prop = escape.github_data, escape.github_property
        out = []
        for p in self.sorted():
            props = [f"file={esc_prop(p.file)}"]
            if p.line is not None:
                props.append(f"line={p.line}")
            if p.col is not None:
                props.append(f"col={p.col}")
            props.append(f"title={esc_prop(p.rule)}")
            msg = p.message
            if p.column:
                msg += f" [column {p.column}]"
            if p.value is not None:
                msg += f" value {_short(p.value)}"
            if p.hint:
                msg += f". Hint: {p.hint}"
            out.append(f"::{p.severity} {','.join(props)}::{esc_data(msg)}")
        out.append(self.summary())
        return "\n".join(out)
