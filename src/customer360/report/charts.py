"""The customer value report: interactive plotly charts of the published mart, and PNGs of them.

Everything is read from the published database alone (what BI readers see), with aggregates
computed in DuckDB so the report costs the same at 10M customers as at 5k. The HTML embeds
plotly.js once and each chart's figure JSON once (a `<script type="application/json">` per
chart, drawn by a few lines of JS), so it works offline and its numbers can be read back by
tests. PNGs go through kaleido, which needs Chromium; without it the HTML is still written.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from customer360.report import forecasts as report_forecasts

REPORT_FILE = "customer_value_report.html"
CHART_DIR = "charts"
MART = "customer360__customer_value_analysis"
HISTORY = "customer360__customer_score_history"
SEGMENTS = ("High-Value Enterprise", "Enterprise", "SMB")
# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
SEGMENT_COLOURS = {"High-Value Enterprise": "#0072B2", "Enterprise": "#E69F00", "SMB": "#009E73"}
LIFECYCLE_STAGES = ("Onboarding", "Growth", "Maturity", "Retention", "Dormant")
LIFECYCLE_COLOURS = ("#56B4E9", "#009E73", "#0072B2", "#E69F00", "#999999")
ENGAGEMENT_MODELS = (
    "Executive Relationship Management",
    "Dedicated Account Management",
    "Retention & Recovery Initiatives",
    "Standard Engagement",
)
ENGAGEMENT_COLOURS = ("#0072B2", "#56B4E9", "#D55E00", "#BBBBBB")
# Points per segment in the health-vs-churn scatter: enough to show the shape, and the HTML
# stays small at any scale. The segment means use every customer.
SCATTER_POINTS_PER_SEGMENT = 1500
TOP_OWNERS = 15
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
PNG_WIDTH = 1200
PNG_SCALE = 1.5
TIMES = "\u00d7"  # the multiplication sign, spelled out so linters do not take it for an x


@dataclass(frozen=True)
class Chart:
    """One chart of the report: a stable id (HTML div and PNG name), a heading, a caption."""

    chart_id: str
    title: str
    caption: str
    figure: go.Figure
    height: int


@dataclass(frozen=True)
class Headline:
    """A figure quoted in the narrative, kept with its exact value for readers and tests."""

    key: str
    value: float
    text: str

    def __post_init__(self) -> None:
        # numpy scalars would print as np.float64(...) in the data-value attribute.
        object.__setattr__(self, "value", float(self.value))


@dataclass
class ReportResult:
    html_path: Path
    png_paths: list[Path] = field(default_factory=list)
    png_skipped_reason: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MartData:
    """The small aggregates the report needs, read from the published database."""

    as_of_date: str
    summary: pd.DataFrame
    rfm: pd.DataFrame
    health_churn_sample: pd.DataFrame
    distributions: pd.DataFrame
    correlations: pd.DataFrame | None
    owners: pd.DataFrame
    forecasts: report_forecasts.ForecastData | None = None
    trends: pd.DataFrame | None = None


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.sql(sql).to_arrow_table().to_pandas()


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    query = "select count(*) from information_schema.tables where table_name = ?"
    return con.execute(query, [name]).fetchall()[0][0] > 0


def read_mart_data(database: Path) -> MartData:
    """Query the published database (read-only: readers never block the publisher)."""
    with duckdb.connect(str(database), read_only=True) as con:
        correlations = (
            _frame(con, "select * from customer360__correlation_diagnostics")
            if _has_table(con, "customer360__correlation_diagnostics")
            else None
        )
        return MartData(
            as_of_date=str(con.sql(f"select max(as_of_date) from {MART}").fetchall()[0][0]),
            summary=_frame(con, "select * from customer360__segment_summary"),
            rfm=_frame(con, _RFM_SQL),
            health_churn_sample=_frame(con, _SAMPLE_SQL),
            distributions=_frame(con, "select * from customer360__segment_distributions"),
            correlations=correlations,
            owners=_frame(con, _OWNERS_SQL),
            forecasts=report_forecasts.read_forecast_data(con),
            trends=_frame(con, _TRENDS_SQL) if _has_table(con, HISTORY) else None,
        )


_RFM_SQL = f"""
select
    customer_segment,
    avg(recency_score) as recency_score,
    avg(frequency_score) as frequency_score,
    avg(monetary_score) as monetary_score,
    avg(rfm_composite_score) as rfm_composite_score
