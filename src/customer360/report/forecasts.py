"""The report's "How good are the forecasts" section (SPEC section 8).

Reads the published forecast evaluation: AUC and calibration error per snapshot of both churn
models, the calibration curve of the latest evaluable snapshot per segment, and predicted
against realised revenue; the caption states the churn model in use and its training window.
Every table it reads is small (a row per snapshot, segment and forecast, or per bin).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

EVALUATION = "customer360__forecast_evaluation"
CALIBRATION = "customer360__forecast_calibration"
TRAINING = "customer360__churn_model_training"
CHURN_FORECASTS = {
    "churn_probability": "churn model in use",
    "churn_probability_configured": "configured formula",
}
CHURN_COLOURS = {"churn_probability": "#0072B2", "churn_probability_configured": "#D55E00"}
CURVE_SEGMENTS = ("All", "High-Value Enterprise", "Enterprise", "SMB")


@dataclass(frozen=True)
class ForecastData:
    evaluation: pd.DataFrame
    calibration: pd.DataFrame
    training: pd.DataFrame


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.sql(sql).to_arrow_table().to_pandas()


def read_forecast_data(con: duckdb.DuckDBPyConnection) -> ForecastData | None:
    """The three tables, or None when the database has not got them (an older build)."""
    names = {
        row[0] for row in con.sql("select table_name from information_schema.tables").fetchall()
    }
    if not {EVALUATION, CALIBRATION, TRAINING} <= names:
        return None
    return ForecastData(
        evaluation=_frame(con, f"select * from {EVALUATION} order by snapshot_date"),
        calibration=_frame(
            con,
            f"select * from {CALIBRATION} where snapshot_date = "
            f"(select max(snapshot_date) from {CALIBRATION}) order by calibration_bin",
        ),
        training=_frame(con, f"select * from {TRAINING} order by snapshot_date"),
    )


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


def headline_sentences(data: ForecastData) -> list[tuple[str, float, str]]:
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
