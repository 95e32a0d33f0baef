"""Great Expectations, imported for lawreport's validation without two modules it never uses.

`import great_expectations` loads every expectation of its gallery, and with them scipy.stats (the
KL-divergence expectation, at import) and altair (the renderers' charts): about 0.8 s of its ~2 s
import on the 2-core machine (GX 1.24: 1.92 s with them, 1.13 s without), for code that neither our
suites nor Data Docs of our results run. In a run that import sits in the validate lane's kernel
and competes with the clean step for the cores.

Importing this module first puts a stand-in for each in `sys.modules` (`DEFERRED`), then imports GX.
A stand-in loads the real module the first time anything is read from it, so code that does use
one still works, only later. Nothing is deferred when GX, or the module itself, is already loaded.
tests/test_gx_import.py checks both: a whole validation leaves them unloaded, and using a stand-in
loads the real module.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

DEFERRED = ("scipy.stats", "altair")

_leaving = threading.Lock()  # a stand-in leaving sys.modules (held for no import)


class Deferred(types.ModuleType):
    """A module to be imported on first use: the stand-in `sys.modules` holds until then. Its
    `__spec__` and `__file__` are the real module's, so that looking at the modules loaded
    (inspect.getmodule, as IPython's tracebacks do) does not load it."""

    def __getattr__(self, name: str) -> Any:
        try:
            real = self._real()
        except ImportError as error:  # what a failed attribute look-up raises, with the cause
            raise AttributeError(f"{self.__name__} could not be imported: {error}") from error
        return getattr(real, name)

    def __dir__(self) -> list[str]:
        return dir(self._real())

    def _real(self) -> types.ModuleType:
        """The real module, imported now if not yet. The stand-in leaves sys.modules under a lock of
        ours; the import itself runs outside it (two threads then meet in the import system's own
        lock of the module, and the second gets the module the first made)."""
        real = self.__dict__.get("_lawreport_real")
        if real is None:
            with _leaving:
                if sys.modules.get(self.__name__) is self:
                    del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
            self.__dict__["_lawreport_real"] = real
        return real

    @property
    def loaded(self) -> bool:
        return self.__dict__.get("_lawreport_real") is not None


def defer(name: str) -> bool:
    """Put a stand-in for `name` in sys.modules, unless it is loaded or not installed."""
    if name in sys.modules:
        return False
    try:
        spec = importlib.util.find_spec(name)  # imports the parent package only
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    stand_in = Deferred(name)
    stand_in.__spec__ = spec
    stand_in.__file__ = spec.origin
    sys.modules[name] = stand_in
    return True


if "great_expectations" not in sys.modules:
    for _name in DEFERRED:
        defer(_name)

import great_expectations  # noqa: E402

__all__ = ["DEFERRED", "Deferred", "defer", "great_expectations"]
