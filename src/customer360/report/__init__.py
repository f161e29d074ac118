"""The customer value report (see charts)."""

from customer360.report.charts import ReportResult, write_report

__all__ = ["ReportResult", "write_report"]
