{#
    The raw support tickets whose ticket_id is not unique (NULL, or read more than once): every
    distinct version, with its raw row count and the versions of its key. Keys are settled here,
    once, so stg_customer360__support_tickets can read the raw file once, without a key window.
#}
{{ c360_nonunique_key_versions(
    source('customer360', 'support_tickets'),
    key='ticket_id',
    columns=['ticket_id', 'customer_id', 'opened_ts', 'resolved_ts', 'priority', 'csat_score'],
) }}
