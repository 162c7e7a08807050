"""One policy for every file cartel-data reads or writes.

Reads (:func:`read_reason`, :func:`read_bytes`) stay inside the package folder: a path must
be relative, without ``..``, not a URL, must not lead out of the folder through a symbolic
link, and must be a regular file (never a device, FIFO, socket or folder) under a size limit.

Writes (:func:`atomic_output`) go to a securely created temporary file or folder (random
name, created exclusively, never through a symbolic link) in the destination folder and are
renamed into place only when complete. They replace nothing but a regular file (or, for
folder outputs, a folder this tool wrote before, which carries :data:`MARKER`), never
write into the package they read, need ``force`` to overwrite, and are removed on failure,
on Ctrl-C and on SIGTERM.

The limits are documented in the README ("Limits and guarantees").
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .errors import OutputExists, TooLarge, UnsafePath

#: Largest CSV resource read (bytes).
MAX_CSV_BYTES = 4 << 30
#: Largest descriptor or schema read (bytes).
MAX_JSON_BYTES = 16 << 20
#: Largest text file copied into a release (README, licences, CHANGELOG, citation).
MAX_TEXT_BYTES = 16 << 20
#: Most resources one package may declare.
MAX_RESOURCES = 256
#: Most columns one table may have, and longest header line (bytes).
MAX_COLUMNS = 1024
MAX_HEADER_BYTES = 64 << 10
#: Longest line of a CSV file (bytes).
MAX_LINE_BYTES = 32 << 20
#: Release zips read by ``diff`` and ``validate``: most members, largest member, largest total.
MAX_ZIP_MEMBERS = 4096
MAX_ZIP_MEMBER_BYTES = 4 << 30
MAX_ZIP_TOTAL_BYTES = 8 << 30
#: File a folder output carries so that a later ``--force`` knows it may replace the folder.
MARKER = ".cartel-data-output"

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def path_reason(path) -> str | None:
    """Why a package-relative path may not be used, or None when it is a safe relative path."""
    if not isinstance(path, str) or not path:
        return "a path must be a non-empty string"
    if _URL.match(path) or path.startswith("//"):
        return "remote or URL paths are refused; only files inside the package folder are read"
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", path):
        return "absolute paths are refused; use a path relative to the descriptor"
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if ".." in parts:
        return "paths containing '..' are refused; the package may not read outside its folder"
    if path.endswith(("/", "\\")):
        return "the path names a folder, not a file"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return "the path holds a control character or line break"
    return None


def outside_reason(root: Path, rel: str) -> str | None:
    """Why ``root / rel`` leads outside ``root`` (a symbolic link to elsewhere), or None."""
    try:
        target = (root / rel).resolve()
        target.relative_to(root.resolve())
    except ValueError:
        return "the path leads outside the package folder (through a symbolic link); it is refused"
    except (OSError, RuntimeError) as exc:
        return f"the path cannot be resolved: {exc}"
    return None


def kind_reason(path: Path, limit: int) -> str | None:
    """Why ``path`` is not a readable regular file under ``limit`` bytes, or None.
    A missing file gives None (the caller reports it in its own words)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"it cannot be read: {exc.strerror or exc}"
    if stat.S_ISDIR(st.st_mode):
        return "it is a folder, not a file"
    if not stat.S_ISREG(st.st_mode):
        return "it is not a regular file (a device, FIFO or socket); it is refused"
    if st.st_size > limit:
        return f"it is {st.st_size:,} bytes, over the limit of {limit:,}"
    return None


