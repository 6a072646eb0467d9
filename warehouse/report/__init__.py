"""``xxgk report``: a static, offline HTML site over the published warehouse (the compare stage).

``build_report(db_path, out_dir, objects_dir)`` writes ``index.html`` (per year: the cross-agency
comparison as charts and sortable tables, and the coverage of the year), ``agency/<id>.html`` (one
agency's trend) and ``evidence/<report_id>.html`` (one report's three tables beside its source page with the
box of every cell). Charts are Vega-Lite specs built with altair and rendered to inline SVG by
vl-convert (no JavaScript, no CDN); CSS and the small sorting script are inlined into every page.
"""

from warehouse.report.builder import build_report

__all__ = ["build_report"]
