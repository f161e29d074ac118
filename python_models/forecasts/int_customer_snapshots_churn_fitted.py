"""The churn model fitted on the project's own history (SPEC section 8), point in time.

For each computed snapshot T, the model that scores T learns only from snapshots T' whose churn
horizon ended by T (T' + churn_horizon_days <= T): features of T' from
int_customer_snapshot_features, labels from int_customer_snapshot_outcomes. Nothing dated after
T reaches T's probabilities, so the history and the mart are scored as they would have been.
Of those, it learns from the latest `churn_training_snapshots` only: a fixed window that depends
on T alone, not on where the build's history starts, so a history row equals the mart built at
its date (SPEC 7) wherever the history holds the whole window.

Per T:
- ranking model: scikit-learn's HistGradientBoostingClassifier on the training snapshots except
  the latest one, rows weighted by recency (half-life `half_life_months`), so that recent
  behaviour counts most. Trees learn interactions (inactivity by segment) and handle NULL and
  constant features themselves; features are ones whose range a later date does not leave
  (recency, frequency, monetary, scores, inactivity, health, segment, the configured formula's
  probability, the share of tenure since the last purchase), never tenure or time itself.
- calibration: Platt scaling (a logistic regression on the ranking model's log-odds) fitted on
  the latest training snapshot, held out of the ranking fit, so the level follows the most
  recent churn rate (churn drifts as a customer base ages).
Too little history (fewer than `min_evaluable_snapshots` training snapshots, or fewer than
`min_churn_events` churned or retained rows) gives NULL and the reason; the scored model then
uses the configured formula and warns.

Lean: the training rows reach pandas once, from the snapshots that the computed snapshots'
models learn from (six, in a build that adds a month), sampled in DuckDB to at most
`churn_training_rows_per_snapshot` per snapshot (a seeded hash of the customer, so the same
rows every build); scoring reads one snapshot at a time and writes its probabilities back to
DuckDB. One thread and a fixed seed: the same input gives the same output.

No Jinja in this file: dbt renders Python models as templates too, so no double braces.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

SEGMENTS = ("SMB", "Enterprise", "High-Value Enterprise")
# Features whose range a later snapshot stays within (no tenure, no absolute time), read as
# they are from int_customer_snapshot_features.
STORED_FEATURES = (
    "recency_days",
    "frequency",
    "monetary",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "rfm_composite_score",
    "customer_health_score",
    "days_since_last_activity",
    "revenue_12m",
    # The configured formula's probability: bounded, and rising with inactivity beyond the
    # training snapshots' range, where the trees alone stay flat.
    "churn_probability_configured",
)
# Bounded ratios derived from stored features: the share of the customer's tenure since their
# last purchase, what a purchase model conditions on, without the tenure itself (which a
# later snapshot leaves behind). NULL without a purchase or on the signup day.
DERIVED_FEATURES = {
    # (case, not least() alone: DuckDB's least() skips a NULL argument)
    "recency_share": (
        "case when {alias}.tenure_days > 0 and {alias}.recency_days is not null then"
        " least(cast({alias}.recency_days as double) / {alias}.tenure_days, 1.0) end"
    ),
}
NUMERIC_FEATURES = (*STORED_FEATURES, *DERIVED_FEATURES)
FEATURES = (*NUMERIC_FEATURES, "segment_code")
# Probabilities are kept off 0 and 1: a log loss of a confident miss stays finite.
PROBABILITY_FLOOR = 1e-6
DAYS_PER_MONTH = 365.25 / 12
OUTPUT_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("snapshot_date", pa.date32()),
        ("churn_probability_fitted", pa.float64()),
        ("training_first_snapshot_date", pa.date32()),
        ("training_last_snapshot_date", pa.date32()),
        ("calibration_snapshot_date", pa.date32()),
        ("training_snapshots", pa.int64()),
        ("training_rows", pa.int64()),
        ("training_churn_events", pa.int64()),
        ("fallback_reason", pa.string()),
    ]
)


class Settings(NamedTuple):
    horizon_days: int
    min_evaluable_snapshots: int
    training_snapshots: int
    min_churn_events: int
    half_life_months: float
    training_rows_per_snapshot: int
    seed: int


# NamedTuple, not dataclass: dbt runs this file outside sys.modules, which dataclasses need.
class Fit(NamedTuple):
    """What scored one snapshot: a model, or the reason there is none, and its training window."""

    ranker: HistGradientBoostingClassifier | None
    calibrator: LogisticRegression | None
    first_snapshot: object
    last_snapshot: object
    calibration_snapshot: object
    snapshots: int
    rows: int
    churn_events: int
    reason: str | None


def whole_number(value: object, var_name: str, minimum: int) -> int:
    """A var from the model config as a whole number >= minimum, or an error naming it."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number != int(number) or number < minimum:
        raise ValueError(
            f"customer360: var {var_name} must be a whole number >= {minimum}, got {value!r}"
        )
    return int(number)


