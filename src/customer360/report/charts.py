"""The report's charts of the mart: one plotly figure each, with its heading and caption.

Also the house style every chart of the report shares (`Chart` and `style`),
which the forecast and action sections use too.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from customer360.report.narrative import TIMES, money
from customer360.report.queries import (
    SCATTER_POINTS_PER_SEGMENT,
    SEGMENTS,
    TOP_OWNERS,
    MartData,
    by_segment,
    present_segments,
)

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
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"


@dataclass(frozen=True)
class Chart:
    """One chart of the report: a stable id (HTML div and PNG name), a heading, a caption."""

    chart_id: str
    title: str
    caption: str
    figure: go.Figure
    height: int


def style(figure: go.Figure, title: str, height: int) -> go.Figure:
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
    summary = by_segment(data.summary)
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
        style(figure, "Segment comparison (HVE = High-Value Enterprise)", 620),
        620,
    )


def rfm_profile_chart(data: MartData) -> Chart:
    rfm = by_segment(data.rfm)
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
        style(figure, "RFM profile: mean scores by segment", 480),
        480,
    )


def health_churn_chart(data: MartData) -> Chart:
    sample = data.health_churn_sample
    summary = by_segment(data.summary)
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
    styled = style(figure, "Health vs churn: customers and segment means", 560)
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
    segments = [*present_segments(frame), "All"]
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
    return Chart(chart_id, title, caption, style(figure, title, 420), 420)


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
    chart = style(figure, "Correlations by segment", 520)
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


def owners_chart(data: MartData) -> Chart | None:
    owners = data.owners
    if owners is None or owners.empty:
        return None
    order = list(dict.fromkeys(owners["account_owner"]))
    figure = go.Figure()
    for segment in present_segments(owners):
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
            text=[money(v) for v in totals.loc[order, "owner_revenue_at_risk"]],
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
        "segment, from the books of business; 'unassigned' is the pooled book of customers "
        "without an owner.",
        style(figure, f"Revenue at risk: top {TOP_OWNERS} account owners", 600),
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
        for segment in present_segments(trends):
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
    styled = style(figure, "Change over time (segment means per snapshot)", 460)
    styled.update_layout(legend={"y": 1.16}, margin={"t": 120})
    return Chart(
        "trends",
        "Change over time: segment means per snapshot",
        "From customer360__customer_score_history: each month-end snapshot (and as_of_date) as "
        "the mart would have shown it then; a customer's segment is the one it had at that date.",
        styled,
        460,
    )


def build_charts(data: MartData) -> list[Chart]:
    """The mart's charts in page order, leaving out those its database cannot draw."""
    charts = [
        segment_comparison_chart(data),
        rfm_profile_chart(data),
        health_churn_chart(data),
        lifecycle_mix_chart(data),
        engagement_mix_chart(data),
        correlation_chart(data),
        owners_chart(data),
        trends_chart(data),
    ]
    return [chart for chart in charts if chart is not None]
