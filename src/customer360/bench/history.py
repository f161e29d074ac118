"""The history's cost at one scale (SPEC 7), measured in the same run as the repetitions.

Three builds after the repetitions (which build the snapshot mart alone, history_months 0):
the default build (history and forecasts) from an empty database; a build a month before the
as_of_date; then the rebuild that adds that month to the history it holds. With the last
repetition's snapshot build, they give issue 17's ratios (what the history and one month add
to the snapshot build's model time) and issue 16's (the forecasts' fitting time against the
history's SQL models).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from customer360.bench.measure import BuildRun, ScalePaths, time_build, warm_parse

# The fitted Python models (SPEC 8): their time is the forecasts' fitting time.
FORECAST_MODELS = (
    "int_customer_snapshots_churn_fitted",
    "int_customer_snapshots_purchase_forecast",
)


def built_as_of_date(duckdb_path: Path) -> date:
    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        # the public mart's, not a private model's
        query = "select max(as_of_date) from main.customer360__customer_value_analysis"
        return con.execute(query).fetchone()[0]


def month_end_before(day: date) -> date:
    """The last day of the calendar month before day's month (SPEC 7's "one month before")."""
    return day.replace(day=1) - timedelta(days=1)


@dataclass(frozen=True)
class HistoryRuns:
    """The history's cost at one scale, all measured in one run of the benchmark.

    snapshot: the mart alone (history_months 0), from an empty database; history: the default
    build (history_months and forecasts), from an empty database; month_added: a rebuild of a
    database that holds the history up to the month before, adding one month.
    """

    snapshot: BuildRun
    history: BuildRun
    month_added: BuildRun
    as_of_date: date


def time_history(paths: ScalePaths, snapshot: BuildRun) -> HistoryRuns:
    """The default build, then a month added to a history built a month before; `snapshot`
    is the repetitions' build of median model time."""
    as_of = built_as_of_date(paths.duckdb_path)
    warm_parse(paths)
    history = time_build(paths, "history")
    time_build(paths, "month-before", {"as_of_date": month_end_before(as_of).isoformat()})
    month_added = time_build(paths, "month-added", {"as_of_date": as_of.isoformat()}, fresh=False)
    return HistoryRuns(snapshot, history, month_added, as_of)


def _sql_model_s(build: BuildRun) -> float:
    return sum(s for name, s in build.model_s.items() if name not in FORECAST_MODELS)


def _forecast_s(build: BuildRun) -> float:
    return sum(s for name, s in build.model_s.items() if name in FORECAST_MODELS)


def history_record(runs: HistoryRuns) -> dict[str, Any]:
    """Issue 17's targets (history adds at most 2x the snapshot build's model time, a month
    at most 0.25x, RSS under 4 GB) and issue 16's (fitting under the history build's time)."""
    snapshot_models = sum(runs.snapshot.model_s.values())
    snapshot_sql = _sql_model_s(runs.snapshot)
    history_models = sum(runs.history.model_s.values())
    history_sql = _sql_model_s(runs.history)
    fits = _forecast_s(runs.history)
    added = sum(runs.month_added.model_s.values())
    added_sql = _sql_model_s(runs.month_added)

    def over(part: float, whole: float) -> float | None:
        return part / whole if whole else None

    return {
        "as_of_date": runs.as_of_date.isoformat(),
        "snapshot_build_s": runs.snapshot.wall_s,
        "snapshot_model_s": snapshot_models,
        "snapshot_sql_model_s": snapshot_sql,
        "history_build_s": runs.history.wall_s,
        "history_model_s": history_models,
        "history_sql_model_s": history_sql,
        "forecast_fit_s": fits,
        "forecast_fit_s_by_model": {
            name: runs.history.model_s.get(name, 0.0) for name in FORECAST_MODELS
        },
        "month_added_build_s": runs.month_added.wall_s,
        "month_added_model_s": added,
        "month_added_sql_model_s": added_sql,
        "peak_rss_mb": {
            "snapshot": runs.snapshot.peak_rss_mb,
            "history": runs.history.peak_rss_mb,
            "month_added": runs.month_added.peak_rss_mb,
        },
        "ratios": {
            # What each build adds to the snapshot build's model time, per second of it: the
            # history (24 months, from empty), and the monthly rebuild that computes the new
            # month and keeps the rest (both re-read the raw files, as the snapshot build does).
            # SQL models:
            "history_added_over_snapshot_models": over(history_sql - snapshot_sql, snapshot_sql),
            "month_added_over_snapshot_models": over(added_sql - snapshot_sql, snapshot_sql),
            # every model, the fitted Python ones included
            "history_added_over_snapshot_models_with_forecasts": over(
                history_models - snapshot_models, snapshot_models
            ),
            "month_added_over_snapshot_models_with_forecasts": over(
                added - snapshot_models, snapshot_models
            ),
            # the whole monthly rebuild against the snapshot build (SQL models), as reported before
            "month_rebuild_over_snapshot_models": over(added_sql, snapshot_sql),
            "forecast_fit_over_history_sql": over(fits, history_sql),
        },
        "slowest_history_models_s": dict(
            sorted(runs.history.model_s.items(), key=lambda item: -item[1])[:10]
        ),
    }