def positive_number(value: object, var_name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"customer360: var {var_name} must be a positive number, got {value!r}")
    return number


def settings_from(dbt) -> Settings:
    # dbt reads config.get arguments as literals at parse time: each var name is spelled out.
    return Settings(
        horizon_days=whole_number(dbt.config.get("churn_horizon_days"), "churn_horizon_days", 1),
        # one snapshot to rank on and the latest to calibrate on, at the least
        min_evaluable_snapshots=whole_number(
            dbt.config.get("churn_fit_min_evaluable_snapshots"),
            "churn_fit_min_evaluable_snapshots",
            2,
        ),
        training_snapshots=whole_number(
            dbt.config.get("churn_training_snapshots"), "churn_training_snapshots", 2
        ),
        min_churn_events=whole_number(
            dbt.config.get("churn_fit_min_churn_events"), "churn_fit_min_churn_events", 1
        ),
        half_life_months=positive_number(
            dbt.config.get("churn_training_half_life_months"), "churn_training_half_life_months"
        ),
        training_rows_per_snapshot=whole_number(
            dbt.config.get("churn_training_rows_per_snapshot"),
            "churn_training_rows_per_snapshot",
            100,
        ),
        seed=whole_number(dbt.config.get("churn_fit_seed"), "churn_fit_seed", 0),
    )


def checked(settings: Settings) -> Settings:
    if settings.min_evaluable_snapshots > settings.training_snapshots:
        raise ValueError(
            "customer360: var churn_fit_min_evaluable_snapshots "
            f"({settings.min_evaluable_snapshots}) must not exceed var churn_training_snapshots "
            f"({settings.training_snapshots}): a fit never sees more snapshots than the window"
        )
    return settings


def feature_columns(alias: str) -> str:
    """The model's inputs as doubles (segment as a category code), with the row's key."""
    numeric = ",\n    ".join(
        [f"cast({alias}.{name} as double) as {name}" for name in STORED_FEATURES]
        + [
            f"{expression.format(alias=alias)} as {name}"
            for name, expression in DERIVED_FEATURES.items()
        ]
    )
    codes = " ".join(f"when '{name}' then {code}" for code, name in enumerate(SEGMENTS))
    return f"""{alias}.customer_id,
    {alias}.snapshot_date,
    {numeric},
    cast(case {alias}.customer_segment {codes} end as double) as segment_code"""


def training_dates(evaluable: list, computed: list, settings: Settings) -> list:
    """The snapshots the models of the `computed` snapshots learn from, as fit_for picks them:
    for each computed T, the latest `training_snapshots` of the `evaluable` snapshots (sorted)
    whose churn horizon ended by T. A build that adds a month reads six snapshots' features to
    train, not every evaluable one."""
    needed = set()
    for cutoff in computed:
        last_allowed = pd.Timestamp(cutoff) - pd.Timedelta(days=settings.horizon_days)
        eligible = [day for day in evaluable if pd.Timestamp(day) <= last_allowed]
        needed.update(eligible[-settings.training_snapshots :])
    return sorted(needed)


