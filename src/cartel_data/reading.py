"""Reading CSV files exactly as written: every cell as text, with the line it starts on.

Two readers give the same cells. A well-formed file (UTF-8, LF, no blank lines, quotes
only around whole cells) is split by pyarrow's multi-threaded CSV parser after a quick scan
of its quote characters; anything else goes through Python's strict :mod:`csv` reader,
which tracks editor line numbers and says exactly what is wrong. Line numbers of a file
read the fast way are worked out only when a problem needs one.
"""

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

    ``table`` is a ``pyarrow.Table`` of strings with empty cells as nulls, one column per
    distinct header name. ``line_of(i)`` is the editor line on which data row ``i`` starts
    (header = line 1). ``readable`` is False when the rows could not be split reliably
    (bad encoding, unbalanced quotes, ragged rows); cell-level checks are then skipped.
    """

    file: str
    header: list[str] = field(default_factory=list)
    table: object = None
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True
    n_rows: int = 0
    _lines: list[int] | None = None
    _text: str | None = None

    def line_of(self, row: int) -> int:
        if self._lines is None:
            self._lines = _row_lines(self._text) if self._text is not None else [i + 2 for i in range(self.n_rows)]
            self._text = None
        return self._lines[row]

    def col_of(self, column: str) -> int | None:
        try:
            return self.header.index(column) + 1
        except ValueError:
            return None

    def frame(self, columns: list[str] | None = None):
        """The cells as a pandas DataFrame of pyarrow-backed strings (missing values as ``<NA>``)."""
        import pandas as pd

        present = set(self.table.column_names) if self.table is not None else set()
        names = [c for c in (columns or self.header) if c in present]
        dtype = pd.StringDtype("pyarrow")
        data = {c: pd.Series(pd.array(self.table.column(c), dtype=dtype), copy=False) for c in names}
        return pd.DataFrame(data, index=pd.RangeIndex(self.n_rows))


def _row_lines(text: str) -> list[int]:
    """The editor line on which each data row starts (``text`` is well formed)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out, prev = [], 0
    for _row in reader:
        out.append(prev + 1)
        prev = reader.line_num
    return out[1:]


def _quotes_are_plain(data: bytes) -> tuple[bool, bool]:
    """Scan the quote characters only: ``(plain, multiline)``.

    ``plain`` is True when every quote opens a cell, closes it right before a comma or a
    line end, or is doubled inside it: the cases where every CSV parser agrees.
    ``multiline`` is True when a quoted cell spans lines.
    """
    find = data.find
    pos, multiline = 0, False
    n = len(data)
    while True:
        i = find(b'"', pos)
        if i < 0:
            return True, multiline
        if i and data[i - 1] not in b",\n":
            return False, multiline  # a quote inside an unquoted cell
        j = i + 1
        while True:
            k = find(b'"', j)
            if k < 0:
                return False, multiline  # never closed
            if k + 1 < n and data[k + 1] == 0x22:
                j = k + 2
                continue
            break
        if k + 1 < n and data[k + 1] not in b",\n":
            return False, multiline  # text after the closing quote
        if not multiline and data.find(b"\n", i, k) >= 0:
            multiline = True
        pos = k + 1


def split_plain(data: bytes):
    """Split a plainly well-formed CSV (see the module docstring) with pyarrow.

    Returns ``(header, table, multiline)`` with every cell as text and empty cells as nulls,
    or None when the file needs the strict reader."""
    if not data.endswith(b"\n") or data.startswith(b"\n") or b"\n\n" in data or b"\r" in data:
        return None
    plain, multiline = _quotes_are_plain(data)
    if not plain:
        return None
    first = data[: data.index(b"\n")]
    if b'"' in first:
        return None
    header = first.decode("utf-8").split(",")
    if len(set(header)) != len(header) or "" in header:
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=multiline),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in header},
                                                 null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    return header, table, multiline


def _fast_read(data: bytes, t: RawTable) -> bool:
    split = split_plain(data)
    if split is None:
        return False
    t.header, t.table, multiline = split
    t.n_rows = t.table.num_rows
    if multiline:
        t._text = data.decode("utf-8")
    return True


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
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        err("encoding", f"the file is not valid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded", line=line, col=col,
            hint="re-save the file as UTF-8")
        t.readable = False
        return t
    nul = data.find(b"\x00")
    if nul >= 0:
        err("nul-byte", "the file contains a NUL byte", line=data.count(b"\n", 0, nul) + 1)
        t.readable = False
        return t
    cr = data.find(b"\r")
    if cr >= 0:
        kind = "CRLF" if data[cr: cr + 2] == b"\r\n" else "CR"
        n_cr = data.count(b"\r")
        err("line-ending", f"{kind} line ending; lines must end with LF only ({n_cr} carriage return(s) in the file)",
            line=data.count(b"\n", 0, cr) + 1, hint="convert the file to LF line endings (e.g. `dos2unix`)")
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if not data.endswith(b"\n"):
        err("final-newline", "the last line does not end with a newline", line=data.count(b"\n") + 1, severity=WARNING)
    if not t.problems and _fast_read(data, t):
        return t
    _slow_read(data.decode("utf-8"), t, err)
    return t


def _slow_read(text: str, t: RawTable, err) -> None:
    """Python's strict csv reader: exact line numbers and messages for any file."""
    import pyarrow as pa

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    prev_end = 0
    try:
        for row in reader:
            start = prev_end + 1
            prev_end = reader.line_num
            if not row:
                err("blank-line", "blank line", line=start, hint="delete the empty line")
                continue
            rows.append(row)
            lines.append(start)
    except csv.Error as exc:
        err("csv-syntax", f"the CSV cannot be parsed: {exc}; probably an unbalanced double quote", line=prev_end + 1,
            hint='a double quote inside a quoted cell must be doubled ("")')
        t.readable = False
    if not rows:
        err("empty-file", "the file has no header row", line=1)
        t.readable = False
        t._lines, t.n_rows = [], 0
        return
    t.header = rows[0]
    t._lines = lines[1:]
    body = rows[1:]
    t.n_rows = len(body)
    width = len(t.header)
    for i, row in enumerate(body):
        if len(row) != width:
            err("row-length", f"the row has {len(row)} cells but the header has {width}", line=t._lines[i],
                hint="a cell containing a comma must be quoted")
            t.readable = False
    if t.readable:
        cols = {}
        for j, name in enumerate(t.header):
            if name not in cols:
                cols[name] = pa.array([r[j] or None for r in body], pa.string())
        t.table = pa.table(cols) if cols else None
