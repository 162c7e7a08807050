"""``cartel-data release``: validated, reproducible open-data release files.

Writes into the output folder:

- ``cartel-data-<version>.zip``: a valid data package that unpacks into one folder
  ``cartel-data-<version>/`` (descriptor with ``bytes`` and ``hash`` per resource, CSVs,
  schemas, a README for data users, both licences, CHANGELOG, CITATION.cff);
- ``cartel-data.sqlite`` with ``cartel-data.datasette.json`` (stable names, so the Datasette
  database name and its metadata agree), and ``cartel-data-<version>`` ``.xlsx``, ``.json``,
  ``.jsonl`` and ``-parquet.zip``, one per export format that belongs in a release;
- ``SHA256SUMS``.

The release is built in a temporary folder and moved into place only when every file is
written and the package zip has been verified by frictionless. It refuses invalid data,
and refuses when the installed package version, the descriptor version and the top
CHANGELOG section disagree. Text files are read under the read policy
(:mod:`cartel_data.files`): a ``CITATION.cff`` linked to a file outside the package is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

from .errors import ReleaseError
from .files import MAX_CSV_BYTES, MAX_TEXT_BYTES, atomic_output, read_package_file, sha256
from .package import Package

__all__ = ["ReleaseError", "changelog_section", "release", "package_zip", "installed_version"]

EXTRA_FILES = ("LICENSE", "LICENSE-DATA", "CHANGELOG.md", "CITATION.cff")
#: The README for data users, shipped with the package and placed in the zip as README.md.
DATA_README = "docs/release-readme.md"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SQLITE_NAME = "cartel-data"
#: Formats released under the stable name, so the SQLite file and its Datasette metadata agree.
STABLE_NAMES = ("sqlite", "datasette")


def changelog_section(text: str, version: str | None = None) -> tuple[str, str]:
    """``(version, notes)`` of the given version's section, or of the newest released one."""
    heads = list(re.finditer(r"^## \[([^\]]+)\][^\n]*$", text, flags=re.M))
    for i, m in enumerate(heads):
        if m.group(1).lower() == "unreleased":
            continue
        if version is None or m.group(1) == version:
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            return m.group(1), text[m.end():end].strip()
    raise ReleaseError(f"CHANGELOG.md has no section for version {version}" if version else "CHANGELOG.md has no released section")


def installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cartel-data")
    except PackageNotFoundError:
        from . import __version__

        return __version__


