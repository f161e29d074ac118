{#
    TEMPORARY stand-in for the lead's int_customer_snapshots_churn_configured (issue 17): the
    configured churn formula per computed snapshot, here read from the temporary
    int_customer_snapshot_features. Deleted when main gains the real one.
#}

with

features as (
    select
        customer_id,
        snapshot_date,
        churn_probability_configured
    from {{ ref('int_customer_snapshot_features') }}
    where is_computed
),

final as (
    select * from features
)

select * from final