from {MART}
group by customer_segment
"""

# hash(customer_id) orders the sample the same way on every run, whatever the file layout.
_SAMPLE_SQL = f"""
select customer_segment, customer_id, customer_health_score, churn_probability
from {MART}
qualify row_number() over (partition by customer_segment order by hash(customer_id), customer_id)
    <= {SCATTER_POINTS_PER_SEGMENT}
"""

# Segment means per snapshot of the history (SPEC section 7).
_TRENDS_SQL = f"""
select
    snapshot_date,
    customer_segment,
    count(*) as customers,
    avg(customer_health_score) as mean_customer_health_score,
    avg(churn_probability) as mean_churn_probability,
    avg(rfm_composite_score) as mean_rfm_composite_score
from {HISTORY}
group by snapshot_date, customer_segment
order by snapshot_date, customer_segment
"""

# Owners ranked by their total revenue at risk; the pooled unassigned book counts as one.
_OWNERS_SQL = f"""
with by_owner_segment as (
    select
        coalesce(account_owner_id, 'Unassigned') as account_owner,
        customer_segment,
        sum(cast(revenue_at_risk as double)) as revenue_at_risk
    from {MART}
    group by all
),
ranked as (
    select
        account_owner,
        sum(revenue_at_risk) as owner_revenue_at_risk
    from by_owner_segment
    group by account_owner
    order by owner_revenue_at_risk desc, account_owner
    limit {TOP_OWNERS}
)
select by_owner_segment.*, ranked.owner_revenue_at_risk
from by_owner_segment
inner join ranked using (account_owner)
order by ranked.owner_revenue_at_risk desc, account_owner, customer_segment
"""


def _present_segments(frame: pd.DataFrame) -> list[str]:
    """Segments in their fixed order, only those with customers (a mart may lack one)."""
    present = set(frame["customer_segment"])
    return [segment for segment in SEGMENTS if segment in present]


def _by_segment(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("customer_segment").loc[_present_segments(frame)]


def _money(value: float) -> str:
    return f"${value:,.0f}"


def _style(figure: go.Figure, title: str, height: int) -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 18}},
        font={"family": FONT, "size": 13, "color": "#222222"},
        height=height,
        margin={"l": 70, "r": 30, "t": 90, "b": 60},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0.0},
    )
    return figure


SEGMENT_METRICS = (
    ("share_of_customers", "Share of customers", ".1%"),
    ("mean_estimated_customer_ltv", "Mean LTV ($)", ",.0f"),
    ("mean_expected_annual_revenue", "Mean expected annual revenue ($)", ",.0f"),
    ("mean_customer_health_score", "Mean health score (1-5)", ".2f"),
    ("mean_churn_probability", "Mean churn probability", ".2f"),
    ("mean_rfm_composite_score", "Mean composite RFM (1-5)", ".2f"),
    ("mean_monetary_bias", "Mean monetary bias (M - (R+F)/2)", ".2f"),
    ("share_of_revenue_12m", "Share of revenue, last 12 months", ".1%"),
)


def segment_comparison_chart(data: MartData) -> Chart:
    summary = _by_segment(data.summary)
    rows, cols = 2, 4
    figure = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[label for _, label, _ in SEGMENT_METRICS],
        vertical_spacing=0.2,
        horizontal_spacing=0.07,
    )
    for position, (column, label, number_format) in enumerate(SEGMENT_METRICS):
        values = summary[column].astype(float)
        figure.add_trace(
            go.Bar(
                x=["HVE" if s == "High-Value Enterprise" else s for s in summary.index],
                y=values.tolist(),
                marker_color=[SEGMENT_COLOURS[s] for s in summary.index],
                text=[format(v, number_format) for v in values],
                textposition="outside",
                cliponaxis=False,
                name=label,
                customdata=list(summary.index),
                hovertemplate="%{customdata}<br>" + label + ": %{y:" + number_format + "}"
                "<extra></extra>",
                showlegend=False,
            ),
            row=position // cols + 1,
            col=position % cols + 1,
        )
    # Headroom for the value labels above the bars; monetary bias may be negative.
    for axis_number, (column, _, _) in enumerate(SEGMENT_METRICS, start=1):
        values = summary[column].astype(float)
        low, high = min(0.0, values.min()), max(0.0, values.max())
        span = (high - low) or 1.0
        figure.layout[f"yaxis{'' if axis_number == 1 else axis_number}"].update(
            range=[low - (0.15 * span if low < 0 else 0), high + 0.2 * span], showticklabels=False
        )
    figure.update_annotations(font_size=13)
    return Chart(
        "segment-comparison",
        "Segment comparison: High-Value Enterprise vs Enterprise vs SMB",
        "The figures the seed analyses compare, per segment (means over each segment's "
        "customers; shares of all customers and of total revenue over the last 12 months).",
        _style(figure, "Segment comparison (HVE = High-Value Enterprise)", 620),
        620,
    )


def rfm_profile_chart(data: MartData) -> Chart:
    rfm = _by_segment(data.rfm)
    dimensions = [
        ("recency_score", "Recency"),
        ("frequency_score", "Frequency"),
        ("monetary_score", "Monetary"),
        ("rfm_composite_score", "Composite"),
    ]
    figure = go.Figure()
    for segment in rfm.index:
        values = [float(rfm.loc[segment, column]) for column, _ in dimensions]
        figure.add_trace(
            go.Bar(
                name=segment,
                x=[label for _, label in dimensions],
                y=values,
                marker_color=SEGMENT_COLOURS[segment],
                text=[f"{v:.2f}" for v in values],
                textposition="outside",
                hovertemplate=segment + "<br>%{x} score: %{y:.2f}<extra></extra>",
            )
        )
    figure.update_layout(barmode="group")
    figure.update_yaxes(title_text="Mean score (1 = worst, 5 = best)", range=[0, 5.6])
    figure.update_xaxes(title_text="RFM dimension")
    return Chart(
        "rfm-profile",
        "RFM profile by segment",
        "Mean recency, frequency and monetary scores (quintiles, 1-5) and the weighted "
        "composite, per segment.",
        _style(figure, "RFM profile: mean scores by segment", 480),
        480,
    )


def health_churn_chart(data: MartData) -> Chart:
    sample = data.health_churn_sample
    summary = _by_segment(data.summary)
    figure = go.Figure()
    # SMB first so the far fewer enterprise points are drawn on top of it.
    for segment in reversed(summary.index.tolist()):
        points = sample[sample["customer_segment"] == segment]
        figure.add_trace(
            # SVG, not WebGL: a few thousand points draw fast and need no GPU in any browser.
            go.Scatter(
                name=f"{segment} (customers)",
                x=points["customer_health_score"].tolist(),
                y=points["churn_probability"].tolist(),
                mode="markers",
                marker={"color": SEGMENT_COLOURS[segment], "size": 5, "opacity": 0.35},
                legendgroup=segment,
                hovertemplate=segment + "<br>health %{x:.2f}, churn %{y:.2f}<extra></extra>",
            )
        )
    for segment in summary.index:
        health = float(summary.loc[segment, "mean_customer_health_score"])
        churn = float(summary.loc[segment, "mean_churn_probability"])
        figure.add_trace(
            go.Scatter(
                name=f"{segment} (mean)",
                x=[health],
                y=[churn],
                mode="markers",
                marker={
                    "color": SEGMENT_COLOURS[segment],
                    "size": 18,
                    "symbol": "diamond",
                    "line": {"color": "#000000", "width": 1.5},
                },
                legendgroup=segment,
                hovertemplate=segment + " mean<br>health %{x:.2f}, churn %{y:.2f}<extra></extra>",
            )
        )
    # Six legend entries: on the right, where they cannot run into the title.
    figure.update_xaxes(title_text="Customer health score (1-5)", range=[0.9, 5.1])
    figure.update_yaxes(title_text="Churn probability", range=[-0.02, 1.02], tickformat=".0%")
    shown = len(sample)
    styled = _style(figure, "Health vs churn: customers and segment means", 560)
    styled.update_layout(legend={"orientation": "v", "x": 1.02, "y": 1.0, "yanchor": "top"})
    return Chart(
        "health-vs-churn",
        "Customer health vs churn probability",
        f"Each dot is a customer (a fixed sample of up to {SCATTER_POINTS_PER_SEGMENT:,} per "
        f"segment, {shown:,} shown); the diamonds are the segment means over all customers.",
        styled,
        560,
    )


def _mix_chart(
    data: MartData,
    dimension: str,
    values: tuple[str, ...],
    colours: tuple[str, ...],
    chart_id: str,
    title: str,
    caption: str,
) -> Chart:
    frame = data.distributions[data.distributions["dimension"] == dimension]
    segments = [*_present_segments(frame), "All"]
    figure = go.Figure()
    for value, colour in zip(values, colours, strict=True):
        shares = []
        for segment in segments:
            match = frame[
                (frame["customer_segment"] == segment) & (frame["dimension_value"] == value)
            ]
            shares.append(float(match["share_of_segment"].sum()))
        figure.add_trace(
            go.Bar(
                name=value,
                y=segments,
                x=shares,
                orientation="h",
                marker_color=colour,
                text=[f"{s:.0%}" if s >= 0.04 else "" for s in shares],
                textposition="inside",
                insidetextanchor="middle",
                hovertemplate="%{y}<br>" + value + ": %{x:.1%}<extra></extra>",
            )
        )
    figure.update_layout(barmode="stack", legend_traceorder="normal")
    figure.update_xaxes(title_text="Share of the segment's customers", tickformat=".0%")
    figure.update_yaxes(autorange="reversed", title_text="")
    return Chart(chart_id, title, caption, _style(figure, title, 420), 420)


def lifecycle_mix_chart(data: MartData) -> Chart:
    return _mix_chart(
        data,
        "lifecycle_stage",
        LIFECYCLE_STAGES,
        LIFECYCLE_COLOURS,
        "lifecycle-mix",
        "Lifecycle stage mix by segment",
        "Share of each segment's customers in each lifecycle stage (labels below 4% hidden; "
        "hover for every value).",
    )


def engagement_mix_chart(data: MartData) -> Chart:
    return _mix_chart(
        data,
        "recommended_engagement_model",
        ENGAGEMENT_MODELS,
        ENGAGEMENT_COLOURS,
        "engagement-mix",
        "Recommended engagement model mix by segment",
        "Share of each segment's customers per recommended engagement model (from the "
        "decision table: segment x churn risk tier x health band).",
    )


def _pair_label(x_column: str, y_column: str) -> str:
    return f"{x_column} {TIMES} {y_column}"


def correlation_chart(data: MartData) -> Chart | None:
    correlations = data.correlations
    if correlations is None or correlations.empty:
        return None
    segments = [s for s in ("All", *SEGMENTS) if s in set(correlations["segment"])]
    pairs = list(
        dict.fromkeys(zip(correlations["x_column"], correlations["y_column"], strict=True))
    )
    indexed = correlations.set_index(["segment", "x_column", "y_column"])
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=["Pearson r", "Spearman rho"],
        shared_yaxes=True,
        horizontal_spacing=0.03,
    )
    for col, statistic in enumerate(("pearson_r", "spearman_rho"), start=1):
        z, text, hover = [], [], []
        for x_column, y_column in pairs:
            z_row, text_row, hover_row = [], [], []
            for segment in segments:
                row = indexed.loc[(segment, x_column, y_column)]
                value = row[statistic]
                missing = pd.isna(value)
                z_row.append(None if missing else float(value))
                text_row.append("n/a" if missing else f"{value:+.2f}")
                hover_row.append(_correlation_hover(segment, row))
            z.append(z_row)
            text.append(text_row)
            hover.append(hover_row)
        figure.add_trace(
            go.Heatmap(
                z=z,
                x=["HVE" if s == "High-Value Enterprise" else s for s in segments],
                y=[_pair_label(x, y) for x, y in pairs],
                text=text,
                texttemplate="%{text}",
                textfont={"size": 13},
                customdata=hover,
                hovertemplate="%{customdata}<extra></extra>",
                colorscale="RdBu",
                zmin=-1,
                zmax=1,
                zmid=0,
                showscale=col == 2,
                colorbar={"title": {"text": "correlation"}, "tickvals": [-1, -0.5, 0, 0.5, 1]},
                name=statistic,
            ),
            row=1,
            col=col,
        )
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(side="bottom", title_text="Segment")
    chart = _style(figure, "Correlations by segment", 520)
    chart.update_layout(margin={"l": 330})
    return Chart(
        "correlation-heatmap",
        "Correlation heatmap by segment",
        "From customer360__correlation_diagnostics: Pearson r and Spearman rho per segment and "
        "configured column pair (hover for n, p-value, 95% interval and strength).",
        chart,
        520,
    )


def _correlation_hover(segment: str, row: pd.Series) -> str:
    if pd.isna(row["pearson_r"]):
        return f"{segment}: n = {int(row['n'])}; {row['reason']}"
    interval = (
        f"[{row['ci_low']:+.2f}, {row['ci_high']:+.2f}]" if pd.notna(row["ci_low"]) else "n/a"
    )
    return (
        f"{segment}, n = {int(row['n']):,}<br>r = {row['pearson_r']:+.3f} ({row['strength']}), "
        f"95% CI {interval}, p = {row['p_value']:.2g}<br>rho = {row['spearman_rho']:+.3f}"
    )


def owners_chart(data: MartData) -> Chart:
    owners = data.owners
    order = list(dict.fromkeys(owners["account_owner"]))
    figure = go.Figure()
    for segment in _present_segments(owners):
        rows = owners[owners["customer_segment"] == segment].set_index("account_owner")
        values = [float(rows["revenue_at_risk"].get(owner, 0.0)) for owner in order]
        figure.add_trace(
            go.Bar(
                name=segment,
                y=order,
                x=values,
                orientation="h",
                marker_color=SEGMENT_COLOURS[segment],
                hovertemplate="%{y}<br>" + segment + ": $%{x:,.0f}<extra></extra>",
            )
        )
    totals = owners.drop_duplicates("account_owner").set_index("account_owner")
    figure.add_trace(
        go.Scatter(
            name="Owner total",
            y=order,
            x=totals.loc[order, "owner_revenue_at_risk"].astype(float).tolist(),
            mode="text",
            text=[_money(v) for v in totals.loc[order, "owner_revenue_at_risk"]],
            textposition="middle right",
            showlegend=False,
            hoverinfo="skip",
        )
    )
    top = float(totals["owner_revenue_at_risk"].max())
    figure.update_layout(barmode="stack", legend_traceorder="normal")
    figure.update_xaxes(
        title_text=f"Revenue at risk ($ = expected annual revenue {TIMES} churn probability)",
        tickprefix="$",
        tickformat=",.0f",
        range=[0, top * 1.18],
    )
    figure.update_yaxes(autorange="reversed", title_text="Account owner", type="category")
    return Chart(
        "revenue-at-risk-by-owner",
        "Revenue at risk by account owner",
        f"The {TOP_OWNERS} account owners (portfolios) with the most revenue at risk, split by "
        "segment; 'Unassigned' is the pooled book of customers without an owner.",
        _style(figure, f"Revenue at risk: top {TOP_OWNERS} account owners", 600),
        600,
    )


TREND_METRICS = (
    ("mean_customer_health_score", "Mean health score (1-5)"),
    ("mean_churn_probability", "Mean churn probability"),
    ("mean_rfm_composite_score", "Mean composite RFM (1-5)"),
)


def trends_chart(data: MartData) -> Chart | None:
    """Change over time: segment means of health, churn and composite RFM per snapshot."""
    trends = data.trends
    if trends is None or trends["snapshot_date"].nunique() < 2:
        return None
    figure = make_subplots(
        rows=1,
        cols=len(TREND_METRICS),
        subplot_titles=[label for _, label in TREND_METRICS],
        horizontal_spacing=0.06,
    )
    for col, (column, label) in enumerate(TREND_METRICS, start=1):
        for segment in _present_segments(trends):
            rows = trends[trends["customer_segment"] == segment]
            figure.add_trace(
                go.Scatter(
                    x=[str(value) for value in rows["snapshot_date"]],
                    y=rows[column].astype(float).tolist(),
                    mode="lines+markers",
                    name=segment,
                    legendgroup=segment,
                    showlegend=col == 1,
                    line={"color": SEGMENT_COLOURS[segment]},
                    customdata=rows["customers"].tolist(),
                    hovertemplate=f"{segment}<br>%{{x}}<br>{label}: %{{y:.3f}}"
                    "<br>customers: %{customdata:,}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    figure.update_xaxes(type="date")
    styled = _style(figure, "Change over time (segment means per snapshot)", 460)
    styled.update_layout(legend={"y": 1.16}, margin={"t": 120})
    return Chart(
        "trends",
        "Change over time: segment means per snapshot",
        "From customer360__customer_score_history: each month-end snapshot (and as_of_date) as "
        "the mart would have shown it then; a customer's segment is the one it had at that date.",
        styled,
        460,
    )


def forecast_charts(data: MartData) -> list[Chart]:
    """How good are the forecasts (SPEC section 8): churn quality, calibration, revenue."""
    forecasts = data.forecasts
    if forecasts is None or forecasts.evaluation.empty:
        return []
    in_use = report_forecasts.model_in_use(forecasts)
    latest = forecasts.calibration["snapshot_date"].max()
    quality = _style(
        report_forecasts.churn_quality_figure(forecasts), "How good are the churn forecasts", 460
    )
    curve = _style(
        report_forecasts.calibration_curve_figure(forecasts),
        f"Churn calibration at the latest evaluable snapshot ({latest})",
        460,
    )
    revenue = _style(
        report_forecasts.revenue_figure(forecasts), "Predicted against realised revenue", 420
    )
    return [
        Chart(
            "forecast-churn-quality",
            "How good are the forecasts: churn",
            "From customer360__forecast_evaluation, all customers: ROC AUC and calibration "
            "error (mean |predicted - observed| over ten equal-count bins) of each evaluable "
            f"snapshot, for the churn model in use and the configured formula. {in_use}",
            quality,
            460,
        ),
        Chart(
            "forecast-churn-calibration",
            "Churn calibration curve by segment",
            "From customer360__forecast_calibration: mean predicted against observed churn per "
            "bin of ten equal-count bins; on the dotted line, predictions mean what they say.",
            curve,
            460,
        ),
        Chart(
            "forecast-revenue",
            "How good are the forecasts: revenue",
            "predicted_revenue_365d summed over all customers of each snapshot evaluable for "
            "revenue, against the net revenue they brought in the 365 days after it.",
            revenue,
            420,
        ),
    ]


def _forecast_headlines(data: MartData) -> list[Headline]:
    if data.forecasts is None:
        return []
    items = [Headline(*item) for item in report_forecasts.headline_sentences(data.forecasts)]
    in_use = report_forecasts.model_in_use(data.forecasts)
    return [*items, Headline("forecast_model_in_use", 0, in_use)]


def build_charts(data: MartData) -> list[Chart]:
    charts = [
        segment_comparison_chart(data),
        rfm_profile_chart(data),
        health_churn_chart(data),
        lifecycle_mix_chart(data),
        engagement_mix_chart(data),
        correlation_chart(data),
        owners_chart(data),
        trends_chart(data),
        *forecast_charts(data),
    ]
    return [chart for chart in charts if chart is not None]


def _share_in(data: MartData, dimension: str, segment: str, value: str) -> float:
    frame = data.distributions
    match = frame[
        (frame["dimension"] == dimension)
        & (frame["customer_segment"] == segment)
        & (frame["dimension_value"] == value)
    ]
    return float(match["share_of_segment"].sum())


def _hve_against_smb(hve: pd.Series, smb: pd.Series) -> list[Headline]:
    """The seeds' comparison: HVE against SMB on value, health, churn and RFM."""
    hve_ltv, smb_ltv = hve["mean_estimated_customer_ltv"], smb["mean_estimated_customer_ltv"]
    ltv_ratio = float(hve_ltv / smb_ltv) if smb_ltv else float("nan")
    return [
        Headline(
            "hve_customers",
            hve["customers"],
            f"{int(hve['customers']):,} High-Value Enterprise (HVE) customers, "
            f"{hve['share_of_customers']:.1%} of all, hold "
            f"{hve['share_of_revenue_12m']:.1%} of revenue over the last 12 months.",
        ),
        Headline(
            "hve_smb_ltv_ratio",
            ltv_ratio,
            f"Mean LTV is {_money(hve_ltv)} for HVE against {_money(smb_ltv)} for SMB: "
            f"{ltv_ratio:.1f}{TIMES}; mean expected annual revenue "
            f"{_money(hve['mean_expected_annual_revenue'])} against "
            f"{_money(smb['mean_expected_annual_revenue'])}.",
        ),
        Headline(
            "hve_churn",
            hve["mean_churn_probability"],
            f"HVE customers are healthier (mean health {hve['mean_customer_health_score']:.2f} "
            f"against {smb['mean_customer_health_score']:.2f}) and less likely to churn "
            f"(mean churn probability {hve['mean_churn_probability']:.2f} against "
            f"{smb['mean_churn_probability']:.2f}).",
        ),
        Headline(
            "hve_rfm",
            hve["mean_rfm_composite_score"],
            f"Mean composite RFM is {hve['mean_rfm_composite_score']:.2f} for HVE against "
            f"{smb['mean_rfm_composite_score']:.2f} for SMB, and HVE value leans on spend: "
            f"mean monetary bias {hve['mean_monetary_bias']:+.2f} "
            f"(SMB {smb['mean_monetary_bias']:+.2f}).",
        ),
    ]


