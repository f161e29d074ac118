{#
    A fingerprint of the input each snapshot date sees, one row per snapshot date: the sum of
    the hashes of the accepted rows it holds (customers signed up by T, transactions and events
    dated by T, tickets known by T) and the presence of each optional source. A kept snapshot
    whose fingerprint changed (a late row, a corrected amount, a newly conflicting key) is
    recomputed; one whose inputs are untouched is not, however much newer data arrived.
    Each source is hashed per day first, so the per-snapshot sums run over a few hundred rows.
#}

with

snapshot_dates as (
    select snapshot_date from {{ ref('int_snapshot_dates_requested') }}
),

inventory as (
    select
        concat_ws(
            ',',
            {% for table in ['account_owners', 'activity_events', 'funnel_events', 'support_tickets'] -%}
                max(case when source_table = '{{ table }}' and is_present then '{{ table }}' else '' end)
                {{- ',' if not loop.last }}
            {% endfor -%}
        ) as present_sources
    from {{ ref('stg_customer360__raw_file_inventory') }}
),

daily_hashes as (
    select
        signup_date as known_date,
        sum({{ c360_row_hash(['customer_id', 'customer_name', 'industry', 'region', 'country_code',
            'employee_count', 'signup_date', 'account_owner_id']) }}) as row_hash_sum,
        count(*) as customers
    from {{ ref('int_customers_accepted') }}
    group by signup_date
    union all
    select
        transaction_date as known_date,
        sum({{ c360_row_hash(['transaction_id', 'customer_id', 'transaction_ts', 'amount',
            'transaction_type']) }}) as row_hash_sum,
        0 as customers
    from {{ ref('int_transactions_accepted') }}
    group by transaction_date
    union all
    select
        event_date as known_date,
        sum({{ c360_row_hash(['event_id', 'customer_id', 'event_ts', 'event_type', 'channel']) }})
            as row_hash_sum,
        0 as customers
    from {{ ref('int_activity_events_accepted') }}
    group by event_date
    union all
    select
        event_date as known_date,
        sum({{ c360_row_hash(['funnel_event_id', 'customer_id', 'stage', 'event_ts']) }})
            as row_hash_sum,
        0 as customers
    from {{ ref('int_funnel_events_accepted') }}
    group by event_date
    union all
    select
        known_date,
        sum({{ c360_row_hash(['ticket_id', 'customer_id', 'opened_ts', 'resolved_ts', 'priority',
            'csat_score']) }}) as row_hash_sum,
        0 as customers
    from {{ ref('int_support_tickets_accepted') }}
    group by known_date
),

per_snapshot as (
    select
        snapshot_dates.snapshot_date,
        coalesce(sum(daily_hashes.row_hash_sum), 0) as row_hash_sum,
        coalesce(sum(daily_hashes.customers), 0) as customers
    from snapshot_dates
    left join daily_hashes
        on snapshot_dates.snapshot_date >= daily_hashes.known_date
    group by snapshot_dates.snapshot_date
),

final as (
    select
        per_snapshot.snapshot_date,
        md5(concat_ws(
            '|', cast(per_snapshot.row_hash_sum as {{ dbt.type_string() }}), inventory.present_sources
        )) as input_fingerprint,
        per_snapshot.customers
    from per_snapshot
    cross join inventory
)

select * from final
