"""The one CSV reader: every cell as text, with the line each row starts on.

:func:`read_raw` reads a file under the read policy (:mod:`cartel_data.files`), checks its
bytes and rows, and splits it into cells. The validator reports what it found; the
loaders, the exports and ``fmt`` use the same cells (:func:`read_cells`), refusing a file
whose rows cannot be split reliably.

Two splitters give the same cells. A well-formed file (UTF-8, LF, no blank lines, quotes
only around whole cells) is split by pyarrow's multi-threaded CSV parser after a quick scan
of its quote characters; anything else goes through Python's strict :mod:`csv` reader,
which tracks editor line numbers and says exactly what is wrong. Line numbers of a file
read the fast way are worked out only when a problem needs one.

>>> header, table, multiline = split_plain(b'id,name\\nper-a,"Ana, B"\\n')
>>> header, table.column("name").to_pylist(), multiline
(['id', 'name'], ['Ana, B'], False)
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import problem
from .errors import PackageError, TooLarge, UnsafePath
from .files import MAX_COLUMNS, MAX_CSV_BYTES, MAX_HEADER_BYTES, MAX_LINE_BYTES, read_bytes

csv.field_size_limit(MAX_LINE_BYTES)

#: Problems after which a file's rows cannot be split reliably.
STRUCTURE_RULES = frozenset({"file-missing", "file-unreadable", "empty-file", "encoding", "nul-byte", "csv-syntax",
                             "row-length", "limit"})


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
    problems: list = field(default_factory=list)
    readable: bool = True
    n_rows: int = 0
    _lines: list[int] | None = None
    _text: str | None = None
    _cols: dict | None = None

    def line_of(self, row: int) -> int:
        if self._lines is None:
            self._lines = _row_lines(self._text) if self._text is not None else [i + 2 for i in range(self.n_rows)]
            self._text = None
        return self._lines[row]

    def col_of(self, column: str) -> int | None:
        if self._cols is None:
            self._cols = {}
            for j, name in enumerate(self.header):
                self._cols.setdefault(name, j + 1)
        return self._cols.get(column)

    def column(self, name: str):
        """One column as a single pyarrow string array (nulls for empty cells)."""
        return self.table.column(name).combine_chunks()

    def add(self, rule: str, message: str | None = None, **kw) -> None:
        self.problems.append(problem(rule, message, file=self.file, **kw))

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


def _longest_line(data: bytes) -> tuple[int, int]:
    """``(length, line)`` of the longest line; only scanned for files longer than the limit."""
    if len(data) <= MAX_LINE_BYTES:
        return 0, 0
    import numpy as np

    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x0A)
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(data)]))
    k = int(np.argmax(stops - starts))
    return int(stops[k] - starts[k]), k + 1


def _bytes_problems(t: RawTable, data: bytes) -> bytes | None:
    """Check the bytes; returns the data to split (BOM dropped, line ends normalised), or
    None when the file cannot be split at all."""
    if not data:
        t.add("empty-file", "the file is empty; it needs at least a header row", line=1)
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        t.add("bom", "the file starts with a byte order mark (BOM); save it as UTF-8 without BOM", line=1, col=1)
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        t.add("encoding", f"the file is not valid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded", line=line, col=col)
        return None
    nul = data.find(b"\x00")
    if nul >= 0:
        t.add("nul-byte", "the file contains a NUL byte", line=data.count(b"\n", 0, nul) + 1)
        return None
    # line endings first: a CR-only file is one long line until its endings are read
    cr = data.find(b"\r")
    if cr >= 0:
        kind = "CRLF" if data[cr: cr + 2] == b"\r\n" else "CR"
        n_cr = data.count(b"\r")
        t.add("line-ending", f"{kind} line ending; lines must end with LF only ({n_cr} carriage return(s) in the file)",
              line=data.count(b"\n", 0, cr) + 1)
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    head = data.find(b"\n")
    if (head if head >= 0 else len(data)) > MAX_HEADER_BYTES:
        t.add("limit", f"the header line is over {MAX_HEADER_BYTES:,} bytes", line=1)
        return None
    longest, line = _longest_line(data)
    if longest > MAX_LINE_BYTES:
        t.add("limit", f"line {line} is {longest:,} bytes long, over the limit of {MAX_LINE_BYTES:,}", line=line)
        return None
    if not data.endswith(b"\n"):
        t.add("final-newline", "the last line does not end with a newline", line=data.count(b"\n") + 1)
    return data


def read_raw(path: Path, display: str) -> RawTable:
    """Read ``path`` (shown as ``display`` in problems) and check its byte- and row-level structure."""
    t = RawTable(file=display)
    try:
        data = read_bytes(path, MAX_CSV_BYTES)
    except FileNotFoundError:
        t.add("file-missing", "the resource file does not exist")
        t.readable = False
        return t
    except OSError as exc:
        t.add("file-unreadable", f"the resource file cannot be read: {exc.strerror or exc}")
        t.readable = False
        return t
    except (UnsafePath, TooLarge) as exc:  # not a regular file, or too large
        t.add("limit" if isinstance(exc, TooLarge) else "file-unreadable", f"the resource file cannot be read: {exc}")
        t.readable = False
        return t
    split = _bytes_problems(t, data)
    if split is None:
        t.readable = False
        return t
    if not t.problems and _fast_read(split, t):
        return t
    _slow_read(split.decode("utf-8"), t)
    return t


def _fast_read(data: bytes, t: RawTable) -> bool:
    split = split_plain(data)
    if split is None:
        return False
    if len(split[0]) > MAX_COLUMNS:
        return False  # the strict reader reports it
    t.header, t.table, multiline = split
    t.n_rows = t.table.num_rows
    if multiline:
        t._text = data.decode("utf-8")
    return True


def _slow_read(text: str, t: RawTable) -> None:
    """Python's strict csv reader: exact line numbers and messages for any file."""
    rows, lines = _strict_rows(text, t)
    if not rows:
        t.add("empty-file", "the file has no header row", line=1)
        t.readable = False
        t._lines, t.n_rows = [], 0
        return
    t.header, t._lines, body = rows[0], lines[1:], rows[1:]
    t.n_rows = len(body)
    if len(t.header) > MAX_COLUMNS:
        t.add("limit", f"the header has {len(t.header):,} columns, over the limit of {MAX_COLUMNS:,}", line=1)
        t.readable = False
        return
    width = len(t.header)
    for i, row in enumerate(body):
        if len(row) != width:
            t.add("row-length", f"the row has {len(row)} cells but the header has {width}", line=t._lines[i])
            t.readable = False
    if t.readable:
        t.table = _arrow_columns(t.header, body)


