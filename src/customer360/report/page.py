"""The report page: the HTML around the charts and headlines, escaped, and the files written.

The HTML embeds plotly.js once and each chart's figure JSON once (a `<script
type="application/json">` per chart, drawn by a few lines of JS), so it works offline and its
numbers can be read back by tests. PNGs go through kaleido, which needs Chromium; without it
the HTML is still written.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import plotly.io as pio
from plotly.offline import get_plotlyjs

from customer360.report import actions, forecasts, queries
from customer360.report.charts import Chart, build_charts
from customer360.report.narrative import Headline, headlines

REPORT_FILE = "customer_value_report.html"
CHART_DIR = "charts"
PNG_WIDTH = 1200
PNG_SCALE = 1.5


@dataclass
class ReportResult:
    """What `write_report` wrote, and what it left out and why."""

    html_path: Path
    png_paths: list[Path] = field(default_factory=list)
    png_skipped_reason: str | None = None
    notes: list[str] = field(default_factory=list)


_DRAW_SCRIPT = """
document.querySelectorAll("script.chart-spec").forEach(function (spec) {
  var figure = JSON.parse(spec.textContent);
  Plotly.newPlot(spec.dataset.chart, figure.data, figure.layout,
                 {responsive: true, displaylogo: false});
});
"""

_STYLE = """
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #222;
       max-width: 1240px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
.meta { color: #555; margin-top: 0; }
section { margin: 2.2em 0; }
.caption { color: #444; margin: 0.3em 0 0.6em; }
.narrative li { margin: 0.25em 0; }
.chart { width: 100%; }
"""


def _chart_html(chart: Chart) -> str:
    # "</" cannot appear inside a script element; the JSON escape keeps the text identical.
    spec = chart.figure.to_json().replace("</", "<\\/")
    return (
        f'<section id="section-{chart.chart_id}">\n'
        f"<h2>{html.escape(chart.title)}</h2>\n"
        f'<p class="caption">{html.escape(chart.caption)}</p>\n'
        f'<div class="chart" id="{chart.chart_id}" style="height:{chart.height}px"></div>\n'
        f'<script type="application/json" class="chart-spec" data-chart="{chart.chart_id}">'
        f"{spec}</script>\n</section>"
    )


def render_html(
    charts: list[Chart],
    items: list[Headline],
    database: Path,
    as_of_date: str,
    tables: str = "",
) -> str:
    narrative = "\n".join(
        f'<li data-figure="{item.key}" data-value="{item.value!r}">{html.escape(item.text)}</li>'
        for item in items
    )
    sections = "\n".join(_chart_html(chart) for chart in charts)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Customer value report</title>
<style>{_STYLE}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<h1>Customer value report</h1>
<p class="meta">From the mart in {html.escape(str(database))}, as of {as_of_date}.</p>
<section class="narrative" id="section-headlines">
<h2>Headlines</h2>
<ul>
{narrative}
</ul>
</section>
{sections}
{tables}
<script>{_DRAW_SCRIPT}</script>
</body>
</html>
"""


def export_pngs(charts: list[Chart], chart_dir: Path) -> list[Path]:
    """One PNG per chart through kaleido (one Chromium session for all); raises without it."""
    chart_dir.mkdir(parents=True, exist_ok=True)
    paths = [chart_dir / f"{chart.chart_id}.png" for chart in charts]
    # A failed export must not leave the previous report's images beside the new HTML.
    for path in paths:
        path.unlink(missing_ok=True)
    pio.write_images(
        [chart.figure for chart in charts],
        paths,
        format="png",
        width=PNG_WIDTH,
        height=[chart.height for chart in charts],
        scale=PNG_SCALE,
    )
    return paths


def write_report(database: Path, reports_dir: Path, with_png: bool = True) -> ReportResult:
    """Write the HTML report (always) and the PNGs (when kaleido can start Chromium)."""
    data = queries.read_mart_data(database)
    action_data = queries.read_action_data(database)
    charts = build_charts(data) + forecasts.charts(data.forecasts) + actions.charts(action_data)
    reports_dir.mkdir(parents=True, exist_ok=True)
    result = ReportResult(reports_dir / REPORT_FILE)
    if data.correlations is None:
        result.notes.append(
            f"no customer360__correlation_diagnostics in {database}: correlation heatmap left out"
        )
    result.notes.extend(action_data.notes)
    items = headlines(data) + forecasts.headlines(data.forecasts)
    html_text = render_html(
        charts, items, database, data.as_of_date, actions.tables_html(action_data)
    )
    result.html_path.write_text(html_text, encoding="utf-8")
    if not with_png:
        result.png_skipped_reason = "--no-png was given"
        return result
    try:
        result.png_paths = export_pngs(charts, reports_dir / CHART_DIR)
    except Exception as error:  # kaleido raises bare RuntimeErrors when Chromium is missing
        result.png_skipped_reason = _first_line(error)
    return result


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0].rstrip('.') if lines else 'no message'}"
