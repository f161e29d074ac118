"""The customer value report: interactive plotly charts of the published mart, and PNGs of them.

Everything is read from the published database alone (what BI readers see). The package runs
in the order of its modules: `queries` reads the database, `charts` draws the mart, the
`forecasts` and `actions` sections draw their own tables, `narrative` puts the headline figures
into words, and `page` assembles the HTML and writes it and the PNGs.
"""

from customer360.report.page import ReportResult, write_report

__all__ = ["ReportResult", "write_report"]
