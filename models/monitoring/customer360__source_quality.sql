{#
    One row per source table of the raw contract: distinct rows read, accepted and rejected, and
    the share of invalid rows that the data-quality alerts judge (vars rejected_pct_warn and
    rejected_pct_error). Rows dated after as_of_date are rejected too, but they are valid data
    outside the analysis window (every back-dated build has them), so they are counted apart
    and left out of invalid_pct. Reads the validated models, never the sources, so the counts
    are the ones the reconcile tests prove.
#}
{%- set validated_models = [
    ('customers', 'int_customers_validated'),
    ('account_owners', 'stg_customer360__account_owners'),
    ('transactions', 'int_transactions_validated'),
    ('activity_events', 'int_activity_events_validated'),
    ('funnel_events', 'int_funnel_events_validated'),
    ('support_tickets', 'int_support_tickets_validated'),
] -%}

with

raw_file_inventory as (
    select * from {{ ref('stg_customer360__raw_file_inventory') }}
),

rejected_rows as (
    select * from {{ ref('customer360__rejected_rows') }}
),

{% for source_table, model in validated_models -%}
    accepted_{{ source_table }} as (
        select
            '{{ source_table }}' as source_table,
            count(*) as rows_accepted
        from {{ ref(model) }}
        where rejection_reason is null
    ),

{% endfor -%}

accepted_counts as (
    {% for source_table, model in validated_models -%}
        select * from accepted_{{ source_table }}
        {% if not loop.last %}union all
        {% endif -%}
    {%- endfor %}
),

rejected_counts as (
    select
        source_table,
        count(*) as rows_rejected,
        cast(
            sum(case when reason = 'after_as_of_date' then 1 else 0 end) as {{ dbt.type_bigint() }}
        ) as rows_after_as_of_date
    from rejected_rows
    group by source_table
),

counted as (
    select
        accepted_counts.source_table,
        coalesce(raw_file_inventory.is_present, false) as is_present,
        accepted_counts.rows_accepted,
        coalesce(rejected_counts.rows_rejected, 0) as rows_rejected,
        coalesce(rejected_counts.rows_after_as_of_date, 0) as rows_after_as_of_date
    from accepted_counts
    left join raw_file_inventory
        on accepted_counts.source_table = raw_file_inventory.source_table
    left join rejected_counts
        on accepted_counts.source_table = rejected_counts.source_table
),

final as (
    select
        source_table,
        is_present,
        rows_accepted + rows_rejected as rows_read,
        rows_accepted,
        rows_rejected,
        rows_after_as_of_date,
        rows_rejected - rows_after_as_of_date as rows_invalid,
        -- NULL for an absent or empty table: nothing was read, so nothing can be judged
        100.0 * rows_rejected / nullif(rows_accepted + rows_rejected, 0) as rejected_pct,
        100.0 * (rows_rejected - rows_after_as_of_date)
        / nullif(rows_accepted + rows_rejected, 0) as invalid_pct
    from counted
)

select * from final
