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

It also gives GX's Data Docs views one kept bytecode of their Jinja templates (`TEMPLATES`), so that
each page's new environment does not compile them again.
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
import jinja2  # noqa: E402

# ------------------------------------------------------------------ Data Docs' templates, compiled once


class KeptBytecode(jinja2.BytecodeCache):
    """Compiled Jinja templates kept in this process's memory. GX's views make a new Jinja
    environment for each page they render, and each compiled the ~50 templates of Data Docs again:
    0.33 s of the validate notebook when one table is revalidated. jinja2 checks a kept template
    against its source's checksum before using it."""

    def __init__(self) -> None:
        self._kept: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._kept.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._kept[bucket.key] = bucket.bytecode_to_string()

    def __len__(self) -> int:
        return len(self._kept)


TEMPLATES = KeptBytecode()


def share_compiled_templates() -> None:
    """Give the environments of GX's views (`great_expectations.render.view.view`, which all have
    the same settings) the one kept bytecode, unless they are given one."""
    from great_expectations.render.view import view

    base = view.Environment
    if getattr(base, "lawreport_shared", False):
        return

    class SharedEnvironment(base):  # type: ignore[misc, valid-type]
        lawreport_shared = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("bytecode_cache", TEMPLATES)
            super().__init__(*args, **kwargs)

    view.Environment = SharedEnvironment


share_compiled_templates()


def compile_data_docs_templates() -> int:
    """Compile every template of Data Docs' views into TEMPLATES now: the validate lane's kernel
    does so with its imports (`Step.preload`), before the validate notebook needs them, and so does
    a warm kernel. Returns how many templates are kept."""
    from great_expectations.render.view.view import DefaultJinjaPageView

    environment = DefaultJinjaPageView().env
    for name in environment.list_templates(filter_func=lambda name: name.endswith(".j2")):
        environment.get_template(name)
    return len(TEMPLATES)


__all__ = [
    "DEFERRED",
    "TEMPLATES",
    "Deferred",
    "compile_data_docs_templates",
    "defer",
    "great_expectations",
    "share_compiled_templates",
]