def _strict_rows(text: str, t: RawTable) -> tuple[list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    prev_end = 0
    try:
        for row in reader:
            start = prev_end + 1
            prev_end = reader.line_num
            if not row:
                t.add("blank-line", "blank line", line=start)
                continue
            rows.append(row)
            lines.append(start)
    except csv.Error as exc:
        t.add("csv-syntax", f"the CSV cannot be parsed: {exc}; probably an unbalanced double quote", line=prev_end + 1)
        t.readable = False
    return rows, lines


def _arrow_columns(header: list[str], body: list[list[str]]):
    import pyarrow as pa

    cols = {}
    for j, name in enumerate(header):
        if name not in cols:
            cols[name] = pa.array([r[j] or None for r in body], pa.string())
    return pa.table(cols) if cols else None


def read_cells(res, what: str = "read") -> RawTable:
    """The cells of a resource for the loaders, exports and ``fmt``: PackageError (with the
    file and line) when its rows cannot be split reliably or its columns are not the schema's."""
    t = read_raw(res.path, res.rel_path)
    bad = next((p for p in t.problems if p.rule in STRUCTURE_RULES), None)
    if bad is not None or not t.readable:
        where = bad.location() if bad else res.rel_path
        raise PackageError(f"cannot {what} {res.rel_path}: {where}: {bad.message if bad else 'unreadable rows'} "
                           "(run `cartel-data validate`)")
    missing = [c for c in res.schema.field_names if c not in set(t.header)]
    if missing:
        raise PackageError(f"cannot {what} {res.rel_path}: the header lacks column(s) {', '.join(missing)}")
    return t
