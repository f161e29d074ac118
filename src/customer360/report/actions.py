"""The report's section about acting on the mart (SPEC sections 7 and 9): its charts and tables.

Watchlist counts by rule and route, the top watchlist customers by expected annual revenue,
and the books of business: risk-adjusted value and workload per owner with the load index
coloured, and the owners with the most human-routed watchlist rows. Read by
`queries.read_action_data`; a database published before these marts existed gives no section
and a note. Every text taken from the data is HTML-escaped.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from customer360.report.charts import Chart, style
from customer360.report.narrative import money
from customer360.report.queries import TOP_WATCHLIST_CUSTOMERS, ActionData

TOP_HUMAN_OWNERS = 10
BOOK_OWNERS_SHOWN = 25
ROUTE_COLOURS = {"human": "#D55E00", "automated": "#56B4E9"}
# Load index colours: under-loaded blue, even white, over-loaded red (1 = the team's mean).
LOAD_COLOURSCALE = [[0.0, "#2166AC"], [0.5, "#F7F7F7"], [1.0, "#B2182B"]]
LOAD_RANGE = (0.0, 2.0)


def _owner_label(row: pd.Series) -> str:
    name = row["owner_name"]
    return row["account_owner_id"] if pd.isna(name) else f"{name} ({row['account_owner_id']})"


def watchlist_chart(data: ActionData) -> Chart | None:
    counts = data.watchlist_counts
    if counts is None or counts.empty:
        return None
    rules = sorted(set(counts["rule_id"]))
    figure = go.Figure()
    for route, colour in ROUTE_COLOURS.items():
        rows = counts[counts["route"] == route].set_index("rule_id")
        figure.add_trace(
            go.Bar(
                name=route,
                x=rules,
                y=[int(rows["watchlist_rows"].get(rule, 0)) for rule in rules],
                marker_color=colour,
                hovertemplate="%{x}<br>" + route + ": %{y:,} rows<extra></extra>",
            )
        )
    # Side by side, not stacked: stacked bars on a log scale misstate the upper part.
    figure.update_layout(barmode="group")
    figure.update_yaxes(title_text="Watchlist rows", type="log")
    figure.update_xaxes(title_text="Rule (seeds/watchlist_rules.csv)", type="category")
    return Chart(
        "watchlist-by-rule",
        "Watchlist rows by rule and route",
        "One row per customer and rule that fired at as_of_date; human = routed to a person "
        "(every HVE and Enterprise row, and SMB customers in the top 5% by expected annual "
        "revenue). Log scale.",
        style(figure, "Watchlist rows by rule and route", 480),
        480,
    )


def _load_colours(load: list[float | None]) -> list[str]:
    """Blue below the team's mean load (1), white at it, red above; grey without a load index."""
    low, high = LOAD_RANGE
    positions = [None if v is None else min(max((v - low) / (high - low), 0.0), 1.0) for v in load]
    known = sample_colorscale(LOAD_COLOURSCALE, [p for p in positions if p is not None])
    colours = iter(known)
    return ["#BBBBBB" if p is None else next(colours) for p in positions]


def books_chart(data: ActionData) -> Chart | None:
    books = data.books
    if books is None or books.empty:
        return None
    shown = books.head(BOOK_OWNERS_SHOWN)
    labels = [_owner_label(row) for _, row in shown.iterrows()]
    load = [None if pd.isna(value) else float(value) for value in shown["load_index"]]
    figure = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=["Risk-adjusted value ($)", "Workload (hours per month), by load index"],
    )
    figure.add_trace(
        go.Bar(
            y=labels,
            x=shown["risk_adjusted_value"].tolist(),
            orientation="h",
            marker_color="#0072B2",
            showlegend=False,
            hovertemplate="%{y}<br>risk-adjusted value: $%{x:,.0f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            y=labels,
            x=shown["workload_hours_monthly"].astype(float).tolist(),
            orientation="h",
            customdata=[["n/a" if v is None else f"{v:.2f}"] for v in load],
            # colours computed here, not a numeric colour array: plotly.js derives hover colours
            # from marker.color and warns on every number
            marker={
                "color": _load_colours(load),
                "line": {"color": "#444444", "width": 0.5},
            },
            showlegend=False,
            hovertemplate="%{y}<br>%{x:,.1f} hours/month<br>load index %{customdata[0]}"
            "<extra></extra>",
        ),
        row=1,
        col=2,
    )
    figure.update_yaxes(autorange="reversed", type="category")
    height = 160 + 24 * len(labels)
    return Chart(
        "books-of-business",
        "Books of business",
        f"The {len(labels)} books with the most risk-adjusted value (sum of expected annual "
        f"revenue x (1 - churn probability)), and their monthly workload from the engagement "
        "models (seeds/engagement_model_effort.csv), coloured by load index: workload / the "
        "mean of the owners in the same team (1 = even; grey-white without a team).",
        style(figure, "Books of business: risk-adjusted value and workload", height),
        height,
    )