def read_reason(root: Path, rel, limit: int = MAX_CSV_BYTES) -> str | None:
    """Every reason a package-relative ``rel`` may not be read, or None."""
    return path_reason(rel) or outside_reason(root, rel) or kind_reason(root / rel, limit)


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Opens without blocking (a FIFO swapped in after the check cannot hang the read) and
    checks the opened file itself. Raises ``FileNotFoundError``, :class:`UnsafePath` or
    :class:`TooLarge`."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise UnsafePath(f"{path}: not a regular file (a device, FIFO, socket or folder); it is refused")
        if st.st_size > limit:
            raise TooLarge(f"{path}: {st.st_size:,} bytes, over the limit of {limit:,}")
        data = fh.read(st.st_size + 1)  # a file that grew since fstat shows as one byte too many
    if len(data) > min(limit, st.st_size):
        raise TooLarge(f"{path}: over the limit of {limit:,} bytes")
    return data


def read_package_file(root: Path, rel: str, limit: int) -> bytes:
    """A file of the package (``root / rel``) read under the read policy."""
    reason = path_reason(rel) or outside_reason(root, rel)
    if reason:
        raise UnsafePath(f"{rel}: {reason}")
    return read_bytes(root / rel, limit)


def sha256(path: Path) -> str:
    """The SHA-256 digest of a file, read a megabyte at a time."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# -- writing -------------------------------------------------------------------------------

def _existing(output: Path, folder: bool, force: bool) -> bool:
    """Whether ``output`` exists and may be replaced; raises when it may not."""
    try:
        st = os.lstat(output)
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(st.st_mode):
        raise UnsafePath(f"{output} is a symbolic link; refusing to write through it")
    if folder:
        if not stat.S_ISDIR(st.st_mode) or not ((output / MARKER).is_file() or not any(os.scandir(output))):
            raise UnsafePath(f"{output} exists and is neither empty nor a folder this tool wrote; refusing to replace it")
        if not any(os.scandir(output)):
            return True  # an empty folder: nothing is lost by replacing it
    elif not stat.S_ISREG(st.st_mode):
        raise UnsafePath(f"{output} exists and is not a regular file; refusing to replace it")
    if not force:
        raise OutputExists(f"{output} exists; use --force to overwrite it")
    return True


def refuse_inside(output: Path, protected: Path | None) -> None:
    """Refuse an output that is, holds or lies inside the package folder ``protected``."""
    if protected is None:
        return
    out, prot = Path(os.path.abspath(output)), protected.resolve()
    try:
        out_r = out.resolve()
    except (OSError, RuntimeError):
        out_r = out
    if out_r == prot or prot.is_relative_to(out_r):
        raise UnsafePath(f"{output} is or holds the package folder {protected}; refusing to replace it")


@contextmanager
def _cleanup_on_signal():
    """Turn SIGTERM into SystemExit while writing, so ``finally`` blocks remove temporary files."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, _frame):
        raise SystemExit(128 + signum)

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass


@contextmanager
def atomic_output(output, force: bool = False, folder: bool = False, protected: Path | None = None):
    """Yield a fresh temporary path (a file path that does not exist yet, or an empty folder)
    beside ``output``; move it into place only when the block succeeds."""
    output = Path(output)
    refuse_inside(output, protected)
    replace = _existing(output, folder, force)
    output.parent.mkdir(parents=True, exist_ok=True)
    with _cleanup_on_signal():
        tmpdir = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent))
        tmp = tmpdir if folder else tmpdir / output.name
        try:
            yield tmp
            if folder:
                (tmp / MARKER).write_text("written by cartel-data; replaced by the next --force\n", encoding="utf-8")
                _swap_folder(tmp, output, replace)
            else:
                os.replace(tmp, output)
        finally:
            _remove(tmpdir)


def _swap_folder(tmp: Path, output: Path, replace: bool) -> None:
    if not replace:
        os.rename(tmp, output)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".old", dir=output.parent))
    os.rmdir(old)
    os.rename(output, old)
    try:
        os.rename(tmp, output)
    except OSError:
        os.rename(old, output)
        raise
    _remove(old)


def write_text(output, text: str, force: bool = False, protected: Path | None = None) -> Path:
    """Write ``text`` to ``output`` under the write policy."""
    with atomic_output(output, force=force, protected=protected) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(output)
