"""The customer value report: interactive plotly charts of the published mart, and PNGs of them.

Everything is read from the published database alone (what BI readers see). How a report is
made: `queries` reads the database, `charts` draws the mart, `narrative` puts its headline
figures into words, the `forecasts` and `actions` modules each make their own section (charts,
headlines, tables), and `page` assembles the HTML and writes it and the PNGs.
"""

from customer360.report.page import ReportResult, write_report

__all__ = ["ReportResult", "write_report"]
