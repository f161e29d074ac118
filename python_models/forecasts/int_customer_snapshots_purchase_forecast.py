"""Value forecasts per (customer_id, snapshot_date): p_alive and the next 365 days' purchases and
net revenue, from BG/NBD and Gamma-Gamma models (pymc-marketing, maximum a posteriori) fitted
per computed snapshot on that snapshot's own past. The logic is in customer360.purchase_model.

The inputs of every snapshot come from int_customer_snapshots_sources_joined (its purchase days,
reduced for all snapshots in one pass); one snapshot's rows at a time go into a DuckDB temp
table, the fit reads a seeded sample of them, and predictions go chunk by chunk into a DuckDB
table that the model returns, so no more than one chunk of customers is ever held in pandas.

No Jinja in this file: dbt renders Python models as templates too, so no double braces.
"""

from __future__ import annotations

from customer360.purchase_model import (
    DEFAULT_CHUNK_CUSTOMERS,
    DEFAULT_SAMPLE_CUSTOMERS,
    OUTPUT_SCHEMA,
    Shortfall,
    configure_pytensor,
    forecast_snapshot,
    warn_shortfalls,
)

OUTPUT = "purchase_model_forecast"


def whole_number(value: object, name: str, default: int, minimum: int) -> int:
    """A var from the model config as a whole number >= minimum, or a message naming it."""
    if value is None or value == "":
        return default
    try:
        number = int(str(value))
    except ValueError:
        number = None
    if number is None or number < minimum or str(number) != str(value).strip():
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return number


def model(dbt, session):
    sample_customers = whole_number(
        dbt.config.get("purchase_model_sample_customers"),
        "purchase_model_sample_customers",
        DEFAULT_SAMPLE_CUSTOMERS,
        100,
    )
    seed = whole_number(dbt.config.get("purchase_model_seed"), "purchase_model_seed", 0, 0)
    chunk_customers = whole_number(
        dbt.config.get("purchase_model_chunk_customers"),
        "purchase_model_chunk_customers",
        DEFAULT_CHUNK_CUSTOMERS,
        1,
    )
    configure_pytensor()
    dbt.ref("int_customer_snapshots_sources_joined").create_view("purchase_model_customers")
    snapshots = dbt.ref("int_snapshot_dates")
    computed = [
        row[0]
        for row in snapshots.filter("is_computed")
        .project("snapshot_date")
        .order("snapshot_date")
        .fetchall()
    ]
    session.execute(
        f"create or replace temp table {OUTPUT} (customer_id varchar, snapshot_date date, "
        "p_alive double, predicted_purchases_365d double, predicted_revenue_365d double)"
    )
    shortfalls: list[Shortfall] = []
    for snapshot_date in computed:
        for chunk in forecast_snapshot(
            session,
            snapshot_date,
            "purchase_model_customers",
            sample_customers,
            seed,
            chunk_customers,
            shortfalls,
        ):
            session.register("purchase_model_chunk", chunk.cast(OUTPUT_SCHEMA))
            session.execute(f"insert into {OUTPUT} select * from purchase_model_chunk")
            session.unregister("purchase_model_chunk")
    warn_shortfalls(shortfalls)
    return session.table(OUTPUT)