def _zip(path: Path, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def _text_file(pkg: Package, name: str) -> bytes | None:
    """A text file beside the descriptor, read under the read policy; None if absent."""
    if not (pkg.root / name).exists() and not (pkg.root / name).is_symlink():
        return None
    try:
        return read_package_file(pkg.root, name, MAX_TEXT_BYTES)
    except FileNotFoundError:
        return None


def package_zip(pkg: Package, output: Path, folder: str) -> None:
    """The data package as a zip whose members sit in ``folder/``; its descriptor carries
    ``bytes`` and ``hash`` for each resource."""
    desc = json.loads(json.dumps(pkg.descriptor))
    members = []
    for r in desc["resources"]:
        res = pkg.resource(r["name"])
        data = read_package_file(pkg.root, res.rel_path, MAX_CSV_BYTES)
        r["bytes"] = len(data)
        r["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
        members.append((res.rel_path, data))
        if isinstance(r.get("schema"), str):
            members.append((r["schema"], read_package_file(pkg.root, r["schema"], MAX_TEXT_BYTES)))
    for name in EXTRA_FILES:
        data = _text_file(pkg, name)
        if data is not None:
            members.append((name, data))
    readme = _text_file(pkg, DATA_README) or _text_file(pkg, "README.md")
    if readme is not None:
        members.append(("README.md", readme))
    members.append(("datapackage.json", (json.dumps(desc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")))
    _zip(output, [(f"{folder}/{name}", data) for name, data in members])


def _check_versions(pkg: Package) -> str:
    changelog = _text_file(pkg, "CHANGELOG.md")
    if changelog is None:
        raise ReleaseError("CHANGELOG.md is missing beside the descriptor")
    top, notes = changelog_section(changelog.decode("utf-8", "replace"))
    versions = {"descriptor": pkg.version, "CHANGELOG.md": top, "installed package": installed_version()}
    if len(set(versions.values())) != 1:
        raise ReleaseError("versions disagree: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    return notes


def verify_zip(path: Path) -> None:
    """Validate the released package zip with frictionless itself; ReleaseError if it fails."""
    import frictionless

    from .archive import opened

    with opened(path) as root:
        report = frictionless.validate(str(Path(root) / "datapackage.json"))
    if not report.valid:
        errors = report.flatten(["type", "note"])[:3]
        raise ReleaseError(f"frictionless finds the released package invalid: {errors}")


def _build(pkg: Package, out: Path, progress) -> list[Path]:
    """Write every release file into the (empty, temporary) folder ``out``."""
    from .export import formats, write
    from .records import read_package

    base = f"cartel-data-{pkg.version}"
    progress(f"writing {base}.zip")
    package_zip(pkg, out / f"{base}.zip", base)
    verify_zip(out / f"{base}.zip")
    pkg, data = read_package(pkg.root)  # read once, written in every format
    for fmt in formats().values():
        if not fmt.in_release:
            continue
        target = out / ((SQLITE_NAME + fmt.suffix) if fmt.name in STABLE_NAMES else base + fmt.suffix)
        progress(f"writing {target.name}")
        if fmt.folder:
            _folder_zip(fmt.name, pkg, data, target)
        else:
            write(fmt.name, pkg, data, target)
    from .catalog import croissant, zenodo

    progress("writing croissant.json and zenodo.json")
    (out / "croissant.json").write_text(json.dumps(croissant(pkg, out / f"{base}.zip", base), ensure_ascii=False, indent=2)
                                        + "\n", encoding="utf-8")
    (out / "zenodo.json").write_text(json.dumps(zenodo(pkg), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    progress(f"writing {base}-site.zip")
    _site_zip(pkg, out, out / f"{base}-site.zip", f"{base}-site")
    files = sorted(p for p in out.iterdir() if p.is_file() and not p.name.startswith("."))
    (out / "SHA256SUMS").write_text("".join(f"{sha256(f)}  {f.name}\n" for f in files), encoding="utf-8")
    return files + [out / "SHA256SUMS"]


def _site_zip(pkg, release_dir: Path, target: Path, folder: str) -> None:
    """The static site, offering the other release files for download, as a zip."""
    import tempfile

    from .site import build

    with tempfile.TemporaryDirectory() as d:
        site = build(Path(d) / "site", path=pkg.root, release=release_dir)
        members = [(f"{folder}/{p.relative_to(site).as_posix()}", p.read_bytes()) for p in sorted(site.rglob("*"))
                   if p.is_file() and not p.name.startswith(".")]
        _zip(target, members)


def _folder_zip(fmt: str, pkg, data, target: Path) -> None:
    import tempfile

    from .export import write

    with tempfile.TemporaryDirectory() as d:
        folder = write(fmt, pkg, data, Path(d) / fmt)
        _zip(target, [(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if not p.name.startswith(".")])


#: Libraries the release needs beyond the core ones (the ``formats`` extra).
NEEDS = {"followthemoney": "the FollowTheMoney export", "networkx": "the GEXF network", "mlcroissant": "croissant.json"}


def _check_needs() -> None:
    import importlib.util

    from .errors import MissingDependency

    missing = [f"{m} ({what})" for m, what in NEEDS.items() if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingDependency("a release needs " + ", ".join(missing) + ": pip install 'cartel-data[formats]'")


def release(output="dist", path=None, force: bool = False, progress=lambda msg: None) -> dict:
    """Build every release file; returns ``{"version", "notes", "files": [Path, ...]}``."""
    from .validation import validate

    _check_needs()
    pkg = Package(path)
    progress(f"checking versions of {pkg.root}")
    notes = _check_versions(pkg)
    progress("validating (strict)")
    report = validate(pkg.root, strict=True)
    if not report.valid:
        raise ReleaseError(f"the package is not valid: {report.summary()}; run `cartel-data validate --strict`")
    out = Path(output)
    with atomic_output(out, force=force, folder=True, protected=pkg.root) as tmp:
        built = _build(pkg, tmp, progress)
        names = [p.name for p in built]
    return {"version": pkg.version, "notes": notes, "files": [out / n for n in names]}
