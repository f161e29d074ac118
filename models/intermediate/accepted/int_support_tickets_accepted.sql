{#- The accepted support tickets. A ticket belongs to the snapshot at T when it was opened and,
    if resolved, resolved by T (`known_date`): a build with as_of_date = T rejects a ticket whose
    resolution is dated after T, so that snapshot does not hold it either. -#}

with

support_tickets as (
    select * from {{ ref('int_support_tickets_validated') }}
),

final as (
    select
        ticket_id,
        customer_id,
        opened_ts,
        resolved_ts,
        cast(opened_ts as date) as opened_date,
        {{ c360_greatest_date(['cast(opened_ts as date)', 'cast(resolved_ts as date)']) }}
            as known_date,
        priority,
        csat_score
    from support_tickets
    where rejection_reason is null
)

select * from final
