{#
    The raw activity events whose event_id is not unique (NULL, or read more than once): every
    distinct version, with its raw row count and the versions of its key. Timestamps and numbers
    are compared as the values they parse to, so rows that differ only in how one was written
    are one version. Keys are settled here, once, so stg_customer360__activity_events can read
    the raw file once, without a key window.
#}
{{ c360_nonunique_key_versions(
    source('customer360', 'activity_events'),
    key='event_id',
    columns=['event_id', 'customer_id', 'event_ts', 'event_type', 'channel'],
    values=c360_contract_values('activity_events'),
) }}