def _risk_headline(data: MartData) -> Headline:
    at_risk = float(data.summary["total_revenue_at_risk"].sum())
    text = f"{_money(at_risk)} of expected annual revenue is at risk"
    if len(data.owners):
        top = data.owners.drop_duplicates("account_owner").iloc[0]
        owner = top["account_owner"]
        book = "the unassigned pool" if owner == "Unassigned" else f"account owner {owner}"
        text += f"; the most of it, {_money(top['owner_revenue_at_risk'])}, in {book}'s book"
    return Headline("revenue_at_risk", at_risk, text + ".")


def _correlation_headline(data: MartData) -> Headline | None:
    """The strongest correlation within HVE, where the seeds looked for the paradox."""
    correlations = data.correlations
    if correlations is None:
        return None
    hve = correlations[
        (correlations["segment"] == "High-Value Enterprise") & correlations["pearson_r"].notna()
    ]
    if hve.empty:
        return None
    top = hve.loc[hve["pearson_r"].abs().idxmax()]
    return Headline(
        "hve_strongest_correlation",
        top["pearson_r"],
        f"Within HVE the strongest configured correlation is {top['x_column']} with "
        f"{top['y_column']}: r = {top['pearson_r']:+.2f} ({top['strength']}, "
        f"n = {int(top['n']):,}).",
    )


