"""``cartel-data release``: validated, reproducible open-data release files.

Writes into the output folder:

- ``cartel-data-<version>.zip``: a valid data package (descriptor with ``bytes`` and
  ``hash`` per resource, CSVs, schemas, README, LICENSE files, CHANGELOG, CITATION.cff);
- ``cartel-data-<version>.sqlite`` (+ ``.datasette.json`` metadata), ``.xlsx``, ``.json``,
  ``.jsonl`` and ``-parquet.zip``;
- ``SHA256SUMS``.

Refuses invalid data, and refuses when the installed package version, the descriptor
version and the top CHANGELOG section disagree.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

from .package import Package

EXTRA_FILES = ("README.md", "LICENSE", "LICENSE-DATA", "CHANGELOG.md", "CITATION.cff")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class ReleaseError(Exception):
    pass


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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _zip(path: Path, members: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def package_zip(pkg: Package, output: Path) -> None:
    """The data package as a zip, its descriptor carrying ``bytes`` and ``hash``."""
    desc = json.loads(json.dumps(pkg.descriptor))
    members = []
    for r in desc["resources"]:
        data = (pkg.root / r["path"]).read_bytes()
        r["bytes"] = len(data)
        r["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
        members.append((r["path"], data))
        members.append((r["schema"], (pkg.root / r["schema"]).read_bytes()))
    for name in EXTRA_FILES:
        if (pkg.root / name).is_file():
            members.append((name, (pkg.root / name).read_bytes()))
    members.append(("datapackage.json", (json.dumps(desc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")))
    _zip(output, members)


def release(output="dist", path=None, force: bool = False, progress=lambda msg: None) -> dict:
    """Build every release file; returns ``{"version", "notes", "files": [Path, ...]}``."""
    from .export import atomic_output, write
    from .export.sqlite import datasette_metadata
    from .records import read_package
    from .validation import validate

    pkg = Package(path)
    version = pkg.version
    progress(f"checking versions of {pkg.root}")
    changelog = pkg.root / "CHANGELOG.md"
    if not changelog.is_file():
        raise ReleaseError("CHANGELOG.md is missing beside the descriptor")
    top, notes = changelog_section(changelog.read_text(encoding="utf-8"))
    versions = {"descriptor": version, "CHANGELOG.md": top, "installed package": installed_version()}
    if len(set(versions.values())) != 1:
        raise ReleaseError("versions disagree: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    progress("validating (strict)")
    report = validate(pkg.root, strict=True)
    if not report.valid:
        raise ReleaseError(f"the package is not valid: {report.summary()}; run `cartel-data validate --strict`")
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    base = f"cartel-data-{version}"
    files = []

    def step(name, fn):
        target = out / name
        progress(f"writing {target}")
        fn(target)
        files.append(target)

    def atomic(fn):
        def run(target):
            with atomic_output(target, force=force) as tmp:
                fn(tmp)
        return run

    step(f"{base}.zip", atomic(lambda tmp: package_zip(pkg, tmp)))
    pkg, data = read_package(pkg.root)  # read once, written in every format
    for fmt, suffix in (("sqlite", ".sqlite"), ("xlsx", ".xlsx"), ("json", ".json"), ("jsonl", ".jsonl")):
        step(base + suffix, lambda target, fmt=fmt: write(fmt, pkg, data, target, force=force))
    step(f"{base}.datasette.json", atomic(lambda tmp: tmp.write_text(
        json.dumps(datasette_metadata(pkg, data, database=base), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")))

    def parquet_zip(tmp):
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            folder = write("parquet", pkg, data, Path(d) / "parquet")
            _zip(tmp, [(p.name, p.read_bytes()) for p in sorted(folder.iterdir())])

    step(f"{base}-parquet.zip", atomic(parquet_zip))
    progress(f"writing {out / 'SHA256SUMS'}")
    sums = "".join(f"{_sha256(f)}  {f.name}\n" for f in sorted(files))
    with atomic_output(out / "SHA256SUMS", force=force) as tmp:
        tmp.write_text(sums, encoding="utf-8")
    files.append(out / "SHA256SUMS")
    return {"version": version, "notes": notes, "files": files}
