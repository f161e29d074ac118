"""Great Expectations suites over the published mart: a second, independent check of what BI reads.

dbt's tests guard the build; these run on the published file afterwards, with Great Expectations
(pandas datasource on frames read from DuckDB, an ephemeral context: nothing is written to the
repository, only Data Docs HTML under the reports directory). Two suites:

- `customer360_mart`: one row per customer. Every not-null, unique, accepted-values and range
  test the mart's model YAML declares (read from there, its Jinja rendered with the build's vars:
  see mart_contract.py), the HVE and segment rules and the unranked-customer scores (as derived
  columns, so a failure names the rule), and the row count against the customers the build
  accepted (recorded in the publication row, counted upstream of every join the mart makes, so
  a customer dropped or duplicated on the way shows up).

It reads only the published file: the mart, and the publication row for the build's vars and
accepted customers.
- `customer360_mart_profile`: one row of aggregates of the mart that a broken scoring change
  would move: the share of each R, F and M score among ranked customers, that a better score
  means a better raw value, and the order of mean churn, composite RFM and LTV between segments.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from customer360 import published
from customer360.mart_contract import DeclaredColumn, declared_columns, mart_labels, mart_segments

MART = "customer360__customer_value_analysis"
DOCS_DIR = "data_docs"
DOCS_SITE = "customer360"
ID_COLUMN = "customer_id"
# Unexpected rows quoted per failure in the summary (the Data Docs list more).
EXAMPLES = 5
MART_SUITE = "customer360_mart"
PROFILE_SUITE = "customer360_mart_profile"
# The score values and the segments as the mart's YAML lists them (SPEC section 3 fixes them).
SCORES = mart_labels("recency_score")
HVE, ENTERPRISE, SMB = mart_segments()
# What the rule columns and the profile read, besides the columns the model YAML tests.
RULE_INPUTS = (
    "customer_id",
    "customer_tier",
    "portfolio_contribution_pct",
    "is_high_value_enterprise",
    "customer_segment",
    "frequency",
    "recency_days",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "monetary",
    "churn_probability",
    "rfm_composite_score",
    "estimated_customer_ltv",
)
# Quintile scores give each score about 20% of the ranked customers. Recency and monetary are
# near-continuous, so ties move that little; frequency counts purchases and ties a lot more.
SCORE_SHARE_BOUNDS = {"recency": (0.15, 0.25), "frequency": (0.05, 0.40), "monetary": (0.15, 0.25)}
RULE_COLUMNS = ("hve_rule_violation", "segment_rule_violation", "unranked_scores_violation")


def project_vars(project_dir: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """dbt_project.yml's vars, overridden like `c360 build --vars`."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return {**project.get("vars", {}), **(overrides or {})}


@dataclass(frozen=True)
class RuleVars:
    """The dbt vars the rules depend on: the published build's, or dbt_project.yml's."""

    hve_min_contribution_pct: float
    enterprise_tiers: tuple[str, ...]
    rfm_window_days: int
    # Every var the source resolved, for the Jinja in the model YAML's test arguments.
    values: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> RuleVars:
        return cls(
            hve_min_contribution_pct=float(values["hve_min_contribution_pct"]),
            enterprise_tiers=tuple(values["enterprise_tiers"]),
            rfm_window_days=int(values["rfm_window_days"]),
            values=dict(values),
        )

    @classmethod
    def from_project(cls, project_dir: Path, overrides: dict[str, Any] | None = None) -> RuleVars:
        """dbt_project.yml's vars, overridden like `c360 build --vars`."""
        return cls.from_values(project_vars(project_dir, overrides))

    def describe(self) -> str:
        """One line for the output: the rules' parameters as a reader names them."""
        return (
            f"enterprise_tiers {', '.join(self.enterprise_tiers)}; hve_min_contribution_pct "
            f"{self.hve_min_contribution_pct:g}; rfm_window_days {self.rfm_window_days}"
        )

    @classmethod
    def from_publication(cls, database: Path) -> RuleVars | None:
        """The vars the build published in `database` resolved (its publication row records
        them), or None when the file has no publication or an older one without them."""
        with published.connect(database) as connection:
            row = published.publication(connection)
        if row is None or row.scoring_config_json is None:
            return None
        return cls.from_values(json.loads(row.scoring_config_json))


