{#
    Upkeep of the kept history (customer360__customer_score_history).
    c360_delete_stale_snapshots: a pre-hook that removes the stored snapshot dates this run no
      longer holds (as_of_date moved, history_months shrank), so the table is exactly this run's
      snapshot dates. Nothing to do on a first or full-refresh build. On Spark (plain Parquet,
      no delete) the partitions of those dates are dropped.
    c360_log_history_plan: says in the log which snapshots this build computes, and why, and how
      many it keeps; warns, naming history_months, when snapshot dates precede every signup.
#}
{% macro c360_delete_stale_snapshots() %}
    {%- if is_incremental() -%}
        {{ return(adapter.dispatch('c360_delete_stale_snapshots', 'customer360')()) }}
    {%- endif -%}
{% endmacro %}

{% macro default__c360_delete_stale_snapshots() %}
    delete from {{ this }}
    where snapshot_date not in (select snapshot_date from {{ ref('int_snapshot_dates') }})
{% endmacro %}

{% macro spark__c360_delete_stale_snapshots() %}
    {%- set stale = run_query(
        "select distinct cast(snapshot_date as string) from " ~ this
        ~ " where snapshot_date not in (select snapshot_date from " ~ ref('int_snapshot_dates') ~ ")") -%}
    {%- for row in stale.rows %}
    alter table {{ this }} drop if exists partition (snapshot_date = date '{{ row[0] }}');
    {%- endfor %}
{% endmacro %}

{% macro c360_log_history_plan() %}
    {#- nothing to say while the run context is not built (a compile or a lint of the project) -#}
    {%- if load_relation(ref('int_snapshot_dates')) is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set plan = run_query(
        "select compute_reason, count(*), min(snapshot_date), max(snapshot_date) from "
        ~ ref('int_snapshot_dates') ~ " group by compute_reason order by 3") -%}
    {%- set kept = [] -%}
    {%- set computed = [] -%}
    {%- for row in plan.rows -%}
        {%- if row[0] is none -%}
            {%- do kept.append(row[1]) -%}
        {%- else -%}
            {%- do computed.append(row[1] ~ ' (' ~ row[0] ~ ', ' ~ row[2] ~ ' to ' ~ row[3] ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do log("customer360: history: computing " ~ (computed | join('; ') if computed else 'no snapshot')
        ~ "; keeping " ~ (kept | sum) ~ " unchanged", info=true) -%}
    {%- set empty = run_query(
        "select count(*), min(snapshot_date), max(snapshot_date) from " ~ ref('int_snapshot_dates')
        ~ " where customers = 0") -%}
    {%- if empty.rows[0][0] > 0 -%}
        {%- do exceptions.warn("customer360: var history_months reaches back to "
            ~ empty.rows[0][1] ~ ", before any accepted customer had signed up: "
            ~ empty.rows[0][0] ~ " snapshot date(s) (" ~ empty.rows[0][1] ~ " to "
            ~ empty.rows[0][2] ~ ") hold no customer. Lower history_months to keep the history "
            ~ "to dates with data.") -%}
    {%- endif -%}
{% endmacro %}
