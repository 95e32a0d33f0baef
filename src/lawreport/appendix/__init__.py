"""Step 4, the appendix: a self-contained HTML file per edition that traces every figure of the
report to its computation.

notebooks/90_appendix.py (run by papermill once per edition) displays the sections built here;
`export_appendix` turns the executed notebook into build/<year>/appendix.html (public edition) or
build/<year>/internal/appendix.html (internal audit edition) after a pre-publication scan.
"""

from importlib import import_module
from typing import Any

# Names of this package and the module that defines each, imported on first use (PEP 562): reading
# one module (the validate step's page, the publishing scan) does not import matplotlib.
_WHERE = {
    "ChartGlyphError": "charts",
    "EDITION_ZH": "editions",
    "EDITIONS": "editions",
    "AppendixData": "data",
    "load_appendix": "data",
    "CSP": "export",
    "PublishBlocked": "export",
    "export_appendix": "export",
    "export_editions": "export",
    "output_path": "export",
    "prepare_edition": "export",
    "write_editions": "export",
    "render_edition": "export",
    "render_html": "export",
    "personal_values": "scan",
    "scan_published": "scan",
    "arithmetic_section": "sections",
    "cards_section": "sections",
    "charts_section": "sections",
    "commitments_section": "sections",
    "year_over_year_section": "year_over_year",
    "cover": "sections",
    "quality_section": "sections",
    "report_section": "sections",
    "reproducibility_section": "sections",
    "Breakdown": "suppress",
    "suppress_counts": "suppress",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CSP",
    "EDITIONS",
    "EDITION_ZH",
    "AppendixData",
    "Breakdown",
    "ChartGlyphError",
    "PublishBlocked",
    "arithmetic_section",
    "cards_section",
    "charts_section",
    "commitments_section",
    "cover",
    "export_appendix",
    "export_editions",
    "load_appendix",
    "output_path",
    "personal_values",
    "prepare_edition",
    "quality_section",
    "render_edition",
    "write_editions",
    "render_html",
    "report_section",
    "reproducibility_section",
    "scan_published",
    "year_over_year_section",
    "suppress_counts",
]