def training_sql(features: str, outcomes: str, settings: Settings) -> str:
    """Rows of the snapshots `$dates` (evaluable for churn: training_dates) with their label,
    at most `training_rows_per_snapshot` of each snapshot, chosen by a seeded hash of the
    customer.

    The cap is per snapshot, so the rows a snapshot contributes depend on that snapshot alone:
    later data never changes which rows an earlier model learned from (point in time), the
    same rows are chosen on every build, and a build that reads fewer snapshots reads the same
    rows of each. The rows kept are those with the smallest hashes: each snapshot's cutoff
    (its N-th smallest hash) is found in one streaming pass over the customer keys, and only
    the rows at or below it are read whole, joined to their outcomes and ranked.
    """
    cap = settings.training_rows_per_snapshot
    draw_key = f"hash(features.customer_id, {settings.seed})"
    return f"""
with cutoffs as (
    select features.snapshot_date, list_last(min({draw_key}, {cap})) as last_draw_key
    from {features} as features
    where list_contains($dates, features.snapshot_date)
    group by features.snapshot_date
),
drawn as (
    select
        {feature_columns("features")},
        row_number() over (
            partition by features.snapshot_date order by {draw_key}, features.customer_id
        ) as draw
    from {features} as features
    inner join cutoffs
        on features.snapshot_date = cutoffs.snapshot_date
        and {draw_key} <= cutoffs.last_draw_key
),
labelled as (
    select
        drawn.* exclude (draw),
        cast(outcomes.is_churned as integer) as is_churned
    from drawn
    inner join {outcomes} as outcomes
        on drawn.customer_id = outcomes.customer_id
        and drawn.snapshot_date = outcomes.snapshot_date
    where drawn.draw <= {cap}
)
select * from labelled
-- a fixed row order: the fit sums floats in row order, so the same rows in another order
-- would give probabilities that differ in the last bits
order by snapshot_date, customer_id
"""


def weights_by_recency(snapshot_dates: pd.Series, latest, half_life_months: float) -> np.ndarray:
    age_months = (pd.Timestamp(latest) - pd.to_datetime(snapshot_dates)).dt.days / DAYS_PER_MONTH
    return np.power(0.5, age_months.to_numpy(dtype=float) / half_life_months)


def shortage(snapshots: int, events: int, retained: int, settings: Settings, cutoff) -> str | None:
    """Why this history is too little to fit, naming the var and what is missing."""
    if snapshots < settings.min_evaluable_snapshots:
        return (
            f"{snapshots} snapshot(s) with a churn horizon of {settings.horizon_days} days ended "
            f"by {cutoff}; churn_fit_min_evaluable_snapshots needs "
            f"{settings.min_evaluable_snapshots}"
        )
    if events < settings.min_churn_events:
        return (
            f"{events} churn event(s) in the training snapshots; "
            f"churn_fit_min_churn_events needs {settings.min_churn_events}"
        )
    if retained < settings.min_churn_events:
        return (
            f"{retained} retained customer row(s) in the training snapshots; "
            f"churn_fit_min_churn_events needs {settings.min_churn_events} of each outcome"
        )
    return None


def log_odds(probability: np.ndarray) -> np.ndarray:
    clipped = np.clip(probability, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)
    return np.log(clipped / (1 - clipped)).reshape(-1, 1)


def fit_for(cutoff, training: pd.DataFrame, settings: Settings) -> Fit:
    """The model that scores snapshot `cutoff`: trained on the latest
    `training_snapshots` snapshots T' <= cutoff - horizon."""
    last_allowed = pd.Timestamp(cutoff) - pd.Timedelta(days=settings.horizon_days)
    eligible = training["snapshot_date"] <= last_allowed
    dates = sorted(training.loc[eligible, "snapshot_date"].unique())[-settings.training_snapshots :]
    rows = training[eligible & training["snapshot_date"].isin(dates)]
    events = int(rows["is_churned"].sum())
    window = (dates[0] if dates else None, dates[-1] if dates else None)
    reason = shortage(len(dates), events, len(rows) - events, settings, cutoff)
    if reason is None and rows.loc[rows["snapshot_date"] != dates[-1], "is_churned"].nunique() < 2:
        reason = "the training snapshots before the calibration snapshot hold one outcome only"
    if reason is not None:
        return Fit(None, None, *window, None, len(dates), len(rows), events, reason)
    calibration = rows[rows["snapshot_date"] == dates[-1]]
    ranking = rows[rows["snapshot_date"] != dates[-1]]
    # A column NULL on every training row (say, no customer ever had an activity event) says
    # nothing and cannot be binned: it is left out of this fit.
    features = [name for name in FEATURES if ranking[name].notna().any()]
    if not features:
        reason = "every feature is NULL on every training row"
        return Fit(None, None, *window, None, len(dates), len(rows), events, reason)
    ranker = HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.1,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        categorical_features=[name for name in features if name == "segment_code"] or None,
        early_stopping=False,
        random_state=settings.seed,
    )
    ranker.fit(
        ranking[features],
        ranking["is_churned"],
        sample_weight=weights_by_recency(
            ranking["snapshot_date"], dates[-2], settings.half_life_months
        ),
    )
    calibrator = None
    if calibration["is_churned"].nunique() == 2:
        raw = ranker.predict_proba(calibration[features])[:, 1]
        calibrator = LogisticRegression(C=1e6, random_state=settings.seed)
        calibrator.fit(log_odds(raw), calibration["is_churned"])
    return Fit(ranker, calibrator, *window, dates[-1], len(dates), len(rows), events, None)