@dataclass(frozen=True)
class Failure:
    """One failed expectation, in words a reader can act on."""

    suite: str
    expectation: str
    column: str | None
    observed: str

    def describe(self) -> str:
        where = f" column {self.column}" if self.column else ""
        return f"FAILED {self.suite}: {self.expectation}{where}: {self.observed}"


@dataclass
class ValidationOutcome:
    database: Path
    evaluated: int
    failures: list[Failure]
    docs_index: Path
    notes: list[str] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.failures


def mart_columns(project_dir: Path, rule_vars: RuleVars) -> tuple[DeclaredColumn, ...]:
    """The mart's columns and tests as its model YAML declares them, with the build's vars
    (the project's beneath, for any var the rule source does not record)."""
    variables = {**project_vars(project_dir), **rule_vars.values}
    return declared_columns(project_dir, MART, variables)


def checked_columns(columns: tuple[DeclaredColumn, ...]) -> list[str]:
    """The mart columns the suites read; the rest (names, dates, ...) stays in DuckDB."""
    tested = [column.name for column in columns if column.is_tested]
    return list(dict.fromkeys([*tested, *RULE_INPUTS]))


def read_mart(database: Path, columns: tuple[DeclaredColumn, ...]) -> pd.DataFrame:
    """The checked columns of the published mart, read-only; decimals as doubles for pandas
    (which would hold them as Python Decimal objects).

    A checked column missing from the mart is left out here: its expectations then fail,
    naming it, instead of the read failing.
    """
    decimals = {column.name for column in columns if column.is_decimal}
    with published.connect(database) as con:
        present = {row[0] for row in con.execute(f"describe {MART}").fetchall()}
        select = ", ".join(
            f"cast({column} as double) as {column}" if column in decimals else column
            for column in checked_columns(columns)
            if column in present
        )
        return published.frame(con, f"select {select} from {MART}")


def accepted_customers(database: Path) -> tuple[int | None, str | None]:
    """The customers the published build accepted (the expected row count, recorded in its
    publication row), or why it is unknown."""
    with published.connect(database) as connection:
        row = published.publication(connection)
    if row is not None and row.accepted_customers is not None:
        return int(row.accepted_customers), None
    return None, (
        f"row count not checked: {database} has no publication row recording the accepted "
        "customers (publish it with c360 build)"
    )


def _violations(mask: pd.Series, rows: pd.DataFrame, describe: Any) -> pd.Series:
    """A text column: why each row breaks a rule, NULL where it holds (described rows only)."""
    column = pd.Series(None, index=rows.index, dtype="object")
    if mask.any():
        column[mask] = rows[mask].apply(describe, axis=1)
    return column


