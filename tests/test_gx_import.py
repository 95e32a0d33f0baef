"""lawreport.run.gx: Great Expectations imported without the modules it loads but our validation never
uses (scipy.stats, altair), and those still there, loaded on first use, for code that needs them.

Each check runs in a fresh interpreter: what is imported is the point."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from lawreport.params import RunParams


def _python(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


STATE = """
def state():
    from lawreport.run.gx import DEFERRED, Deferred
    return {name: ("stand-in, loaded" if sys.modules[name].loaded else "stand-in")
            if isinstance(sys.modules.get(name), Deferred) else ("real" if name in sys.modules else "absent")
            for name in DEFERRED}
"""


def test_a_whole_validation_with_data_docs_never_loads_the_deferred_modules(suite_run: RunParams, tmp_path) -> None:
    """The saving is real only if nothing of a run reads from them: a validation of every clean table
    of the shared run, Data Docs included, leaves both stand-ins unloaded."""
    found = _python(
        f"""
        import json, sys
        {textwrap.indent(STATE, "        ").strip()}
        import lawreport.run.gx
        before = state()
        from lawreport.params import check_params
        from lawreport.run.validation import run_validation
        params = check_params({{"year": {suite_run.year}, "raw_root": {str(suite_run.raw_root)!r},
                               "clean_root": {str(suite_run.clean_root)!r}, "build_root": {str(tmp_path)!r}}})
        counts = run_validation(params).counts()
        print(json.dumps({{"before": before, "after": state(), "counts": counts,
                          "docs": (params.build_dir / "validation" / "data_docs" / "index.html").exists()}}))
        """
    )
    assert found["before"] == {"scipy.stats": "stand-in", "altair": "stand-in"}
    assert found["after"] == found["before"]
    assert found["counts"]["tables_validated"] > 0 and found["counts"]["expectations_evaluated"] > 0
    assert found["docs"]


def test_a_stand_in_loads_the_real_module_on_first_use() -> None:
    found = _python(
        f"""
        import json, sys
        {textwrap.indent(STATE, "        ").strip()}
        import lawreport.run.gx
        import inspect
        # code of no module: inspect looks at every loaded module's __file__, as IPython's tracebacks do
        inspect.getmodule(compile("1", "/no/such/file.py", "eval"))
        before = state()
        import scipy.stats
        from scipy import stats
        cdf = float(stats.norm.cdf(0.0))
        chart = type(__import__("altair").Chart).__name__
        from scipy.stats import norm  # after the load: the real module's own name
        print(json.dumps({{"before": before, "after": state(), "cdf": cdf, "chart": chart,
                          "same": norm is stats.norm, "real": sys.modules["scipy.stats"].__name__}}))
        """
    )
    assert found["before"] == {"scipy.stats": "stand-in", "altair": "stand-in"}
    assert found["after"] == {"scipy.stats": "real", "altair": "real"}
    assert found["cdf"] == 0.5 and found["same"] and found["real"] == "scipy.stats"
    assert found["chart"]


def test_nothing_is_deferred_once_gx_or_the_module_is_loaded() -> None:
    found = _python(
        f"""
        import json, sys
        {textwrap.indent(STATE, "        ").strip()}
        import altair
        import great_expectations
        import lawreport.run.gx
        from lawreport.run.gx import defer
        print(json.dumps({{"state": state(), "missing": defer("lawreport_no_such_module"),
                          "loaded": defer("json")}}))
        """
    )
    assert found["state"] == {"scipy.stats": "real", "altair": "real"}
    assert found["missing"] is False and found["loaded"] is False


def test_a_stand_in_that_cannot_be_imported_says_why_as_an_attribute_error(tmp_path, monkeypatch) -> None:
    import sys

    from lawreport.run.gx import Deferred, defer

    (tmp_path / "lawreport_broken_probe.py").write_text('raise ImportError("boom")\n', encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert defer("lawreport_broken_probe") and isinstance(sys.modules["lawreport_broken_probe"], Deferred)
        stand_in = sys.modules["lawreport_broken_probe"]
        assert stand_in.__file__ == str(tmp_path / "lawreport_broken_probe.py")  # without importing it
        assert not hasattr(stand_in, "anything")  # hasattr catches AttributeError only
        with pytest.raises(AttributeError, match="boom") as raised:
            _ = stand_in.anything
        assert isinstance(raised.value.__cause__, ImportError)
    finally:
        sys.modules.pop("lawreport_broken_probe", None)


def test_papermill_is_imported_without_pyarrow_which_imports_as_usual_afterwards():
    """pipeline.import_papermill: papermill's optional HDFS support (pyarrow.fs) is not loaded into
    the run's process; pyarrow itself is not kept out once papermill is imported."""
    found = _python(
        """
        import json, sys
        from lawreport.run.pipeline import import_papermill, register_engine
        papermill = import_papermill()
        register_engine()
        left = any(type(f).__name__ == "NoPyarrow" for f in sys.meta_path)
        after = {"pyarrow": "pyarrow" in sys.modules, "finder left": left}
        import pyarrow.fs
        import pandas
        print(json.dumps({**after, "execute": callable(papermill.execute_notebook),
                          "later": "pyarrow.fs" in sys.modules}))
        """
    )
    assert found == {"pyarrow": False, "finder left": False, "execute": True, "later": True}


def test_data_docs_templates_compiled_once_render_as_compiled_afresh():
    """lawreport.run.gx.TEMPLATES: the templates a view compiles are kept for the next view's
    environment, which compiles none of them again, and renders the same."""
    found = _python(
        """
        import json, jinja2
        from lawreport.run.gx import TEMPLATES, compile_data_docs_templates
        from great_expectations.render.view.view import DefaultJinjaPageView
        kept = compile_data_docs_templates()
        compiled = []
        real = jinja2.Environment.compile
        jinja2.Environment.compile = lambda self, *a, **k: compiled.append(a[1] if len(a) > 1 else "") or real(self, *a, **k)
        page = DefaultJinjaPageView().env.get_template("favicon.j2")
        again = len(compiled)
        fresh = jinja2.Environment(loader=DefaultJinjaPageView().env.loader, autoescape=jinja2.select_autoescape(["html", "xml"]),
                                   extensions=["jinja2.ext.do"], bytecode_cache=None).get_template("favicon.j2")
        print(json.dumps({"kept": kept, "compiled again": again, "fresh compiled": len(compiled) - again,
                          "same": page.render(renderer_type="ValidationResults", expectation_suite_name="a.b") == fresh.render(renderer_type="ValidationResults", expectation_suite_name="a.b")}))
        """
    )
    assert found["kept"] > 20 and found["compiled again"] == 0 and found["fresh compiled"] == 1, found
    assert found["same"]