def headlines(data: MartData) -> list[Headline]:
    """The narrative's figures, in the order a reader wants them."""
    summary = _by_segment(data.summary)
    total = int(data.summary["customers"].sum())
    items = [Headline("customers", total, f"{total:,} customers as of {data.as_of_date}.")]
    if {"High-Value Enterprise", "SMB"} <= set(summary.index):
        items += _hve_against_smb(summary.loc["High-Value Enterprise"], summary.loc["SMB"])
    if "SMB" in summary.index:
        dormant = _share_in(data, "lifecycle_stage", "SMB", "Dormant")
        items.append(
            Headline("smb_dormant_share", dormant, f"{dormant:.1%} of SMB customers are Dormant.")
        )
    items.append(_risk_headline(data))
    correlation = _correlation_headline(data)
    items = items if correlation is None else [*items, correlation]
    return [*items, *_forecast_headlines(data)]


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
    # report_actions builds on this module's helpers, so it is imported here, not at the top.
    from customer360.report import actions as report_actions

    data = read_mart_data(database)
    actions = report_actions.read_action_data(database)
    charts = build_charts(data) + report_actions.charts(actions)
    reports_dir.mkdir(parents=True, exist_ok=True)
    result = ReportResult(reports_dir / REPORT_FILE)
    if data.correlations is None:
        result.notes.append(
            f"no customer360__correlation_diagnostics in {database}: correlation heatmap left out"
        )
    result.notes.extend(actions.notes)
    html_text = render_html(
        charts, headlines(data), database, data.as_of_date, report_actions.tables_html(actions)
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
