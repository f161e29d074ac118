{#
    The raw funnel events whose funnel_event_id is not unique (NULL, or read more than once):
    every distinct version, with its raw row count and the versions of its key. Timestamps and
    numbers are compared as the values they parse to, so rows that differ only in how one was
    written are one version. Keys are settled here, once, so stg_customer360__funnel_events can
    read the raw file once, without a key window.
#}
{{ c360_nonunique_key_versions(
    source('customer360', 'funnel_events'),
    key='funnel_event_id',
    columns=['funnel_event_id', 'customer_id', 'stage', 'event_ts'],
    values=c360_contract_values('funnel_events'),
) }}
