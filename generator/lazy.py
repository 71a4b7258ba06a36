"""Modules imported on first use (the standard library's ``importlib.util.LazyLoader``).

Altair takes about 0.4 s to import and only the chart designs use it: a build whose pages are
reused never needs it, and a full build makes its designs in a second process
(``generator.build.chart_assets``), so only that process imports it (in one process,
``SALESPERF_JOBS=1``, the build imports it when it makes the designs). Not for modules first used
from several threads at once: ``LazyLoader`` is not thread-safe before Python 3.12.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """Module ``name``, executed when one of its attributes is first read (at once if it is
    already imported). Raises ModuleNotFoundError when it is not installed."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
