{#
    Every raw row left out of the mart, with the reason: one row per rejected distinct raw row
    (exact duplicates count once), so that for each source table
    rows read = rows accepted + rows rejected. A line of a CSV file that could not be read as a
    row at all (malformed_csv_line) has no key.
#}
{%- set validated = [
    ('customers', 'int_customers_validated', 'customer_id'),
    ('account_owners', 'stg_customer360__account_owners', 'account_owner_id'),
    ('transactions', 'int_transactions_validated', 'transaction_id'),
    ('activity_events', 'int_activity_events_validated', 'event_id'),
    ('funnel_events', 'int_funnel_events_validated', 'funnel_event_id'),
    ('support_tickets', 'int_support_tickets_validated', 'ticket_id'),
] -%}

with

{% for source_table, model, key in validated -%}
    rejected_{{ source_table }} as (
        select
            '{{ source_table }}' as source_table,
            {{ key }} as source_key,
            rejection_reason as reason,
            rejected_column,
            raw_row
        from {{ ref(model) }}
        where rejection_reason is not null
    ),

{% endfor -%}

malformed_csv_lines as (
    select
        source_table,
        cast(null as {{ dbt.type_string() }}) as source_key,
        rejection_reason as reason,
        rejected_column,
        raw_row
    from {{ ref('stg_customer360__csv_rejected_lines') }}
),

final as (
    {% for source_table, model, key in validated -%}
        select * from rejected_{{ source_table }}
        union all
    {% endfor -%}
    select * from malformed_csv_lines
)

select * from final
