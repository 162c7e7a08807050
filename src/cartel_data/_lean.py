"""Keep pandas out of command-line runs that never build a DataFrame.

pyarrow imports pandas, when it is installed, as soon as an array is built from Python
values, though nothing in these commands uses it; that import costs about a quarter of a
second, more than the whole validation of the shipped package. :func:`without_pandas` makes
``import pandas`` fail for the rest of the process, and pyarrow then works without it.

It is called only by the commands that work on Arrow columns alone (``validate``,
``search``, ``show``, ``tables``, ``fmt``, ``diff``, ``dictionary``), each in its own
process; the Python API never calls it, so ``load()`` and pandas users are unaffected.
"""

from __future__ import annotations

import importlib.abc
import sys


class _NoPandas(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not used by this command")
        return None


def without_pandas() -> None:
    """Refuse ``import pandas`` in this process from now on, unless it is already imported."""
    if "pandas" not in sys.modules and not any(isinstance(f, _NoPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoPandas())