def with_rule_columns(mart: pd.DataFrame, rule_vars: RuleVars) -> pd.DataFrame:
    """The mart plus one column per row rule: NULL where it holds, else the broken rule in words,
    so that a failure quotes the offending customers and why."""
    enterprise = mart["customer_tier"].isin(rule_vars.enterprise_tiers)
    contribution = mart["portfolio_contribution_pct"]
    threshold = rule_vars.hve_min_contribution_pct
    expected_hve = enterprise & (contribution > threshold)
    # The mart compares exact decimals; a double within rounding of the threshold cannot tell.
    on_threshold = (contribution - threshold).abs() <= 1e-9
    is_hve = mart["is_high_value_enterprise"].astype("boolean")
    hve_broken = (is_hve != expected_hve).fillna(True) & ~on_threshold
    # The segment follows the mart's own HVE flag (checked above) and the tier.
    expected_segment = (
        pd.Series(SMB, index=mart.index)
        .mask(enterprise, ENTERPRISE)
        .mask(is_hve.fillna(False), HVE)
    )
    segment_broken = mart["customer_segment"] != expected_segment
    scores = mart[["recency_score", "frequency_score", "monetary_score"]]
    unranked_broken = (mart["frequency"] == 0) & ~scores.eq(1).all(axis=1)
    return mart.assign(
        hve_rule_violation=_violations(
            hve_broken,
            mart,
            lambda row: (
                f"{row.customer_tier}, contribution {row.portfolio_contribution_pct:.4g}% vs "
                f"threshold {threshold:g}%, is_high_value_enterprise {row.is_high_value_enterprise}"
            ),
        ),
        segment_rule_violation=_violations(
            segment_broken,
            mart,
            lambda row: (
                f"{row.customer_segment} for a {row.customer_tier} customer with "
                f"is_high_value_enterprise {row.is_high_value_enterprise}"
            ),
        ),
        unranked_scores_violation=_violations(
            unranked_broken,
            mart,
            lambda row: (
                "no purchase in the RFM window but scores R/F/M "
                f"{row.recency_score}/{row.frequency_score}/{row.monetary_score}"
            ),
        ),
    )


def profile(mart: pd.DataFrame) -> pd.DataFrame:
    """One row of aggregates that a broken scoring change would move."""
    ranked = mart[mart["frequency"] > 0]
    figures: dict[str, float] = {"ranked_customers": float(len(ranked))}
    raw_values = {"recency": "recency_days", "frequency": "frequency", "monetary": "monetary"}
    for dimension, raw in raw_values.items():
        score = ranked[f"{dimension}_score"]
        for value in SCORES:
            figures[f"{dimension}_score_{value}_share"] = float((score == value).mean())
        for value in (1, 5):
            figures[f"mean_{raw}_at_{dimension}_score_{value}"] = float(
                ranked.loc[score == value, raw].astype(float).mean()
            )
    names = {HVE: "hve", ENTERPRISE: "enterprise", SMB: "smb"}
    for segment, name in names.items():
        rows = mart[mart["customer_segment"] == segment]
        figures[f"mean_churn_probability_{name}"] = float(rows["churn_probability"].mean())
        figures[f"mean_rfm_composite_score_{name}"] = float(rows["rfm_composite_score"].mean())
        figures[f"mean_estimated_customer_ltv_{name}"] = float(
            rows["estimated_customer_ltv"].mean()
        )
    return pd.DataFrame([figures])


def mart_expectations(columns: tuple[DeclaredColumn, ...], expected_rows: int | None) -> list[Any]:
    """The mart suite: each column test the model YAML declares, the row count and the rules."""
    import great_expectations as gx

    expect = gx.expectations
    items: list[Any] = [expect.ExpectColumnToExist(column=c) for c in checked_columns(columns)]
    items += [expect.ExpectColumnValuesToBeUnique(column=c.name) for c in columns if c.unique]
    if expected_rows is not None:
        items.append(expect.ExpectTableRowCountToEqual(value=expected_rows))
    items += [expect.ExpectColumnValuesToNotBeNull(column=c.name) for c in columns if c.not_null]
    items += [
        expect.ExpectColumnValuesToBeInSet(column=c.name, value_set=list(c.accepted_values))
        for c in columns
        if c.accepted_values is not None
    ]
    items += [
        expect.ExpectColumnValuesToBeBetween(
            column=c.name, min_value=c.min_value, max_value=c.max_value
        )
        for c in columns
        if c.min_value is not None or c.max_value is not None
    ]
    items += [expect.ExpectColumnValuesToBeNull(column=rule) for rule in RULE_COLUMNS]
    return items


