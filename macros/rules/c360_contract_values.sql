{#
    The columns of contract table `table` that are not text, each with the expression that
    parses it (c360_parse_timestamp, c360_parse_date or c360_parse_number, by the column's
    contract type): the columns c360_distinct_versions compares by value.

    Models read them from here rather than from the source YAML because unit tests compile
    models without the project's graph; c360_check_contract_value_types holds this list to
    the source YAML at the start of every run, so the two cannot drift apart.
#}
{% macro c360_contract_value_types() %}
    {{ return({
        'customers': {'employee_count': 'integer', 'signup_date': 'date'},
        'transactions': {'transaction_ts': 'timestamp', 'amount': 'decimal(18,2)'},
        'activity_events': {'event_ts': 'timestamp'},
        'funnel_events': {'event_ts': 'timestamp'},
        'support_tickets': {
            'opened_ts': 'timestamp', 'resolved_ts': 'timestamp', 'csat_score': 'integer'},
        'account_owners': {},
    }) }}
{% endmacro %}

{% macro c360_contract_values(table) %}
    {%- set values = {} -%}
    {%- for column, data_type in c360_contract_value_types()[table].items() -%}
        {%- if data_type == 'timestamp' -%}
            {%- do values.update({column: c360_parse_timestamp(column)}) -%}
        {%- elif data_type == 'date' -%}
            {%- do values.update({column: c360_parse_date(column)}) -%}
        {%- else -%}
            {%- do values.update({column: c360_parse_number(column)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(values) }}
{% endmacro %}

{#
    Run start: c360_contract_value_types must name exactly the columns of the source YAML
    that are not varchar, with their types; a difference stops the run saying which.
#}
{% macro c360_check_contract_value_types() %}
    {%- set declared = {} -%}
    {%- for table in c360_contract_tables() -%}
        {%- set typed = {} -%}
        {%- for column in table.columns if (column.data_type | lower) != 'varchar' -%}
            {%- do typed.update({column.name: column.data_type | lower | replace(' ', '')}) -%}
        {%- endfor -%}
        {%- do declared.update({table.name: typed}) -%}
    {%- endfor -%}
    {%- if declared != c360_contract_value_types() -%}
        {{ exceptions.raise_compiler_error(
            "customer360: macro c360_contract_value_types lists " ~ c360_contract_value_types()
            ~ " but the source YAML's columns that are not varchar are " ~ declared
            ~ ": update the macro with the contract") }}
    {%- endif -%}
{% endmacro %}