def predicted(fit: Fit, rows: pd.DataFrame) -> np.ndarray:
    if fit.ranker is None:
        return np.full(len(rows), np.nan)
    raw = fit.ranker.predict_proba(rows[list(fit.ranker.feature_names_in_)])[:, 1]
    if fit.calibrator is not None:
        raw = fit.calibrator.predict_proba(log_odds(raw))[:, 1]
    return np.clip(raw, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)


SCORED_SQL = """
insert into churn_fitted_scores
select
    rows.customer_id,
    cast($snapshot_date as date) as snapshot_date,
    {probability} as churn_probability_fitted,
    cast($first_snapshot as date) as training_first_snapshot_date,
    cast($last_snapshot as date) as training_last_snapshot_date,
    cast($calibration_snapshot as date) as calibration_snapshot_date,
    cast($snapshots as bigint) as training_snapshots,
    cast($rows as bigint) as training_rows,
    cast($churn_events as bigint) as training_churn_events,
    cast($reason as varchar) as fallback_reason
from {rows} as rows
"""


def score_snapshot(session, features: str, snapshot_date, fit: Fit) -> None:
    """Write one snapshot's probabilities (NULL with the reason when there is no fit) and the
    fit's training window into churn_fitted_scores; only the features go through Python."""
    window = {
        "snapshot_date": snapshot_date,
        "first_snapshot": fit.first_snapshot,
        "last_snapshot": fit.last_snapshot,
        "calibration_snapshot": fit.calibration_snapshot,
        "snapshots": fit.snapshots,
        "rows": fit.rows,
        "churn_events": fit.churn_events,
        "reason": fit.reason,
    }
    rows = f"(select * from {features} where snapshot_date = $snapshot_date)"
    if fit.ranker is None:
        session.execute(SCORED_SQL.format(probability="cast(null as double)", rows=rows), window)
        return
    inputs = session.sql(
        f"select {feature_columns('features')} from {features} as features"
        " where snapshot_date = $snapshot_date",
        params={"snapshot_date": snapshot_date},
    ).to_arrow_table()
    # the model's columns as NumPy (NULL as NaN, which the trees read as missing); the
    # customer keys stay in Arrow
    model_inputs = pd.DataFrame(
        {name: inputs[name].to_numpy() for name in fit.ranker.feature_names_in_}
    )
    scores = pa.table(
        {
            "customer_id": inputs["customer_id"],
            "probability": pa.array(predicted(fit, model_inputs), pa.float64()),
        }
    )
    session.register("snapshot_scores", scores)
    session.execute(
        SCORED_SQL.format(probability="rows.probability", rows="snapshot_scores"), window
    )
    session.unregister("snapshot_scores")


def model(dbt, session):
    dbt.config(materialized="table")
    settings = checked(settings_from(dbt))
    # dbt.ref gives a relation object; named views let plain SQL join the two.
    features, outcomes = "churn_fit_features", "churn_fit_outcomes"
    dbt.ref("int_customer_snapshot_features").create_view(features, replace=True)
    dbt.ref("int_customer_snapshot_outcomes").create_view(outcomes, replace=True)
    computed = [
        row[0]
        for row in dbt.ref("int_snapshot_dates")
        .filter("is_computed")
        .project("snapshot_date")
        .order("snapshot_date")
        .fetchall()
    ]
    evaluable = [
        row[0]
        for row in session.sql(
            f"select distinct snapshot_date from {outcomes} where is_evaluable_churn order by 1"
        ).fetchall()
    ]
    dates = training_dates(evaluable, computed, settings)
    training = session.sql(training_sql(features, outcomes, settings), params={"dates": dates}).df()
    training["snapshot_date"] = pd.to_datetime(training["snapshot_date"])
    session.register("no_scores", OUTPUT_SCHEMA.empty_table())
    session.execute("create or replace temp table churn_fitted_scores as select * from no_scores")
    session.unregister("no_scores")
    for snapshot_date in computed:
        # one thread: the fit sums floats in a fixed order, so the same input gives the same model
        with threadpool_limits(limits=1):
            fit = fit_for(snapshot_date, training, settings)
        score_snapshot(session, features, snapshot_date, fit)
    return session.table("churn_fitted_scores")