def profile_expectations() -> list[Any]:
    import great_expectations as gx

    expect = gx.expectations
    items: list[Any] = [
        expect.ExpectColumnValuesToBeBetween(column="ranked_customers", min_value=1)
    ]
    for dimension, (low, high) in SCORE_SHARE_BOUNDS.items():
        items += [
            expect.ExpectColumnValuesToBeBetween(
                column=f"{dimension}_score_{value}_share", min_value=low, max_value=high
            )
            for value in SCORES
        ]
    # A better score must mean a better raw value (fewer days, more purchases, more money).
    better = [
        ("mean_recency_days_at_recency_score_1", "mean_recency_days_at_recency_score_5"),
        ("mean_frequency_at_frequency_score_5", "mean_frequency_at_frequency_score_1"),
        ("mean_monetary_at_monetary_score_5", "mean_monetary_at_monetary_score_1"),
        # Segments: SMB churns more than either enterprise segment; HVE scores and is worth more.
        ("mean_churn_probability_smb", "mean_churn_probability_hve"),
        ("mean_churn_probability_smb", "mean_churn_probability_enterprise"),
        ("mean_rfm_composite_score_hve", "mean_rfm_composite_score_smb"),
        ("mean_estimated_customer_ltv_hve", "mean_estimated_customer_ltv_smb"),
    ]
    # A segment absent from the mart leaves its means NULL: nothing to order, not a failure.
    items += [
        expect.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=a, column_B=b, ignore_row_if="either_value_is_missing"
        )
        for a, b in better
    ]
    return items


def _context(docs_dir: Path) -> Any:
    """An ephemeral context: suites and results live in memory, Data Docs go to docs_dir."""
    # No usage statistics sent from a validation run; set before great_expectations loads.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        site_name=DOCS_SITE,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return context


def _validation_definition(context: Any, name: str, expectations: list[Any]) -> Any:
    import great_expectations as gx

    asset = context.data_sources.add_pandas(name).add_dataframe_asset(name)
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    return context.validation_definitions.add(
        gx.ValidationDefinition(
            name=name, data=asset.add_batch_definition_whole_dataframe(name), suite=suite
        )
    )


def run_suites(frames: dict[str, tuple[pd.DataFrame, list[Any]]], docs_dir: Path) -> Any:
    """Validate each frame against its expectations; build Data Docs; return the GE results."""
    context = _context(docs_dir)
    results = {}
    for name, (frame, expectations) in frames.items():
        definition = _validation_definition(context, name, expectations)
        # The customer_id of unexpected rows makes a failure actionable (profile rows have none).
        index = [ID_COLUMN] if ID_COLUMN in frame.columns else []
        results[name] = definition.run(
            batch_parameters={"dataframe": frame},
            result_format={"result_format": "SUMMARY", "unexpected_index_column_names": index},
        )
    context.build_data_docs(site_names=[DOCS_SITE])
    return results


def _number(value: Any) -> str:
    """A figure as a reader wants it: integers with separators, floats to 6 significant digits."""
    if isinstance(value, bool | np.bool_) or value is None:
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{int(number):,}" if number.is_integer() else f"{number:.6g}"


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return " vs ".join(_number(v) for v in value)
    return _number(value)


def _examples(result: dict[str, Any], column: str | None) -> str:
    """Some unexpected rows: by customer_id where GE kept it, else the values and their counts."""
    indexed = result.get("partial_unexpected_index_list") or []
    if indexed and ID_COLUMN in indexed[0]:
        shown = [
            f"{row[ID_COLUMN]} ({_number(row[column])})" if column in row else row[ID_COLUMN]
            for row in indexed[:EXAMPLES]
        ]
        return f"{ID_COLUMN} " + ", ".join(shown)
    counts = result.get("partial_unexpected_counts") or []
    return ", ".join(f"{_value(c['value'])} ({c['count']:,} rows)" for c in counts[:EXAMPLES])


