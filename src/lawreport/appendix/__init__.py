"""Step 4, the appendix: a self-contained HTML file per edition that traces every figure of the
report to its computation.

notebooks/90_appendix.py (run by papermill once per edition) displays the sections built here;
`export_appendix` turns the executed notebook into build/<year>/appendix.html (public edition) or
build/<year>/internal/appendix.html (internal audit edition) after a pre-publication scan.
"""

from .charts import ChartGlyphError
from .data import EDITION_ZH, EDITIONS, AppendixData, load_appendix
from .export import CSP, PublishBlocked, export_appendix, export_editions, output_path, render_edition, render_html
from .scan import personal_values, scan_published
from .sections import (
    arithmetic_section,
    cards_section,
    charts_section,
    cover,
    quality_section,
    report_section,
    reproducibility_section,
)
from .suppress import Breakdown, suppress_counts

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
    "cover",
    "export_appendix",
    "export_editions",
    "load_appendix",
    "output_path",
    "personal_values",
    "quality_section",
    "render_edition",
    "render_html",
    "report_section",
    "reproducibility_section",
    "scan_published",
    "suppress_counts",
]
