"""The report's "How good are the forecasts" section (SPEC section 8): its charts and headlines.

Drawn from the published forecast evaluation (read by `queries.read_forecast_data`): AUC and
calibration error per snapshot of both churn models, the calibration curve of the latest
evaluable snapshot per segment, and predicted against realised revenue; the caption states the
churn model in use and its training window. A database without those tables gives no section.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from customer360.report.charts import Chart, style
from customer360.report.narrative import Headline
from customer360.report.queries import SEGMENTS, ForecastData

CHURN_FORECASTS = {
    "churn_probability": "churn model in use",
    "churn_probability_configured": "configured formula",
}
CHURN_COLOURS = {"churn_probability": "#0072B2", "churn_probability_configured": "#D55E00"}
CURVE_SEGMENTS = ("All", *SEGMENTS)


def model_in_use(data: ForecastData) -> str:
    """One sentence: which churn model scores the latest snapshot, trained on what."""
    if data.training.empty:
        return "No snapshot was scored in this build."
    latest = data.training.iloc[-1]
    if latest["churn_model_source"] == "fitted":
        return (
            f"churn_probability at {latest['snapshot_date']} comes from the fitted model "
            f"(gradient-boosted trees, Platt-calibrated), trained on the snapshots "
            f"{latest['training_first_snapshot_date']} to {latest['training_last_snapshot_date']} "
            f"({int(latest['training_rows']):,} rows, {int(latest['training_churn_events']):,} "
            f"churned), calibrated on {latest['calibration_snapshot_date']}."
        )
    reason = latest["fallback_reason"] or "churn_model_source is configured"
    return (
        f"churn_probability at {latest['snapshot_date']} comes from the configured formula: "
        f"{reason}."
    )


def _all_segments(data: ForecastData, forecast: str) -> pd.DataFrame:
    frame = data.evaluation
    return frame[(frame["customer_segment"] == "All") & (frame["forecast"] == forecast)]


def churn_quality_figure(data: ForecastData) -> go.Figure:
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=["ROC AUC (higher ranks better)", "Calibration error (lower is better)"],
        horizontal_spacing=0.08,
    )
    for forecast, label in CHURN_FORECASTS.items():
        rows = _all_segments(data, forecast)
        for col, metric in enumerate(("roc_auc", "calibration_error"), start=1):
            figure.add_trace(
                go.Scatter(
                    x=rows["snapshot_date"],
                    y=rows[metric],
                    mode="lines+markers",
                    name=label,
                    legendgroup=forecast,
                    showlegend=col == 1,
                    line={"color": CHURN_COLOURS[forecast]},
                ),
                row=1,
                col=col,
            )
    figure.update_xaxes(title_text="Snapshot")
    return figure


def calibration_curve_figure(data: ForecastData) -> go.Figure:
    curve = data.calibration
    segments = [s for s in CURVE_SEGMENTS if s in set(curve["customer_segment"])]
    figure = make_subplots(
        rows=1, cols=max(1, len(segments)), subplot_titles=segments, shared_yaxes=True
    )
    for col, segment in enumerate(segments, start=1):
        figure.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                line={"color": "#999999", "dash": "dot"},
                name="perfect calibration",
                showlegend=col == 1,
            ),
            row=1,
            col=col,
        )
        for forecast, label in CHURN_FORECASTS.items():
            bins = curve[(curve["customer_segment"] == segment) & (curve["forecast"] == forecast)]
            figure.add_trace(
                go.Scatter(
                    x=bins["mean_predicted"],
                    y=bins["observed_rate"],
                    mode="lines+markers",
                    name=label,
                    legendgroup=forecast,
                    showlegend=col == 1,
                    line={"color": CHURN_COLOURS[forecast]},
                    customdata=bins["n"],
                    hovertemplate="predicted %{x:.2f}, observed %{y:.2f}, n = %{customdata}",
                ),
                row=1,
                col=col,
            )
    figure.update_xaxes(title_text="Mean predicted", range=[0, 1])
    figure.update_yaxes(title_text="Observed churn rate", range=[0, 1], col=1)
    return figure


def revenue_figure(data: ForecastData) -> go.Figure:
    rows = _all_segments(data, "predicted_revenue_365d")
    figure = go.Figure()
    figure.add_trace(
        go.Bar(x=rows["snapshot_date"], y=rows["predicted_total"], name="predicted, next 365 days")
    )
    figure.add_trace(
        go.Bar(x=rows["snapshot_date"], y=rows["realised_total"], name="realised, next 365 days")
    )
    figure.update_layout(barmode="group")
    figure.update_xaxes(title_text="Snapshot")
    figure.update_yaxes(title_text="Revenue ($)")
    return figure


def latest_figures(data: ForecastData) -> dict[str, float]:
    """The latest evaluable snapshot's headline figures, for the narrative and tests."""
    figures: dict[str, float] = {}
    for forecast in CHURN_FORECASTS:
        rows = _all_segments(data, forecast).dropna(subset=["roc_auc"])
        if not rows.empty:
            figures[f"{forecast}_roc_auc"] = float(rows.iloc[-1]["roc_auc"])
            figures[f"{forecast}_calibration_error"] = float(rows.iloc[-1]["calibration_error"])
    revenue = _all_segments(data, "predicted_revenue_365d").dropna(subset=["aggregate_error_pct"])
    if not revenue.empty:
        figures["predicted_revenue_aggregate_error_pct"] = float(
            revenue.iloc[-1]["aggregate_error_pct"]
        )
    return figures


def _headline_sentences(data: ForecastData) -> list[tuple[str, float, str]]:
    """(key, value, sentence) of the latest evaluable snapshot's figures."""
    figures = latest_figures(data)
    sentences = []
    for forecast, label in CHURN_FORECASTS.items():
        if f"{forecast}_roc_auc" in figures:
            auc, error = figures[f"{forecast}_roc_auc"], figures[f"{forecast}_calibration_error"]
            sentences += [
                (f"{forecast}_roc_auc", auc, f"Churn, {label}: AUC {auc:.3f}"),
                (
                    f"{forecast}_calibration_error",
                    error,
                    f"Churn, {label}: calibration error {error:.3f}",
                ),
            ]
    key = "predicted_revenue_aggregate_error_pct"
    if key in figures:
        sentences.append(
            (key, figures[key], f"Predicted revenue against realised: {figures[key]:+.1f}%")
        )
    return [(k, v, f"{text} at the latest evaluable snapshot.") for k, v, text in sentences]


def charts(forecasts: ForecastData | None) -> list[Chart]:
    """How good are the forecasts (SPEC section 8): churn quality, calibration, revenue."""
    if forecasts is None or forecasts.evaluation.empty:
        return []
    in_use = model_in_use(forecasts)
    latest = forecasts.calibration["snapshot_date"].max()
    quality = style(churn_quality_figure(forecasts), "How good are the churn forecasts", 460)
    curve = style(
        calibration_curve_figure(forecasts),
        f"Churn calibration at the latest evaluable snapshot ({latest})",
        460,
    )
    revenue = style(revenue_figure(forecasts), "Predicted against realised revenue", 420)
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


def headlines(forecasts: ForecastData | None) -> list[Headline]:
    """The latest evaluable snapshot's figures, then which churn model is in use."""
    if forecasts is None:
        return []
    items = [Headline(*item) for item in _headline_sentences(forecasts)]
    return [*items, Headline("forecast_model_in_use", 0, model_in_use(forecasts))]