def charts(data: ActionData) -> list[Chart]:
    return [chart for chart in (watchlist_chart(data), books_chart(data)) if chart is not None]


def _table(section_id: str, title: str, caption: str, header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(name)}</th>" for name in header)
    body = "\n".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    return (
        f'<section id="section-{section_id}">\n<h2>{html.escape(title)}</h2>\n'
        f'<p class="caption">{html.escape(caption)}</p>\n'
        f'<table class="data">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n'
        "</table>\n</section>"
    )


def _cell(value: object, numeric: bool = False) -> str:
    text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    align = ' class="number"' if numeric else ""
    return f"<td{align}>{html.escape(text)}</td>"


def _load_cell(value: object) -> str:
    if value is None or pd.isna(value):
        return '<td class="number">n/a</td>'
    share = min(max((float(value) - LOAD_RANGE[0]) / (LOAD_RANGE[1] - LOAD_RANGE[0]), 0.0), 1.0)
    colour = "#F4A582" if share > 0.6 else "#92C5DE" if share < 0.4 else "#F7F7F7"
    return f'<td class="number" style="background:{colour}">{float(value):.2f}</td>'


_TABLE_STYLE = """<style>
table.data { border-collapse: collapse; font-size: 0.92em; width: 100%; }
table.data th, table.data td { border-bottom: 1px solid #ddd; padding: 0.3em 0.5em;
                               text-align: left; vertical-align: top; }
table.data td.number { text-align: right; white-space: nowrap; }
</style>"""


def tables_html(data: ActionData) -> str:
    parts = [_TABLE_STYLE]
    if data.top_watchlist is not None:
        rows = [
            [
                _cell(row["customer_name"]),
                _cell(row["owner"]),
                _cell(row["rule_id"]),
                _cell(row["severity"]),
                _cell(row["route"]),
                _cell(row["reason"]),
                _cell(money(row["expected_annual_revenue"]), numeric=True),
            ]
            for _, row in data.top_watchlist.iterrows()
        ]
        parts.append(
            _table(
                "watchlist-top",
                f"Top {TOP_WATCHLIST_CUSTOMERS} watchlist rows by expected annual revenue",
                "The watchlist rows of the customers with the most expected annual revenue: who, "
                "whose book, which rule fired and why.",
                ["Customer", "Owner", "Rule", "Severity", "Route", "Reason", "Expected revenue"],
                rows,
            )
        )
    if data.books is not None:
        books = data.books.sort_values(
            ["watchlist_rows_human", "account_owner_id"], ascending=[False, True]
        ).head(TOP_HUMAN_OWNERS)
        rows = [
            [
                _cell(_owner_label(row)),
                _cell(row["team"]),
                _cell(f"{int(row['watchlist_rows_human']):,}", numeric=True),
                _cell(f"{int(row['watchlist_rows']):,}", numeric=True),
                _cell(money(row["risk_adjusted_value"]), numeric=True),
                _cell(f"{float(row['workload_hours_monthly']):,.1f}", numeric=True),
                _load_cell(row["load_index"]),
            ]
            for _, row in books.iterrows()
        ]
        parts.append(
            _table(
                "books-human-owners",
                f"Owners with the most human-routed watchlist rows (top {TOP_HUMAN_OWNERS})",
                "Who has the most watchlist rows to act on in person; load index = workload / "
                "the team's mean (red above 1.2, blue below 0.8).",
                [
                    "Owner",
                    "Team",
                    "Human rows",
                    "Watchlist rows",
                    "Risk-adjusted value",
                    "Hours/month",
                    "Load index",
                ],
                rows,
            )
        )
    return "\n".join(parts) if len(parts) > 1 else ""
