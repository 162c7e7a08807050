"""The package version. It is defined once, in ``datapackage.json``: the build reads it
from there (see ``[tool.hatch.version]``) and so does this module."""

from __future__ import annotations

import json

from .package import DESCRIPTOR, bundled_root

with open(bundled_root() / DESCRIPTOR, encoding="utf-8") as _fh:
    __version__: str = json.load(_fh)["version"]
