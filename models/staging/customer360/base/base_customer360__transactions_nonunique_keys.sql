{#
    The raw transactions whose transaction_id is not unique (NULL, or read more than once):
    every distinct version, with its raw row count and the versions of its key. Timestamps and
    numbers are compared as the values they parse to, so rows that differ only in how one was
    written are one version. Keys are settled here, once, so stg_customer360__transactions can
    read the raw file once, without a key window.
#}
{{ c360_nonunique_key_versions(
    source('customer360', 'transactions'),
    key='transaction_id',
    columns=['transaction_id', 'customer_id', 'transaction_ts', 'amount', 'transaction_type'],
    values=c360_contract_values('transactions'),
) }}