def _observed(result: dict[str, Any], column: str | None) -> str:
    """What GE saw, in one line: the aggregate, the one value of a one-row frame, or the rows."""
    if "observed_value" in result:
        return f"observed {_number(result['observed_value'])}"
    if "unexpected_count" not in result:
        return "no observed value reported"
    if result.get("element_count") == 1:
        return f"observed {_value(result['partial_unexpected_list'][0])}"
    return (
        f"{result['unexpected_count']:,} of {result['element_count']:,} rows unexpected "
        f"({result['unexpected_percent']:.2f}%), e.g. {_examples(result, column)}"
    )


# What the expectations without bounds ask for.
EXPECTED_BY_TYPE = {
    "expect_column_values_to_be_null": "NULL (the rule holds)",
    "expect_column_values_to_not_be_null": "no NULL",
    "expect_column_values_to_be_unique": "unique values",
    "expect_column_to_exist": "the column in the mart",
}


def _expected(expectation_type: str, kwargs: dict[str, Any]) -> str:
    """The expectation's own bound or set, so a line reads as 'saw X, wanted Y'."""
    if expectation_type in EXPECTED_BY_TYPE:
        return EXPECTED_BY_TYPE[expectation_type]
    if "column_A" in kwargs:
        return f"{kwargs['column_A']} > {kwargs['column_B']}"
    if "value" in kwargs:
        return _number(kwargs["value"])
    if "value_set" in kwargs:
        return "one of " + ", ".join(_number(v) for v in kwargs["value_set"])
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if low is not None and high is not None:
        return f"between {_number(low)} and {_number(high)}"
    if low is not None:
        return f">= {_number(low)}"
    if high is not None:
        return f"<= {_number(high)}"
    return ""


def _exception_message(info: dict[str, Any]) -> str | None:
    """The first line of an error GE caught, flat or keyed by the metric that raised it."""
    found = [info] if "raised_exception" in info else list(info.values())
    for entry in found:
        if isinstance(entry, dict) and entry.get("exception_message"):
            return str(entry["exception_message"]).strip().splitlines()[0]
    return None


def failures_of(suite: str, validation: Any) -> list[Failure]:
    """The failed expectations of one suite's validation result."""
    failures = []
    for outcome in validation.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        kwargs = dict(config.kwargs)
        column = kwargs.get("column")
        error = _exception_message(outcome.exception_info or {})
        if error:
            observed = f"could not be evaluated: {error}"
        elif config.type == "expect_column_to_exist":
            observed = "the column is missing"
        else:
            observed = _observed(outcome.result, column)
        expected = _expected(config.type, kwargs)
        if "column_A" in kwargs:
            column = f"{kwargs['column_A']}, {kwargs['column_B']}"
        failures.append(
            Failure(suite, config.type, column, f"{observed}; expected {expected}".rstrip("; "))
        )
    return failures


def validate_mart(
    database: Path,
    reports_dir: Path,
    rule_vars: RuleVars,
    project_dir: Path,
) -> ValidationOutcome:
    """Run both suites on the mart in `database`; Data Docs under reports_dir/data_docs.

    The mart suite is derived from the model YAML under `project_dir`, its Jinja rendered with
    `rule_vars`; the expected row count comes from the publication row in `database`.
    """
    columns = mart_columns(project_dir, rule_vars)
    mart = read_mart(database, columns)
    # Derived figures are computed as if a missing column were all NULL; the suite itself sees
    # the mart as it is, so the missing column fails its own expectations by name.
    complete = mart.reindex(columns=checked_columns(columns))
    rules = with_rule_columns(complete, rule_vars)[list(RULE_COLUMNS)]
    expected_rows, note = accepted_customers(database)
    frames = {
        MART_SUITE: (mart.join(rules), mart_expectations(columns, expected_rows)),
        PROFILE_SUITE: (profile(complete), profile_expectations()),
    }
    docs_dir = reports_dir / DOCS_DIR
    results = run_suites(frames, docs_dir)
    failures = [f for name, result in results.items() for f in failures_of(name, result)]
    evaluated = sum(len(result.results) for result in results.values())
    return ValidationOutcome(
        database, evaluated, failures, docs_dir / "index.html", [note] if note else []
    )
