"""Release zips as packages: ``validate`` and ``diff`` read a ``cartel-data-<version>.zip``
as they read a folder.

A zip is extracted into a private temporary folder under limits (member count, member
size, total size), refusing members that would land outside it (absolute paths, ``..``,
links), encrypted members and unknown compression methods, and checking every member's
CRC. A corrupt zip is one clean :class:`~cartel_data.errors.PackageError`.
"""

from __future__ import annotations

import lzma
import shutil
import stat
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .errors import PackageError
from .files import MAX_ZIP_MEMBER_BYTES, MAX_ZIP_MEMBERS, MAX_ZIP_TOTAL_BYTES

_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}


def is_zip(path) -> bool:
    p = Path(path)
    try:
        return p.is_file() and zipfile.is_zipfile(p)
    except OSError:
        return False


def _member_reason(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
        return "it would be written outside the folder"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "it is a symbolic link"
    if info.flag_bits & 0x1:
        return "it is encrypted"
    if info.compress_type not in _METHODS:
        return f"it uses an unknown compression method ({info.compress_type})"
    if info.file_size > MAX_ZIP_MEMBER_BYTES:
        return f"it is {info.file_size:,} bytes, over the limit of {MAX_ZIP_MEMBER_BYTES:,}"
    return None


def _extract(p: Path, z: zipfile.ZipFile, dest: Path) -> None:
    infos = z.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise PackageError(f"{p}: {len(infos):,} members, over the limit of {MAX_ZIP_MEMBERS:,}")
    if sum(i.file_size for i in infos) > MAX_ZIP_TOTAL_BYTES:
        raise PackageError(f"{p}: the members add up to more than {MAX_ZIP_TOTAL_BYTES:,} bytes")
    for info in infos:
        reason = _member_reason(info)
        if reason:
            raise PackageError(f"{p}: refusing member {info.filename!r}: {reason}")
        target = dest / info.filename
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with z.open(info) as src, open(target, "wb") as out:
            left = info.file_size
            while True:
                block = src.read(1 << 20)
                if not block:
                    break
                left -= len(block)
                if left < 0:
                    raise PackageError(f"{p}: member {info.filename!r} is larger than its header says")
                out.write(block)


@contextmanager
def opened(path):
    """A package folder or descriptor for ``path``: a zip is extracted to a temporary folder
    (removed afterwards); anything else is passed through unchanged."""
    if path is None or not is_zip(path):
        yield path
        return
    p = Path(path)
    d = Path(tempfile.mkdtemp(prefix="cartel-data-zip-"))
    try:
        try:
            with zipfile.ZipFile(p) as z:
                _extract(p, z, d)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError, ValueError,
                zlib.error, lzma.LZMAError) as exc:
            raise PackageError(f"{p}: the zip cannot be read: {exc}") from exc
        except OSError as exc:
            raise PackageError(f"{p}: the zip cannot be read: {exc.strerror or exc}") from exc
        roots = sorted((q.parent for q in d.rglob("datapackage.json")), key=lambda q: len(q.parts))
        if not roots:
            raise PackageError(f"{p}: no datapackage.json inside")
        yield roots[0]
    finally:
        shutil.rmtree(d, ignore_errors=True)
