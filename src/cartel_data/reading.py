"""Reading CSV files exactly as written: every cell as text, with the line it starts on."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .report import ERROR, WARNING, Problem

csv.field_size_limit(1 << 30)


@dataclass
class RawTable:
    """A CSV file split into cells (all text) plus what was wrong with its structure.

    ``lines[i]`` is the editor line on which data row ``i`` starts (header = line 1).
    ``readable`` is False when the rows could not be split reliably (bad encoding,
    unbalanced quotes, ragged rows); cell-level checks are then skipped for the table.
    """

    file: str
    header: list[str] = field(default_factory=list)
    columns: dict[str, list[str]] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True

    @property
    def n_rows(self) -> int:
        return len(self.lines)

    def line_of(self, row: int) -> int:
        return self.lines[row]

    def col_of(self, column: str) -> int | None:
        try:
            return self.header.index(column) + 1
        except ValueError:
            return None

    def frame(self, columns: list[str] | None = None):
        """The cells as a pandas DataFrame of strings (missing values as ``<NA>``)."""
        import pandas as pd

        names = [c for c in (columns or self.header) if c in self.columns]
        data = {c: pd.array(self.columns[c], dtype="string") for c in names}
        df = pd.DataFrame(data, index=pd.RangeIndex(self.n_rows))
        return df.replace("", pd.NA) if len(df) else df


def read_raw(path: Path, display: str) -> RawTable:
    """Read ``path`` and check its byte- and row-level structure."""
    t = RawTable(file=display)

    def err(rule, message, line=None, severity=ERROR, **kw):
        t.problems.append(Problem(rule=rule, message=message, file=display, line=line, severity=severity, **kw))

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        err("file-missing", "the resource file does not exist")
        t.readable = False
        return t
    except OSError as exc:
        err("file-unreadable", f"the resource file cannot be read: {exc.strerror or exc}")
        t.readable = False
        return t
    if not data:
        err("empty-file", "the file is empty; it needs at least a header row", line=1)
        t.readable = False
        return t
    if data.startswith(b"\xef\xbb\xbf"):
        err("bom", "the file starts with a byte order mark (BOM); save it as UTF-8 without BOM", line=1, col=1)
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        err("encoding", f"the file is not valid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded", line=line, col=col,
            hint="re-save the file as UTF-8")
        t.readable = False
        return t
    nul = text.find("\x00")
    if nul >= 0:
        err("nul-byte", "the file contains a NUL byte", line=text.count("\n", 0, nul) + 1)
        t.readable = False
        return t
    cr = text.find("\r")
    if cr >= 0:
        kind = "CRLF" if text[cr: cr + 2] == "\r\n" else "CR"
        err("line-ending", f"{kind} line ending; lines must end with LF only ({text.count(chr(13))} carriage return(s) in the file)",
            line=text.count("\n", 0, cr) + 1, hint="convert the file to LF line endings (e.g. `dos2unix`)")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        err("final-newline", "the last line does not end with a newline", line=text.count("\n") + 1, severity=WARNING)

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    prev_end = 0
    try:
        for row in reader:
            start = prev_end + 1
            prev_end = reader.line_num
            if not row:
                err("blank-line", "blank line", line=start, hint="delete the empty line")
                continue
            rows.append(row)
            t.lines.append(start)
    except csv.Error as exc:
        err("csv-syntax", f"the CSV cannot be parsed: {exc}; probably an unbalanced double quote", line=prev_end + 1,
            hint='a double quote inside a quoted cell must be doubled ("")')
        t.readable = False
    if not rows:
        err("empty-file", "the file has no header row", line=1)
        t.readable = False
        t.lines = []
        return t
    t.header = rows[0]
    t.lines = t.lines[1:]
    body = rows[1:]
    width = len(t.header)
    for i, row in enumerate(body):
        if len(row) != width:
            err("row-length", f"the row has {len(row)} cells but the header has {width}", line=t.lines[i],
                hint="a cell containing a comma must be quoted")
            t.readable = False
    if t.readable:
        seen = set()
        for j, name in enumerate(t.header):
            if name in seen:
                continue
            seen.add(name)
            t.columns[name] = [r[j] for r in body]
    return t
