"""Catalogue metadata generated from ``datapackage.json`` and ``CITATION.cff``.

- :func:`croissant`: MLCommons Croissant (JSON-LD), built with the ``mlcroissant`` library:
  the release's files with their checksums, one record set per table with typed fields and
  descriptions, the licence, how to cite, and the responsible-use statement.
- :func:`zenodo`: ``.zenodo.json`` (Zenodo's DataCite-based deposit metadata), so that a
  GitHub release is archived with a DOI; version, licences and creators agree with the
  descriptor and ``CITATION.cff``.
"""

from __future__ import annotations

from pathlib import Path

from .errors import MissingDependency
from .files import sha256

#: What a data user must know before using the data (Croissant's responsible-AI fields).
RESPONSIBLE_USE = {
    "personal": ("The data names living people and people with families. Charges are allegations until a court rules; "
                 "the wording (accused, charged, pleaded guilty, convicted, acquitted) follows the sources, and facts "
                 "that change (custody, sentences) are dated events. No addresses or private relatives are recorded."),
    "use": ("Research, journalism and analysis of the history of Mexican drug cartels, with every fact checked against "
            "the public sources cited for it."),
    "limits": ("Coverage is partial and rests on what public sources report; some rows rest only on republications "
               "(marked by the sources' tier). Corrections and removal requests: open an issue with the source that "
               "shows the row is wrong or out of date."),
}

def citation(pkg) -> dict:
    """``CITATION.cff`` beside the descriptor, parsed (empty when absent)."""
    import yaml

    from .files import MAX_TEXT_BYTES, read_package_file

    try:
        return yaml.safe_load(read_package_file(pkg.root, "CITATION.cff", MAX_TEXT_BYTES).decode("utf-8")) or {}
    except FileNotFoundError:
        return {}


def cite_as(pkg) -> str:
    d = pkg.descriptor
    lic = ", ".join(x.get("name", "") for x in d.get("licenses", []))
    return f"cartel-data contributors. {d.get('title', d.get('name'))}, version {pkg.version}. Licensed {lic}."


def croissant(pkg, zip_path: Path, base: str) -> dict:
    """Croissant metadata for a release: its package zip ``zip_path`` (whose members sit in
    ``base/``) and one record set per table."""
    try:
        import mlcroissant as mlc
    except ImportError as exc:
        raise MissingDependency("croissant.json needs mlcroissant: pip install 'cartel-data[formats]'") from exc
    d = pkg.descriptor
    archive = mlc.FileObject(id="package-zip", name=zip_path.name, content_url=zip_path.name,
                             encoding_formats=["application/zip"], sha256=sha256(zip_path),
                             description="The data package: descriptor, schemas and one CSV per table.")
    files, sets = [archive], []
    for name in pkg.resource_names:
        res = pkg.resource(name)
        files.append(mlc.FileObject(id=f"{name}-csv", name=f"{name}.csv", content_url=f"{base}/{res.rel_path}",
                                    contained_in=["package-zip"], encoding_formats=["text/csv"], sha256=sha256(res.path),
                                    description=res.schema.description))
        fields = [mlc.Field(id=f"{name}/{f.name}", name=f.name, description=f.description,
                            data_types=[getattr(mlc.DataType, f.spec.croissant)],
                            source=mlc.Source(file_object=f"{name}-csv", extract=mlc.Extract(column=f.name)))
                  for f in res.schema.fields]
        sets.append(mlc.RecordSet(id=name, name=name, description=res.schema.description,
                                  key=[f"{name}/{k}" for k in res.schema.primary_key], fields=fields))
    lic = [x["path"] for x in d.get("licenses", []) if isinstance(x.get("path"), str) and x["path"].startswith("https://")]
    meta = mlc.Metadata(name=d.get("name", "cartel-data"), description=d.get("description"), version=pkg.version,
                        license=lic, cite_as=cite_as(pkg), url=d.get("homepage"), keywords=d.get("keywords"),
                        in_language=["en", "es"], distribution=files, record_sets=sets,
                        personal_sensitive_information=[RESPONSIBLE_USE["personal"]],
                        data_use_cases=[RESPONSIBLE_USE["use"]], data_limitations=[RESPONSIBLE_USE["limits"]])
    return meta.to_json()


#: Zenodo's licence ids for the SPDX ids the descriptor uses.
ZENODO_LICENSES = {"CC-BY-4.0": "cc-by-4.0", "MIT": "mit"}


def zenodo(pkg) -> dict:
    """``.zenodo.json`` for the package at ``pkg`` (title, version, licence, creators, keywords)."""
    d = pkg.descriptor
    cff = citation(pkg)
    creators = [{"name": a.get("name") or " ".join(x for x in (a.get("family-names"), a.get("given-names")) if x)}
                for a in cff.get("authors", [])] or [{"name": "cartel-data contributors"}]
    lic = next((x.get("name") for x in d.get("licenses", []) if x.get("name")), None)
    out = {
        "title": d.get("title", d.get("name")),
        "upload_type": "dataset",
        "version": pkg.version,
        "description": d.get("description", ""),
        "creators": creators,
        "keywords": list(d.get("keywords", [])),
        "license": ZENODO_LICENSES.get(lic, (lic or "").lower()),
        "access_right": "open",
        "notes": RESPONSIBLE_USE["personal"] + " " + RESPONSIBLE_USE["limits"],
    }
    if cff.get("date-released"):
        out["publication_date"] = str(cff["date-released"])
    return out
